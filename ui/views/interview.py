"""Interview page: the chat, design sketch, step progress, timers, controls, revealed facts and branching."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import streamlit as st

from interviewer.graph.nodes import MAX_GAP_S
from interviewer.knowledge.models import Framework
from interviewer.sessions import Control, InputError, InterviewService, SessionView
from interviewer.transcript import Turn
from ui import components, sketch_panel, state
from ui.format import (
    active_seconds,
    budget_fraction,
    budget_note,
    duration,
    escape_error,
    escape_markdown,
    escape_stream,
    inline_code,
    turn_index,
)

_ERROR = "turn_error"
_REJECTED = "rejected_messages"
_NOTICE = "input_notice"
_FAILED = "failed_turns"
_ASK_END = "confirm_end"
"""The session whose End button was pressed: the confirmation dialog is open for it."""
_END_NOW = "end_confirmed"
"""The session whose end was confirmed: the next run sends the end control."""


def branch_notice(svc: InterviewService, view: SessionView) -> None:
    """Say when this interview is a branch of another, with a link to compare them."""
    summary = next((s for s in svc.list_sessions() if s.session_id == view.session_id), None)
    if summary is None or summary.parent_id is None:
        return
    st.info(
        f"This is a branch of interview {inline_code(summary.parent_id)}: you are answering again from an earlier turn."
    )
    st.page_link(
        state.COMPARE,
        label="Compare branches",
        icon=":material/compare_arrows:",
        query_params={state.SESSION_PARAM: view.session_id},
    )


def turn_anchor(index: int) -> str:
    """Return the key of a turn's container; the page gives it the CSS class ``st-key-turn-N``."""
    return f"turn-{int(index)}"


def scroll_to(index: int) -> None:
    """Scroll the page to a turn once it is drawn (a fixed script; the only value in it is an int)."""
    selector = f".st-key-{turn_anchor(index)}"
    st.html(
        "<script>setTimeout(() => document.querySelector("
        f"'{selector}')?.scrollIntoView({{block: 'center', behavior: 'smooth'}}), 400);</script>",
        unsafe_allow_javascript=True,
    )


def turn_content(turn: Turn) -> None:
    """Write a turn's text and, for a candidate turn sent with one, its design sketch."""
    components.turn_body(turn)
    if turn.sketch:
        sketch_panel.show_sent(turn.sketch)


def transcript(svc: InterviewService, view: SessionView, highlight: int | None) -> None:
    """Show every turn, each anchored for links; candidate turns get a button to answer again from there."""
    for index, turn in enumerate(view.turns):
        role = "assistant" if turn.role == "interviewer" else "user"
        with st.container(key=turn_anchor(index)), st.chat_message(role, avatar=components.AVATARS[turn.role]):
            if index == highlight:
                with st.container(border=True):
                    st.caption(f"Turn {index}, quoted in the debrief")
                    turn_content(turn)
                # React runs the script when it is first drawn, so a rerun of the page does not scroll again.
                scroll_to(index)
            else:
                turn_content(turn)
            if turn.role == "candidate" and st.button(
                "Retry from here",
                key=f"branch-{index}",
                icon=":material/call_split:",
                type="tertiary",
                help="Start a branch of this interview that stops before this answer, and answer again.",
            ):
                try:
                    branch = svc.branch(view.session_id, index)
                except InputError as exc:
                    st.error(escape_error(str(exc)))
                else:
                    state.go(state.INTERVIEW, branch.session_id)


def _failed() -> set[str]:
    failed: set[str] = st.session_state.setdefault(_FAILED, set())
    return failed


def pending(svc: InterviewService, view: SessionView) -> bool:
    """Offer to finish a turn whose handling failed, without re-typing; return whether one is waiting."""
    error = st.session_state.pop(_ERROR, None)
    if error:
        st.error(f"The interviewer failed to answer: {escape_error(error)}. What you sent is kept.")
    if view.pending_message is None and view.session_id not in _failed():
        return False
    with st.container(border=True):
        if view.pending_message is not None:
            st.warning("This message was sent but not answered:", icon=":material/warning:")
            st.markdown(escape_markdown(view.pending_message))
        else:
            st.warning("The last turn was not finished.", icon=":material/warning:")
        if st.button("Retry", key="retry", icon=":material/refresh:", type="primary"):
            try:
                svc.retry(view.session_id)
            except Exception as exc:  # shown to the candidate; the message stays pending
                st.session_state[_ERROR] = f"{type(exc).__name__}: {exc}"
            else:
                _failed().discard(view.session_id)
            st.rerun()
    return True


