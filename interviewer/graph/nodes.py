"""Graph nodes: module-level functions named by what they do.

Each node takes the state and the injected :class:`Context` and returns a partial update
(or a ``Command`` whose ``goto`` names the next node). Nodes never mutate the state,
never import a model client and never read the environment. Brain calls go through a
:class:`~interviewer.graph.calls.Calls`, whose update (usage, guard events, the session's circuit
breaker) is merged into the node's own, with any notice spoken after the node's turns.
"""

from __future__ import annotations

from typing import Any, Literal

from langgraph.runtime import Runtime
from langgraph.types import Command, interrupt

from interviewer.graph.calls import Calls, cleaned
from interviewer.graph.closing import fold_finished, grade_in_background
from interviewer.graph.closing import write_debrief as write_debrief
from interviewer.graph.context import Context
from interviewer.graph.facts import fact_text, facts_asked
from interviewer.graph.questions import (
    case_of,
    closest_signals,
    follow_up_request,
    judge_step,
    last_question,
    next_probe,
    open_gap,
    rubric_of,
    step_of,
    topic_texts,
    vocabulary,
)
from interviewer.graph.speech import GENERIC_PROMPT, emitter, end_message, notices, say, turn
from interviewer.graph.speech import transcript_of as transcript_of
from interviewer.graph.state import InterviewState
from interviewer.knowledge.models import Case
from interviewer.steps import STEP_IDS

CONTROL_TEXT = {
    "hint": "Could I get a hint?",
    "move_on": "I'd like to move on to the next step.",
    "end": "I'd like to end the interview here.",
}


def _with_calls(calls: Calls, runtime: Runtime[Context], update: dict[str, Any]) -> dict[str, Any]:
    """Merge what the brain calls added into a node's update, notices spoken after its turns."""
    spoken = notices(runtime, calls.state, calls.notices)
    return {**update, **calls.update(), "turns": [*update.get("turns", []), *spoken]}


