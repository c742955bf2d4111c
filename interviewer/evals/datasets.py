"""Eval datasets: labelled transcripts and labelled clarifying questions (formats in evals/README.md)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from interviewer.knowledge.loader import KnowledgeError, load_model
from interviewer.steps import STEP_IDS, StepId
from interviewer.transcript import Transcript

SPLITS = ("tune", "heldout")
"""Labelled transcripts in ``tune`` may inform rubric weights and thresholds; ``heldout`` never does."""


class StepLabel(BaseModel):
    """A reference score for one step, with why."""

    model_config = ConfigDict(extra="forbid")

    score: int = Field(ge=1, le=4)
    rationale: str = Field(min_length=1)


class LabelledTranscript(Transcript):
    """A complete transcript with reference step scores written by a person against the anchors."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    profile: str = ""
    labels: dict[StepId, StepLabel]
    split: str = "extra"
    """Set from the folder the file is in: tune, heldout, or extra (a maintainer's own set)."""

    def label(self, step: StepId) -> int:
        """Return the reference score of a step."""
        return self.labels[step].score


class ClarifyingQuestion(BaseModel):
    """A clarifying question and the hidden facts it asks about."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1)
    expect: list[str] = Field(default_factory=list)


class ClarifyingSet(BaseModel):
    """Labelled clarifying questions of one case."""

    model_config = ConfigDict(extra="forbid")

    case_id: str
    questions: list[ClarifyingQuestion]
    split: str = "extra"
    """Set from the folder the file is in: tune (may inform thresholds) or heldout (reports only)."""


def load_labelled(root: Path) -> list[LabelledTranscript]:
    """Load labelled transcripts from ``root/tune``, ``root/heldout`` and YAML files directly in root."""
    found: list[LabelledTranscript] = []
    for folder, split in [*((root / s, s) for s in SPLITS), (root, "extra")]:
        for path in sorted(folder.glob("*.yaml")):
            item = load_model(path, LabelledTranscript)
            missing = [s for s in STEP_IDS if s not in item.labels]
            if missing:
                raise KnowledgeError(path, [f"field labels: missing step(s) {missing}"])
            if item.id != path.stem:
                raise KnowledgeError(path, [f"field id: {item.id!r} must equal the file name {path.stem!r}"])
            found.append(item.model_copy(update={"split": split}))
    return found


def load_clarifying(root: Path) -> list[ClarifyingSet]:
    """Load labelled clarifying questions from ``root/tune``, ``root/heldout`` and YAML files directly in root."""
    return [
        load_model(path, ClarifyingSet).model_copy(update={"split": split})
        for folder, split in [*((root / s, s) for s in SPLITS), (root, "extra")]
        for path in sorted(folder.glob("*.yaml"))
    ]
