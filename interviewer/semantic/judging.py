"""Judge a step's sentences on meaning, with the guards that keep topic from passing for reasoning.

Each sentence (a "unit") is compared with every signal's meaning, examples and stronger answer; a
signal's similarity is its closest text. Guards:

- **top-1**: a unit credits only the signal it is most similar to in the step (a cue of the signal in the
  unit adds :data:`CUE_BONUS`, so naming the thing is one way in, never the only one);
- **red-flag veto**: a unit closer to one of the step's red flags than to its best signal credits nothing;
- **reasoning**: "covered" needs the covered threshold *and* a reason in the same sentence
  (:func:`interviewer.brain.rules.has_reason`); a bare list of cues is at most partial.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from interviewer.brain.base import RedFlagJudgment, SignalJudgment
from interviewer.debrief import SignalStatus
from interviewer.knowledge.models import RedFlag, Signal
from interviewer.semantic.encoder import Encoder, Vectors
from interviewer.semantic.thresholds import SemanticThresholds

CUE_BONUS = 0.08
"""Similarity added to a signal whose cue the unit names."""


@dataclass(frozen=True)
class Unit:
    """One candidate sentence as the judge sees it."""

    turn: int
    text: str
    norm: str
    question: bool
    reasoned: bool
    negated: bool
    bare_list: bool
    cue_signals: frozenset[str] = frozenset()
    """Ids of the step's signals whose cue the sentence names."""
    assumes: bool = False
    """Whether the sentence presents itself as an assumption."""


def signal_texts(signal: Signal) -> list[str]:
    """Return the texts a signal is recognised by: its meaning, examples and stronger answer."""
    texts = [t for t in (signal.meaning, *signal.examples, signal.stronger_answer) if t]
    return texts or [signal.title]


def flag_texts(flag: RedFlag) -> list[str]:
    """Return the texts a red flag is recognised by: its examples and title."""
    return [*flag.examples, flag.title]


def _max_by_owner(sims: Vectors, owners: np.ndarray, n_owners: int) -> Vectors:
    """Return, per unit, the highest similarity to any text of each owner (signal or flag)."""
    out = np.full((sims.shape[0], n_owners), -1.0, dtype=np.float32)
    for k in range(n_owners):
        cols = owners == k
        if cols.any():
            out[:, k] = sims[:, cols].max(axis=1)
    return out


def similarity_to(encoder: Encoder, units: Sequence[str], groups: Sequence[Sequence[str]]) -> Vectors:
    """Return a (units, groups) matrix: each unit's similarity to the closest text of each group."""
    if not units or not groups:
        return np.zeros((len(units), len(groups)), dtype=np.float32)
    texts = [t for group in groups for t in group]
    owners = np.array([k for k, group in enumerate(groups) for _ in group])
    sims = encoder.encode(list(units)) @ encoder.encode(texts).T
    return _max_by_owner(sims, owners, len(groups))


_RANK: dict[SignalStatus, int] = {"missing": 0, "partial": 1, "covered": 2, "contradicted": 0}


def credit_signals(
    encoder: Encoder,
    thresholds: SemanticThresholds,
    signals: Sequence[Signal],
    flags: Sequence[RedFlag],
    units: Sequence[Unit],
    questions_count: bool,
) -> tuple[SignalJudgment, ...]:
    """Return each signal's best judgment over the units, with the quote and turn that earned it."""
    best: dict[str, tuple[SignalStatus, Unit | None]] = {s.id: ("missing", None) for s in signals}
    judged = [u for u in units if questions_count or not u.question]
    sims = similarity_to(encoder, [u.text for u in judged], [signal_texts(s) for s in signals])
    flag_sims = similarity_to(
        encoder, [u.text for u in judged], [flag_texts(f) for f in flags if f.contradicts is None]
    )
    for row, unit in enumerate(judged):
        scores = sims[row] + np.array([CUE_BONUS if s.id in unit.cue_signals else 0.0 for s in signals], np.float32)
        top = int(np.argmax(scores))
        score = float(scores[top])
        if score < thresholds.partial:
            continue
        if flag_sims.shape[1] and not unit.negated and float(flag_sims[row].max()) > float(sims[row, top]):
            continue  # closer to a mistake than to the idea
        asked = unit.question and questions_count
        covered = score >= thresholds.covered and not unit.bare_list and (unit.reasoned or asked)
        status: SignalStatus = "covered" if covered else "partial"
        signal_id = signals[top].id
        if _RANK[status] > _RANK[best[signal_id][0]]:
            best[signal_id] = (status, unit)
    return tuple(
        SignalJudgment(s.id, status, unit.text if unit else None, unit.turn if unit else None)
        for s in signals
        for status, unit in [best[s.id]]
    )


def semantic_flags(
    encoder: Encoder, thresholds: SemanticThresholds, flags: Sequence[RedFlag], units: Sequence[Unit]
) -> list[RedFlagJudgment]:
    """Return red flags whose examples a non-negated, non-question unit says in other words."""
    judged = [u for u in units if not u.question and not u.negated]
    usable = [f for f in flags if f.examples and f.contradicts is None]
    sims = similarity_to(encoder, [u.text for u in judged], [flag_texts(f) for f in usable])
    found: list[RedFlagJudgment] = []
    for k, flag in enumerate(usable):
        rows = [r for r in range(len(judged)) if sims[r, k] >= thresholds.red_flag]
        if rows:
            unit = judged[max(rows, key=lambda r: float(sims[r, k]))]
            found.append(RedFlagJudgment(flag.id, unit.text, unit.turn))
    return found
