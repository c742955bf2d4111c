"""The interview page driven by AppTest: the design sketch, timers, ending with a confirmation, turn links."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from interviewer import factory
from interviewer.graph.context import FakeClock
from interviewer.settings import get_settings
from interviewer.sketch import parse, to_dot
from tests.ui.driving import chat, ok, press, say, session_id, start
from ui import sketch_panel, state
from ui.format import active_seconds, escape_markdown, one_line, printable, progress_label

SKETCH = "request -> candidate generation -> ranking -> re-ranking\nfeature store -> ranking: user features"
ANSWER = "We retrieve candidates, then rank them with a model that predicts click probability."


def sketch_box(at: AppTest) -> Any:
    return at.text_area(key=sketch_panel.editor_key(session_id(at)))


def graphs(node: Any) -> list[str]:
    return [g.proto.spec for g in node.get("graphviz_chart")]


def progress(at: AppTest) -> list[str]:
    return [p.proto.text for p in at.sidebar.get("progress")]


def blocks(node: Any) -> Iterator[Any]:
    for child in getattr(node, "children", {}).values():
        yield child
        yield from blocks(child)


def keys_of_containers(at: AppTest) -> list[str]:
    ids = [getattr(b.proto, "id", "") for b in blocks(at.main) if b.proto is not None]
    return [i.rsplit("-", 2)[-2] + "-" + i.rsplit("-", 1)[-1] for i in ids if "-turn-" in i]


def test_a_sketch_is_drawn_as_typed_and_sent_with_the_next_answer(app: AppTest) -> None:
    start(app)
    sid = session_id(app)
    assert not graphs(app)  # an empty sketch draws nothing
    ok(sketch_box(app).set_value(SKETCH).run())
    assert graphs(app) == [to_dot(parse(SKETCH))] and not app.warning

    say(app, ANSWER)
    turn = state.service().state(sid).turns[1]
    assert turn.role == "candidate" and turn.sketch == SKETCH
    answer = app.chat_message[1]
    assert answer.name == "user" and graphs(answer) == [to_dot(parse(SKETCH))]
    assert answer.expander[0].label == "Sketch as text" and answer.code[0].value == SKETCH
    assert sketch_box(app).value == ""  # emptied: the sketch now belongs to that answer
    assert any("the box is then emptied" in c.value for c in app.caption)

    press(app, f"{sketch_panel.editor_key(sid)}-reuse")
    assert sketch_box(app).value == SKETCH
    say(app, "What is the latency budget?")
    assert state.service().state(sid).turns[3].sketch == SKETCH
    press(app, "ctl-hint")  # a control never carries the sketch, and does not empty the box
    assert state.service().state(sid).turns[5].sketch is None and sketch_box(app).value == ""


HOSTILE = [
    "   \n\t\n",
    "no arrow on this line",
    "a ->\n-> b\nok -> fine",
    '"]; x [label=<<b>x</b>>]; "a -> b: " [color=red]',
    "<script>alert(1)</script> -> **bold** : [x](http://evil.example) $x$ :red[r]",
    "".join(chr(i) for i in range(1, 0x180)) + "\n\x00a\x00 -> \x1bb\x7f",
    "x" * 5000 + " -> y",
    "\n".join(f"stage {i} -> stage {i + 1}" for i in range(200)),
    "a -> b\n" * 1000,
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_any_sketch_text_draws_safely_with_one_clear_warning(app: AppTest, text: str) -> None:
    start(app)
    ok(sketch_box(app).set_value(text).run())
    sketch = parse(printable(text))
    assert graphs(app) == ([to_dot(sketch)] if sketch.edges else [])
    warnings = [w.value for w in app.warning]
    assert len(warnings) == (1 if sketch.problems else 0)
    if sketch.problems:
        assert warnings[0] == escape_markdown(f"Not drawn: {one_line(sketch.problems)}") and "\n" not in warnings[0]
    assert all(not m.proto.allow_html for m in app.markdown)

    say(app, ANSWER)  # sent with the answer; the box holds at most what the service accepts
    kept = text[: get_settings().max_message_chars]
    assert len(app.chat_message) == 3 and sketch_box(app).value == ("" if kept.strip() else kept)


def test_ending_asks_first_and_cancelling_changes_nothing(app: AppTest) -> None:
    start(app)
    say(app, ANSWER)
    before = chat(app)
    press(app, "ctl-end")
    assert app.button(key="end-confirm") and app.button(key="end-cancel")
    assert chat(app) == before and app.chat_input and not app.success

    press(app, "end-cancel")
    assert not [b for b in app.button if b.key in ("end-confirm", "end-cancel")]
    assert chat(app) == before and app.chat_input
    say(app, "What is the latency budget?")  # still going, and the dialog does not come back
    assert len(chat(app)) == len(before) + 2 and not [b for b in app.button if b.key == "end-confirm"]

    press(app, "ctl-end")
    press(app, "end-confirm")
    assert any("debrief is ready" in s.value for s in app.success) and not app.chat_input
    assert any(c.value.startswith("Ended early: 1 of 7 steps reached") for c in app.caption)
    assert any(c.value.startswith("Time spent:") for c in app.sidebar.caption)


def test_the_sidebar_does_not_say_all_steps_done_after_an_early_end(app: AppTest) -> None:
    start(app)
    say(app, ANSWER)
    press(app, "ctl-end")
    press(app, "end-confirm")
    assert progress(app)[0] == "Ended early: 1 of 7 steps reached"


@pytest.fixture
def service_clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """The service's clock: the interview starts three hours ago, and time moves only when a test says."""
    fake = FakeClock(time.time() - 3 * 3600)
    real = factory.make_service
    monkeypatch.setattr(factory, "make_service", lambda settings: real(settings, clock=fake))
    return fake


