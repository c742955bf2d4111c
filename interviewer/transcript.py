"""The transcript format: input of ``interviewer score`` and part of ``simulate``'s output."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from interviewer.sketch import as_sentences
from interviewer.steps import Level, StepId

Role = Literal["interviewer", "candidate"]
JUDGED_KINDS = ("answer", "clarifying", "dont_know")
"""Candidate turns that are judged; hint, move-on, end and off-topic messages are not."""


class Turn(BaseModel):
    """One message of the interview."""

    model_config = ConfigDict(extra="ignore")

    role: Role
    step: StepId
    content: str
    kind: str | None = Field(
        None,
        description=(
            "What the message was: for the candidate answer, clarifying, move_on, hint, dont_know,"
            " off_topic; for the interviewer opening, follow_up, fact, hint, curveball, notice, closing."
        ),
    )
    signal: str | None = Field(None, description="Signal id an interviewer follow-up probed.")
    facts: list[str] = Field(default_factory=list, description="Fact ids an interviewer turn revealed.")
    curveball: str | None = Field(None, description="Curveball id an interviewer turn introduced.")
    elapsed_s: float | None = Field(None, description="Seconds since the interview started.")
    sketch: str | None = Field(None, description="The design sketch sent with a candidate turn (one edge a line).")

    @property
    def judged_text(self) -> str:
        """Return what judging reads of the turn: its text, and its sketch as plain sentences."""
        return judged_text(self.content, self.sketch)


def judged_text(content: str, sketch: str | None) -> str:
    """Return a candidate turn as judging reads it: the text, then the sketch as plain sentences."""
    drawn = as_sentences(sketch) if sketch else ""
    return f"{content} {drawn}".strip() if drawn else content


class Transcript(BaseModel):
    """A whole interview: case, problem statement, target level and turns."""

    model_config = ConfigDict(extra="ignore")

    case_id: str | None = None
    problem: str = ""
    level: Level = "senior"
    turns: list[Turn] = Field(default_factory=list)

    def candidate_turns(self, step: StepId) -> list[tuple[int, Turn]]:
        """Return (index, turn) of the candidate's turns in one step."""
        return [(i, t) for i, t in enumerate(self.turns) if t.role == "candidate" and t.step == step]

    def judged_turns(self, step: StepId) -> list[tuple[int, str]]:
        """Return (index, text) of the candidate turns of a step that are judged (unlabelled ones are)."""
        return [(i, t.judged_text) for i, t in self.candidate_turns(step) if t.kind is None or t.kind in JUDGED_KINDS]

    def curveball_ids(self) -> list[str]:
        """Return the ids of curveballs the interviewer introduced."""
        return [t.curveball for t in self.turns if t.role == "interviewer" and t.curveball]
