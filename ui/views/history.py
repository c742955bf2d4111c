"""History page: past interviews, step scores over time, the weakest step and a case to practise it."""

from __future__ import annotations

from datetime import datetime

import altair as alt
import pandas as pd
import streamlit as st

from interviewer import progress
from interviewer.sessions import InputError, InterviewService, SessionNotFound, SessionSummary
from interviewer.steps import STEP_IDS
from ui import state
from ui.format import escape_error, escape_markdown, inline_code, when

_DELETED = "history_deleted"


def case_title(svc: InterviewService, case_id: str | None) -> str:
    """Return a case's title, or the generic interview's."""
    case = svc.kb.cases.get(case_id or "")
    return case.title if case else "Generic ML system design"


def table(svc: InterviewService, sessions: list[SessionSummary]) -> None:
    """Show one row per interview with date, case, level, status and step scores."""
    rows = []
    for s in sessions:
        row: dict[str, object] = {
            "date": when(s.created_at),
            "case": case_title(svc, s.case_id),
            "level": s.level,
            "status": s.status + (" (branch)" if s.parent_id else ""),
            "overall": round(s.overall, 2) if s.overall is not None else None,
        }
        row |= {step: s.scores.get(step) for step in STEP_IDS}
        rows.append(row)
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    if any(s.scores and len(s.scores) < len(STEP_IDS) for s in sessions):
        st.caption("No score for a step: the interview ended before it.")


def over_time(svc: InterviewService, sessions: list[SessionSummary]) -> None:
    """Draw one point per finished interview: its overall score, and a grid of its step scores below."""
    points = progress.timeline(sessions)
    if not points:
        st.caption("Finish an interview to see your step scores over time.")
        return
    steps = svc.kb.framework.steps
    # Interviews are numbered in order rather than placed on a time axis: several interviews in one
    # minute would share a tick label, and a week-long gap would squash the rest together.
    names = [f"{p.number} · {datetime.fromtimestamp(p.finished_at):%b %d}" for p in points]
    about = {
        "finished": [when(p.finished_at) for p in points],
        "case": [case_title(svc, p.case_id) for p in points],
        "level": [p.level for p in points],
    }
    x = alt.X("interview:O", sort=names, title="finished interviews, oldest first", axis=alt.Axis(labelAngle=0))
    top = alt.X("interview:O", sort=names, axis=None)
    overall = pd.DataFrame({"interview": names, "overall": [p.overall for p in points], **about})
    line = (
        alt.Chart(overall)
        .mark_line(point=True)
        .encode(
            x=top,
            y=alt.Y("overall:Q", scale=alt.Scale(domain=[0, 4]), axis=alt.Axis(tickCount=4), title="overall"),
            tooltip=["interview", "finished", "case", "level", alt.Tooltip("overall:Q", format=".2f")],
        )
        .properties(height=140)
    )
    cells = pd.DataFrame(
        [
            {
                "interview": name,
                "step": step.title,
                "score": p.scores.get(step.id),
                "shown": str(p.scores[step.id]) if step.id in p.scores else "–",
                "note": "" if step.id in p.scores else "not reached",
                **{key: values[p.number - 1] for key, values in about.items()},
            }
            for name, p in zip(names, points, strict=True)
            for step in steps
        ]
    )
    base = alt.Chart(cells).encode(x=x, y=alt.Y("step:N", sort=[step.title for step in steps], title=None))
    grid = base.mark_rect(stroke="white").encode(
        color=alt.condition(
            "datum.score != null",
            alt.Color("score:Q", scale=alt.Scale(domain=[1, 4], scheme="redyellowgreen"), legend=None),
            alt.value("#eeeeee"),
        ),
        tooltip=["interview", "finished", "case", "step", "score", "note"],
    )
    text = base.mark_text().encode(text="shown:N")
    st.altair_chart(alt.vconcat(line, (grid + text).properties(height=220)), width="stretch")
    st.caption("A grey cell: the interview ended before that step, so it does not count towards any average.")


