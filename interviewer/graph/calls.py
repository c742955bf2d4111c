"""The brain calls of one node run: what a call may know, and what its outcome adds to the state.

A node makes its brain calls through a :class:`Calls`, which builds each call's
:class:`~interviewer.brain.base.Situation` (the problem, the step, the questions asked, the turn's
deadline, whether this session's circuit breaker lets the model be tried), and collects what the
outcomes say: token usage, leak-guard events and failures. A failure opens the session's breaker
for a cool-down that doubles with each failure in a row, shown to the candidate as one plain
notice; after the cool-down one call probes the model again. The breaker lives in the checkpointed
state, so one session's failures never move another session offline.
"""

from __future__ import annotations

import time
from typing import Any, TypeVar

from langgraph.runtime import Runtime

from interviewer.brain.base import Outcome, Situation
from interviewer.graph.context import Context
from interviewer.graph.questions import case_of, step_of
from interviewer.graph.state import InterviewState, add_usage
from interviewer.honesty import clean

V = TypeVar("V")
QUESTION_KINDS = ("opening", "follow_up", "hint", "curveball")
NOTICE_START = "The language model could not be used"
NOTICE = NOTICE_START + " ({why}), so the offline interviewer answered. It will be tried again in about {wait}."


def _wait(seconds: float) -> str:
    return f"{round(seconds)} s" if seconds < 90 else f"{round(seconds / 60)} min"


class Calls:
    """Brain calls of one node run, and what they add to the state."""

    def __init__(self, runtime: Runtime[Context], state: InterviewState) -> None:
        """Start the turn's clock: its deadline is set now, for every call the node makes."""
        self.ctx = runtime.context
        self.state = state
        limit = self.ctx.turn_deadline_s
        self.deadline = time.monotonic() + limit if limit else None
        self.breaker: dict[str, Any] = dict(state.get("llm") or {})
        self.usage: dict[str, int] = {}
        self.guard: list[str] = []
        self.notices: list[str] = []

    def situation(self, state: InterviewState | None = None) -> Situation:
        """Return what a brain call in the current step may know."""
        state = state or self.state
        case = case_of(self.ctx, state)
        step = step_of(state)
        asked = tuple(
            t["content"]
            for t in state.get("turns", [])
            if t["role"] == "interviewer" and t["step"] == step and t.get("kind") in QUESTION_KINDS
        )
        return Situation(
            case=case,
            problem=case.prompt if case else "",
            step=step,
            step_title=self.ctx.kb.framework.step(step).title,
            level=state.get("level", "senior"),
            question=asked[-1] if asked else "",
            asked_in_step=asked[:-1],
            deadline=self.deadline,
            model_allowed=self.ctx.clock.now() >= float(self.breaker.get("down_until", 0.0)),
        )

    def take(self, outcome: Outcome[V]) -> V:
        """Record an outcome's usage, guard events and failure; return its value."""
        self.usage = add_usage(self.usage, dict(outcome.usage))
        self.guard += outcome.guard
        self.notices += [n for n in outcome.notices if n not in self.notices]
        if outcome.failure:
            failures = int(self.breaker.get("failures", 0)) + 1
            wait = min(self.ctx.cooldown_s * 2 ** (failures - 1), self.ctx.cooldown_max_s)
            self.breaker = {"failures": failures, "down_until": self.ctx.clock.now() + wait, "why": outcome.failure}
            notice = NOTICE.format(why=outcome.failure, wait=_wait(wait))
            if not any(n.startswith(NOTICE_START) for n in self.notices):
                self.notices.append(notice)
        elif outcome.used_model and self.breaker:
            self.breaker = {}
        return outcome.value

    def update(self) -> dict[str, Any]:
        """Return the state update of what the calls added (notice turns are the node's to place)."""
        update: dict[str, Any] = {}
        if self.usage:
            update["usage"] = self.usage
        if self.guard:
            update["guard"] = list(self.guard)
        if self.breaker != (self.state.get("llm") or {}):
            update["llm"] = self.breaker or None
        return update


def cleaned(text: str) -> str:
    """Return a candidate message as brains may see it: without sentences addressed to the grader."""
    return clean(text)[0]
