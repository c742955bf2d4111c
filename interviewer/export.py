"""Exports of a session: a transcript that ``interviewer score`` accepts, in JSON and in Markdown.

The JSON export is a transcript (case, problem, level, turns) with the debrief beside it, the facts
the candidate never asked about, and the session's id; ``score`` reads its transcript part and
ignores the rest. The Markdown export reads as a document: the conversation, then the debrief.
Candidate text is escaped, so Markdown or HTML typed in an answer stays text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from interviewer.debrief import Debrief, md_text
from interviewer.knowledge.loader import KnowledgeBase
from interviewer.sessions import InterviewService
from interviewer.transcript import Transcript

STEP_TITLES = {
    "requirements": "Requirements",
    "framing": "Framing",
    "data": "Data",
    "model": "Model",
    "evaluation": "Evaluation",
    "serving": "Serving",
    "monitoring": "Monitoring",
}


class NotATranscript(ValueError):
    """A file ``score`` cannot read as a transcript; the message says what it got, in one line."""


def unasked_facts(kb: KnowledgeBase, transcript: Transcript) -> list[dict[str, str]]:
    """Return the case's hidden facts the candidate never had revealed, with their contents."""
    case = kb.cases.get(transcript.case_id or "")
    if case is None:
        return []
    told = {f for t in transcript.turns for f in t.facts}
    return [{"id": f.id, "topic": f.topic, "content": f.content} for f in case.facts if f.id not in told]


def export_data(service: InterviewService, session_id: str) -> dict[str, Any]:
    """Return a session as JSON-ready data: the transcript, the debrief and the unasked facts."""
    view = service.state(session_id)
    transcript = service.transcript(session_id)
    data: dict[str, Any] = {"session_id": view.session_id, **transcript.model_dump(mode="json", exclude_none=True)}
    internal = {
        "steps": {"__all__": {"missed": {"__all__": {"source"}}}}
    }  # knowledge paths mean nothing to a candidate
    data["debrief"] = view.debrief.model_dump(mode="json", exclude=internal) if view.debrief else None
    data["unasked_facts"] = unasked_facts(service.kb, transcript)
    return data


def to_json(service: InterviewService, session_id: str) -> str:
    """Return the JSON export of a session."""
    return json.dumps(export_data(service, session_id), indent=2, ensure_ascii=False) + "\n"


def to_markdown(service: InterviewService, session_id: str) -> str:
    """Return the Markdown export of a session: the conversation, then the debrief and unasked facts."""
    view = service.state(session_id)
    transcript = service.transcript(session_id)
    lines = [f"# {md_text(view.case_title)} ({view.level})", "", f"> {md_text(transcript.problem)}", ""]
    step = None
    for turn in transcript.turns:
        if turn.step != step:
            step = turn.step
            lines += [f"## {STEP_TITLES.get(step, step)}", ""]
        who = "Interviewer" if turn.role == "interviewer" else "You"
        lines += [f"**{who}:** {md_text(turn.content)}", ""]
    if view.debrief is not None:
        lines.append(view.debrief.to_markdown(title="Debrief"))
    facts = unasked_facts(service.kb, transcript)
    if facts:
        lines += ["## Facts you could have asked for", ""]
        lines += [f"- **{md_text(f['topic'])}**: {md_text(f['content'])}" for f in facts]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def read_transcript(path: Path) -> Transcript:
    """Read a transcript (or a JSON export) from a file, or raise NotATranscript saying what it is."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise NotATranscript(f"{path}: not a transcript: the file is not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise NotATranscript(f"{path}: not a transcript: not JSON ({error.msg} at line {error.lineno})") from None
    if not isinstance(data, dict):
        raise NotATranscript(f"{path}: not a transcript: the JSON is a {type(data).__name__}, not an object")
    if "turns" not in data:
        if "overall" in data and "steps" in data:
            raise NotATranscript(
                f"{path}: not a transcript: this is a debrief without its transcript; export the session with"
                " `interviewer export SESSION_ID --format json` (or download the transcript in the app)"
            )
        keys = ", ".join(sorted(data)[:6]) or "nothing"
        raise NotATranscript(f"{path}: not a transcript: no 'turns' (it has {keys})")
    try:
        transcript = Transcript.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise NotATranscript(f"{path}: not a valid transcript: {where}: {first['msg']}") from None
    if not any(t.role == "candidate" for t in transcript.turns):
        raise NotATranscript(f"{path}: not a transcript to score: it has no candidate turns")
    if isinstance(data.get("debrief"), dict):
        Debrief.model_validate(data["debrief"])  # an export's own debrief must be well formed too
    return transcript
