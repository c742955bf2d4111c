import pytest

from interviewer.evals.stats import (
    apply_thresholds,
    exact_agreement,
    quadratic_weighted_kappa,
    quantile_thresholds,
    spearman,
    within_one,
)


def test_spearman_handles_ties_and_undefined_cases() -> None:
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    # ties get average ranks: x ranks 1.5,1.5,3,4
    assert spearman([1, 1, 2, 3], [1, 2, 3, 4]) == pytest.approx(0.9486832980505138)
    assert spearman([2, 2, 2], [1, 2, 3]) is None
    assert spearman([1], [1]) is None


def test_quadratic_weighted_kappa_matches_hand_computed_values() -> None:
    assert quadratic_weighted_kappa([1, 2, 3, 4], [1, 2, 3, 4]) == pytest.approx(1.0)
    # observed disagreements weighted by squared distance against chance
    # num = 2/9 (two one-point misses), chance = 6/9, so kappa = 1 - 1/3
    assert quadratic_weighted_kappa([1, 2, 3, 4], [2, 2, 3, 3]) == pytest.approx(2 / 3)
    assert quadratic_weighted_kappa([1, 4], [4, 1]) == pytest.approx(-1.0)
    assert quadratic_weighted_kappa([], []) is None


def test_agreement_shares() -> None:
    assert exact_agreement([1, 2, 3, 4], [1, 2, 4, 1]) == 0.5
    assert within_one([1, 2, 3, 4], [1, 2, 4, 1]) == 0.75


def test_baseline_cut_points_reproduce_the_label_distribution() -> None:
    values = [5.0, 10.0, 20.0, 40.0, 80.0, 160.0, 320.0, 640.0]
    labels = [1, 1, 2, 2, 3, 3, 4, 4]
    cuts = quantile_thresholds(values, labels)
    assert [apply_thresholds(v, cuts) for v in values] == labels
