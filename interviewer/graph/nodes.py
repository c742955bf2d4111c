"""Graph nodes: module-level functions named by what they do.

Each node takes the state and the injected :class:`Context` and returns a partial update
(or a ``Command`` whose ``goto`` names the next node). Nodes never mutate the state,
never import a model client and never read the environment.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Literal

from langgraph.runtime import Runtime
from langgraph.types import Command, interrupt

from interviewer.brain.base import Emit
from interviewer.grading import grade
from interviewer.graph.context import Context
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
from interviewer.graph.state import InterviewState, add_usage
from interviewer.knowledge.models import Case, Fact
from interviewer.steps import STEP_IDS, StepId
from interviewer.transcript import Transcript, Turn

GENERIC_PROMPT = "Design a machine learning system for the problem you have in mind."
CONTROL_TEXT = {
    "hint": "Could I get a hint?",
    "move_on": "I'd like to move on to the next step.",
    "end": "I'd like to end the interview here.",
}


def _turn(ctx: Context, state: InterviewState, role: str, content: str, kind: str, **extra: Any) -> dict[str, Any]:
    elapsed = round(ctx.clock.now() - state.get("started_at", ctx.clock.now()), 1)
    turn = Turn.model_validate(
        {"role": role, "step": step_of(state), "content": content, "kind": kind, "elapsed_s": elapsed, **extra}
    )
    return turn.model_dump(exclude_none=True)


def _emitter(runtime: Runtime[Context]) -> Emit:
    """Return a function that streams interviewer text to whoever is listening."""
    writer = runtime.stream_writer
    return lambda text: writer({"delta": text})


def _end_message(runtime: Runtime[Context]) -> None:
    runtime.stream_writer({"end": True})


def _say(runtime: Runtime[Context], state: InterviewState, content: str, kind: str, **extra: Any) -> dict[str, Any]:
    """Return an interviewer turn produced whole, streaming it as one piece."""
    _emitter(runtime)(content)
    _end_message(runtime)
    return _turn(runtime.context, state, "interviewer", content, kind, **extra)


def _step_opening(ctx: Context, case: Case | None, step: StepId) -> str:
    return case.steps[step].opening if case else ctx.kb.framework.step(step).opening


def start_interview(state: InterviewState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Initialise counters and the clock for a new interview."""
    now = runtime.context.clock.now()
    return {
        "step_index": 0,
        "started_at": now,
        "step_started_at": now,
        "curveball_fired": False,
        "done": False,
    }


