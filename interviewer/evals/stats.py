"""Agreement statistics: Spearman correlation, quadratic weighted kappa, exact and within-one agreement."""

from __future__ import annotations

import math
from collections.abc import Sequence


def _ranks(values: Sequence[float]) -> list[float]:
    """Return average ranks (1-based), ties sharing the mean of their positions."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def pearson(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Return Pearson's r, or None when either side is constant or there are fewer than 2 pairs."""
    if len(x) != len(y):
        raise ValueError("x and y differ in length")
    n = len(x)
    if n < 2:
        return None
    mx, my = sum(x) / n, sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def spearman(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Return Spearman's rank correlation (Pearson on average ranks), None if undefined."""
    return pearson(_ranks(x), _ranks(y))


def quadratic_weighted_kappa(a: Sequence[int], b: Sequence[int], low: int = 1, high: int = 4) -> float | None:
    """Return Cohen's kappa with quadratic weights on the scale low..high, None if undefined."""
    if len(a) != len(b):
        raise ValueError("a and b differ in length")
    if not a:
        return None
    k = high - low + 1
    observed = [[0.0] * k for _ in range(k)]
    for x, y in zip(a, b, strict=True):
        observed[x - low][y - low] += 1
    n = len(a)
    hist_a = [sum(row) for row in observed]
    hist_b = [sum(observed[i][j] for i in range(k)) for j in range(k)]
    num = den = 0.0
    for i in range(k):
        for j in range(k):
            weight = (i - j) ** 2 / (k - 1) ** 2
            num += weight * observed[i][j]
            den += weight * hist_a[i] * hist_b[j] / n
    if den == 0:
        return None
    return 1 - num / den


def exact_agreement(a: Sequence[int], b: Sequence[int]) -> float | None:
    """Return the share of pairs that agree exactly."""
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a) if a else None


def within_one(a: Sequence[int], b: Sequence[int]) -> float | None:
    """Return the share of pairs at most one point apart."""
    return sum(abs(x - y) <= 1 for x, y in zip(a, b, strict=True)) / len(a) if a else None


def quantile_thresholds(values: Sequence[float], labels: Sequence[int], low: int = 1, high: int = 4) -> list[float]:
    """Fit cut points that map raw values to low..high with the same distribution as the labels.

    Used to turn a naive baseline (answer length, keyword count) into 1–4 scores for kappa and
    agreement; fit on the tuning split only.
    """
    ordered = sorted(values)
    cuts = []
    n = len(labels)
    below = 0
    for score in range(low, high):
        below += sum(1 for label in labels if label == score)
        index = min(len(ordered) - 1, max(0, round(below / n * len(ordered)) - 1)) if ordered else 0
        cuts.append(ordered[index] if ordered else 0.0)
    return cuts


def apply_thresholds(value: float, cuts: Sequence[float], low: int = 1) -> int:
    """Map a raw value to a score with cut points from :func:`quantile_thresholds`."""
    return low + sum(1 for cut in cuts if value > cut)


def percentile(values: Sequence[float], q: float) -> float:
    """Return the nearest-rank percentile (q in 0..1) of non-empty values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]
