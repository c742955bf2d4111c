"""The real Streamlit script driven by AppTest, page by page, on the offline brain."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import pytest
from streamlit.testing.v1 import AppTest

from interviewer import factory
from interviewer.brain.base import MessageKind, Outcome, Situation
from interviewer.brain.offline import OfflineBrain
from interviewer.settings import get_settings
from tests.ui.driving import AD, chat, ok, press, say, session_id, sidebar_text, start
from ui import state
from ui.format import escape_markdown


def test_start_page_shows_brain_filters_and_cases(app: AppTest) -> None:
    assert any("Brain: offline" in c.value for c in app.caption)
    app.selectbox(key="domain").set_value("ads").run()
    assert ok(app).selectbox(key="case").options == [AD]
    app.selectbox(key="domain").set_value("Any")
    app.selectbox(key="difficulty").set_value("hard").run()
    hard = ok(app).selectbox(key="case").options
    assert hard and AD not in hard
    app.toggle(key="surprise").set_value(True).run()
    assert "case" not in [s.key for s in ok(app).selectbox]  # no case to pick: one is drawn at start
    ok(app.button(key="start").click().run())
    assert state.SESSION_PARAM in app.query_params
    cases = factory.knowledge(get_settings().knowledge_dir).cases.values()
    assert any(escape_markdown(c.prompt) in chat(app)[0][1] for c in cases if c.difficulty == "hard")


def test_interview_to_debrief_download_and_history(app: AppTest) -> None:
    start(app, level="staff")
    sid = session_id(app)
    assert chat(app)[0][0] == "assistant" and "step by step" in chat(app)[0][1]
    assert "Step 1 of 7" in app.get("progress")[0].proto.text
    assert any("Level: staff" in c.value for c in app.caption)

    say(app, "What is the latency budget, and how many requests per second do we serve?")  # clarifying
    assert "50 ms" in chat(app)[-1][1]
    assert "latency budget" in sidebar_text(app)

    say(app, "The auction multiplies the bid by the click probability, so we need calibrated probabilities.")
    assert len(chat(app)) == 5

    press(app, "ctl-hint")
    assert "nudge" in chat(app)[-1][1]
    assert any("Hints taken: 1" in c.value for c in app.sidebar.caption)

    press(app, "ctl-move_on")
    assert "Step 2 of 7" in app.get("progress")[0].proto.text

    say(app, "I would frame it as binary classification of each impression because clicks are the label.")
    press(app, "ctl-end")
    press(app, "end-confirm")
    assert any("debrief is ready" in s.value for s in app.success)
    assert not app.chat_input  # the interview is over

    press(app, "open-debrief")
    assert session_id(app) == sid
    labels = {m.label: m.value for m in app.metric}
    assert set(labels) >= {"Recommendation", "Estimated level", "Overall score", "Hints taken"}
    assert labels["Hints taken"] == "1"
    assert app.get("vega_lite_chart")
    assert len([e for e in app.expander if not e.label.startswith("Model answer")]) == 7
    assert any(link.proto.page == "interview" and "turn=" in link.proto.query_string for link in app.page_link)
    assert any("stronger" in c.value or "Source:" in c.value for c in app.caption)
    downloads = {b.label: b for b in app.download_button}
    assert set(downloads) == {"Download Markdown", "Download JSON"}
    for button in downloads.values():
        ok(button.click().run())

    quoted = next(link for link in app.page_link if "turn=" in link.proto.query_string)
    turn = quoted.proto.query_string.split("turn=")[1].split("&")[0]
    app.query_params[state.TURN_PARAM] = turn
    ok(app.switch_page(state.INTERVIEW).run())
    assert any(c.value == f"Turn {turn}, quoted in the debrief" for c in app.caption)
    del app.query_params[state.TURN_PARAM]

    ok(app.switch_page(state.HISTORY).run())
    frame = app.dataframe[0].value
    assert list(frame["case"]) == [AD] and list(frame["level"]) == ["staff"]
    assert frame["requirements"].iloc[0] >= 1
    assert app.get("vega_lite_chart")
    assert any("Weakest step" in m.value for m in app.markdown)
    press(app, "start-suggested")
    assert session_id(app) != sid and app.chat_input


def test_refresh_and_restart_resume_the_same_interview(make_app: Callable[[], AppTest]) -> None:
    first = make_app()
    ok(first.run())
    start(first)
    say(first, "What is the latency budget?")
    sid, transcript = session_id(first), chat(first)

    fresh = make_app()  # a new browser session (refresh or server restart)
    fresh.query_params[state.SESSION_PARAM] = sid
    ok(fresh.run())
    ok(fresh.switch_page(state.INTERVIEW).run())
    assert chat(fresh) == transcript
    say(fresh, "How many requests per second at peak?")
    assert len(chat(fresh)) == len(transcript) + 2

    start_page = make_app()
    ok(start_page.run())
    assert start_page.button(key=f"resume-{sid}")
    press(start_page, f"resume-{sid}")
    assert session_id(start_page) == sid and len(chat(start_page)) == len(transcript) + 2


def test_unknown_or_missing_session_is_explained(make_app: Callable[[], AppTest]) -> None:
    at = make_app()
    ok(at.run())
    ok(at.switch_page(state.DEBRIEF).run())
    assert "No interview is open" in at.info[0].value
    at.query_params[state.SESSION_PARAM] = "nope"
    ok(at.switch_page(state.INTERVIEW).run())
    assert "no interview with id 'nope'" in at.error[0].value


def test_empty_and_too_long_messages_are_refused_clearly(app: AppTest) -> None:
    start(app)
    before = chat(app)
    say(app, "   ")
    assert "empty" in app.warning[0].value
    long = "word " * 1500
    say(app, long)
    assert "limit is 6000" in app.error[0].value
    assert app.code[0].value == long  # kept, to copy back
    assert chat(app) == before
    say(app, "What is the latency budget?")
    assert not app.code and len(chat(app)) == len(before) + 2


def test_candidate_text_is_never_markup(app: AppTest) -> None:
    start(app)
    text = '<img src=x onerror="alert(1)"> **bold** [link](http://evil) $x^2$ :red[red]'
    say(app, text)
    shown = [body for role, body in chat(app) if role == "user"]
    assert shown == [escape_markdown(text)]
    assert all(not m.proto.allow_html for m in app.markdown)


class FlakyBrain(OfflineBrain):
    """Fails on the first message it classifies, like a model call that times out."""

    def __init__(self) -> None:
        super().__init__()
        self.failed = False

    def classify(
        self, message: str, situation: Situation, *, step_vocabulary: Sequence[str], topic_texts: Sequence[str] = ()
    ) -> Outcome[MessageKind]:
        if not self.failed:
            self.failed = True
            raise TimeoutError("the model did not answer")
        return super().classify(message, situation, step_vocabulary=step_vocabulary, topic_texts=topic_texts)


def test_a_failed_turn_keeps_the_message_and_retries(app: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    real = factory.make_service
    monkeypatch.setattr(factory, "make_service", lambda settings: real(settings, brain=FlakyBrain()))
    while not state.ready():  # the app fixture's background load would cache the real brain after the clear
        time.sleep(0.05)
    state._service.clear()  # the app fixture already cached a service with the real brain
    ok(app.run())
    start(app)
    say(app, "What is the latency budget?")
    assert "did not answer" in app.error[0].value and "kept" in app.error[0].value
    assert any("not answered" in w.value for w in app.warning)
    assert "latency budget" in "\n".join(m.value for m in app.markdown)
    assert app.chat_input(key="chat").proto.disabled and app.button(key="ctl-hint").disabled
    press(app, "retry")
    assert not app.warning and "50 ms" in chat(app)[-1][1]
    assert [role for role, _ in chat(app)] == ["assistant", "user", "assistant"]


def test_retry_from_here_branches_and_compares(app: AppTest) -> None:
    start(app)
    say(app, "What is the latency budget?")
    say(app, "We should just maximise accuracy.")
    original = session_id(app)
    assert app.button(key="branch-1") and app.button(key="branch-3")
    press(app, "branch-3")
    branch = session_id(app)
    assert branch != original
    assert len(chat(app)) == 3
    assert "branch of interview" in app.info[0].value
    say(app, "The auction multiplies bid by predicted click probability, so calibration matters for revenue.")
    press(app, "ctl-end")
    press(app, "end-confirm")

    ok(app.switch_page(state.COMPARE).run())
    frame = app.dataframe[0].value
    assert len(frame) == 2 and frame["status"].tolist() == ["active", "finished"]
    assert app.get("vega_lite_chart")
    press(app, f"open-{original}")
    assert session_id(app) == original and app.button(key="ctl-end")
    app.switch_page(state.INTERVIEW)  # AppTest keeps requesting the page it was last switched to
    press(app, "ctl-end")
    press(app, "end-confirm")
    press(app, "open-debrief")
    assert any("Compare" in link.proto.label for link in app.page_link)


def test_history_without_interviews_points_to_start(make_app: Callable[[], AppTest]) -> None:
    at = make_app()
    ok(at.run())
    ok(at.switch_page(state.HISTORY).run())
    assert "No interviews yet" in at.info[0].value


EVIL_SESSION = "[x](https://evil.example)![i](https://evil.example/i.png)"


@pytest.mark.parametrize("page", [state.INTERVIEW, state.DEBRIEF, state.COMPARE])
def test_a_session_parameter_is_never_markup(make_app: Callable[[], AppTest], page: str) -> None:
    from markdown_it import MarkdownIt

    at = make_app()
    ok(at.run())
    at.query_params[state.SESSION_PARAM] = EVIL_SESSION
    ok(at.switch_page(page).run())
    shown = at.error[0].value
    assert "does not name an interview" in shown and "invalid session id" in shown
    rendered = MarkdownIt("commonmark").render(shown)
    assert "<a " not in rendered and "<img" not in rendered
    assert "](" not in shown and "![" not in shown and "https://" not in shown  # no link, image or autolink
    assert not at.chat_input  # nothing of an interview is shown


def test_a_turn_parameter_that_is_not_a_number_is_ignored(app: AppTest) -> None:
    start(app)
    for odd in ("²", "1" * 5000, "-1", "x"):
        app.query_params[state.TURN_PARAM] = odd
        ok(app.switch_page(state.INTERVIEW).run())
        assert not any("quoted in the debrief" in c.value for c in app.caption)


def test_the_start_page_hides_credentials_in_the_base_url(
    make_app: Callable[[], AppTest], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTERVIEWER_PROVIDER", "openai")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://me:hunter2@llm.internal:8000/v1?api_key=sk-secret")
    get_settings.cache_clear()
    real = factory.make_service
    monkeypatch.setattr(factory, "make_service", lambda settings: real(settings, brain=OfflineBrain()))
    at = ok(make_app().run())
    captions = "\n".join(c.value for c in at.caption)
    assert "hunter2" not in captions and "sk-secret" not in captions
    assert escape_markdown("via http://me:***@llm.internal:8000/v1?api_key=***") in captions


def test_streamlit_config_binds_localhost_and_sends_nothing() -> None:
    import tomllib

    from interviewer.settings import REPO_ROOT

    config = tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["address"] == "localhost"
    assert config["server"]["headless"] is True
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["toolbarMode"] == "minimal"
