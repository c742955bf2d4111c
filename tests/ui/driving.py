"""Driving the app in AppTest: start an interview, type, press buttons, read the chat."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from ui import state

AD = "Ad click-through rate prediction"


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def start(at: AppTest, title: str = AD, level: str = "senior") -> AppTest:
    at.selectbox(key="case").set_value(title)
    at.radio(key="level").set_value(level)
    return ok(at.button(key="start").click().run())


def say(at: AppTest, text: str) -> AppTest:
    return ok(at.chat_input(key="chat").set_value(text).run())


def press(at: AppTest, key: str) -> AppTest:
    return ok(at.button(key=key).click().run())


def chat(at: AppTest) -> list[tuple[str, str]]:
    return [(m.name, m.markdown[0].value) for m in at.chat_message]


def sidebar_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.sidebar.markdown)


def session_id(at: AppTest) -> str:
    return str(at.query_params[state.SESSION_PARAM])
