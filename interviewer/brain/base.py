"""The brain seam: the small protocol every brain implements, and the values its calls return.

A brain holds no per-session state and has no side channel: every call returns an :class:`Outcome`
carrying the result together with the tokens it used, the notices the candidate should see and why
the model failed, if it did. What a call may know about the interview comes in a :class:`Situation`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, Literal, Protocol, TypeVar

from interviewer.debrief import SignalStatus
from interviewer.knowledge.models import Case, Fact, Signal
from interviewer.rubric import StepRubric

if TYPE_CHECKING:
    from interviewer.brain.offline import OfflineBrain

MessageKind = Literal["answer", "clarifying", "move_on", "hint", "dont_know", "off_topic"]
"""How a candidate message is handled."""
T = TypeVar("T")


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
    """Everything concluded about one step's candidate turns."""

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


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What a brain call returns: its value and what happened on the way."""

    value: T
    usage: Mapping[str, int] = field(default_factory=dict)
    """Token usage of the model calls made: calls, prompt_tokens, completion_tokens, cached_tokens."""
    notices: tuple[str, ...] = ()
    """Messages the candidate should see (e.g. that the offline brain answered this turn)."""
    guard: tuple[str, ...] = ()
    """Leak-guard interventions, kept for the maintainers (debrief metadata), not shown."""
    failure: str | None = None
    """Why the model failed, when it did and the offline brain answered instead."""

    @property
    def used_model(self) -> bool:
        """Whether a model call was made and answered."""
        return self.failure is None and self.usage.get("calls", 0) > 0


@dataclass(frozen=True)
class Situation:
    """What a brain call may know about the interview around the message it handles."""

    case: Case | None = None
    problem: str = ""
    step: str = "requirements"
    step_title: str = ""
    level: str = "senior"
    question: str = ""
    """The interviewer's last question, the one the candidate is answering."""
    asked_in_step: tuple[str, ...] = ()
    """The interviewer's earlier questions in this step, oldest first."""
    deadline: float | None = None
    """``time.monotonic()`` by which a model call must have answered; None: the client's own timeout."""
    model_allowed: bool = True
    """False while this session's circuit breaker keeps the model off (the offline brain answers)."""


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
    """The candidate's messages in the current step, oldest first (grader-directed sentences dropped)."""
    record: tuple[str, ...] = ()
    """One short line per earlier step: a summary of the candidate's words, not the full history."""
    forbidden: tuple[str, ...] = ()
    """Cues and titles of uncovered signals the candidate has not said: a question naming one gives the answer."""
    hidden_facts: tuple[str, ...] = ()
    """Hidden facts not revealed yet: a question must not state them."""


class Brain(Protocol):
    """Reads candidate messages, judges them against a rubric and asks follow-ups."""

    name: str
    """Short name shown to the user, e.g. 'offline' or 'openai:gpt-4o-mini'."""

    @property
    def reader(self) -> OfflineBrain:
        """The instant, network-free brain: it routes messages, picks gaps and answers when a model fails."""
        ...

    def classify(
        self, message: str, situation: Situation, *, step_vocabulary: Sequence[str], topic_texts: Sequence[str] = ()
    ) -> Outcome[MessageKind]:
        """Return how a candidate message should be handled."""
        ...

    def match_facts(self, question: str, facts: Sequence[Fact], situation: Situation) -> Outcome[list[Fact]]:
        """Return the hidden facts a clarifying question asks about (the judging pipeline caps them)."""
        ...

    def assess(
        self, rubric: StepRubric, turns: Sequence[tuple[int, str]], situation: Situation
    ) -> Outcome[StepJudgment]:
        """Judge a step's turns instantly, to pick the next gap during the interview."""
        ...

    def grade(
        self, rubric: StepRubric, turns: Sequence[tuple[int, str]], situation: Situation
    ) -> Outcome[StepJudgment]:
        """Judge a step's turns for the debrief; raw verdicts, checked by the judging pipeline."""
        ...

    def follow_up(self, request: FollowUpRequest, situation: Situation, emit: Emit) -> Outcome[str]:
        """Return a follow-up question on the request's gap, emitting its text as it is produced."""
        ...
