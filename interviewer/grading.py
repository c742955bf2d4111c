"""Grade a transcript: judge every step with a brain through the judging pipeline, then score it.

Steps are judged independently, so a model grader grades them in parallel; the interview graph keeps
each step's judgment under a key naming what was judged, and regrades only the steps that changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any

from interviewer.brain.base import Brain, Outcome, RedFlagJudgment, SignalJudgment, Situation, StepJudgment
from interviewer.debrief import Debrief, Evidence, Missed, Overall, RedFlagHit, StepResult
from interviewer.honesty import judge
from interviewer.knowledge.loader import KnowledgeBase
from interviewer.knowledge.models import Case
from interviewer.rubric import StepRubric, step_rubric
from interviewer.scoring import (
    WeightedJudgment,
    coverage,
    estimated_level,
    overall_score,
    recommendation,
    step_score,
)
from interviewer.steps import STEP_IDS, StepId
from interviewer.transcript import Transcript

MAX_HIGHLIGHTS = 3


def resolve_case(kb: KnowledgeBase, case_id: str | None) -> Case | None:
    """Return the case of a transcript, or None when it is missing or unknown."""
    if case_id and case_id in kb.cases:
        return kb.cases[case_id]
    return None


def curveballs_in(transcript: Transcript, case: Case | None) -> list[str]:
    """Return curveball ids the interviewer introduced, by id or by their exact message."""
    ids = transcript.curveball_ids()
    if case is not None:
        said = {t.content for t in transcript.turns if t.role == "interviewer"}
        ids += [c.id for c in case.curveballs if any(c.message in text for text in said)]
    return sorted(set(ids))


def revealed_facts(transcript: Transcript, case: Case | None) -> list[str]:
    """Return the facts the interviewer told the candidate, by id or by their exact text."""
    if case is None:
        return []
    told = [t for t in transcript.turns if t.role == "interviewer"]
    ids = {f for t in told for f in t.facts}
    ids |= {f.id for f in case.facts if any(f.content in t.content for t in told)}
    return sorted(ids)


def step_result(rubric: StepRubric, judgment: StepJudgment) -> StepResult:
    """Turn one step's judgment into its scored result with evidence and misses."""
    by_id = {s.id: s for s in rubric.signals}
    weighted = [WeightedJudgment(by_id[j.signal_id].weight, j.status) for j in judgment.signals]
    flag_by_id = {f.id: f for f in rubric.red_flags}
    score, thin = step_score(weighted, len(judgment.red_flags), judgment.words)
    evidence = [
        Evidence(
            signal=by_id[j.signal_id].title,
            signal_id=j.signal_id,
            status=j.status,
            quote=j.quote,
            turn=j.turn,
        )
        for j in judgment.signals
        if j.status in ("covered", "partial") and j.quote is not None
    ]
    missed = [
        Missed(
            signal=by_id[j.signal_id].title,
            signal_id=j.signal_id,
            stronger_answer=by_id[j.signal_id].stronger_answer,
            source=rubric.sources[j.signal_id],
        )
        for j in sorted(judgment.signals, key=lambda j: -by_id[j.signal_id].weight)
        if j.status != "covered"
    ]
    flags = [
        RedFlagHit(flag=flag_by_id[f.flag_id].title, quote=f.quote, why=flag_by_id[f.flag_id].why, turn=f.turn)
        for f in judgment.red_flags
    ]
    return StepResult(
        step=rubric.step,
        score=score,
        evidence=evidence,
        missed=missed,
        red_flags=flags,
        insufficient_evidence=thin,
        coverage=round(coverage(weighted, len(judgment.red_flags)), 3),
    )


@dataclass(frozen=True)
class StepPlan:
    """One step of a transcript to judge: its rubric, its judged turns, and a key naming both."""

    rubric: StepRubric
    turns: tuple[tuple[int, str], ...]
    situation: Situation

    @property
    def key(self) -> str:
        """Return a digest of what is judged: a stored judgment with this key needs no regrading."""
        rubric = self.rubric
        content = [rubric.step, [s.id for s in rubric.signals], [f.id for f in rubric.red_flags], list(self.turns)]
        return hashlib.sha256(json.dumps(content).encode()).hexdigest()[:24]


def situation_of(transcript: Transcript, case: Case | None, step: StepId, title: str) -> Situation:
    """Return what a grader may know about one step of a transcript: the problem, level and questions."""
    asked = tuple(
        t.content
        for t in transcript.turns
        if t.role == "interviewer" and t.step == step and t.kind in (None, "opening", "follow_up", "hint", "curveball")
    )
    return Situation(
        case=case,
        problem=transcript.problem,
        step=step,
        step_title=title,
        level=transcript.level,
        question=asked[-1] if asked else "",
        asked_in_step=asked,
    )


