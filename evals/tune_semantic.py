"""Choose the semantic judge's thresholds and the score cut-offs on the *tune* split only.

Run with ``.venv/bin/python evals/tune_semantic.py``. It reads ``evals/transcripts/tune`` and
``evals/clarifying/tune`` and nothing from heldout, so heldout figures stay an honest estimate.
It prints the best settings; ``interviewer/semantic/thresholds.py`` and ``interviewer/scoring.py``
hold the values in use.
"""

from __future__ import annotations

import itertools

from interviewer import scoring
from interviewer.brain.base import Situation
from interviewer.brain.offline import OfflineBrain
from interviewer.evals.datasets import load_clarifying, load_labelled
from interviewer.evals.runner import EVALS_DIR
from interviewer.evals.stats import quadratic_weighted_kappa, spearman
from interviewer.factory import knowledge
from interviewer.grading import grade
from interviewer.semantic.thresholds import SemanticThresholds
from interviewer.settings import REPO_ROOT

WITHHELD_FLOOR = 0.99
"""Fact thresholds must keep at least this share of unasked facts hidden on tune."""


def _score(coverage: float, thin: bool, cuts: tuple[float, float, float]) -> int:
    if thin:
        return 1
    return 4 if coverage >= cuts[2] else 3 if coverage >= cuts[1] else 2 if coverage >= cuts[0] else 1


def tune_grader() -> None:
    """Search partial/covered similarity and the coverage cut-offs for step scores by QWK on tune.

    Each (partial, covered) pair grades the tune transcripts once; the cut-offs are then applied to the
    step coverages, which is what :func:`interviewer.scoring.step_score` does.
    """
    kb = knowledge(REPO_ROOT / "knowledge")
    tune = [t for t in load_labelled(EVALS_DIR / "transcripts") if t.split == "tune"]
    results = []
    pairs = [(p, c) for p in (0.36, 0.40, 0.44, 0.48) for c in (0.48, 0.52, 0.56, 0.60, 0.64) if c >= p]
    for partial, covered in pairs:
        brain = OfflineBrain(thresholds=SemanticThresholds(partial=partial, covered=covered))
        graded = [(t, grade(kb, brain, t)) for t in tune]
        steps = [(t.label(r.step), r.coverage, r.insufficient_evidence) for t, d in graded for r in d.steps]
        labels = [label for label, _, _ in steps]
        for cuts in itertools.product([0.1, 0.15, 0.2, 0.25], [0.3, 0.35, 0.4, 0.45, 0.5], [0.55, 0.6, 0.65, 0.7]):
            scores = [_score(cov, thin, cuts) for _, cov, thin in steps]
            qwk = quadratic_weighted_kappa(labels, scores) or 0
            results.append((round(qwk, 3), round(spearman(labels, scores) or 0, 3), partial, covered, cuts))
    print(f"{len(tune)} tune transcripts; in use: {SemanticThresholds()} cut-offs {scoring.SCORE_THRESHOLDS}")
    for qwk, rho, partial, covered, cuts in sorted(results, reverse=True)[:10]:
        print(f"QWK {qwk:.3f}  Spearman {rho:.3f}  partial {partial}  covered {covered}  cut-offs (2,3,4) {cuts}")


def tune_facts() -> None:
    """Search the fact threshold, margin and unlock bonus for recall on tune, keeping withheld above the floor."""
    kb = knowledge(REPO_ROOT / "knowledge")
    items = [c for c in load_clarifying(EVALS_DIR / "clarifying") if c.split == "tune"]
    results = []
    grid = itertools.product([0.40, 0.42, 0.44, 0.46, 0.48, 0.50, 0.52], [0.0, 0.05, 0.1], [0.0, 0.1, 0.15, 0.2])
    for fact, margin, bonus in grid:
        brain = OfflineBrain(thresholds=SemanticThresholds(fact=fact, fact_margin=margin, fact_unlock_bonus=bonus))
        asked = hit = unasked = withheld = 0
        for item in items:
            facts = kb.cases[item.case_id].facts
            for q in item.questions:
                got = {f.id for f in brain.match_facts(q.text, facts, Situation()).value}
                expect = set(q.expect)
                asked += len(expect)
                hit += len(expect & got)
                unasked += len(facts) - len(expect)
                withheld += len({f.id for f in facts} - expect - got)
        results.append((withheld / unasked >= WITHHELD_FLOOR, hit / asked, withheld / unasked, fact, margin, bonus))
    for ok, recall, kept, fact, margin, bonus in sorted(results, reverse=True)[:8]:
        print(f"recall {recall:.3f}  withheld {kept:.3f}  fact {fact}  margin {margin}  bonus {bonus}  floor {ok}")


if __name__ == "__main__":
    tune_facts()
    tune_grader()
