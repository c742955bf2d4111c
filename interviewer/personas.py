"""Scripted simulated candidates, read from persona files."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from interviewer.knowledge.loader import load_model
from interviewer.sessions import SessionView
from interviewer.steps import StepId

NOTHING_TO_ADD = "I have nothing more to add here; let's move on."


class Persona(BaseModel):
    """A scripted candidate: clarifying questions first, then replies per step in order."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    case_id: str | None = None
    description: str = ""
    clarifying_questions: list[str] = Field(default_factory=list)
    answers: dict[StepId, list[str]] = Field(default_factory=dict)


def load_persona(path: Path) -> Persona:
    """Load a persona file (errors name the file and field)."""
    return load_model(path, Persona)


def builtin_persona_path(personas_dir: Path, case_id: str, name: str) -> Path:
    """Return the file of a built-in persona."""
    return personas_dir / case_id / f"{name}.yaml"


def builtin_personas(personas_dir: Path, case_id: str) -> list[str]:
    """Return the names of the built-in personas of a case."""
    return sorted(p.stem for p in (personas_dir / case_id).glob("*.yaml"))


class ScriptedCandidate:
    """Plays a persona against a live session, one message per interviewer turn."""

    def __init__(self, persona: Persona) -> None:
        """Start at the beginning of the persona's script."""
        self.persona = persona
        self._questions = list(persona.clarifying_questions)
        self._used: dict[str, int] = {}

    def reply(self, view: SessionView) -> str:
        """Return the next message for the current step."""
        step = view.step
        if step == "requirements" and self._questions:
            return self._questions.pop(0)
        answers = self.persona.answers.get(step, [])  # type: ignore[call-overload]
        used = self._used.get(step, 0)
        if used < len(answers):
            self._used[step] = used + 1
            return str(answers[used])
        return NOTHING_TO_ADD
