"""The leak guard: checks interviewer text before the candidate sees it.

A generated question must not hand out the answer: it may not name a cue of a signal the
candidate has not covered (unless the candidate said that cue first), and it may not state a
hidden fact the candidate has not asked for.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from interviewer.brain.base import Emit, FollowUpRequest
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


MAX_QUESTION_WORDS = 60


class GuardedStream:
    """Shows streamed text word by word, holding back the words the guard cannot judge yet.

    The last few words are held back until the guard has seen what follows them, so no part of a
    leaking phrase is ever shown.
    """

    def __init__(self, request: FollowUpRequest, emit: Emit) -> None:
        """Guard one follow-up request's stream, showing safe text through ``emit``."""
        self.request = request
        self.emit = emit
        self.text = ""
        self.shown = ""
        longest_cue = max((len(c.split()) for c in request.forbidden), default=1)
        self.hold_words = max(longest_cue, FACT_SHINGLE_WORDS)
        self.said = " ".join((*request.answers, *request.record))

    def _problem(self, text: str) -> str | None:
        if leaks(text, forbidden=self.request.forbidden, hidden_facts=self.request.hidden_facts, said=self.said):
            return "a generated question gave too much away"
        if len(text.split()) > MAX_QUESTION_WORDS:
            return "a generated question ran too long"
        return None

    def add(self, piece: str) -> str | None:
        """Take a streamed piece; show what is safe; return a problem if the text went wrong."""
        self.text += piece
        complete = self.text[: max(self.text.rfind(" "), 0)]  # whole words only
        problem = self._problem(complete)
        if problem:
            return problem
        spans = [m.start() for m in re.finditer(r"\S+", complete)]
        if len(spans) > self.hold_words:
            self._show(complete[: spans[-self.hold_words]].rstrip())
        return None

    def close(self) -> str | None:
        """Check and show the rest once the stream has ended."""
        final = self.text.strip()
        problem = self._problem(final)
        if problem:
            return problem
        if "?" not in final:
            return "the model did not ask a question"
        self._show(final)
        return None

    def _show(self, upto: str) -> None:
        if len(upto) > len(self.shown):
            self.emit(upto[len(self.shown) :])
            self.shown = upto

    def finish_with(self, probe: str) -> str:
        """Complete what was shown with the authored probe and return the whole question."""
        if not self.shown:
            self.emit(probe)
            return probe
        joiner = " " if self.shown.rstrip().endswith((".", "?", "!")) else " — "
        self.emit(joiner + probe)
        self.shown = self.shown + joiner + probe
        return self.shown
