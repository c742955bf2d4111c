"""What the LLM brain sends: one stable prefix per interview, the task messages and their schemas.

The system message of every call is the rules followed by the interview's case block (the problem,
every step's rubric, the hidden facts' topics), identical across the calls of an interview, so a
server can cache it. Candidate text only ever appears escaped inside ``<candidate>`` tags.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from interviewer.brain.base import FollowUpRequest, Situation
from interviewer.debrief import SignalStatus
from interviewer.honesty import escape
from interviewer.knowledge.loader import KnowledgeBase
from interviewer.knowledge.models import Case, Signal
from interviewer.llm.client import Message
from interviewer.prompts import Phrases
from interviewer.rubric import StepRubric, step_rubric
from interviewer.steps import STEP_IDS


def _bare(schema: dict[str, Any]) -> None:
    """Drop titles and descriptions from a schema: the task text explains every field, and schemas are billed."""
    schema.pop("title", None)
    schema.pop("description", None)
    for value in schema.get("properties", {}).values():
        value.pop("title", None)


BARE = ConfigDict(json_schema_extra=_bare, populate_by_name=True)


class FactSelection(BaseModel):
    """Hidden facts a message asks about."""

    model_config = BARE
    fact_ids: list[str]


class SignalVerdict(BaseModel):
    """The grade of one rubric signal: the evidence first, then the verdict."""

    model_config = BARE
    quote: str
    turn: int
    status: SignalStatus


class FlagVerdict(BaseModel):
    """A red flag the candidate raised."""

    model_config = BARE
    quote: str
    turn: int
    flag_id: str


@lru_cache(maxsize=256)
def grade_schema(signal_ids: tuple[str, ...]) -> type[BaseModel]:
    """Return the grader's schema for one step: one verdict per signal, keyed by the signal's id."""
    fields: dict[str, Any] = {
        # No description beside the reference: strict schemas would inline the verdict once per signal.
        f"s{i}": (SignalVerdict, Field(alias=signal_id))
        for i, signal_id in enumerate(signal_ids)
    }
    signals = create_model("Signals", __config__=BARE, **fields)
    return create_model("StepGrade", __config__=BARE, signals=(signals, ...), red_flags=(list[FlagVerdict], ...))


def _signal_line(signal: Signal) -> str:
    return f"  - {signal.id}, {signal.weight}: {signal.title}. {signal.stronger_answer}"


def case_block(prompts: Phrases, kb: KnowledgeBase, case: Case | None) -> str:
    """Return the interview's stable context: problem, every step's rubric and the facts' topics."""
    steps = []
    for step in STEP_IDS:
        rubric = step_rubric(kb, case, step, [c.id for c in case.curveballs] if case else ())
        lines = [f"Step {step} ({rubric.title}):", *(_signal_line(s) for s in rubric.signals)]
        authored = [f for f in rubric.red_flags if f.contradicts is None]
        lines += [f"  - red flag {f.id}: {f.title}" for f in authored]
        steps.append("\n".join(lines))
    facts = "\n".join(f"- {f.id}: {f.topic}" for f in case.facts) if case else "(none)"
    problem = case.prompt if case else "Design a machine learning system for the problem the candidate has in mind."
    return prompts.say("case", problem=problem, steps="\n".join(steps), facts=facts)


class PromptBook:
    """Builds every message the LLM brain sends; the prefixes are rendered once, at start."""

    def __init__(self, prompts: Phrases, kb: KnowledgeBase) -> None:
        """Render the stable prefix of every case (and of the generic interview)."""
        self.prompts = prompts
        rules = prompts.say("system")
        self._prefixes = {case_id: f"{rules}\n\n{case_block(prompts, kb, case)}" for case_id, case in kb.cases.items()}
        self._generic = f"{rules}\n\n{case_block(prompts, kb, None)}"

    def prefix(self, situation: Situation) -> str:
        """Return the system message every call of this interview starts with."""
        return self._prefixes.get(situation.case.id, self._generic) if situation.case else self._generic

    def cache_key(self, situation: Situation) -> str:
        """Return the prompt-cache key of the interview's prefix (the same for every call sharing it)."""
        return "interviewer-" + hashlib.sha256(self.prefix(situation).encode()).hexdigest()[:16]

    def _messages(self, situation: Situation, task: str, **variables: object) -> list[Message]:
        return [
            {"role": "system", "content": self.prefix(situation)},
            {"role": "user", "content": self.prompts.say(task, **variables)},
        ]

    def facts(self, situation: Situation, message: str) -> list[Message]:
        """Return the messages that ask which hidden facts a question is about."""
        return self._messages(
            situation,
            "facts",
            step_title=situation.step_title,
            question=situation.question,
            message=escape(message),
        )

    def follow_up(self, situation: Situation, request: FollowUpRequest) -> list[Message]:
        """Return the messages that ask for a follow-up question on the request's gap."""
        record = "\n".join(f"<candidate>{escape(line)}</candidate>" for line in request.record)
        return self._messages(
            situation,
            "follow_up",
            step_title=request.step_title,
            signal_title=request.signal.title,
            probe=request.probe,
            question=situation.question,
            asked=_bullets(situation.asked_in_step),
            record=record or "(this is the first step)",
            answers="\n".join(f"<candidate>{escape(a)}</candidate>" for a in request.answers),
        )

    def grade(self, situation: Situation, rubric: StepRubric, turns: Sequence[tuple[int, str]]) -> list[Message]:
        """Return the messages that grade a step's (cleaned) candidate turns."""
        # Flags derived from hidden facts would show the model the facts as mistakes; the pipeline's
        # statement-level check (the offline reader) raises those.
        authored = [f.id for f in rubric.red_flags if f.contradicts is None]
        questions_rule = (
            "In this step a well-aimed clarifying question counts as covering its signal."
            if rubric.questions_count_as_evidence
            else "Questions alone do not cover a signal in this step."
        )
        return self._messages(
            situation,
            "grade",
            step_title=rubric.title,
            level=situation.level,
            signal_ids=", ".join(s.id for s in rubric.signals),
            questions_rule=questions_rule,
            red_flags=", ".join(authored) or "none",
            asked=_bullets(situation.asked_in_step),
            turns="\n".join(f'<candidate turn="{i}">{escape(text)}</candidate>' for i, text in turns),
        )


def _bullets(items: Sequence[str]) -> str:
    return "\n".join(f"- {item}" for item in items) or "(none)"
