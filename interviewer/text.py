"""Plain text helpers shared by the knowledge checks and the offline brain.

Cue semantics: text and cue are lower-cased, apostrophes dropped, and every run of
other characters than letters and digits becomes one space, so "Log-loss" and
"log loss" are equal. A cue matches whole words, allowing an "s", "es", "d", "ed" or
"ing" ending on the last word ("embedding" matches "embeddings", "delay" matches
"delayed"); a cue ending in "*" matches any word
ending ("calibrat*" matches "calibration"; "retrain* daily" matches "retraining daily").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

_NON_WORD = re.compile(r"[^a-z0-9]+")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+|\s+-\s+|(?<=:)\s+(?=[A-Z])")


def normalize(text: str) -> str:
    """Return text lower-cased with every non-alphanumeric run folded to one space."""
    return " " + _NON_WORD.sub(" ", text.lower().replace("'", "")).strip() + " "


@lru_cache(maxsize=8192)
def _cue_pattern(cue: str) -> re.Pattern[str]:
    tokens = re.sub(r"[^a-z0-9*]+", " ", cue.lower().replace("'", "")).split()
    parts = [re.escape(tok.rstrip("*")) + ("[a-z0-9]*" if tok.endswith("*") else "") for tok in tokens]
    tail = "" if tokens and tokens[-1].endswith("*") else "(?:s|es|d|ed|ing)?"
    return re.compile(r"(?<![a-z0-9])" + " ".join(parts) + tail + r"(?![a-z0-9])")


def contains_cue(normalized_text: str, cue: str) -> bool:
    """Return whether a cue occurs in text already passed through :func:`normalize`."""
    return _cue_pattern(cue).search(normalized_text) is not None


def cue_matches(normalized_text: str, cue: str) -> list[re.Match[str]]:
    """Return every occurrence of a cue in text already passed through :func:`normalize`."""
    return list(_cue_pattern(cue).finditer(normalized_text))


def matching_cues(text: str, cues: Iterable[str]) -> list[str]:
    """Return the cues that occur in raw text."""
    norm = normalize(text)
    return [cue for cue in cues if contains_cue(norm, cue)]


def words(text: str) -> list[str]:
    """Return the lower-case words of a text."""
    return normalize(text).split()


@dataclass(frozen=True)
class Sentence:
    """A verbatim span of a longer text."""

    text: str
    """The sentence exactly as it appears in the source, without surrounding space."""
    start: int
    """Offset of the sentence in the source text."""


def sentences(text: str) -> list[Sentence]:
    """Split text into verbatim sentences (also splitting lines and bullet items)."""
    result: list[Sentence] = []
    pos = 0
    for match in _SENTENCE_END.finditer(text):
        _append_span(text, pos, match.start(), result)
        pos = match.end()
    _append_span(text, pos, len(text), result)
    return result


def _append_span(text: str, start: int, end: int, out: list[Sentence]) -> None:
    span = text[start:end]
    stripped = span.strip().lstrip("-*• ").strip()
    if stripped:
        out.append(Sentence(stripped, start + span.find(stripped)))


def jaccard(a: set[str], b: set[str]) -> float:
    """Return the Jaccard similarity of two sets (0 when both are empty)."""
    if not a and not b:
        return 0.0
    return len(a & b) / len(a | b)


def shingles(text: str, size: int = 5) -> set[str]:
    """Return the set of word n-grams of a text, for near-duplicate detection."""
    tokens = words(text)
    return {" ".join(tokens[i : i + size]) for i in range(max(0, len(tokens) - size + 1))}
