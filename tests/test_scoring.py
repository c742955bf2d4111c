import pytest

from interviewer.scoring import (
    SCORE_THRESHOLDS,
    coverage,
    estimated_level,
    overall_score,
    recommendation,
    score_from_coverage,
    step_score,
)
from interviewer.scoring import (
    WeightedJudgment as J,
)


def test_coverage_weights_and_penalty() -> None:
    judgments = [J(3, "covered"), J(1, "missing")]
    assert coverage(judgments) == pytest.approx(0.75)
    assert coverage(judgments, red_flags=2) == pytest.approx(0.55)
    assert coverage([J(2, "partial"), J(2, "partial")]) == pytest.approx(0.35)
    assert coverage([J(1, "missing")], red_flags=5) == 0.0
    assert coverage([]) == 0.0


@pytest.mark.parametrize(("threshold", "score"), SCORE_THRESHOLDS)
def test_score_from_coverage_steps_at_each_cut_off(threshold: float, score: int) -> None:
    assert score_from_coverage(threshold) == score
    assert score_from_coverage(threshold - 0.01) == score - 1


def test_score_from_coverage_ends() -> None:
    assert score_from_coverage(1.0) == 4
    assert score_from_coverage(0.0) == 1


def test_thin_step_is_insufficient_evidence() -> None:
    assert step_score([J(2, "partial")], 0, candidate_words=5) == (1, True)
    assert step_score([J(2, "covered")], 0, candidate_words=5) == (4, False)
    assert step_score([J(2, "partial")], 0, candidate_words=40) == (2, False)


def test_buzzwords_alone_cannot_meet_the_bar() -> None:
    all_partial = [J(w, "partial") for w in (3, 3, 2, 2, 1)]
    assert step_score(all_partial, 0, 200)[0] < 3


def test_overall_recommendation_and_level() -> None:
    assert overall_score([(4, 1.0), (2, 1.0)]) == 3.0
    assert overall_score([(4, 2.0), (1, 1.0)]) == 3.0
    assert recommendation(3.6, "senior") == "strong_hire"
    assert recommendation(3.0, "senior") == "hire"
    assert recommendation(2.8, "senior") == "lean_hire"
    assert recommendation(2.4, "senior") == "lean_no_hire"
    assert recommendation(1.5, "senior") == "no_hire"
    assert recommendation(3.0, "staff") == "lean_no_hire"
    assert estimated_level(3.6) == "staff"
    assert estimated_level(3.1) == "senior"
    assert estimated_level(2.6) == "mid"
    assert estimated_level(1.2) == "below_mid"
