"""Compare page: step scores of an interview and of every branch retried from one of its turns."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from interviewer import progress
from interviewer.sessions import SessionSummary
from interviewer.steps import STEP_IDS
from ui import state
from ui.format import escape_markdown, when


def name(summary: SessionSummary, root: SessionSummary) -> str:
    """Return a short label: the original interview or a dated branch."""
    kind = "original" if summary.session_id == root.session_id else "branch"
    return f"{kind} {summary.session_id} ({when(summary.created_at)})"


def main() -> None:
    """Draw the comparison of a session's branches."""
    svc = state.service()
    view = state.load_view(svc, "compare its branches")
    st.title(f"Branches of {escape_markdown(view.case_title)}")
    members = progress.family(svc.list_sessions(), view.session_id)
    if len(members) < 2:
        st.info("This interview has no branches yet. Use **Retry from here** on one of your answers to make one.")
    root = members[0]
    titles = {step.id: step.title for step in svc.kb.framework.steps}
    rows = []
    for s in members:
        row: dict[str, object] = {"interview": name(s, root), "status": s.status}
        row |= {titles[step]: s.scores.get(step) for step in STEP_IDS}
        row["overall"] = round(s.overall, 2) if s.overall is not None else None
        rows.append(row)
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    if any(s.scores and len(s.scores) < len(STEP_IDS) for s in members):
        st.caption("No score for a step: that interview ended before it.")
    scored = [s for s in members if s.scores]
    if scored:
        data = pd.DataFrame(
            [
                {"interview": name(s, root), "step": titles[step], "score": s.scores[step]}
                for s in scored
                for step in STEP_IDS
                if step in s.scores
            ]
        )
        chart = (
            alt.Chart(data)
            .mark_bar()
            .encode(
                x=alt.X("step:N", sort=list(titles.values()), title=None),
                xOffset="interview:N",
                y=alt.Y("score:Q", scale=alt.Scale(domain=[0, 4]), axis=alt.Axis(tickCount=4)),
                color="interview:N",
                tooltip=["interview", "step", "score"],
            )
        )
        st.altair_chart(chart, width="stretch")
    else:
        st.caption("No branch has been scored yet; finish one to compare debriefs.")
    st.subheader("Open")
    for s in members:
        left, right = st.columns([3, 1])
        left.markdown(escape_markdown(name(s, root)))
        if right.button("Debrief" if s.status == "finished" else "Continue", key=f"open-{s.session_id}"):
            state.go(state.DEBRIEF if s.status == "finished" else state.INTERVIEW, s.session_id)


main()
