"""The debrief: per-step scores with evidence, overall result, and its Markdown/JSON exports."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from interviewer.steps import StepId

Recommendation = Literal["no_hire", "lean_no_hire", "lean_hire", "hire", "strong_hire"]
EstimatedLevel = Literal["below_mid", "mid", "senior", "staff"]
SignalStatus = Literal["covered", "partial", "missing", "contradicted"]


class Evidence(BaseModel):
    """A verbatim quote from the candidate that earned credit for a signal."""

    signal: str = Field(description="Title of the credited signal.")
    signal_id: str = ""
    status: SignalStatus = "covered"
    quote: str = Field(description="Verbatim text from one candidate turn.")
    turn: int | None = Field(None, description="Index of the quoted turn in the transcript.")


class Missed(BaseModel):
    """A signal the candidate did not show, with what a stronger answer adds."""

    signal: str
    signal_id: str = ""
    stronger_answer: str
    source: str = Field("", description="Knowledge entry the signal comes from (file#path); for maintainers.")


class RedFlagHit(BaseModel):
    """A red flag the candidate raised, with the quote and why it matters."""

    flag: str
    quote: str
    why: str
    turn: int | None = None


class StepResult(BaseModel):
    """The score of one step and what it rests on."""

    step: StepId
    score: int = Field(ge=1, le=4)
    evidence: list[Evidence] = Field(default_factory=list)
    missed: list[Missed] = Field(default_factory=list)
    red_flags: list[RedFlagHit] = Field(default_factory=list)
    insufficient_evidence: bool = False
    coverage: float = Field(0.0, description="Weighted share of signal credit, after red flags.")
    reached: bool = Field(True, description="Whether the interview got to this step (False after an early end).")


class Overall(BaseModel):
    """Overall score, recommendation and estimated level."""

    score: float
    recommendation: Recommendation
    level: EstimatedLevel
    target_level: str = "senior"


class Debrief(BaseModel):
    """The scored, evidence-backed result of an interview."""

    case_id: str | None = None
    steps: list[StepResult]
    overall: Overall
    strengths: list[str] = Field(default_factory=list, max_length=3)
    improvements: list[str] = Field(default_factory=list, max_length=3)
    ignored: list[str] = Field(
        default_factory=list, description="Candidate sentences addressed to the grader, ignored."
    )
    metadata: dict[str, object] = Field(default_factory=dict)

    def to_json(self) -> str:
        """Return the debrief as indented JSON."""
        return self.model_dump_json(indent=2)

    def to_markdown(self, title: str = "Interview debrief") -> str:
        """Return the debrief as a Markdown document."""
        o = self.overall
        lines = [
            f"# {title}",
            "",
            f"**Recommendation:** {o.recommendation.replace('_', ' ')}  ",
            f"**Overall score:** {o.score:.2f} / 4  ",
            f"**Estimated level:** {o.level.replace('_', ' ')} (target: {o.target_level})",
            "",
            "| Step | Score | Note |",
            "| --- | --- | --- |",
        ]
        for s in self.steps:
            if not s.reached:
                note = "not reached"
            elif s.insufficient_evidence:
                note = "not enough evidence"
            else:
                note = f"{len(s.evidence)} signal(s) shown"
            lines.append(f"| {s.step} | {s.score} | {note} |")
        for heading, items in (("Strengths", self.strengths), ("Improvements", self.improvements)):
            lines += ["", f"## {heading}", ""] + [f"- {md_text(i)}" for i in items or ["(none)"]]
        for s in self.steps:
            if not s.reached:
                lines += ["", f"## {s.step.capitalize()}: not reached", ""]
                continue
            lines += ["", f"## {s.step.capitalize()}: {s.score}/4", ""]
            for e in s.evidence:
                lines.append(f"- **{md_text(e.signal)}** ({e.status}): > {md_text(e.quote)}")
            for r in s.red_flags:
                lines.append(f"- **Red flag: {md_text(r.flag)}**: > {md_text(r.quote.rstrip('.'))}. {md_text(r.why)}")
            for m in s.missed:
                lines.append(f"- Not fully shown: **{md_text(m.signal)}**: {md_text(m.stronger_answer)}")
        if self.ignored:
            lines += ["", "## Ignored text addressed to the grader", ""]
            lines += [f"- {md_text(i)}" for i in self.ignored]
        return "\n".join(lines) + "\n"


def md_text(text: str) -> str:
    """Escape text so candidate content cannot inject Markdown structure or HTML."""
    out = text.replace("\\", "\\\\").replace("<", "&lt;").replace(">", "&gt;")
    for ch in "*_`[]|#":
        out = out.replace(ch, "\\" + ch)
    return " ".join(out.split())
