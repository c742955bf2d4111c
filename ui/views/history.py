"""History page: past interviews, step scores over time, the weakest step and a case to practise it."""

from __future__ import annotations

from datetime import datetime

import altair as alt
import pandas as pd
import streamlit as st

from interviewer import progress
from interviewer.sessions import InputError, InterviewService, SessionSummary
from interviewer.steps import STEP_IDS
from ui import state
from ui.format import escape_error, escape_markdown, when


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
    overall = pd.DataFrame({"interview": names, "overall": [p.overall for p in points], **about})
    line = (
        alt.Chart(overall)
        .mark_line(point=True)
        .encode(
            x=x.axis(None),
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
    """Open a past interview: its debrief, the interview itself, or its branches."""
    st.subheader("Open an interview")
    labels = {
        f"{when(s.created_at)} · {case_title(svc, s.case_id)} · {s.level} · {s.status} · {s.session_id}": s
        for s in sessions
    }
    chosen = labels[st.selectbox("Interview", list(labels), key="history-pick")]
    debrief, interview, compare, _ = st.columns([1, 1, 1, 2])
    if debrief.button("Debrief", key="open-debrief", disabled=chosen.status != "finished"):
        state.go(state.DEBRIEF, chosen.session_id)
    if interview.button("Interview", key="open-interview"):
        state.go(state.INTERVIEW, chosen.session_id)
    if compare.button("Branches", key="open-compare"):
        state.go(state.COMPARE, chosen.session_id)


def main() -> None:
    """Draw the history page."""
    svc = state.service()
    st.title("History")
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