def notices(view: SessionView) -> None:
    """Show why the last message was refused, and keep a refused message visible to copy back."""
    notice = st.session_state.pop(_NOTICE, None)
    if notice:
        kind, message = notice
        (st.warning if kind == "warning" else st.error)(escape_error(message))
    text = st.session_state.get(_REJECTED, {}).get(view.session_id)
    if not text:
        return
    with st.expander("Your message that was not sent (copy it from here)", expanded=True):
        st.code(text, language=None, wrap_lines=True)
        if st.button("Dismiss", key="dismiss-rejected"):
            st.session_state[_REJECTED].pop(view.session_id, None)
            st.rerun()


CONTROLS: list[tuple[Control, str, str, str]] = [
    ("hint", "Hint", ":material/lightbulb:", "A nudge; counted in the debrief."),
    ("move_on", "Next step", ":material/skip_next:", "Go to the next step."),
    ("end", "End interview", ":material/stop_circle:", "Finish and get the debrief."),
]


def controls(disabled: bool) -> Control | None:
    """Draw the hint / next step / end buttons and return the one pressed."""
    pressed: Control | None = None
    for column, (action, text, icon, tip) in zip(st.columns(len(CONTROLS)), CONTROLS, strict=True):
        if column.button(text, key=f"ctl-{action}", icon=icon, help=tip, disabled=disabled):
            pressed = action
    return pressed


def _keep_going() -> None:
    st.session_state.pop(_ASK_END, None)


@st.dialog("End the interview?", on_dismiss=_keep_going)
def confirm_end(session_id: str) -> None:
    """Ask before ending: the debrief is written at once; cancelling (or closing the dialog) changes nothing."""
    st.markdown(
        "The debrief is written now and steps you have not reached are marked *not reached*."
        " You cannot continue this interview afterwards, only answer again from an earlier turn."
    )
    stay, end = st.columns(2)
    if stay.button("Keep going", key="end-cancel", icon=":material/arrow_back:", width="stretch"):
        _keep_going()
        st.rerun()
    if end.button("End now", key="end-confirm", icon=":material/stop_circle:", type="primary", width="stretch"):
        _keep_going()
        st.session_state[_END_NOW] = session_id
        st.rerun()


def end_requests(view: SessionView, pressed: Control | None) -> Control | None:
    """Turn the End button into a confirmation; return the control to send now, if any."""
    if pressed == "end":
        st.session_state[_ASK_END] = view.session_id
        pressed = None
    if st.session_state.get(_END_NOW) == view.session_id:
        st.session_state.pop(_END_NOW)
        return "end"
    if st.session_state.get(_ASK_END) == view.session_id:
        confirm_end(view.session_id)
    return pressed


def _timers(view: SessionView, framework: Framework, since_load_s: float) -> None:
    total_budget = sum(step.budget_minutes for step in framework.steps)
    breaks = f"a pause counts at most {int(MAX_GAP_S // 60)} min"
    if view.done:
        spent = active_seconds((t.elapsed_s for t in view.turns if t.elapsed_s is not None), MAX_GAP_S)
        st.caption(f"Time spent: {duration(spent)} (suggested {total_budget} min; {breaks})")
        return
    # The engine counts this step's time up to the moment the view was read; count on from there,
    # no more than one gap's worth, as the engine will when the next message comes.
    step = view.step_elapsed_s + min(max(since_load_s, 0.0), MAX_GAP_S)
    overall = _before_step(view) + step
    title = escape_markdown(framework.steps[view.step_index].title)
    st.progress(budget_fraction(step, view.budget_minutes), text=f"{title}: {budget_note(step, view.budget_minutes)}")
    st.progress(budget_fraction(overall, total_budget), text=f"Overall: {budget_note(overall, total_budget)}")
    st.caption(
        f"Suggested times; {breaks}. Past a step's time the interviewer moves on after your next answer;"
        " time is never scored."
    )


