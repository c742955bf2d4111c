"""Pydantic schema of the knowledge base: the framework and the cases.

Every model forbids unknown fields, so a typo in a knowledge file is an error
that names the file and the field instead of being silently ignored.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from interviewer.steps import STEP_IDS, StepId

Slug = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", min_length=2, max_length=60)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Anchors(_Strict):
    """What an answer looks like at each level."""

    mid: str = Field(min_length=10, description="A typical mid-level answer.")
    senior: str = Field(min_length=10, description="An answer that meets the senior bar.")
    staff: str = Field(min_length=10, description="An answer that exceeds the senior bar.")


class Signal(_Strict):
    """One thing a good answer does, with how to recognise it and how to probe for it."""

    id: str = Slug
    title: str = Field(min_length=5, description="Short name shown in the debrief.")
    weight: int = Field(ge=1, le=3, description="Importance: 1 nice to have, 3 essential.")
    cues: list[str] = Field(
        min_length=2,
        description=(
            "Phrases that show the candidate covered the signal. Matched case-insensitively"
            " as whole words (plural allowed); a trailing * matches any ending."
        ),
    )
    probes: list[str] = Field(min_length=1, description="Follow-up questions that ask without giving the answer.")
    stronger_answer: str = Field(
        min_length=20, description="What a strong answer adds; shown when the signal is missed."
    )
    meaning: str = Field(
        default="", description="One sentence saying what the signal means as an idea, not which words show it."
    )
    examples: list[str] = Field(
        default_factory=list,
        description=(
            "How real candidates would say it, each with its reason; at least one in plain words"
            " with none of the cues. The semantic judge compares candidate sentences with these."
        ),
    )

    @field_validator("cues")
    @classmethod
    def _cues_not_blank(cls, cues: list[str]) -> list[str]:
        for cue in cues:
            if len(cue.strip().rstrip("*")) < 2:
                raise ValueError(f"cue {cue!r} is too short to recognise anything")
        return cues


class RedFlag(_Strict):
    """A statement that counts against the candidate, such as accuracy on 0.1% positives."""

    id: str = Slug
    title: str = Field(min_length=5)
    cues: list[str] = Field(default_factory=list, description="Phrases that show the red flag.")
    why: str = Field(min_length=10, description="Why it is a problem; shown in the debrief.")
    examples: list[str] = Field(default_factory=list, description="Sentences a candidate making the mistake says.")
    contradicts: str | None = Field(
        default=None,
        description="Set on flags derived from a hidden fact: raised when a candidate asserts what it contradicts.",
    )

    @model_validator(mode="after")
    def _recognisable(self) -> RedFlag:
        if not self.cues and not self.examples and self.contradicts is None:
            raise ValueError("a red flag needs cues or examples to be recognised")
        return self


class FrameworkStep(_Strict):
    """One of the seven steps, as the framework defines it for every case."""

    id: StepId
    title: str
    goal: str = Field(min_length=10)
    budget_minutes: int = Field(ge=1, le=30)
    weight: float = Field(gt=0, le=3, description="Weight of the step in the overall score.")
    questions_count_as_evidence: bool = Field(
        default=False,
        description="Whether a question the candidate asks can show a signal (true in requirements).",
    )
    hint: str = Field(min_length=10, description="A generic nudge that gives nothing away.")
    opening: str = Field(min_length=10, description="Opening question when no case is known.")
    anchors: Anchors
    signals: list[Signal] = Field(min_length=2, description="Generic signals for any case.")
    red_flags: list[RedFlag] = Field(default_factory=list)


class Framework(_Strict):
    """The seven steps with their generic rubric, and the domain vocabulary."""

    steps: list[FrameworkStep]
    vocabulary: list[str] = Field(
        min_length=10,
        description="Words that mark a message as on-topic for an ML system design interview.",
    )

    @model_validator(mode="after")
    def _seven_steps_in_order(self) -> Framework:
        ids = tuple(step.id for step in self.steps)
        if ids != STEP_IDS:
            raise ValueError(f"steps must be exactly {list(STEP_IDS)} in order, got {list(ids)}")
        return self

    def step(self, step_id: StepId) -> FrameworkStep:
        """Return the framework entry of one step."""
        return self.steps[STEP_IDS.index(step_id)]


class Fact(_Strict):
    """A hidden fact, revealed only when the candidate asks about it."""

    id: str = Slug
    topic: str = Field(min_length=3, description="What the fact is about, e.g. 'label delay'.")
    content: str = Field(min_length=10, description="What the interviewer says when asked.")
    unlock: list[str] = Field(
        min_length=2,
        description="Phrases in a question that unlock the fact (matched like signal cues).",
    )
    easily_missed: bool = Field(
        default=False,
        description="A fact a careless candidate will not think to ask about (label delay, a legal rule).",
    )
    questions: list[str] = Field(
        default_factory=list, description="Example questions that should reveal the fact (2-3), matched by meaning."
    )
    wrong_assumptions: list[str] = Field(
        default_factory=list,
        description="What a candidate who never asked might assert that this fact contradicts; raises a red flag.",
    )


class ModelAnswers(_Strict):
    """An ideal answer to one step at each target level, shown in the debrief after the interview."""

    mid: str = Field(min_length=300, max_length=2000, description="What a strong mid-level candidate would say.")
    senior: str = Field(min_length=400, max_length=2400, description="What a strong senior candidate would say.")
    staff: str = Field(min_length=400, max_length=2800, description="What a strong staff candidate would say.")


class CaseStep(_Strict):
    """The case-specific content of one step."""

    opening: str = Field(min_length=10, description="The interviewer's first question.")
    signals: list[Signal] = Field(min_length=2)
    red_flags: list[RedFlag] = Field(min_length=1)
    anchors: Anchors | None = None
    model_answers: ModelAnswers | None = Field(
        None, description="Original model answers per target level; every case must have them (see checks)."
    )


class Curveball(_Strict):
    """A requirement change the interviewer may introduce during one step."""

    id: str = Slug
    step: StepId = Field(description="The step in which the curveball is introduced.")
    message: str = Field(min_length=20, description="What the interviewer says.")
    signals: list[Signal] = Field(min_length=1, description="What a good response covers; judged in that step.")


Difficulty = Literal["easy", "medium", "hard"]


class Case(_Strict):
    """One case study: the prompt, hidden facts and per-step rubric."""

    id: str = Slug
    title: str = Field(min_length=5)
    domain: str = Field(min_length=2)
    difficulty: Difficulty
    prompt: str = Field(min_length=20, description="What the candidate sees at the start.")
    facts: list[Fact] = Field(min_length=3)
    steps: dict[StepId, CaseStep]
    curveballs: list[Curveball] = Field(min_length=1, max_length=3)
    notes: str = Field(min_length=50, description="Reference notes on trade-offs and pitfalls.")

    @field_validator("steps")
    @classmethod
    def _all_steps(cls, steps: dict[StepId, CaseStep]) -> dict[StepId, CaseStep]:
        missing = [step for step in STEP_IDS if step not in steps]
        if missing:
            raise ValueError(f"missing step(s) {missing}")
        return steps

    @model_validator(mode="after")
    def _check_case(self) -> Case:
        _unique("facts", [fact.id for fact in self.facts])
        for step_id, step in self.steps.items():
            _unique(f"steps.{step_id}.signals", [s.id for s in step.signals])
        _unique("curveballs", [c.id for c in self.curveballs])
        return self

    def signals_for(self, step_id: StepId) -> list[Signal]:
        """Return the case's signals of one step (without curveball signals)."""
        return list(self.steps[step_id].signals)


def _unique(where: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for ident in ids:
        if ident in seen:
            raise ValueError(f"{where}: duplicate id {ident!r}")
        seen.add(ident)
