"""The LLM brain: reads and grades the candidate with a language model, grounded by code.

The model classifies messages, picks the hidden facts a question asks about, grades each
signal with a quote, and phrases follow-ups. Code keeps it honest: candidate text is sent
as delimited data with sentences addressed to the grader removed first; every quote must be
verbatim in the turn it cites or the credit goes; an unreasoned list of buzzwords earns
partial credit at most; and each sentence of a generated question passes the leak guard
before the candidate sees it, else the authored probe is asked instead.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections import OrderedDict
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, Field

from interviewer.brain.base import (
    BrainReport,
    Emit,
    FollowUpRequest,
    MessageKind,
    RedFlagJudgment,
    SignalJudgment,
    StepJudgment,
)
from interviewer.brain.guard import FACT_SHINGLE_WORDS, leaks
from interviewer.brain.rules import is_grader_directed, is_unreasoned_list
from interviewer.debrief import SignalStatus
from interviewer.knowledge.models import Fact
from interviewer.llm.client import ChatModel, LLMError, Message
from interviewer.prompts import Phrases
from interviewer.rubric import StepRubric
from interviewer.text import sentences

MAX_QUESTION_WORDS = 60
CACHE_SIZE = 256


class Classification(BaseModel):
    """How the interviewer should handle a candidate message."""

    kind: Literal["answer", "clarifying", "move_on", "hint", "dont_know", "off_topic"] = Field(
        description="The kind of message."
    )


class FactSelection(BaseModel):
    """Hidden facts a message asks about."""

    fact_ids: list[str] = Field(description="Ids of the facts the message asks about; empty when none.")


class SignalVerdict(BaseModel):
    """The grade of one rubric signal."""

    signal_id: str = Field(description="Id of the signal, as listed in the rubric.")
    status: SignalStatus = Field(description="covered, partial, missing or contradicted.")
    quote: str = Field(description="One sentence copied exactly from a candidate turn; empty when missing.")
    turn: int = Field(description="Index of the quoted candidate turn; -1 when missing.")


class FlagVerdict(BaseModel):
    """A red flag the candidate raised."""

    flag_id: str = Field(description="Id of the red flag, as listed in the rubric.")
    quote: str = Field(description="The sentence that raises it, copied exactly.")
    turn: int = Field(description="Index of the quoted candidate turn.")


class StepVerdict(BaseModel):
    """The grade of one step."""

    signals: list[SignalVerdict] = Field(description="One verdict per rubric signal.")
    red_flags: list[FlagVerdict] = Field(description="Red flags the candidate raised; often empty.")


def candidate_block(text: str) -> str:
    """Return candidate text escaped so it cannot close or fake the delimiting tags."""
    return html.escape(text, quote=False)


def locate(quote: str, text: str) -> str | None:
    """Return the exact span of ``text`` a model's quote refers to, or None if it is not there.

    Models sometimes change whitespace, case or HTML escaping when copying; the span returned
    is always text the candidate wrote.
    """
    quote = html.unescape(quote).strip().strip('"').strip()
    if not quote:
        return None
    if quote in text:
        return quote
    pattern = r"\s+".join(re.escape(part) for part in quote.split())
    match = re.search(pattern, text, flags=re.IGNORECASE)
    return match.group(0) if match else None


class LLMBrain:
    """A brain over any :class:`ChatModel`; one model for interviewing, one for grading."""

    def __init__(
        self,
        chat: ChatModel,
        prompts: Phrases,
        *,
        interviewer_model: str,
        grader_model: str,
        name: str | None = None,
    ) -> None:
        """Wire the model and prompts."""
        self.chat = chat
        self.prompts = prompts
        self.interviewer_model = interviewer_model
        self.grader_model = grader_model
        self.name = name or f"openai:{interviewer_model}"
        self._judged: OrderedDict[str, StepJudgment] = OrderedDict()
        self._notices: list[str] = []

    def _messages(self, task: str, **variables: object) -> list[Message]:
        # The system prompt is the fixed prefix of every call, so a server can cache it.
        return [
            {"role": "system", "content": self.prompts.say("system")},
            {"role": "user", "content": self.prompts.say(task, **variables)},
        ]

    def classify(self, message: str, *, step_vocabulary: Sequence[str], topic_texts: Sequence[str] = ()) -> MessageKind:
        """Return how a candidate message should be handled."""
        messages = self._messages("classify", message=candidate_block(message))
        return self.chat.structured(messages, Classification, model=self.interviewer_model).kind

    def match_facts(self, question: str, facts: Sequence[Fact]) -> list[Fact]:
        """Return the hidden facts a message asks about; the model sees topics, never contents."""
        if not facts:
            return []
        listing = "\n".join(f"- {f.id}: {f.topic}" for f in facts)
        messages = self._messages("facts", facts=listing, message=candidate_block(question))
        chosen = set(self.chat.structured(messages, FactSelection, model=self.interviewer_model).fact_ids)
        return [f for f in facts if f.id in chosen]

    def judge(self, rubric: StepRubric, turns: Sequence[tuple[int, str]]) -> StepJudgment:
        """Grade a step's candidate turns; the same turns are graded once and then remembered."""
        key = hashlib.sha256(
            json.dumps([rubric.step, [s.id for s in rubric.signals], list(turns)]).encode()
        ).hexdigest()
        if key in self._judged:
            self._judged.move_to_end(key)
            return self._judged[key]
        judgment = self._judge(rubric, turns)
        self._judged[key] = judgment
        if len(self._judged) > CACHE_SIZE:
            self._judged.popitem(last=False)
        return judgment

    def _judge(self, rubric: StepRubric, turns: Sequence[tuple[int, str]]) -> StepJudgment:
        ignored: list[str] = []
        kept: dict[int, str] = {}
        for index, text in turns:
            parts = []
            for sentence in sentences(text):
                if is_grader_directed(sentence.text):
                    ignored.append(sentence.text)
                else:
                    parts.append(sentence.text)
            kept[index] = " ".join(parts)
        words = sum(len(t.split()) for t in kept.values())
        if not any(kept.values()):
            return StepJudgment(tuple(SignalJudgment(s.id, "missing") for s in rubric.signals), (), tuple(ignored), 0)
        verdict = self.chat.structured(self._judge_messages(rubric, kept), StepVerdict, model=self.grader_model)
        by_id = {v.signal_id: v for v in verdict.signals}
        judgments = []
        for signal in rubric.signals:
            v = by_id.get(signal.id)
            quote = locate(v.quote, kept.get(v.turn, "")) if v and v.status != "missing" else None
            if v is None or quote is None:
                judgments.append(SignalJudgment(signal.id, "missing"))
                continue
            status = v.status
            if status == "covered" and is_unreasoned_list(quote, rubric.signals):
                status = "partial"
            judgments.append(SignalJudgment(signal.id, status, quote, v.turn))
        flag_ids = {f.id for f in rubric.red_flags}
        flags: list[RedFlagJudgment] = []
        for f in verdict.red_flags:
            quote = locate(f.quote, kept.get(f.turn, ""))
            if f.flag_id in flag_ids and quote and f.flag_id not in {x.flag_id for x in flags}:
                flags.append(RedFlagJudgment(f.flag_id, quote, f.turn))
        return StepJudgment(tuple(judgments), tuple(flags), tuple(ignored), words)

    def _judge_messages(self, rubric: StepRubric, kept: dict[int, str]) -> list[Message]:
        signals = "\n".join(f"- {s.id}, {s.weight}: {s.title}. {s.stronger_answer}" for s in rubric.signals)
        # Flags derived from hidden facts would show the model the facts' topics as mistakes; the offline
        # brain's statement-level check raises them instead.
        authored = [f for f in rubric.red_flags if f.contradicts is None]
        red_flags = "\n".join(f"- {f.id}: {f.title}" for f in authored) or "(none)"
        turns = "\n".join(
            f'<candidate turn="{i}">{candidate_block(text)}</candidate>' for i, text in kept.items() if text
        )
        questions_rule = (
            "In this step a well-aimed clarifying question counts as covering its signal."
            if rubric.questions_count_as_evidence
            else "Questions alone do not cover a signal in this step."
        )
        return self._messages(
            "judge",
            step_title=rubric.title,
            questions_rule=questions_rule,
            signals=signals,
            red_flags=red_flags,
            turns=turns,
        )

    def follow_up(self, request: FollowUpRequest, emit: Emit) -> str:
        """Stream a question built on the candidate's words, word by word, through the leak guard.

        The last few words are held back until the guard has seen what follows them, so no
        part of a leaking phrase is ever shown. A leak, a question that runs too long, or a
        stream that breaks off after some text was shown ends generation, and the authored
        probe is asked instead.
        """
        messages = self._messages(
            "follow_up",
            step_title=request.step_title,
            signal_title=request.signal.title,
            probe=request.probe,
            record="\n".join(request.record) or "(this is the first step)",
            answers="\n".join(f"<candidate>{candidate_block(a)}</candidate>" for a in request.answers),
        )
        guard = _GuardedStream(request, emit)
        try:
            for piece in self.chat.stream(messages, model=self.interviewer_model):
                problem = guard.add(piece)
                if problem:
                    return self._finish_with_probe(request, guard, problem)
        except LLMError:
            if not guard.shown:
                raise
            return self._finish_with_probe(request, guard, "the model stopped mid-question")
        problem = guard.close()
        if problem:
            return self._finish_with_probe(request, guard, problem)
        return guard.shown

    def _finish_with_probe(self, request: FollowUpRequest, guard: _GuardedStream, why: str) -> str:
        self._notices.append(f"guard: {why}; the authored question was used")
        return guard.finish_with(request.probe)

    def take_report(self) -> BrainReport:
        """Return guard events and token usage since the last report."""
        notices, self._notices = tuple(self._notices), []
        return BrainReport(notices=(), usage=self.chat.take_usage().as_dict(), guard=notices)


class _GuardedStream:
    """Shows streamed text word by word, holding back the words the guard cannot judge yet."""

    def __init__(self, request: FollowUpRequest, emit: Emit) -> None:
        self.request = request
        self.emit = emit
        self.text = ""
        self.shown = ""
        longest_cue = max((len(c.split()) for c in request.forbidden), default=1)
        self.hold_words = max(longest_cue, FACT_SHINGLE_WORDS)
        self.said = " ".join(request.answers)

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
