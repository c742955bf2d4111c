"""A brain that falls back to the offline brain when the LLM brain fails.

Every call goes to the primary brain first. If it raises :class:`LLMError` (its retries
already spent), the offline brain answers instead and the turn carries a visible notice.
After a failure the primary is skipped for a cool-down period, so a stopped server slows
down one turn, not every turn.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TypeVar

from interviewer.brain.base import Brain, BrainReport, Emit, FollowUpRequest, MessageKind, StepJudgment
from interviewer.knowledge.models import Fact
from interviewer.llm.client import LLMError
from interviewer.rubric import StepRubric

R = TypeVar("R")
NOTICE = "Note: the language model did not answer ({why}), so the offline brain handled this turn."


class FallbackBrain:
    """Primary brain with the offline brain behind it."""

    def __init__(
        self,
        primary: Brain,
        fallback: Brain,
        *,
        cooldown_s: float = 30.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """Wrap a primary brain; ``cooldown_s`` is how long to skip it after a failure."""
        self.primary = primary
        self.fallback = fallback
        self.name = primary.name
        self.cooldown_s = cooldown_s
        self._monotonic = monotonic
        self._down_until = 0.0
        self._why = ""
        self._notices: list[str] = []

    def _call(self, primary: Callable[[], R], fallback: Callable[[], R]) -> R:
        if self._monotonic() >= self._down_until:
            try:
                return primary()
            except LLMError as error:
                self._why = str(error)
                self._down_until = self._monotonic() + self.cooldown_s
        notice = NOTICE.format(why=self._why)
        if notice not in self._notices:
            self._notices.append(notice)
        return fallback()

    def classify(self, message: str, *, step_vocabulary: Sequence[str], topic_texts: Sequence[str] = ()) -> MessageKind:
        """Classify with the primary brain, else offline."""
        return self._call(
            lambda: self.primary.classify(message, step_vocabulary=step_vocabulary, topic_texts=topic_texts),
            lambda: self.fallback.classify(message, step_vocabulary=step_vocabulary, topic_texts=topic_texts),
        )

    def match_facts(self, question: str, facts: Sequence[Fact]) -> list[Fact]:
        """Match facts with the primary brain, else offline."""
        return self._call(
            lambda: self.primary.match_facts(question, facts), lambda: self.fallback.match_facts(question, facts)
        )

    def judge(self, rubric: StepRubric, turns: Sequence[tuple[int, str]]) -> StepJudgment:
        """Judge with the primary brain, else offline."""
        return self._call(lambda: self.primary.judge(rubric, turns), lambda: self.fallback.judge(rubric, turns))

    def follow_up(self, request: FollowUpRequest, emit: Emit) -> str:
        """Ask with the primary brain, else the authored probe."""
        return self._call(lambda: self.primary.follow_up(request, emit), lambda: self.fallback.follow_up(request, emit))

    def take_report(self) -> BrainReport:
        """Merge the primary's report with this turn's fallback notices."""
        report = self.primary.take_report()
        notices, self._notices = tuple(self._notices), []
        return BrainReport(notices=report.notices + notices, usage=report.usage, guard=report.guard)
