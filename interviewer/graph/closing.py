"""Grading in the graph: finished steps graded off the critical path, the rest in parallel at the end.

When a step ends, its grading starts in the background (if the context has a
:class:`~interviewer.graph.background.Background`); each later turn folds finished gradings into the
checkpointed ``judgments`` state, under a key naming what was judged. The debrief reuses every stored
judgment whose key still matches and grades the remaining steps in parallel, within the turn's
deadline; a step the grader cannot finish in time is graded by the offline reader, with a notice.
"""

from __future__ import annotations

import concurrent.futures
import time
from dataclasses import replace
from typing import Any

from langgraph.runtime import Runtime

from interviewer.brain.base import Outcome, StepJudgment
from interviewer.grading import StepPlan, debrief_of, dump_judgment, grade_all, grade_step, load_judgment, plan
from interviewer.graph.calls import Calls
from interviewer.graph.context import Context
from interviewer.graph.speech import notices, say, transcript_of
from interviewer.graph.state import InterviewState, add_usage
from interviewer.steps import STEP_IDS

LATE = "the grader model took too long"


def _plans(ctx: Context, state: InterviewState) -> list[StepPlan]:
    return plan(ctx.kb, transcript_of(ctx, state))


def grade_in_background(ctx: Context, state: InterviewState, calls: Calls) -> None:
    """Start grading the current step off the critical path (no-op without a background runner)."""
    if ctx.background is None:
        return
    step = plan_of(ctx, state)
    situation = replace(step.situation, model_allowed=calls.situation().model_allowed)
    ctx.background.submit(step.key, lambda: grade_step(ctx.brain, step, situation))


def plan_of(ctx: Context, state: InterviewState) -> StepPlan:
    """Return the plan of the current step."""
    index = min(state.get("step_index", 0), len(STEP_IDS) - 1)
    return _plans(ctx, state)[index]


def fold_finished(ctx: Context, state: InterviewState, calls: Calls) -> dict[str, Any]:
    """Return the ``judgments`` update of background gradings that have finished since the last turn."""
    if ctx.background is None:
        return {}
    stored = state.get("judgments", {})
    found: dict[str, Any] = {}
    for step in _plans(ctx, state)[: state.get("step_index", 0)]:
        if stored.get(step.rubric.step, {}).get("key") == step.key:
            continue
        outcome = ctx.background.done(step.key)
        if outcome is not None:
            found[step.rubric.step] = {"key": step.key, "judgment": dump_judgment(calls.take(outcome))}
    return {"judgments": found} if found else {}


def _grade_remaining(ctx: Context, steps: list[StepPlan], calls: Calls) -> dict[str, Outcome[StepJudgment]]:
    if ctx.background is None:
        return {s.rubric.step: o for s, o in zip(steps, grade_all(ctx.brain, steps), strict=True)}
    allowed = calls.situation().model_allowed
    background = ctx.background
    brain = ctx.brain

    def start(step: StepPlan) -> concurrent.futures.Future[Any]:
        situation = replace(step.situation, model_allowed=allowed, deadline=calls.deadline)
        return background.submit(step.key, lambda: grade_step(brain, step, situation))

    futures = {s.rubric.step: start(s) for s in steps}
    timeout = max(calls.deadline - time.monotonic(), 0.0) if calls.deadline else None
    concurrent.futures.wait(futures.values(), timeout=timeout)
    out: dict[str, Outcome[StepJudgment]] = {}
    for step in steps:
        future = futures[step.rubric.step]
        if future.done() and future.exception() is None:
            out[step.rubric.step] = future.result()
        else:
            offline = grade_step(ctx.brain.reader, step)
            out[step.rubric.step] = Outcome(offline.value, failure=LATE)
    return out


def write_debrief(state: InterviewState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Grade what is not graded yet, score the whole transcript and close the interview."""
    ctx = runtime.context
    calls = Calls(runtime, state)
    transcript = transcript_of(ctx, state)
    steps = plan(ctx.kb, transcript)
    stored = state.get("judgments", {})
    judged: dict[str, StepJudgment] = {}
    missing = []
    for step in steps:
        kept = stored.get(step.rubric.step, {})
        done = ctx.background.done(step.key) if ctx.background is not None else None
        if kept.get("key") == step.key:
            judged[step.rubric.step] = load_judgment(kept["judgment"])
        elif done is not None:
            judged[step.rubric.step] = calls.take(done)
        else:
            missing.append(step)
    for step_id, outcome in _grade_remaining(ctx, missing, calls).items():
        judged[step_id] = calls.take(outcome)
    debrief = debrief_of(ctx.kb, ctx.brain.name, transcript, [judged[s.rubric.step] for s in steps])
    debrief.metadata["hints"] = len(state.get("hints", []))
    debrief.metadata["hints_by_step"] = {s: state.get("hints", []).count(s) for s in STEP_IDS}
    debrief.metadata["usage"] = add_usage(state.get("usage", {}), calls.usage)
    debrief.metadata["guard_interventions"] = len(state.get("guard", [])) + len(calls.guard)
    if calls.notices:
        debrief.metadata["notices"] = list(calls.notices)
    closing_state: InterviewState = {**state, "step_index": min(state.get("step_index", 0), len(STEP_IDS) - 1)}
    turns = [
        *notices(runtime, state, calls.notices),
        say(runtime, closing_state, ctx.phrases.say("closing"), "closing"),
    ]
    return {
        **calls.update(),
        "turns": turns,
        "done": True,
        "judgments": {s.rubric.step: {"key": s.key, "judgment": dump_judgment(judged[s.rubric.step])} for s in steps},
        "debrief": debrief.model_dump(mode="json"),
    }
