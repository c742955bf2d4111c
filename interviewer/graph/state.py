"""State of the interview graph."""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict


def add_usage(left: dict[str, int] | None, right: dict[str, int] | None) -> dict[str, int]:
    """Sum two token-usage records key by key."""
    total = dict(left or {})
    for key, value in (right or {}).items():
        total[key] = total.get(key, 0) + value
    return total


def merge(left: dict[str, Any] | None, right: dict[str, Any] | None) -> dict[str, Any]:
    """Merge two mappings, the right one winning key by key."""
    return {**(left or {}), **(right or {})}


class InputState(TypedDict):
    """What starts an interview."""

    session_id: str
    """Id of the session; also the checkpointer's thread id."""
    case_id: str | None
    """Case being interviewed, or None for a generic interview."""
    level: str
    """Target level: mid, senior or staff."""
    curveball_id: str | None
    """Curveball this interview may use (chosen at start), or None for none."""


class InterviewState(InputState, total=False):
    """Everything the graph carries between turns; each node returns a partial update."""

    turns: Annotated[list[dict[str, Any]], operator.add]
    """Transcript turns as dicts of :class:`interviewer.transcript.Turn`; append-only."""
    step_index: int
    """Index of the current step in STEP_IDS; 7 once the interview is over."""
    revealed_facts: Annotated[list[str], operator.add]
    """Ids of hidden facts revealed so far, in order."""
    asked: Annotated[list[str], operator.add]
    """Every question the interviewer asked, so none is repeated."""
    probed: Annotated[list[str], operator.add]
    """'step:signal' keys of signals already probed."""
    declined: Annotated[list[str], operator.add]
    """'step:signal' keys of probes the candidate declined."""
    hints: Annotated[list[str], operator.add]
    """Step id of every hint given."""
    follow_ups: int
    """Follow-up questions asked in the current step."""
    step_turns: int
    """Candidate turns in the current step."""
    step_dont_knows: int
    """'I don't know' answers to the current step's opening."""
    step_started_at: float
    """Clock time the current step started."""
    step_active_s: float
    """Seconds spent in the current step in this session: gaps between turns, each capped, so a break,
    a restart or a branch made later never counts as time in the step."""
    active_at: float
    """Clock time of the last activity in this session (a turn, or the moment a branch was made)."""
    started_at: float
    """Clock time the interview started."""
    curveball_fired: bool
    """Whether the curveball has been introduced."""
    pending: dict[str, Any] | None
    """The candidate message being handled: text, control and kind."""
    lead: str | None
    """Text the next step's opening starts with (an acknowledgement or a time notice)."""
    done: bool
    """Whether the interview has ended."""
    debrief: dict[str, Any] | None
    """The debrief as JSON-ready data once the interview has ended."""
    usage: Annotated[dict[str, int], add_usage]
    """Token usage of the brain's model calls so far (empty for the offline brain)."""
    guard: Annotated[list[str], operator.add]
    """Leak-guard interventions: generated questions replaced by the authored probe."""
    judgments: Annotated[dict[str, dict[str, Any]], merge]
    """Each step's graded judgment for the debrief: step id -> {"key": what was judged, "judgment": ...}."""
    llm: dict[str, Any] | None
    """This session's circuit breaker: failures in a row, when the model may be tried again, and why it failed."""
