"""Interview page: the chat, step progress, timers, controls, revealed facts and branching."""

from __future__ import annotations

from collections.abc import Iterator

import streamlit as st

from interviewer.sessions import Control, InputError, InterviewService, SessionView
from ui import components, state
from ui.format import escape_error, escape_markdown, escape_stream, inline_code, turn_index

_ERROR = "turn_error"
_REJECTED = "rejected_messages"
_NOTICE = "input_notice"
_FAILED = "failed_turns"


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


def transcript(svc: InterviewService, view: SessionView, highlight: int | None) -> None:
    """Show every turn; candidate turns get a button to answer again from there."""
    for index, turn in enumerate(view.turns):
        role = "assistant" if turn.role == "interviewer" else "user"
        with st.chat_message(role, avatar=components.AVATARS[turn.role]):
            if index == highlight:
                with st.container(border=True):
                    st.caption(f"Turn {index}, quoted in the debrief")
                    components.turn_body(turn)
            else:
                components.turn_body(turn)
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


def take_turn(
    svc: InterviewService, view: SessionView, *, text: str | None = None, control: Control | None = None
) -> None:
    """Send a message or control and stream the interviewer's reply, then redraw the page."""
    try:
        reply: Iterator[str] = (
            svc.stream(view.session_id, text) if control is None else svc.stream(view.session_id, control=control)
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
    with st.chat_message("assistant", avatar=components.AVATARS["interviewer"]):
        try:
            st.write_stream(escape_stream(reply))
        except Exception as exc:  # the message is checkpointed as pending; retry finishes it
            st.session_state[_ERROR] = f"{type(exc).__name__}: {exc}"
            _failed().add(view.session_id)
    st.rerun()


def finished(view: SessionView) -> None:
    """Point to the debrief of a finished interview."""
    st.success("The interview is over. Your debrief is ready.", icon=":material/task_alt:")
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
        components.timers(view, svc.kb.framework)
        components.facts_panel(view)
        st.page_link(state.HISTORY, label="History", icon=":material/history:")
    branch_notice(svc, view)
    transcript(svc, view, turn_index(st.query_params.get(state.TURN_PARAM)))
    waiting = pending(svc, view)
    if view.done:
        finished(view)
        return
    notices(view)
    live = st.container()
    action = controls(disabled=waiting)
    text = st.chat_input("Answer, or ask a clarifying question", key="chat", disabled=waiting)
    if action is not None:
        with live:
            take_turn(svc, view, control=action)
    elif text is not None:
        with live:
            take_turn(svc, view, text=str(text))


main()
