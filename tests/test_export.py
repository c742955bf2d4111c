"""Exports: a transcript that ``score`` reads back to the same debrief, and files that are not one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interviewer.export import NotATranscript, read_transcript, to_json, to_markdown
from interviewer.grading import grade
from interviewer.sessions import InterviewService


def _interview(service: InterviewService) -> str:
    sid = service.start("ad-ctr").session_id
    service.send(sid, "What is the latency budget?")
    service.send(sid, "I'd predict click probability <b>per impression</b> because the auction multiplies it by bid.")
    service.control(sid, "move_on")
    service.send(sid, "It is a binary classification of click versus no click, since the label is a click.")
    service.control(sid, "end")
    return sid


def test_the_json_export_scores_back_to_the_same_debrief(service: InterviewService, tmp_path: Path) -> None:
    sid = _interview(service)
    path = tmp_path / "export.json"
    path.write_text(to_json(service, sid), encoding="utf-8")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["debrief"]["overall"]["score"] == service.state(sid).debrief.overall.score  # type: ignore[union-attr]
    assert "latency" not in {f["id"] for f in data["unasked_facts"]} and data["unasked_facts"]
    again = grade(service.kb, service.brain, read_transcript(path))
    assert again.overall.score == data["debrief"]["overall"]["score"]
    assert [s.reached for s in again.steps] == [True, True] + [False] * 5


def test_the_markdown_export_reads_as_a_document_and_keeps_typed_markup_as_text(service: InterviewService) -> None:
    text = to_markdown(service, _interview(service))
    assert text.startswith("# Ad click-through rate prediction (senior)")
    assert "## Requirements" in text and "**You:** What is the latency budget?" in text
    assert "<b>" not in text and "&lt;b&gt;per impression&lt;/b&gt;" in text
    assert "# Debrief" in text and "not reached" in text and "knowledge/cases" not in text
    assert "## Facts you could have asked for" in text


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (json.dumps({"steps": [], "overall": {"score": 1}}), "debrief without its transcript"),
        (json.dumps([1, 2]), "is a list"),
        ("{not json", "not JSON"),
        (json.dumps({"case_id": "ad-ctr"}), "no 'turns'"),
        (json.dumps({"turns": [{"role": "interviewer", "step": "requirements", "content": "Hi"}]}), "no candidate"),
        (json.dumps({"turns": [{"role": "robot", "step": "requirements", "content": "Hi"}]}), "turns.0.role"),
    ],
)
def test_a_file_that_is_not_a_transcript_is_refused_in_one_line(tmp_path: Path, content: str, says: str) -> None:
    path = tmp_path / "f.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(NotATranscript) as caught:
        read_transcript(path)
    assert says in str(caught.value) and "\n" not in str(caught.value)


def test_binary_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    path.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(NotATranscript, match="not UTF-8"):
        read_transcript(path)


def test_the_export_holds_no_internal_knowledge_paths(service: InterviewService) -> None:
    assert "knowledge/cases" not in to_json(service, _interview(service))