def plan(kb: KnowledgeBase, transcript: Transcript) -> list[StepPlan]:
    """Return the seven steps of a transcript as what each is judged against and on."""
    case = resolve_case(kb, transcript.case_id)
    curveballs = curveballs_in(transcript, case)
    revealed = revealed_facts(transcript, case)
    plans = []
    for step in STEP_IDS:
        rubric = step_rubric(kb, case, step, curveballs, revealed)
        turns = tuple(transcript.judged_turns(step))
        plans.append(StepPlan(rubric, turns, situation_of(transcript, case, step, rubric.title)))
    return plans


def grade_step(brain: Brain, step: StepPlan, situation: Situation | None = None) -> Outcome[StepJudgment]:
    """Grade one step with a brain's grader through the judging pipeline."""
    return judge(brain.grade, step.rubric, step.turns, situation or step.situation, brain.reader)


def grade_all(brain: Brain, steps: Sequence[StepPlan]) -> list[Outcome[StepJudgment]]:
    """Grade steps, in parallel when the brain calls a model (the offline brain is instant)."""
    if brain.reader is brain or len(steps) < 2:
        return [grade_step(brain, step) for step in steps]
    with ThreadPoolExecutor(max_workers=len(steps)) as pool:
        return list(pool.map(lambda step: grade_step(brain, step), steps))


def grade(kb: KnowledgeBase, brain: Brain, transcript: Transcript) -> Debrief:
    """Score a whole transcript into a debrief."""
    steps = plan(kb, transcript)
    outcomes = grade_all(brain, steps)
    debrief = debrief_of(kb, brain.name, transcript, [o.value for o in outcomes])
    usage: dict[str, int] = {}
    for outcome in outcomes:
        for key, value in outcome.usage.items():
            usage[key] = usage.get(key, 0) + value
    if usage:
        debrief.metadata["usage"] = usage
    failures = sorted({o.failure for o in outcomes if o.failure})
    if failures:
        debrief.metadata["notices"] = [
            f"The grader model did not answer ({why}); the offline brain graded." for why in failures
        ]
    return debrief


def debrief_of(
    kb: KnowledgeBase, brain_name: str, transcript: Transcript, judgments: Sequence[StepJudgment]
) -> Debrief:
    """Score the seven steps' judgments of a transcript into a debrief."""
    case = resolve_case(kb, transcript.case_id)
    curveballs = curveballs_in(transcript, case)
    results: list[StepResult] = []
    weights: list[float] = []
    ignored: list[str] = []
    highlights: list[tuple[int, str]] = []
    misses: list[tuple[int, str]] = []
    reached = reached_steps(transcript)
    for step, judgment in zip(plan(kb, transcript), judgments, strict=True):
        rubric = step.rubric
        result = step_result(rubric, judgment)
        result.reached = step.rubric.step in reached
        results.append(result)
        weights.append(rubric.weight)
        ignored += judgment.ignored
        by_id = {s.id: s for s in rubric.signals}
        for j in judgment.signals:
            signal = by_id[j.signal_id]
            if j.status == "covered":
                highlights.append((signal.weight, f"{rubric.title}: {signal.title}"))
            elif result.reached:  # improvements name only missed or partial signals of steps the interview reached
                shown = "partly shown" if j.status == "partial" else "missed"
                misses.append((signal.weight, f"{rubric.title} ({shown}): {signal.stronger_answer}"))
    overall = overall_score([(r.score, w) for r, w in zip(results, weights, strict=True)])
    return Debrief(
        case_id=case.id if case else None,
        steps=results,
        overall=Overall(
            score=overall,
            recommendation=recommendation(overall, transcript.level),
            level=estimated_level(overall),
            target_level=transcript.level,
        ),
        strengths=_top(highlights),
        improvements=_top(misses),
        ignored=ignored,
        metadata={"brain": brain_name, "curveballs": curveballs},
    )


def reached_steps(transcript: Transcript) -> set[str]:
    """Return the steps the interview got to: any turn in them (an early end leaves the rest unreached)."""
    return {t.step for t in transcript.turns}


def dump_judgment(judgment: StepJudgment) -> dict[str, Any]:
    """Return a step judgment as JSON-ready data, for the checkpointed state."""
    return asdict(judgment)


def load_judgment(data: dict[str, Any]) -> StepJudgment:
    """Rebuild a step judgment from :func:`dump_judgment`'s data."""
    return StepJudgment(
        signals=tuple(SignalJudgment(**s) for s in data.get("signals", [])),
        red_flags=tuple(RedFlagJudgment(**f) for f in data.get("red_flags", [])),
        ignored=tuple(data.get("ignored", [])),
        words=int(data.get("words", 0)),
    )


def _top(items: list[tuple[int, str]]) -> list[str]:
    ranked = sorted(enumerate(items), key=lambda pair: (-pair[1][0], pair[0]))
    return [text for _, (_, text) in ranked[:MAX_HIGHLIGHTS]]
