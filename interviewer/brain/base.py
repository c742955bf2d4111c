"""The brain seam: the small protocol every brain implements."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from interviewer.debrief import SignalStatus
from interviewer.knowledge.models import Fact, Signal
from interviewer.rubric import StepRubric

MessageKind = Literal["answer", "clarifying", "move_on", "hint", "dont_know", "off_topic"]
"""How a candidate message is handled."""


@dataclass(frozen=True)
class SignalJudgment:
    """How well the candidate showed one signal, with the verbatim quote that shows it."""

    signal_id: str
    status: SignalStatus
    quote: str | None = None
    turn: int | None = None


@dataclass(frozen=True)
class RedFlagJudgment:
    """A red flag raised by the candidate, with the quote."""

    flag_id: str
    quote: str
    turn: int


@dataclass(frozen=True)
class StepJudgment:
    """Everything a brain concludes about one step's candidate turns."""

    signals: tuple[SignalJudgment, ...]
    red_flags: tuple[RedFlagJudgment, ...] = ()
    ignored: tuple[str, ...] = field(default=())
    """Sentences addressed to the grader, dropped before judging."""
    words: int = 0
    """Candidate words in the step, after dropping ignored sentences."""

    def status(self, signal_id: str) -> SignalStatus:
        """Return the judgment of one signal ('missing' if not judged)."""
        for judgment in self.signals:
            if judgment.signal_id == signal_id:
                return judgment.status
        return "missing"


Emit = Callable[[str], None]
"""Receives interviewer text as it is produced, for streaming to the candidate."""


@dataclass(frozen=True)
class FollowUpRequest:
    """What a brain may know when it asks a follow-up question: only what it needs."""

    step_title: str
    signal: Signal
    """The most important signal the candidate has not covered yet: the gap to probe."""
    probe: str
    """The authored probe for that signal; the fallback question."""
    answers: tuple[str, ...]
    """The candidate's messages in the current step, oldest first."""
    record: tuple[str, ...] = ()
    """One short line per earlier step: a summary, not the full history."""
    forbidden: tuple[str, ...] = ()
    """Cues of uncovered signals the candidate has not said: a question naming one gives the answer away."""
    hidden_facts: tuple[str, ...] = ()
    """Hidden facts not revealed yet: a question must not state them."""


@dataclass(frozen=True)
class BrainReport:
    """What happened inside a brain since the last report: notices to show and tokens used."""

    notices: tuple[str, ...] = ()
    """Messages the candidate should see, e.g. that the offline brain handled a turn."""
    usage: dict[str, int] = field(default_factory=dict)
    """Token usage: calls, prompt_tokens, completion_tokens, cached_tokens."""
    guard: tuple[str, ...] = ()
    """Leak-guard interventions, kept for the maintainers (debrief metadata), not shown."""


class Brain(Protocol):
    """Reads candidate messages and judges them against a rubric."""

    name: str
    """Short name shown to the user, e.g. 'offline' or 'openai:gpt-4o-mini'."""

    def classify(self, message: str, *, step_vocabulary: Sequence[str], topic_texts: Sequence[str] = ()) -> MessageKind:
        """Return how a candidate message should be handled.

        ``step_vocabulary`` holds the domain's words; ``topic_texts`` the case's rubric texts (meanings and
        examples), for judging on meaning whether a message is on topic.
        """
        ...

    def match_facts(self, question: str, facts: Sequence[Fact]) -> list[Fact]:
        """Return the hidden facts a clarifying question asks about, and only those."""
        ...

    def judge(self, rubric: StepRubric, turns: Sequence[tuple[int, str]]) -> StepJudgment:
        """Judge a step's candidate turns, given as (transcript index, text), against its rubric."""
        ...

    def follow_up(self, request: FollowUpRequest, emit: Emit) -> str:
        """Return a follow-up question on the request's gap, emitting its text as it is produced."""
        ...

    def take_report(self) -> BrainReport:
        """Return notices and token usage since the last report, and reset them."""
        ...
