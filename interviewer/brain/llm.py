"""The LLM brain: grades and asks with a language model, routes with the instant offline reader.

One model call at most sits on a turn's critical path: routing a message and picking the gap to
probe come from the offline reader's instant judgment, a follow-up is one streamed call, and a
clarifying question is one structured call that picks fact ids (code reveals the facts). Grading
each step with the grader model happens off the path (in the background, and in parallel at the
end). When a call fails, or this session's circuit breaker keeps the model off, the offline reader
answers and the outcome says why. Every sentence of a generated question passes the leak guard
before the candidate sees it, else the authored probe is asked instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TypeVar

from pydantic import BaseModel

from interviewer.brain.base import (
    Emit,
    FollowUpRequest,
    MessageKind,
    Outcome,
    RedFlagJudgment,
    SignalJudgment,
    Situation,
    StepJudgment,
)
from interviewer.brain.guard import GuardedStream
from interviewer.brain.llm_prompts import FactSelection, PromptBook, grade_schema
from interviewer.brain.offline import OfflineBrain
from interviewer.knowledge.loader import KnowledgeBase
from interviewer.knowledge.models import Fact
from interviewer.llm.client import ChatModel, Completion, LLMError, Message, Usage
from interviewer.prompts import Phrases
from interviewer.rubric import StepRubric

T = TypeVar("T", bound=BaseModel)
V = TypeVar("V")


class LLMBrain:
    """A brain over any :class:`ChatModel`; one model for interviewing, one for grading."""

    def __init__(
        self,
        chat: ChatModel,
        prompts: Phrases,
        kb: KnowledgeBase,
        *,
        reader: OfflineBrain | None = None,
        interviewer_model: str,
        grader_model: str,
        name: str | None = None,
    ) -> None:
        """Wire the model, the prompts (their prefixes rendered now) and the offline reader."""
        self.chat = chat
        self.book = PromptBook(prompts, kb)
        self._reader = reader or OfflineBrain()
        self.interviewer_model = interviewer_model
        self.grader_model = grader_model
        self.name = name or f"openai:{interviewer_model}"

    @property
    def reader(self) -> OfflineBrain:
        """The offline brain that routes, picks gaps and answers when the model cannot."""
        return self._reader

    def _structured(self, situation: Situation, messages: list[Message], schema: type[T], model: str) -> Completion[T]:
        return self.chat.structured(
            messages, schema, model=model, deadline=situation.deadline, cache_key=self.book.cache_key(situation)
        )

    @staticmethod
    def _fallback(fallback: Outcome[V], why: str | None) -> Outcome[V]:
        return fallback if why is None else replace(fallback, failure=why)

    def classify(
        self, message: str, situation: Situation, *, step_vocabulary: Sequence[str], topic_texts: Sequence[str] = ()
    ) -> Outcome[MessageKind]:
        """Route with the instant reader: no model call on the critical path."""
        return self.reader.classify(message, situation, step_vocabulary=step_vocabulary, topic_texts=topic_texts)

    def assess(
        self, rubric: StepRubric, turns: Sequence[tuple[int, str]], situation: Situation
    ) -> Outcome[StepJudgment]:
        """Pick gaps with the instant reader's judgment."""
        return self.reader.assess(rubric, turns, situation)

    def match_facts(self, question: str, facts: Sequence[Fact], situation: Situation) -> Outcome[list[Fact]]:
        """Return the facts a question asks about; the model sees topics and ids, never contents."""
        if not facts or not situation.model_allowed:
            return self.reader.match_facts(question, facts, situation)
        try:
            done = self._structured(
                situation, self.book.facts(situation, question), FactSelection, self.interviewer_model
            )
        except LLMError as error:
            return self._fallback(self.reader.match_facts(question, facts, situation), str(error))
        chosen = set(done.value.fact_ids)
        return Outcome([f for f in facts if f.id in chosen], usage=done.usage.as_dict())

    def grade(
        self, rubric: StepRubric, turns: Sequence[tuple[int, str]], situation: Situation
    ) -> Outcome[StepJudgment]:
        """Grade a step's cleaned turns with the grader model; raw verdicts for the judging pipeline."""
        if not situation.model_allowed:
            return self.reader.grade(rubric, turns, situation)
        schema = grade_schema(tuple(s.id for s in rubric.signals))
        try:
            done = self._structured(situation, self.book.grade(situation, rubric, turns), schema, self.grader_model)
        except LLMError as error:
            return self._fallback(self.reader.grade(rubric, turns, situation), str(error))
        data = done.value.model_dump(by_alias=True)
        signals = []
        for signal in rubric.signals:
            v = data["signals"].get(signal.id) or {}
            status = v.get("status", "missing")
            turn = v.get("turn", -1)
            signals.append(SignalJudgment(signal.id, status, v.get("quote") or None, turn if turn >= 0 else None))
        flags = tuple(RedFlagJudgment(f["flag_id"], f["quote"], f["turn"]) for f in data["red_flags"])
        return Outcome(StepJudgment(tuple(signals), flags), usage=done.usage.as_dict())

    def follow_up(self, request: FollowUpRequest, situation: Situation, emit: Emit) -> Outcome[str]:
        """Stream a question built on the candidate's words, word by word, through the leak guard.

        A leak, a question that runs too long, or a stream that breaks off after some text was
        shown ends generation, and the authored probe is asked instead.
        """
        if not situation.model_allowed:
            return self.reader.follow_up(request, situation, emit)
        guard = GuardedStream(request, emit)
        usage = Usage()
        try:
            stream = self.chat.stream(
                self.book.follow_up(situation, request),
                model=self.interviewer_model,
                deadline=situation.deadline,
                cache_key=self.book.cache_key(situation),
            )
            try:
                for piece in stream:
                    problem = guard.add(piece)
                    if problem:
                        return self._with_probe(request, guard, problem, stream.usage)
            finally:
                stream.close()
                usage = stream.usage
        except LLMError as error:
            if not guard.shown:
                return self._fallback(self.reader.follow_up(request, situation, emit), str(error))
            return replace(
                self._with_probe(request, guard, "the model stopped mid-question", usage), failure=str(error)
            )
        problem = guard.close()
        if problem:
            return self._with_probe(request, guard, problem, usage)
        return Outcome(guard.shown, usage=usage.as_dict())

    @staticmethod
    def _with_probe(request: FollowUpRequest, guard: GuardedStream, why: str, usage: Usage) -> Outcome[str]:
        question = guard.finish_with(request.probe)
        return Outcome(question, usage=usage.as_dict(), guard=(f"guard: {why}; the authored question was used",))
