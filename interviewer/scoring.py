"""Plain scoring functions: from per-signal judgments to step scores, overall result and level.

These are the only place scores are computed, whichever brain produced the judgments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from interviewer.debrief import EstimatedLevel, Recommendation, SignalStatus

CREDIT: dict[SignalStatus, float] = {"covered": 1.0, "partial": 0.35, "missing": 0.0, "contradicted": 0.0}
"""Share of a signal's weight each judgment earns."""

RED_FLAG_PENALTY = 0.1
"""Coverage lost per red flag raised in the step."""

SCORE_THRESHOLDS = ((0.6, 4), (0.4, 3), (0.15, 2))
"""Minimum coverage for scores 4, 3 and 2; anything lower scores 1 (chosen on the tune split by
``evals/tune_semantic.py`` together with the semantic thresholds)."""

MIN_WORDS_FOR_EVIDENCE = 12
"""Below this many candidate words in a step, with nothing covered, evidence is insufficient."""

LEVEL_BARS: dict[str, float] = {"mid": 2.5, "senior": 3.0, "staff": 3.5}
"""Overall score that meets the bar of each target level."""


@dataclass(frozen=True)
class WeightedJudgment:
    """A signal's weight and the judgment it received."""

    weight: int
    status: SignalStatus


def coverage(judgments: Sequence[WeightedJudgment], red_flags: int = 0) -> float:
    """Return the weighted share of credit earned, less the red-flag penalty, in [0, 1]."""
    total = sum(j.weight for j in judgments)
    if total == 0:
        return 0.0
    earned = sum(j.weight * CREDIT[j.status] for j in judgments) / total
    return max(0.0, earned - RED_FLAG_PENALTY * red_flags)


def score_from_coverage(value: float) -> int:
    """Map coverage to a 1-4 step score (3 meets the senior bar)."""
    for threshold, score in SCORE_THRESHOLDS:
        if value >= threshold:
            return score
    return 1


def insufficient_evidence(judgments: Sequence[WeightedJudgment], candidate_words: int) -> bool:
    """Return whether a step was too thin to assess: few words and nothing covered."""
    covered = any(j.status == "covered" for j in judgments)
    return candidate_words < MIN_WORDS_FOR_EVIDENCE and not covered


def step_score(judgments: Sequence[WeightedJudgment], red_flags: int, candidate_words: int) -> tuple[int, bool]:
    """Return (score, insufficient_evidence) of one step; a step without evidence scores 1."""
    if insufficient_evidence(judgments, candidate_words):
        return 1, True
    return score_from_coverage(coverage(judgments, red_flags)), False


def overall_score(step_scores: Sequence[tuple[int, float]]) -> float:
    """Return the weighted mean of (score, weight) pairs, rounded to two decimals."""
    total = sum(weight for _, weight in step_scores)
    if total == 0:
        return 1.0
    return round(sum(score * weight for score, weight in step_scores) / total, 2)


def recommendation(overall: float, target_level: str) -> Recommendation:
    """Return the hiring recommendation for an overall score against a target level's bar."""
    delta = overall - LEVEL_BARS.get(target_level, LEVEL_BARS["senior"])
    if delta >= 0.5:
        return "strong_hire"
    if delta >= 0.0:
        return "hire"
    if delta >= -0.35:
        return "lean_hire"
    if delta >= -0.75:
        return "lean_no_hire"
    return "no_hire"


def estimated_level(overall: float) -> EstimatedLevel:
    """Return the level whose bar the overall score meets."""
    if overall >= LEVEL_BARS["staff"]:
        return "staff"
    if overall >= LEVEL_BARS["senior"]:
        return "senior"
    if overall >= LEVEL_BARS["mid"]:
        return "mid"
    return "below_mid"
