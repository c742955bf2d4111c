"""The one judging pipeline: the honesty rules, applied to whatever any brain returns.

Brains see candidate text only after :func:`clean` has dropped the sentences addressed to the grader,
and what they conclude is checked by code before it counts:

- a quote must be verbatim in the candidate turn it cites (whitespace, case and HTML escaping may
  differ; the span kept is always the candidate's own), or its credit goes;
- a quote credits a signal only when it says something specific to it: on the signal's topic *and*
  naming one of its cues, giving a reason or a figure, or saying enough to be more than a gesture
  ("We could use a model." credits nothing);
- an unreasoned list of buzzwords is partial at most;
- a clarifying question reveals at most :data:`MAX_FACTS_PER_QUESTION` facts, each only when the
  question is about that fact's topic, whatever ids a model returns.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from interviewer.brain.base import Outcome, RedFlagJudgment, SignalJudgment, Situation, StepJudgment
from interviewer.brain.rules import is_grader_directed, is_unreasoned_list
from interviewer.knowledge.models import Fact
from interviewer.rubric import StepRubric
from interviewer.text import sentences

if TYPE_CHECKING:
    from interviewer.brain.offline import OfflineBrain

MAX_FACTS_PER_QUESTION = 2
Turns = Sequence[tuple[int, str]]
JudgeCall = Callable[[StepRubric, Turns, Situation], Outcome[StepJudgment]]


def clean(text: str) -> tuple[str, tuple[str, ...]]:
    """Return the text without sentences addressed to the grader, and the sentences dropped."""
    kept: list[str] = []
    dropped: list[str] = []
    for sentence in sentences(text):
        (dropped if is_grader_directed(sentence.text) else kept).append(sentence.text)
    return " ".join(kept), tuple(dropped)


def escape(text: str) -> str:
    """Return candidate text escaped so it cannot close or fake a prompt's delimiting tags."""
    return html.escape(text, quote=False)


@dataclass(frozen=True)
class Prepared:
    """A step's candidate turns as brains may see them."""

    turns: tuple[tuple[int, str], ...]
    """(transcript index, text without grader-directed sentences), empty turns left out."""
    raw: dict[int, str]
    """The turns as the candidate wrote them, by transcript index: quotes are checked against these."""
    ignored: tuple[str, ...]
    words: int


def prepare(turns: Turns) -> Prepared:
    """Drop grader-directed sentences from a step's turns."""
    kept: list[tuple[int, str]] = []
    ignored: list[str] = []
    for index, text in turns:
        cleaned, dropped = clean(text)
        ignored += dropped
        if cleaned:
            kept.append((index, cleaned))
    words = sum(len(text.split()) for _, text in kept)
    return Prepared(tuple(kept), dict(turns), tuple(ignored), words)


def locate(quote: str | None, text: str) -> str | None:
    """Return the exact span of ``text`` a quote refers to, or None if it is not there."""
    quote = html.unescape(quote or "").strip().strip('"').strip()
    if not quote:
        return None
    if quote in text:
        return quote
    pattern = r"\s+".join(re.escape(part) for part in quote.split())
    match = re.search(pattern, text, flags=re.IGNORECASE)
    return match.group(0) if match else None


def checked(rubric: StepRubric, prepared: Prepared, raw: StepJudgment, reader: OfflineBrain) -> StepJudgment:
    """Apply the honesty rules to a brain's raw verdicts for one step."""
    by_id = {j.signal_id: j for j in raw.signals}
    signals: list[SignalJudgment] = []
    for signal in rubric.signals:
        verdict = by_id.get(signal.id)
        quote = _verbatim(verdict.quote, verdict.turn, prepared) if verdict and verdict.status != "missing" else None
        if verdict is None or quote is None or verdict.turn is None:
            signals.append(SignalJudgment(signal.id, "missing"))
            continue
        status = verdict.status
        if status in ("covered", "partial") and not reader.says_about(quote, signal):
            signals.append(SignalJudgment(signal.id, "missing"))
            continue
        if status == "covered" and is_unreasoned_list(quote, rubric.signals):
            status = "partial"
        signals.append(SignalJudgment(signal.id, status, quote, verdict.turn))
    flag_ids = {f.id for f in rubric.red_flags}
    flags: dict[str, RedFlagJudgment] = {}
    for flag in raw.red_flags:
        quote = _verbatim(flag.quote, flag.turn, prepared)
        if flag.flag_id in flag_ids and quote and flag.flag_id not in flags:
            flags[flag.flag_id] = RedFlagJudgment(flag.flag_id, quote, flag.turn)
    return StepJudgment(tuple(signals), tuple(flags.values()), prepared.ignored, prepared.words)


def _verbatim(quote: str | None, turn: int | None, prepared: Prepared) -> str | None:
    if turn is None or turn not in prepared.raw:
        return None
    span = locate(quote, prepared.raw[turn])
    if span is None or is_grader_directed(span):
        return None
    return span


def judge(
    call: JudgeCall, rubric: StepRubric, turns: Turns, situation: Situation, reader: OfflineBrain
) -> Outcome[StepJudgment]:
    """Judge a step with a brain's ``assess`` or ``grade`` through the pipeline."""
    prepared = prepare(turns)
    if not prepared.turns:
        empty = StepJudgment(tuple(SignalJudgment(s.id, "missing") for s in rubric.signals), (), prepared.ignored, 0)
        return Outcome(empty)
    outcome = call(rubric, prepared.turns, situation)
    return replace(outcome, value=checked(rubric, prepared, outcome.value, reader))


def revealable(question: str, chosen: Sequence[Fact], facts: Sequence[Fact], reader: OfflineBrain) -> list[Fact]:
    """Return the chosen facts the question is really about, in the case's order, at most two."""
    ids = {f.id for f in chosen}
    asked = [f for f in facts if f.id in ids and reader.asks_about(question, f)]
    return asked[:MAX_FACTS_PER_QUESTION]


def judged(reader: OfflineBrain, rubric: StepRubric, turns: Turns) -> StepJudgment:
    """Return the offline reader's judgment of a step through the pipeline: the evals' fixed reference."""
    return judge(reader.assess, rubric, turns, Situation(), reader).value
