"""The leak guard: checks interviewer text before the candidate sees it.

A generated question must not hand out the answer: it may not name a cue of a signal the
candidate has not covered (unless the candidate said that cue first), and it may not state a
hidden fact the candidate has not asked for.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from interviewer.text import contains_cue, normalize

FACT_SHINGLE_WORDS = 4
"""A run of this many words shared with an unrevealed fact counts as stating it."""
_FIGURE = re.compile(r"\d[\d.,]*(?:\s*%|\s+[a-z]+)?", re.IGNORECASE)
"""A figure with its unit or next word ('50 ms', '15%'): a bare number shared by chance is not a leak."""


def leaks(text: str, *, forbidden: Sequence[str], hidden_facts: Sequence[str], said: str = "") -> list[str]:
    """Return why ``text`` gives something away (empty when it is clean)."""
    norm, said_norm = normalize(text), normalize(said)
    reasons = [f"names {cue!r}" for cue in forbidden if contains_cue(norm, cue) and not contains_cue(said_norm, cue)]
    words = norm.split()
    grams = {" ".join(words[i : i + FACT_SHINGLE_WORDS]) for i in range(len(words) - FACT_SHINGLE_WORDS + 1)}
    said_figures = set(_FIGURE.findall(said))
    for fact in hidden_facts:
        fact_words = normalize(fact).split()
        shared = grams & {
            " ".join(fact_words[i : i + FACT_SHINGLE_WORDS]) for i in range(len(fact_words) - FACT_SHINGLE_WORDS + 1)
        }
        figures = (set(_FIGURE.findall(fact)) & set(_FIGURE.findall(text))) - said_figures
        if shared or figures:
            reasons.append(f"states a hidden fact ({fact[:40]}...)")
    return reasons
