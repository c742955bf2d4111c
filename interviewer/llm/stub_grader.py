"""A heuristic grader for the stub server, so recorded cassettes hold real, mixed verdicts.

It reads a grading request the way a model would have to: the step's signals from the interview's
system prompt ("- id, weight: title. what a strong answer does") and the candidate's sentences from
the task's ``<candidate turn="i">`` blocks. Each signal gets the sentence that shares the most
content words with its text: covered when they share several and the sentence gives a reason,
partial when they share a few, missing otherwise. Crude, deterministic and independent of the
project's own judges, which is what a recorded grader needs to be.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from interviewer.llm.stub import default_responder, request_schema

_SIGNAL = re.compile(r"^\s*- ([a-z0-9-]+), \d+: (.+)$", re.M)
_TURN = re.compile(r'<candidate turn="(\d+)">(.*?)</candidate>', re.S)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[a-z][a-z0-9-]{3,}")
_REASON = re.compile(r"\b(because|since|so that|so|which means|otherwise)\b", re.I)
COVERED_OVERLAP = 4
PARTIAL_OVERLAP = 2
STOP = {"that", "this", "with", "from", "they", "them", "their", "what", "when", "which", "would", "about", "into"}


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in STOP}


def _verdict(signal_text: str, sentences: list[tuple[int, str]]) -> dict[str, Any]:
    want = _words(signal_text)
    best = max(sentences, key=lambda pair: len(want & _words(pair[1])), default=None)
    overlap = len(want & _words(best[1])) if best else 0
    if best is None or overlap < PARTIAL_OVERLAP:
        return {"quote": "", "turn": -1, "status": "missing"}
    covered = overlap >= COVERED_OVERLAP and _REASON.search(best[1]) is not None
    return {"quote": best[1], "turn": best[0], "status": "covered" if covered else "partial"}


def grading_responder(body: dict[str, Any]) -> str:
    """Answer a step-grading request with heuristic verdicts; anything else as the default responder does."""
    schema = request_schema(body)
    signals = (schema or {}).get("$defs", {}).get("Signals", {}).get("properties")
    if not signals:
        return default_responder(body)
    messages = body.get("messages", [])
    system = str(messages[0].get("content") or "") if messages else ""
    task = str(messages[-1].get("content") or "") if messages else ""
    texts = {m.group(1): m.group(2) for m in _SIGNAL.finditer(system)}
    sentences = [
        (int(turn), sentence)
        for turn, text in _TURN.findall(task)
        for sentence in _SENTENCE.split(html.unescape(text).strip())
        if sentence
    ]
    verdicts = {signal_id: _verdict(texts.get(signal_id, signal_id), sentences) for signal_id in signals}
    return json.dumps({"signals": verdicts, "red_flags": []})
