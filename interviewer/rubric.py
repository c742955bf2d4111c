"""Resolve what one step is judged against: case signals, generic signals, curveball signals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from interviewer.knowledge.loader import KnowledgeBase
from interviewer.knowledge.models import Case, Fact, RedFlag, Signal
from interviewer.steps import StepId


def assumption_flag(fact: Fact) -> RedFlag:
    """Return the red flag raised when a candidate asserts something a hidden fact contradicts."""
    return RedFlag(
        id=f"contradicts-{fact.id}",
        title=f"Assumed something about the {fact.topic} that the case contradicts",
        why=f"Asking would have told you: {fact.content}",
        examples=list(fact.wrong_assumptions),
        contradicts=fact.id,
    )


@dataclass(frozen=True)
class StepRubric:
    """The signals and red flags one step of one interview is judged against."""

    step: StepId
    title: str
    signals: tuple[Signal, ...]
    red_flags: tuple[RedFlag, ...]
    questions_count_as_evidence: bool
    sources: dict[str, str]
    """Knowledge entry of each signal id, as 'file#path'."""
    weight: float
    """Weight of the step in the overall score."""
    facts: tuple[Fact, ...] = ()
    """The case's hidden facts: a statement contradicting one raises its derived red flag."""


def step_rubric(
    kb: KnowledgeBase,
    case: Case | None,
    step: StepId,
    curveball_ids: Sequence[str] = (),
    revealed: Sequence[str] = (),
) -> StepRubric:
    """Return the rubric of a step: the case's signals if a case is known, else the framework's.

    Facts in ``revealed`` were told to the candidate, so assuming against them is not flagged here.
    """
    fw = kb.framework.step(step)
    file = kb.source(case.id if case else None)
    sources: dict[str, str] = {}
    if case is None:
        signals = list(fw.signals)
        red_flags = list(fw.red_flags)
        for i, s in enumerate(fw.signals):
            sources[s.id] = f"{file}#steps[{i}].signals.{s.id}"
    else:
        signals = case.signals_for(step)
        red_flags = list(case.steps[step].red_flags)
        red_flags += [assumption_flag(f) for f in case.facts if f.wrong_assumptions and f.id not in revealed]
        for s in signals:
            sources[s.id] = f"{file}#steps.{step}.signals.{s.id}"
        for curveball in case.curveballs:
            if curveball.id in curveball_ids and curveball.step == step:
                signals += curveball.signals
                for s in curveball.signals:
                    sources[s.id] = f"{file}#curveballs.{curveball.id}.signals.{s.id}"
    return StepRubric(
        step=step,
        title=fw.title,
        signals=tuple(signals),
        red_flags=tuple(red_flags),
        questions_count_as_evidence=fw.questions_count_as_evidence,
        sources=sources,
        weight=fw.weight,
        facts=tuple(case.facts) if case else (),
    )