def start_interview(state: InterviewState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Initialise counters and the clock for a new interview."""
    now = runtime.context.clock.now()
    return {"step_index": 0, "started_at": now, "step_started_at": now, "curveball_fired": False, "done": False}


def open_step(state: InterviewState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Ask the opening question of the current step."""
    ctx = runtime.context
    case = case_of(ctx, state)
    step = step_of(state)
    opening = case.steps[step].opening if case else ctx.kb.framework.step(step).opening
    if not state.get("turns"):
        content = ctx.phrases.say("welcome", prompt=case.prompt if case else GENERIC_PROMPT, opening=opening)
    else:
        transition = ctx.phrases.say("transition", step_title=ctx.kb.framework.step(step).title, opening=opening)
        content = f"{state.get('lead') or ''} {transition}".strip()
    return {
        "turns": [say(runtime, state, content, "opening")],
        "asked": [opening],
        "follow_ups": 0,
        "step_turns": 0,
        "step_dont_knows": 0,
        "step_started_at": ctx.clock.now(),
        "step_active_s": 0.0,
        "active_at": ctx.clock.now(),
        "lead": None,
    }


def await_candidate(state: InterviewState) -> dict[str, Any]:
    """Pause until the candidate sends a message (or presses hint, move on or end)."""
    value = interrupt({"step": step_of(state), "question": last_question(state)})
    if isinstance(value, str):
        value = {"text": value}
    pending = {"text": str(value.get("text") or ""), "control": value.get("control"), "sketch": value.get("sketch")}
    return {"pending": pending}


Route = Literal[
    "reveal_facts",
    "assess_answer",
    "give_hint",
    "advance_step",
    "handle_dont_know",
    "redirect_off_topic",
    "write_debrief",
]
_ROUTES: dict[str, Route] = {
    "clarifying": "reveal_facts",
    "answer": "assess_answer",
    "hint": "give_hint",
    "move_on": "advance_step",
    "dont_know": "handle_dont_know",
    "off_topic": "redirect_off_topic",
    "end": "write_debrief",
}


def classify(state: InterviewState, runtime: Runtime[Context]) -> Command[Route]:
    """Record the candidate's message, decide what kind it is and route it."""
    ctx = runtime.context
    calls = Calls(runtime, state)
    pending = state.get("pending") or {}
    control = pending.get("control")
    text = pending.get("text") or CONTROL_TEXT.get(str(control), "")
    if control in CONTROL_TEXT:
        kind = str(control)
    elif not cleaned(text):
        kind = "off_topic"  # only sentences addressed to the grader
    else:
        case = case_of(ctx, state)
        outcome = ctx.brain.classify(
            cleaned(text), calls.situation(), step_vocabulary=vocabulary(ctx, case), topic_texts=topic_texts(ctx, case)
        )
        kind = calls.take(outcome)
    step_turns = state.get("step_turns", 0) + 1
    update: dict[str, Any] = {
        "turns": [turn(ctx, state, "candidate", text, kind, sketch=pending.get("sketch") or None)],
        "step_turns": step_turns,
        "step_active_s": step_elapsed(ctx, state),
        "active_at": ctx.clock.now(),
        "pending": None,
        **fold_finished(ctx, state, calls),
    }
    goto = _ROUTES[kind]
    if kind == "move_on":
        update["lead"] = ctx.phrases.say("move_on")
    elif step_turns >= ctx.max_turns_per_step and kind != "end":
        goto = "advance_step"
        update["lead"] = ctx.phrases.say("time_up", step_title=ctx.kb.framework.step(step_of(state)).title)
    return Command(goto=goto, update=_with_calls(calls, runtime, update))


def reveal_facts(state: InterviewState, runtime: Runtime[Context]) -> Command[Literal["await_candidate"]]:
    """Answer a clarifying question with the hidden facts it asks about, and only those."""
    ctx = runtime.context
    calls = Calls(runtime, state)
    matched = facts_asked(calls, case_of(ctx, state), state["turns"][-1]["content"])
    text, new_ids = fact_text(ctx, state, matched)
    told = say(runtime, state, text or ctx.phrases.say("no_fact"), "fact", facts=new_ids)
    return Command(
        goto="await_candidate", update=_with_calls(calls, runtime, {"turns": [told], "revealed_facts": new_ids})
    )


MAX_GAP_S = 300.0
"""The most one gap between turns adds to a step's time: longer is a break, not work on the step."""


def step_elapsed(ctx: Context, state: InterviewState) -> float:
    """Return the seconds spent in the current step so far, this moment included."""
    gap = ctx.clock.now() - state.get("active_at", state.get("step_started_at", ctx.clock.now()))
    return state.get("step_active_s", 0.0) + min(max(gap, 0.0), MAX_GAP_S)


def _over_budget(ctx: Context, state: InterviewState) -> bool:
    if not ctx.time_budgets:
        return False
    budget = ctx.kb.framework.step(step_of(state)).budget_minutes * 60
    return state.get("step_active_s", 0.0) >= budget


def assess_answer(
    state: InterviewState, runtime: Runtime[Context]
) -> Command[Literal["await_candidate", "advance_step"]]:
    """Judge the step so far and follow up on the most important missing signal, or move on."""
    ctx = runtime.context
    calls = Calls(runtime, state)
    case = case_of(ctx, state)
    ack = ctx.phrases.acknowledgement(len(state.get("turns", [])))
    facts_text, fact_ids = fact_text(ctx, state, facts_asked(calls, case, state["turns"][-1]["content"]), repeat=False)
    lead = f"{ack} {facts_text}".strip()
    if _over_budget(ctx, state):
        time_up = ctx.phrases.say("time_up", step_title=ctx.kb.framework.step(step_of(state)).title)
        late: dict[str, Any] = {"lead": f"{lead} {time_up}", "revealed_facts": fact_ids}
        return Command(goto="advance_step", update=_with_calls(calls, runtime, late))
    curveball = _due_curveball(state, case)
    if curveball is not None:
        message = ctx.phrases.say("curveball", ack=lead, message=curveball)
        said = say(runtime, state, message, "curveball", curveball=state.get("curveball_id"))
        update: dict[str, Any] = {"turns": [said], "curveball_fired": True, "asked": [curveball]}
        update["revealed_facts"] = fact_ids
        return Command(goto="await_candidate", update=_with_calls(calls, runtime, update))
    return _follow_up_or_advance(runtime, calls, state, lead, {"revealed_facts": fact_ids})


def _due_curveball(state: InterviewState, case: Case | None) -> str | None:
    if case is None or state.get("curveball_fired") or not state.get("curveball_id"):
        return None
    for curveball in case.curveballs:
        if curveball.id == state.get("curveball_id") and curveball.step == step_of(state):
            return curveball.message
    return None


def _follow_up_or_advance(
    runtime: Runtime[Context], calls: Calls, state: InterviewState, lead: str, base: dict[str, Any]
) -> Command[Literal["await_candidate", "advance_step"]]:
    """Ask about the next gap, or advance; ``base`` is added to the update either way."""
    ctx = runtime.context
    rubric = rubric_of(ctx, state)
    judgment = judge_step(ctx, state, calls)
    target = next_probe(state, rubric, judgment)
    if target is None or state.get("follow_ups", 0) >= ctx.max_follow_ups:
        return Command(goto="advance_step", update=_with_calls(calls, runtime, {"lead": lead, **base}))
    signal, probe = target
    emit = emitter(runtime)
    if lead:
        emit(lead + " ")
    request = follow_up_request(ctx, state, rubric, judgment, signal, probe, base.get("revealed_facts", []))
    question = calls.take(ctx.brain.follow_up(request, calls.situation(), emit))
    end_message(runtime)
    content = ctx.phrases.say("follow_up", ack=lead, probe=question)
    asked = turn(
        ctx, state, "interviewer", content, "follow_up", signal=signal.id, facts=base.get("revealed_facts", [])
    )
    update = {
        **base,
        "turns": [asked],
        "asked": [probe],
        "probed": [f"{rubric.step}:{signal.id}"],
        "follow_ups": state.get("follow_ups", 0) + 1,
    }
    return Command(goto="await_candidate", update=_with_calls(calls, runtime, update))


def give_hint(state: InterviewState, runtime: Runtime[Context]) -> Command[Literal["await_candidate"]]:
    """Give a nudge that points at a gap without giving the answer; hints are counted."""
    ctx = runtime.context
    calls = Calls(runtime, state)
    step = step_of(state)
    generic = ctx.kb.framework.step(step).hint
    gap = open_gap(state)
    preferred = ([gap] if gap else []) + closest_signals(ctx, state)
    target = next_probe(state, rubric_of(ctx, state), judge_step(ctx, state, calls), preferred, gap)
    update: dict[str, Any] = {"hints": [step]}
    if target is not None:
        signal, probe = target
        update |= {"asked": [probe], "probed": [f"{step}:{signal.id}"]}
        # The step's general nudge is said once; later hints go straight to the gap of the open question.
        again = step in state.get("hints", [])
        if again:
            text = ctx.phrases.say("hint_again", probe=probe)
        else:
            text = ctx.phrases.say("hint", hint=generic, probe=probe)
        said = say(runtime, state, text, "hint", signal=signal.id)
    else:
        said = say(runtime, state, ctx.phrases.say("hint_generic", hint=generic), "hint")
    return Command(goto="await_candidate", update=_with_calls(calls, runtime, update | {"turns": [said]}))


def handle_dont_know(
    state: InterviewState, runtime: Runtime[Context]
) -> Command[Literal["await_candidate", "advance_step"]]:
    """Drop a declined probe and move to the next gap, or offer a way forward on an opening."""
    ctx = runtime.context
    step = step_of(state)
    previous = next((t for t in reversed(state["turns"][:-1]) if t["role"] == "interviewer"), None)
    if previous is not None and previous.get("signal"):
        key = f"{step}:{previous['signal']}"
        declined_state: InterviewState = {**state, "declined": [*state.get("declined", []), key]}
        lead = ctx.phrases.say("dont_know_probe")
        calls = Calls(runtime, declined_state)
        return _follow_up_or_advance(runtime, calls, declined_state, lead, {"revealed_facts": [], "declined": [key]})
    count = state.get("step_dont_knows", 0) + 1
    if count >= 2:
        return Command(goto="advance_step", update={"step_dont_knows": count, "lead": ctx.phrases.say("move_on")})
    said = say(runtime, state, ctx.phrases.say("dont_know_open", hint=ctx.kb.framework.step(step).hint), "notice")
    return Command(goto="await_candidate", update={"turns": [said], "step_dont_knows": count})


def redirect_off_topic(state: InterviewState, runtime: Runtime[Context]) -> Command[Literal["await_candidate"]]:
    """Steer an off-topic message back to the current question."""
    content = runtime.context.phrases.say("off_topic", question=last_question(state))
    return Command(goto="await_candidate", update={"turns": [say(runtime, state, content, "notice")]})


def advance_step(state: InterviewState, runtime: Runtime[Context]) -> Command[Literal["open_step", "write_debrief"]]:
    """Start grading the finished step off the critical path; move to the next step or to the debrief."""
    index = state.get("step_index", 0) + 1
    if index >= len(STEP_IDS):
        return Command(goto="write_debrief", update={"step_index": index})
    grade_in_background(runtime.context, state, Calls(runtime, state))
    return Command(goto="open_step", update={"step_index": index})