def _before_step(view: SessionView) -> float:
    """Return the time worked before the current step opened, from the turns' time stamps."""
    offsets = []
    for turn in view.turns:
        if turn.elapsed_s is not None:
            offsets.append(turn.elapsed_s)
        if turn.step == view.step:  # the step's opening question: its time is the view's step_elapsed_s
            break
    return active_seconds(offsets, MAX_GAP_S)


def timers(view: SessionView, framework: Framework) -> None:
    """Show the time spent in this step and overall against the suggested budgets; refreshes on its own.

    The step's time is the session's own (``view.step_elapsed_s``): a break, or the time before a
    branch was made, does not count, so answering again from an old turn starts on time.
    """
    if view.done:
        _timers(view, framework, 0.0)
        return
    loaded = time.monotonic()

    @st.fragment(run_every=timedelta(seconds=5))
    def ticking() -> None:
        _timers(view, framework, time.monotonic() - loaded)

    ticking()


def take_turn(
    svc: InterviewService,
    view: SessionView,
    *,
    text: str | None = None,
    control: Control | None = None,
    sketch: str | None = None,
) -> None:
    """Send a message (with its sketch) or a control and stream the interviewer's reply, then redraw the page."""
    try:
        reply: Iterator[str] = (
            svc.stream(view.session_id, text, sketch=sketch)
            if control is None
            else svc.stream(view.session_id, control=control)
        )
    except InputError as exc:
        blank = not (text or "").strip()
        st.session_state[_NOTICE] = ("warning" if blank else "error", str(exc))
        if not blank:
            st.session_state.setdefault(_REJECTED, {})[view.session_id] = text
        st.rerun()
    st.session_state.get(_REJECTED, {}).pop(view.session_id, None)
    with st.chat_message("user", avatar=components.AVATARS["candidate"]):
        st.markdown(escape_markdown(text) if text is not None else f"_({components.CONTROL_LABELS[control or 'end']})_")
        if control is None and sketch:
            sketch_panel.draw(sketch)
    with st.chat_message("assistant", avatar=components.AVATARS["interviewer"]):
        try:
            st.write_stream(escape_stream(reply))
        except Exception as exc:  # the message is checkpointed as pending; retry finishes it
            st.session_state[_ERROR] = f"{type(exc).__name__}: {exc}"
            _failed().add(view.session_id)
        else:
            if control is None and sketch:
                sketch_panel.sent(view.session_id)
    st.rerun()


def finished(view: SessionView) -> None:
    """Point to the debrief of a finished interview, saying which steps an early end left out."""
    st.success("The interview is over. Your debrief is ready.", icon=":material/task_alt:")
    if view.debrief is not None:
        missed = [s.step for s in view.debrief.steps if not s.reached]
        if missed:
            total = len(view.debrief.steps)
            st.caption(
                f"Ended early: {total - len(missed)} of {total} steps reached;"
                " the debrief marks the others as not reached."
            )
    if st.button("Open the debrief", key="open-debrief", type="primary", icon=":material/assessment:"):
        state.go(state.DEBRIEF, view.session_id)


def main() -> None:
    """Draw the interview page."""
    svc = state.service()
    view = state.load_view(svc, "continue it")
    brain = view.brain or state.brain_label(svc)
    components.header(view, brain)
    with st.sidebar:
        components.step_progress(svc.kb.framework, view)
        timers(view, svc.kb.framework)
        components.facts_panel(view)
        st.page_link(state.HISTORY, label="History", icon=":material/history:")
    branch_notice(svc, view)
    transcript(svc, view, turn_index(st.query_params.get(state.TURN_PARAM)))
    waiting = pending(svc, view)
    if view.done:
        st.session_state.pop(_ASK_END, None)
        finished(view)
        return
    notices(view)
    live = st.container()
    last_sketch = next((t.sketch for t in reversed(view.turns) if t.sketch), None)
    sketch_panel.panel(view.session_id, last_sketch, svc.max_message_chars)
    action = end_requests(view, controls(disabled=waiting))
    text = st.chat_input("Answer, or ask a clarifying question", key="chat", disabled=waiting)
    if action is not None:
        with live:
            take_turn(svc, view, control=action)
    elif text is not None:
        with live:
            take_turn(svc, view, text=str(text), sketch=sketch_panel.draft(view.session_id))


main()
