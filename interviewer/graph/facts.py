"""Clarifying questions in the graph: which hidden facts a message asks about, and how they are told.

A message that asks nothing costs no model call; a brain chooses fact ids, and the judging pipeline
decides which of them the question is really about (at most two). Code tells the facts' contents.
"""

from __future__ import annotations

from interviewer.brain.rules import is_question
from interviewer.graph.calls import Calls, cleaned
from interviewer.graph.context import Context
from interviewer.graph.state import InterviewState
from interviewer.honesty import revealable
from interviewer.knowledge.models import Case, Fact
from interviewer.text import sentences


def facts_asked(calls: Calls, case: Case | None, message: str) -> list[Fact]:
    """Return the facts a message's questions ask about; a message that asks nothing costs no call."""
    question = cleaned(message)
    if case is None or not any(is_question(s) for s in sentences(question)):
        return []
    chosen = calls.take(calls.ctx.brain.match_facts(question, case.facts, calls.situation()))
    return revealable(question, chosen, case.facts, calls.ctx.brain.reader)


def fact_text(ctx: Context, state: InterviewState, facts: list[Fact], *, repeat: bool = True) -> tuple[str, list[str]]:
    """Return what the interviewer says to tell facts (new ones, and repeats unless ``repeat`` is off), and new ids."""
    revealed = set(state.get("revealed_facts", []))
    new = [f for f in facts if f.id not in revealed]
    old = [f for f in facts if f.id in revealed] if repeat else []
    parts = []
    if new:
        parts.append(ctx.phrases.say("fact", facts=" ".join(f.content for f in new)))
    if old:
        parts.append(ctx.phrases.say("fact_repeat", facts=" ".join(f.content for f in old)))
    return " ".join(parts), [f.id for f in new]
