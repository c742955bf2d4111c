"""Grade a transcript: judge every step with a brain, score with the plain scoring functions."""

from __future__ import annotations

from dataclasses import replace

from interviewer.brain.base import Brain, StepJudgment
from interviewer.debrief import Debrief, Evidence, Missed, Overall, RedFlagHit, StepResult
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
from interviewer.steps import STEP_IDS
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


def verified(judgment: StepJudgment, transcript: Transcript) -> StepJudgment:
    """Drop any quote that is not verbatim in the candidate turn it cites; its credit goes too."""

    def ok(quote: str | None, turn: int | None) -> bool:
        if quote is None or turn is None or not 0 <= turn < len(transcript.turns):
            return False
        cited = transcript.turns[turn]
        return cited.role == "candidate" and quote in cited.content

    signals = tuple(
        j if j.status == "missing" or ok(j.quote, j.turn) else replace(j, status="missing", quote=None, turn=None)
        for j in judgment.signals
    )
    flags = tuple(f for f in judgment.red_flags if ok(f.quote, f.turn))
    return replace(judgment, signals=signals, red_flags=flags)


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


def grade(kb: KnowledgeBase, brain: Brain, transcript: Transcript) -> Debrief:
    """Score a whole transcript into a debrief."""
    case = resolve_case(kb, transcript.case_id)
    curveballs = curveballs_in(transcript, case)
    revealed = revealed_facts(transcript, case)
    results: list[StepResult] = []
    weights: list[float] = []
    ignored: list[str] = []
    highlights: list[tuple[int, str]] = []
    misses: list[tuple[int, str]] = []
    for step in STEP_IDS:
        rubric = step_rubric(kb, case, step, curveballs, revealed)
        turns = transcript.judged_turns(step)
        judgment = verified(brain.judge(rubric, turns), transcript)
        result = step_result(rubric, judgment)
        results.append(result)
        weights.append(rubric.weight)
        ignored += judgment.ignored
        by_id = {s.id: s for s in rubric.signals}
        for j in judgment.signals:
            signal = by_id[j.signal_id]
            if j.status == "covered":
                highlights.append((signal.weight, f"{rubric.title}: {signal.title}"))
            else:
                shown = "partly shown" if j.status == "partial" else "missed"
                misses.append((signal.weight, f"{rubric.title} ({shown}): {signal.stronger_answer}"))
        for hit in result.red_flags:
            misses.append((4, f"{rubric.title}: avoid '{hit.flag}'. {hit.why}"))
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
        metadata={"brain": brain.name, "curveballs": curveballs},
    )


def _top(items: list[tuple[int, str]]) -> list[str]:
    ranked = sorted(enumerate(items), key=lambda pair: (-pair[1][0], pair[0]))
    return [text for _, (_, text) in ranked[:MAX_HIGHLIGHTS]]
