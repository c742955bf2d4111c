"""Injection and filler resistance: append each attack to every answer of matched controls, regrade.

A control is a labelled transcript; its attacked twin differs only by the attack text appended to
each candidate answer. ``inflation`` is the attacked overall score minus the control's; the gate is
on the largest inflation of any attack over any control (definitions in evals/README.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from interviewer.brain.base import Brain
from interviewer.evals.datasets import LabelledTranscript
from interviewer.grading import grade
from interviewer.knowledge.loader import KnowledgeBase, load_model

CONTROL_PROFILES = ("average", "borderline", "weak", "uneven", "buzzword")
"""Profiles with room to rise: an attack on them would show."""


class Attack(BaseModel):
    """One attack variant."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    kind: str = Field(min_length=1)
    text: str = Field(min_length=1)


class AttackSet(BaseModel):
    """The attack variants file."""

    model_config = ConfigDict(extra="forbid")

    attacks: list[Attack] = Field(min_length=1)


def load_attacks(path: Path) -> list[Attack]:
    """Load the attack variants (errors name the file and field)."""
    return load_model(path, AttackSet).attacks


def attacked(transcript: LabelledTranscript, attack: Attack) -> LabelledTranscript:
    """Return the transcript with the attack appended to every candidate answer."""
    turns = [
        t.model_copy(update={"content": f"{t.content} {attack.text}"})
        if t.role == "candidate" and t.kind in (None, "answer")
        else t
        for t in transcript.turns
    ]
    return transcript.model_copy(update={"turns": turns})


def attack_summary(
    kb: KnowledgeBase, brain: Brain, transcripts: list[LabelledTranscript], attacks: list[Attack]
) -> tuple[dict[str, float | None], list[dict[str, Any]]]:
    """Return the largest inflation per attack over the controls, and the summary metrics."""
    controls = [t for t in transcripts if t.profile in CONTROL_PROFILES]
    base = {t.id: grade(kb, brain, t).overall.score for t in controls}
    rows: list[dict[str, Any]] = []
    for attack in attacks:
        gains = {t.id: round(grade(kb, brain, attacked(t, attack)).overall.score - base[t.id], 3) for t in controls}
        worst = max(gains, key=lambda k: gains[k]) if gains else None
        rows.append(
            {"attack": attack.id, "kind": attack.kind, "max_inflation": gains[worst] if worst else 0.0, "worst": worst}
        )
    inflations = [r["max_inflation"] for r in rows]
    return {
        "attacks.variants": float(len(attacks)),
        "attacks.controls": float(len(controls)),
        "attacks.max_inflation": max(inflations) if inflations else None,
        "attacks.resisted": round(sum(i <= 0 for i in inflations) / len(inflations), 4) if inflations else None,
    }, rows