def test_after_a_break_the_step_timer_counts_only_the_time_in_the_step(
    make_app: Callable[[], AppTest], service_clock: FakeClock
) -> None:
    at = ok(make_app().run())
    start(at)
    service_clock.t += 20
    say(at, ANSWER)
    service_clock.t = time.time()  # back three hours later
    ok(at.run())
    step, overall = progress(at)[1:]
    # 20 s of work and one break, which counts as 5 minutes: never three hours
    assert step.endswith("5:20 / 7 min") and "over the suggested time" not in step
    assert overall.startswith("Overall: 5:20 / ")


def test_retry_from_an_old_answer_starts_the_step_on_time(
    make_app: Callable[[], AppTest], service_clock: FakeClock
) -> None:
    at = ok(make_app().run())
    start(at)
    service_clock.t += 30
    say(at, "What is the latency budget?")
    service_clock.t += 30
    say(at, ANSWER)
    service_clock.t = time.time()
    press(at, "branch-3")
    step, overall = progress(at)[1:]
    assert step.endswith("0:30 / 7 min") and overall.startswith("Overall: 0:30 / ")


def test_a_quoted_turn_is_anchored_highlighted_and_scrolled_to(app: AppTest) -> None:
    start(app)
    say(app, ANSWER)
    assert keys_of_containers(app) == ["turn-0", "turn-1", "turn-2"]
    assert not app.get("html")  # nothing to scroll to without a quote
    app.query_params[state.TURN_PARAM] = "1"
    ok(app.switch_page(state.INTERVIEW).run())
    assert any(c.value == "Turn 1, quoted in the debrief" for c in app.caption)
    (script,) = [h.proto for h in app.get("html")]
    assert script.unsafe_allow_javascript and "querySelector('.st-key-turn-1')" in script.body
    for odd in ("x'); alert(1); ('", "99", "-1"):
        app.query_params[state.TURN_PARAM] = odd
        ok(app.switch_page(state.INTERVIEW).run())
        assert not app.get("html")


def test_text_helpers_for_sketches_and_timers() -> None:
    assert printable("a\x00b\x1b\x7f\tc\r\nd\ud800") == "ab\tc\r\nd?"
    assert one_line(["a", "b  c"]) == "a · b c"
    assert one_line(["1", "2", "3", "4", "5"]) == "1 · 2 · 3 (and 2 more)"
    assert active_seconds([], 300) == 0
    assert active_seconds([10, 20, 4000, 4010], 300) == 10 + 10 + 300 + 10
    assert active_seconds([50, 40, 60], 300) == 50 + 0 + 10  # out of order stamps never count twice
    assert progress_label(step_number=3, total=7, title="Data", done=False, reached=3) == "Step 3 of 7: Data"
    assert progress_label(step_number=7, total=7, title="x", done=True, reached=7) == "All 7 steps done"
    assert (
        progress_label(step_number=2, total=7, title="x", done=True, reached=2) == "Ended early: 2 of 7 steps reached"
    )
