"""The debrief and history pages driven by AppTest on the offline brain: what a candidate reads and downloads."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest, app_test

from interviewer import export
from interviewer.grading import grade
from interviewer.sessions import InterviewService
from ui import state
from ui.format import escape_markdown

AD = "ad-ctr"
FORMULA = (
    "The auction multiplies the bid by the click probability p(click | ad, user) = sigma(w^T x + b),"
    " so we need calibrated probabilities and log loss."
)
FRAMING = "I would frame it as binary classification of each impression because clicks are the label."


@pytest.fixture
def app(make_app: Callable[[], AppTest]) -> AppTest:
    """Return the app after its first run, given time to load its models on a busy machine."""
    at = make_app()
    at.default_timeout = 180
    return ok(at.run())


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def service(app: AppTest) -> InterviewService:
    """Return the service the app runs on (cached per settings, so the test shares it)."""
    return state.service()


def early_end(svc: InterviewService, case_id: str | None = AD, level: str = "staff") -> str:
    """Play two steps of an interview and end it: five steps are never reached."""
    sid = svc.start(case_id, level).session_id
    svc.send(sid, "What is the latency budget, and how many requests per second do we serve?")
    svc.send(sid, FORMULA)
    svc.control(sid, "move_on")
    svc.send(sid, FRAMING)
    svc.control(sid, "end")
    return sid


def open_page(app: AppTest, page: str, sid: str | None = None) -> AppTest:
    if sid is not None:
        app.query_params[state.SESSION_PARAM] = sid
    return ok(app.switch_page(page).run())


def texts(node: Any) -> Iterator[str]:
    """Yield the protobuf text of every element on the page, labels and bodies alike."""
    proto = getattr(node, "proto", None)
    if proto is not None:
        yield str(proto)
    children = getattr(node, "children", {})
    for child in children.values():
        yield from texts(child)


@pytest.fixture
def media(monkeypatch: pytest.MonkeyPatch) -> list[MemoryMediaFileStorage]:
    """Keep the in-memory media stores AppTest makes, so a test can read what a download button serves."""
    stores: list[MemoryMediaFileStorage] = []

    class Kept(MemoryMediaFileStorage):
        def __init__(self, media_endpoint: str) -> None:
            super().__init__(media_endpoint)
            stores.append(self)

    monkeypatch.setattr(app_test, "MemoryMediaFileStorage", Kept)
    return stores


def downloaded(at: AppTest, stores: list[MemoryMediaFileStorage], label: str) -> tuple[str | None, bytes]:
    """Return the file name and bytes a download button serves."""
    button = next(b for b in at.download_button if b.label == label)
    file = stores[-1].get_file(button.proto.url.rsplit("/", 1)[1])
    return file.filename, file.content


def test_steps_not_reached_improvements_quotes_and_model_answers(app: AppTest) -> None:
    svc = service(app)
    sid = early_end(svc)
    debrief = svc.state(sid).debrief
    assert debrief is not None and [s.reached for s in debrief.steps] == [True, True] + [False] * 5
    open_page(app, state.DEBRIEF, sid)

    titles = [step.title for step in svc.kb.framework.steps]
    steps = [e for e in app.expander if not e.label.startswith("Model answer")]
    assert [e.label.split(":")[0] for e in steps] == [escape_markdown(t) for t in titles]
    assert all(e.label.endswith(": not reached") for e in steps[2:])
    assert not any("not enough evidence" in e.label for e in steps[2:])
    assert steps[0].label.startswith(f"{escape_markdown(titles[0])}: {debrief.steps[0].score}/4")

    improvements = next(c for c in app.columns if any(h.value == "Improvements" for h in c.subheader))
    items = [m.value for m in improvements.markdown]
    assert 1 <= len(items) <= 3
    expected = set()
    for title, result in zip(titles, debrief.steps, strict=True):
        partial = {e.signal_id for e in result.evidence if e.status == "partial"}
        for missed in result.missed if result.reached else []:
            shown = "partly shown" if missed.signal_id in partial else "missed"
            expected.add(f"- **{escape_markdown(title)}: {escape_markdown(missed.signal)}** ({shown}).")
    assert all(any(item.startswith(e) for e in expected) for item in items), (items, expected)
    unreached = [escape_markdown(t) for t in titles[2:]]
    assert not any(item.startswith(f"- **{t}") for item in items for t in unreached)
    assert not any("avoid" in item for item in items)  # red flags are shown in their step, not here
    assert any("Not reached" in c.value and unreached[0] in c.value for c in improvements.caption)

    page = "\n".join(texts(app.main))
    assert "calibrated probabilities and log loss" in page and "Model answer (staff)" in page  # it reads everything
    assert "knowledge/" not in page and ".yaml" not in page and "#steps" not in page and "Source:" not in page

    whole = [m.value for m in app.markdown if m.value.startswith("> ")]
    assert "> " + escape_markdown(FORMULA) in whole  # the formula is never cut
    transcript = svc.state(sid).turns
    formula_turn = next(i for i, t in enumerate(transcript) if t.content == FORMULA)
    links = [link.proto.query_string for link in app.page_link if link.proto.page == "interview"]
    assert f"{state.SESSION_PARAM}={sid}&{state.TURN_PARAM}={formula_turn}" in links
    for result in debrief.steps:
        for evidence in result.evidence:
            assert f"{state.SESSION_PARAM}={sid}&{state.TURN_PARAM}={evidence.turn}" in links

    models = [e for e in app.expander if e.label.startswith("Model answer")]
    assert [e.label for e in models] == ["Model answer (staff)"] * 7
    assert not any(e.proto.expanded for e in models)
    case = svc.kb.cases[AD]
    for expander, step in zip(models, case.steps.values(), strict=True):
        assert step.model_answers is not None
        assert expander.markdown[0].value == escape_markdown(step.model_answers.staff)
    assert any("stronger" in c.value for c in app.caption)


def test_downloads_carry_the_transcript_and_score_again(app: AppTest, media: list[Any], tmp_path: Path) -> None:
    svc = service(app)
    sid = early_end(svc, level="senior")
    open_page(app, state.DEBRIEF, sid)
    assert {b.label for b in app.download_button} == {"Download Markdown", "Download JSON"}

    name, body = downloaded(app, media, "Download JSON")
    assert name == f"{sid}-transcript.json"
    assert body.decode() == export.to_json(svc, sid)
    path = tmp_path / name
    path.write_bytes(body)
    transcript = export.read_transcript(path)
    assert transcript.turns and transcript.case_id == AD
    debrief = svc.state(sid).debrief
    assert debrief is not None
    assert grade(svc.kb, svc.brain, transcript).overall.score == debrief.overall.score
    assert json.loads(body)["debrief"]["overall"]["score"] == debrief.overall.score

    name, body = downloaded(app, media, "Download Markdown")
    assert name == f"{sid}-transcript.md"
    markdown = body.decode()
    assert markdown == export.to_markdown(svc, sid)
    assert "**You:**" in markdown and "Debrief" in markdown and "not reached" in markdown
    for button in app.download_button:
        ok(button.click().run())


def test_a_generic_interview_has_no_model_answer(app: AppTest) -> None:
    sid = early_end(service(app), case_id=None, level="senior")
    open_page(app, state.DEBRIEF, sid)
    assert len(app.expander) == 7
    assert not any(e.label.startswith("Model answer") for e in app.expander)
    assert any(m.value == "**Your answer**" for m in app.markdown)


def spec_of(at: AppTest) -> dict[str, Any]:
    return dict(json.loads(at.get("vega_lite_chart")[0].proto.spec))


def test_history_numbers_interviews_and_leaves_unreached_steps_out(app: AppTest) -> None:
    svc = service(app)
    first = early_end(svc)
    second = svc.start(AD, "senior").session_id
    svc.send(second, FORMULA)
    svc.control(second, "end")  # one step reached: only requirements counts
    open_page(app, state.HISTORY)
    frame = app.dataframe[0].value
    assert frame["data"].isna().all() and frame["requirements"].notna().all()
    assert any("ended before" in c.value for c in app.caption)

    spec = spec_of(app)
    line, grid = spec["vconcat"]
    assert line["encoding"]["x"]["type"] == "ordinal" and grid["layer"][0]["encoding"]["x"]["type"] == "ordinal"
    assert line["mark"]["type"] == "line"
    frames = [convert_arrow_bytes_to_pandas_df(d.data.data) for d in app.get("vega_lite_chart")[0].proto.datasets]
    overall = next(f for f in frames if "overall" in f.columns)
    names = list(overall["interview"])  # one point per interview, labels that never repeat
    assert len(names) == 2 and len(set(names)) == 2 and names[0].startswith("1 · ")
    cells = next(f for f in frames if "step" in f.columns)
    assert len(cells) == 2 * 7 and cells["score"].isna().sum() == 5 + 6  # the unreached steps: grey, no score
    assert set(cells[cells["score"].isna()]["note"]) == {"not reached"}

    weakest = next(m.value for m in app.markdown if "Weakest step" in m.value)
    assert "of them that reached it" in weakest
    assert svc.kb.framework.step("data").title not in weakest
    assert {first, second} == {s.session_id for s in svc.list_sessions()}


def test_deleting_a_session_asks_first(app: AppTest) -> None:
    svc = service(app)
    keep = early_end(svc)
    gone = early_end(svc, level="senior")
    open_page(app, state.HISTORY)
    pick = app.selectbox(key="history-pick")
    label = next(option for option in pick.options if option.endswith(gone))
    ok(pick.set_value(label).run())

    ok(app.button(key="open-delete").click().run())
    assert app.button(key="confirm-delete") and app.button(key="cancel-delete")
    ok(app.button(key="cancel-delete").click().run())
    assert len(svc.list_sessions()) == 2 and not app.success

    ok(app.button(key="open-delete").click().run())
    ok(app.button(key="confirm-delete").click().run())
    assert [s.session_id for s in svc.list_sessions()] == [keep]
    assert any(gone in s.value for s in app.success)
    assert len(app.dataframe[0].value) == 1
    assert not any(option.endswith(gone) for option in app.selectbox(key="history-pick").options)
    open_page(app, state.DEBRIEF, gone)
    assert "no interview with id" in app.error[0].value
