"""Dependencies injected into every graph node through ``Runtime[Context]``."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol

from interviewer.brain.base import Brain
from interviewer.graph.background import Background
from interviewer.index import Entry
from interviewer.knowledge.loader import KnowledgeBase
from interviewer.prompts import Phrases


class Clock(Protocol):
    """A source of the current time in seconds; injected so tests and simulations control it."""

    def now(self) -> float:
        """Return the current time in seconds."""
        ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> float:
        """Return the current time in seconds since the epoch."""
        return time.time()


@dataclass
class FakeClock:
    """A clock that moves only when told to; used by simulations and tests."""

    t: float = 0.0

    def now(self) -> float:
        """Return the current fake time."""
        return self.t

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        self.t += seconds


class Retriever(Protocol):
    """Finds knowledge entries similar to a text, within a case and step."""

    def similar(self, text: str, case_id: str | None = None, step: str | None = None, k: int = 5) -> list[Entry]:
        """Return the k entries most similar to a text."""
        ...


@dataclass(frozen=True)
class Context:
    """What graph nodes may use besides the state."""

    kb: KnowledgeBase
    brain: Brain
    phrases: Phrases
    clock: Clock = field(default_factory=SystemClock)
    max_follow_ups: int = 2
    max_turns_per_step: int = 8
    time_budgets: bool = True
    """Whether a step's time budget advances the interview."""
    retriever: Retriever | None = None
    """Knowledge retrieval; None runs without it."""
    turn_deadline_s: float | None = None
    """Seconds a turn's model calls may take in all; None leaves it to the client's own timeout."""
    cooldown_s: float = 60.0
    """After a model failure, seconds the offline brain answers before the model is tried again."""
    cooldown_max_s: float = 900.0
    """The cool-down doubles with each failure in a row, up to this."""
    background: Background | None = None
    """Runs step grading off the critical path; None grades at the end, in the node."""