def suggestion(svc: InterviewService, sessions: list[SessionSummary]) -> None:
    """Name the weakest step and offer the case that exercises it best."""
    advice = progress.suggest_next_case(svc.kb, sessions)
    if advice is None:
        return
    step = svc.kb.framework.step(advice.step).title
    recent = min(progress.RECENT, len(progress.finished(sessions)))
    st.subheader("What to practise next")
    over = f"the {advice.interviews} of them that reached it" if advice.interviews < recent else "all of them"
    st.markdown(
        f"Weakest step: **{escape_markdown(step)}**, average {advice.average:.1f} / 4 over your last"
        f" {recent} finished interview(s) ({over})."
    )
    st.markdown(
        f"Suggested case: **{escape_markdown(advice.case.title)}** ({escape_markdown(advice.case.domain)},"
        f" {escape_markdown(advice.case.difficulty)}):"
        f" its signals in {escape_markdown(step)} carry weight {advice.weight}, and you have practised it"
        f" {advice.practised} time(s)."
    )
    level = next((s.level for s in sessions), "senior")
    if st.button(
        f"Start {escape_markdown(advice.case.title)}",
        key="start-suggested",
        type="primary",
        icon=":material/play_arrow:",
    ):
        try:
            view = svc.start(advice.case.id, level)
        except InputError as exc:
            st.error(escape_error(str(exc)))
            return
        state.go(state.INTERVIEW, view.session_id)


def open_one(svc: InterviewService, sessions: list[SessionSummary]) -> None:
    """Open a past interview (its debrief, the interview itself, or its branches) or delete it."""
    st.subheader("Open an interview")
    labels = {describe(svc, s): s for s in sessions}
    chosen = labels[st.selectbox("Interview", list(labels), key="history-pick")]
    debrief, interview, compare, delete, _ = st.columns([1, 1, 1, 1, 1])
    if debrief.button("Debrief", key="open-debrief", disabled=chosen.status != "finished"):
        state.go(state.DEBRIEF, chosen.session_id)
    if interview.button("Interview", key="open-interview"):
        state.go(state.INTERVIEW, chosen.session_id)
    if compare.button("Branches", key="open-compare"):
        state.go(state.COMPARE, chosen.session_id)
    if delete.button("Delete", key="open-delete", icon=":material/delete:"):
        confirm_delete(svc, chosen)


def describe(svc: InterviewService, s: SessionSummary) -> str:
    """Return a one-line, plain-text name of an interview for a picker or a question."""
    return f"{when(s.created_at)} · {case_title(svc, s.case_id)} · {s.level} · {s.status} · {s.session_id}"


def delete_session(svc: InterviewService, session_id: str) -> None:
    """Delete an interview and say so on the next run; forget it if this tab had it open."""
    try:
        svc.delete(session_id)
    except SessionNotFound:
        pass  # deleted meanwhile (another tab): what was asked for is done
    if st.query_params.get(state.SESSION_PARAM) == session_id:
        del st.query_params[state.SESSION_PARAM]
    st.session_state[_DELETED] = session_id


@st.dialog("Delete this interview?")
def confirm_delete(svc: InterviewService, summary: SessionSummary) -> None:
    """Ask before deleting an interview: it cannot be undone."""
    st.markdown(f"**{escape_markdown(describe(svc, summary))}**")
    st.markdown("Its transcript, debrief and scores are deleted for good. Branches retried from it are kept.")
    yes, no = st.columns(2)
    # The deletion runs in the button's callback, before the rerun, so it happens whichever part of
    # the page reruns; the full rerun then closes the dialog and redraws the list without it.
    if yes.button(
        "Delete",
        key="confirm-delete",
        type="primary",
        icon=":material/delete:",
        on_click=delete_session,
        args=(svc, summary.session_id),
    ):
        st.rerun()
    if no.button("Cancel", key="cancel-delete"):
        st.rerun()


def deleted_notice() -> None:
    """Confirm the deletion asked for on the previous run."""
    session_id = st.session_state.pop(_DELETED, None)
    if session_id:
        st.success(f"Deleted interview {inline_code(str(session_id))}.", icon=":material/delete:")


def main() -> None:
    """Draw the history page."""
    svc = state.service()
    st.title("History")
    deleted_notice()
    sessions = svc.list_sessions()
    if not sessions:
        st.info("No interviews yet.")
        st.page_link(state.START, label="Start an interview", icon=":material/play_arrow:")
        return
    table(svc, sessions)
    st.subheader("Step scores over time")
    over_time(svc, sessions)
    suggestion(svc, sessions)
    open_one(svc, sessions)


main()
