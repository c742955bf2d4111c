"""Search step-score thresholds and partial credit on the *tune* split of the labelled transcripts.

Run with ``.venv/bin/python evals/tune_thresholds.py``. It never reads the heldout split, so
heldout agreement stays an honest estimate. Prints the best settings by quadratic weighted
kappa; ``interviewer/scoring.py`` holds the values in use.
"""

from __future__ import annotations

import itertools

from interviewer import scoring
from interviewer.brain.offline import OfflineBrain
from interviewer.evals.datasets import load_labelled
from interviewer.evals.runner import EVALS_DIR, grader_summary
from interviewer.factory import knowledge
from interviewer.settings import REPO_ROOT


def main() -> None:
    """Grade the tune split under each candidate setting and print the best ones."""
    kb = knowledge(REPO_ROOT / "knowledge")
    tune = [t for t in load_labelled(EVALS_DIR / "transcripts") if t.split == "tune"]
    current = (scoring.CREDIT["partial"], *(t for t, _ in reversed(scoring.SCORE_THRESHOLDS)))
    results = []
    for partial, t2, t3, t4 in itertools.product([0.35, 0.5], [0.15, 0.2, 0.25], [0.4, 0.45, 0.5], [0.65, 0.7, 0.75]):
        scoring.CREDIT["partial"] = partial
        scoring.SCORE_THRESHOLDS = ((t4, 4), (t3, 3), (t2, 2))
        summary, _ = grader_summary(kb, OfflineBrain(), tune, 1, lambda _: None)
        results.append((summary["grader.tune.qwk"], summary["grader.tune.spearman"], (partial, t2, t3, t4)))
    print(f"{len(tune)} tune transcripts; current (partial, >=2, >=3, >=4) = {current}")  # noqa: T201
    for qwk, rho, setting in sorted(results, key=lambda r: (r[0] or 0, r[1] or 0), reverse=True)[:5]:
        print(f"QWK {qwk}  Spearman {rho}  (partial, >=2, >=3, >=4) = {setting}")  # noqa: T201


if __name__ == "__main__":
    main()