def open_step(state: InterviewState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Ask the opening question of the current step."""
    ctx = runtime.context
    case = case_of(ctx, state)
    step = step_of(state)
    opening = _step_opening(ctx, case, step)
    if not state.get("turns"):
        content = ctx.phrases.say("welcome", prompt=case.prompt if case else GENERIC_PROMPT, opening=opening)
    else:
        transition = ctx.phrases.say("transition", step_title=ctx.kb.framework.step(step).title, opening=opening)
        content = f"{state.get('lead') or ''} {transition}".strip()
    return {
        "turns": [_say(runtime, state, content, "opening")],
        "asked": [opening],
        "follow_ups": 0,
        "step_turns": 0,
        "step_dont_knows": 0,
        "step_started_at": ctx.clock.now(),
        "lead": None,
    }


def await_candidate(state: InterviewState) -> dict[str, Any]:
    """Pause until the candidate sends a message (or presses hint, move on or end)."""
    value = interrupt({"step": step_of(state), "question": last_question(state)})
    if isinstance(value, str):
        value = {"text": value}
    return {"pending": {"text": str(value.get("text") or ""), "control": value.get("control")}}


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
    pending = state.get("pending") or {}
    control = pending.get("control")
    text = pending.get("text") or CONTROL_TEXT.get(str(control), "")
    if control in CONTROL_TEXT:
        kind = str(control)
    else:
        case = case_of(ctx, state)
        kind = ctx.brain.classify(text, step_vocabulary=vocabulary(ctx, case), topic_texts=topic_texts(ctx, case))
    step_turns = state.get("step_turns", 0) + 1
    update: dict[str, Any] = {
        "turns": [_turn(ctx, state, "candidate", text, kind)],
        "step_turns": step_turns,
        "pending": None,
    }
    goto = _ROUTES[kind]
    if kind == "move_on":
        update["lead"] = ctx.phrases.say("move_on")
    elif step_turns >= ctx.max_turns_per_step and kind != "end":
        goto = "advance_step"
        update["lead"] = ctx.phrases.say("time_up", step_title=ctx.kb.framework.step(step_of(state)).title)
    return Command(goto=goto, update=update)


def _fact_text(ctx: Context, state: InterviewState, facts: list[Fact], *, repeat: bool = True) -> tuple[str, list[str]]:
    revealed = set(state.get("revealed_facts", []))
    new = [f for f in facts if f.id not in revealed]
    old = [f for f in facts if f.id in revealed] if repeat else []
    parts = []
    if new:
        parts.append(ctx.phrases.say("fact", facts=" ".join(f.content for f in new)))
    if old:
        parts.append(ctx.phrases.say("fact_repeat", facts=" ".join(f.content for f in old)))
    return " ".join(parts), [f.id for f in new]


def reveal_facts(state: InterviewState, runtime: Runtime[Context]) -> Command[Literal["await_candidate"]]:
    """Answer a clarifying question with the hidden facts it asks about, and only those."""
    ctx = runtime.context
    case = case_of(ctx, state)
    question = state["turns"][-1]["content"]
    matched = ctx.brain.match_facts(question, case.facts) if case else []
    text, new_ids = _fact_text(ctx, state, matched)
    content = text or ctx.phrases.say("no_fact")
    turn = _say(runtime, state, content, "fact", facts=new_ids)
    return Command(goto="await_candidate", update={"turns": [turn], "revealed_facts": new_ids})


def _over_budget(ctx: Context, state: InterviewState) -> bool:
    if not ctx.time_budgets:
        return False
    budget = ctx.kb.framework.step(step_of(state)).budget_minutes * 60
    return ctx.clock.now() - state.get("step_started_at", ctx.clock.now()) >= budget


def assess_answer(
    state: InterviewState, runtime: Runtime[Context]
) -> Command[Literal["await_candidate", "advance_step"]]:
    """Judge the step so far and follow up on the most important missing signal, or move on."""
    ctx = runtime.context
    case = case_of(ctx, state)
    ack = ctx.phrases.acknowledgement(len(state.get("turns", [])))
    answer = state["turns"][-1]["content"]
    matched = ctx.brain.match_facts(answer, case.facts) if case else []
    facts_text, fact_ids = _fact_text(ctx, state, matched, repeat=False)
    lead = f"{ack} {facts_text}".strip()
    if _over_budget(ctx, state):
        title = ctx.kb.framework.step(step_of(state)).title
        time_up = ctx.phrases.say("time_up", step_title=title)
        return Command(goto="advance_step", update={"lead": f"{lead} {time_up}", "revealed_facts": fact_ids})
    curveball = _due_curveball(state, case)
    if curveball is not None:
        message = ctx.phrases.say("curveball", ack=lead, message=curveball)
        turn = _say(runtime, state, message, "curveball", curveball=state.get("curveball_id"))
        return Command(
            goto="await_candidate",
            update={
                "turns": [turn],
                "curveball_fired": True,
                "asked": [curveball],
                "revealed_facts": fact_ids,
            },
        )
    return _follow_up_or_advance(runtime, state, lead, fact_ids)


def _due_curveball(state: InterviewState, case: Case | None) -> str | None:
    if case is None or state.get("curveball_fired") or not state.get("curveball_id"):
        return None
    for curveball in case.curveballs:
        if curveball.id == state.get("curveball_id") and curveball.step == step_of(state):
            return curveball.message
    return None


def _follow_up_or_advance(
    runtime: Runtime[Context],
    state: InterviewState,
    lead: str,
    fact_ids: list[str],
    extra: dict[str, Any] | None = None,
) -> Command[Literal["await_candidate", "advance_step"]]:
    """Ask about the next gap, or advance; ``extra`` is added to the update either way."""
    ctx = runtime.context
    base = {"revealed_facts": fact_ids, **(extra or {})}
    rubric = rubric_of(ctx, state)
    judgment = judge_step(ctx, state)
    target = next_probe(state, rubric, judgment)
    if target is None or state.get("follow_ups", 0) >= ctx.max_follow_ups:
        return Command(goto="advance_step", update={"lead": lead, **base})
    signal, probe = target
    emit = _emitter(runtime)
    if lead:
        emit(lead + " ")
    question = ctx.brain.follow_up(follow_up_request(ctx, state, rubric, judgment, signal, probe, fact_ids), emit)
    _end_message(runtime)
    content = ctx.phrases.say("follow_up", ack=lead, probe=question)
    turn = _turn(ctx, state, "interviewer", content, "follow_up", signal=signal.id, facts=fact_ids)
    return Command(
        goto="await_candidate",
        update={
            "turns": [turn],
            "asked": [probe],
            "probed": [f"{rubric.step}:{signal.id}"],
            "follow_ups": state.get("follow_ups", 0) + 1,
            **base,
        },
    )


def give_hint(state: InterviewState, runtime: Runtime[Context]) -> Command[Literal["await_candidate"]]:
    """Give a nudge that points at a gap without giving the answer; hints are counted."""
    ctx = runtime.context
    step = step_of(state)
    generic = ctx.kb.framework.step(step).hint
    rubric = rubric_of(ctx, state)
    gap = open_gap(state)
    preferred = [gap] if gap else []
    target = next_probe(state, rubric, judge_step(ctx, state), preferred + closest_signals(ctx, state), gap)
    update: dict[str, Any] = {"hints": [step]}
    if target is not None:
        signal, probe = target
        content = ctx.phrases.say("hint", hint=generic, probe=probe)
        update |= {"asked": [probe], "probed": [f"{step}:{signal.id}"]}
        turn = _say(runtime, state, content, "hint", signal=signal.id)
    else:
        turn = _say(runtime, state, ctx.phrases.say("hint_generic", hint=generic), "hint")
    return Command(goto="await_candidate", update=update | {"turns": [turn]})


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
        return _follow_up_or_advance(runtime, declined_state, lead, [], extra={"declined": [key]})
    count = state.get("step_dont_knows", 0) + 1
    if count >= 2:
        return Command(goto="advance_step", update={"step_dont_knows": count, "lead": ctx.phrases.say("move_on")})
    hint = ctx.kb.framework.step(step).hint
    turn = _say(runtime, state, ctx.phrases.say("dont_know_open", hint=hint), "notice")
    return Command(goto="await_candidate", update={"turns": [turn], "step_dont_knows": count})


def redirect_off_topic(state: InterviewState, runtime: Runtime[Context]) -> Command[Literal["await_candidate"]]:
    """Steer an off-topic message back to the current question."""
    ctx = runtime.context
    content = ctx.phrases.say("off_topic", question=last_question(state))
    return Command(goto="await_candidate", update={"turns": [_say(runtime, state, content, "notice")]})


def advance_step(state: InterviewState) -> Command[Literal["open_step", "write_debrief"]]:
    """Move to the next step, or to the debrief after the last one."""
    index = state.get("step_index", 0) + 1
    if index >= len(STEP_IDS):
        return Command(goto="write_debrief", update={"step_index": index})
    return Command(goto="open_step", update={"step_index": index})


def write_debrief(state: InterviewState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Grade the whole transcript and close the interview."""
    ctx = runtime.context
    transcript = transcript_of(ctx, state)
    debrief = grade(ctx.kb, ctx.brain, transcript)
    debrief.metadata["hints"] = len(state.get("hints", []))
    debrief.metadata["hints_by_step"] = {s: state.get("hints", []).count(s) for s in STEP_IDS}
    closing_state: InterviewState = {
        **state,
        "step_index": min(state.get("step_index", 0), len(STEP_IDS) - 1),
    }
    report = ctx.brain.take_report()
    debrief.metadata["usage"] = add_usage(state.get("usage", {}), report.usage)
    debrief.metadata["guard_interventions"] = len(state.get("guard", [])) + len(report.guard)
    if report.notices:
        debrief.metadata["notices"] = list(report.notices)
    notices = [_say(runtime, state, notice, "notice") for notice in report.notices]
    closing = _say(runtime, closing_state, ctx.phrases.say("closing"), "closing")
    return {"turns": [*notices, closing], "done": True, "debrief": debrief.model_dump(mode="json")}


def _said_this_turn(state: InterviewState, result: Any) -> set[str]:
    """Return what the interviewer has said since the candidate's last message, this node included."""
    update = result.update if isinstance(result, Command) else result
    turns = [*state.get("turns", []), *((update or {}).get("turns", []) if isinstance(update, dict) else [])]
    said: set[str] = set()
    for turn in reversed(turns):
        if turn["role"] == "candidate":
            break
        said.add(turn["content"])
    return said


def reporting(node: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a node so the brain's notices are shown and its token usage is added to the state.

    A notice (say, that the offline brain handled a turn because the model failed) becomes an
    interviewer turn of kind ``notice`` after the node's own turns.
    """

    @wraps(node)
    def wrapped(state: InterviewState, runtime: Runtime[Context]) -> Any:
        result = node(state, runtime)
        report = runtime.context.brain.take_report()
        if not (report.notices or report.usage or report.guard):
            return result
        extra: dict[str, Any] = {}
        if report.usage:
            extra["usage"] = report.usage
        if report.guard:
            extra["guard"] = list(report.guard)
        shown = _said_this_turn(state, result)
        notices = [n for n in report.notices if n not in shown]
        if notices:
            extra["turns"] = [_say(runtime, state, notice, "notice") for notice in notices]
        if isinstance(result, Command):
            update = dict(result.update or {})
            update["turns"] = list(update.get("turns", [])) + extra.pop("turns", [])
            return Command(goto=result.goto, update={**update, **extra})
        merged = dict(result or {})
        merged["turns"] = list(merged.get("turns", [])) + extra.pop("turns", [])
        return {**merged, **extra}

    return wrapped


def transcript_of(ctx: Context, state: InterviewState) -> Transcript:
    """Build the transcript of an interview from its state."""
    case = case_of(ctx, state)
    return Transcript.model_validate(
        {
            "case_id": state.get("case_id"),
            "problem": case.prompt if case else GENERIC_PROMPT,
            "level": state.get("level", "senior"),
            "turns": state.get("turns", []),
        }
    )
