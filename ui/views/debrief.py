"""Debrief page: recommendation and level first, the step scores chart, evidence per step, downloads."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from interviewer import progress
from interviewer.debrief import Debrief, StepResult
from interviewer.knowledge.models import Framework
from interviewer.sessions import InterviewService, SessionView
from ui import components, state
from ui.format import escape_markdown, inline_code, label

SENIOR_BAR = 3


def scores_chart(framework: Framework, debrief: Debrief) -> alt.LayerChart:
    """Return a bar per step score, in interview order, with the senior bar drawn across."""
    titles = [framework.step(s.step).title for s in debrief.steps]
    data = pd.DataFrame({"step": titles, "score": [s.score for s in debrief.steps]})
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("step:N", sort=titles, title=None, axis=alt.Axis(labelLimit=300)),
            x=alt.X("score:Q", scale=alt.Scale(domain=[0, 4]), axis=alt.Axis(tickCount=4), title="score (1-4)"),
            color=alt.Color("score:Q", scale=alt.Scale(domain=[1, 4], scheme="redyellowgreen"), legend=None),
            tooltip=["step", "score"],
        )
    )
    bar = alt.Chart(pd.DataFrame({"score": [SENIOR_BAR]})).mark_rule(strokeDash=[4, 4]).encode(x="score:Q")
    return (bars + bar).properties(height=260)


def headline(view: SessionView, debrief: Debrief) -> None:
    """Show the recommendation, estimated level, overall score and hints up front."""
    o = debrief.overall
    rec, lvl, score, hints = st.columns(4)
    rec.metric("Recommendation", label(o.recommendation), border=True)
    lvl.metric("Estimated level", label(o.level), help=f"Target level: {escape_markdown(o.target_level)}", border=True)
    score.metric("Overall score", f"{o.score:.2f} / 4", help="3 meets the senior bar.", border=True)
    hints.metric("Hints taken", str(debrief.metadata.get("hints", view.hints)), border=True)


def step_details(framework: Framework, session_id: str, result: StepResult) -> None:
    """Show one step's evidence (linked to its turn), red flags and missed signals."""
    title = escape_markdown(framework.step(result.step).title)
    note = " · not enough evidence" if result.insufficient_evidence else ""
    with st.expander(f"{title}: {result.score}/4{note}", expanded=result.score < SENIOR_BAR):
        if result.evidence:
            st.markdown("**What you showed**")
        for evidence in result.evidence:
            st.markdown(f"{escape_markdown(evidence.signal)} ({escape_markdown(evidence.status)})")
            quote, link = st.columns([5, 1], vertical_alignment="center")
            quote.markdown("> " + escape_markdown(evidence.quote))
            if evidence.turn is not None:
                link.page_link(
                    state.INTERVIEW,
                    label=f"turn {evidence.turn}",
                    icon=":material/chat:",
                    query_params={state.SESSION_PARAM: session_id, state.TURN_PARAM: str(evidence.turn)},
                )
        for flag in result.red_flags:
            st.error(f"**Red flag: {escape_markdown(flag.flag)}**: {escape_markdown(flag.why)}")
            st.markdown("> " + escape_markdown(flag.quote))
        if result.missed:
            st.markdown("**Missed or partly shown**")
        for missed in result.missed:
            st.markdown(f"- **{escape_markdown(missed.signal)}**: {escape_markdown(missed.stronger_answer)}")
            st.caption(f"Source: {inline_code(missed.source)}")


def downloads(view: SessionView, debrief: Debrief) -> None:
    """Offer the debrief as Markdown and JSON."""
    md, js, _ = st.columns([1, 1, 3])
    md.download_button(
        "Download Markdown",
        debrief.to_markdown(f"Debrief: {view.case_title}"),
        file_name=f"debrief-{view.session_id}.md",
        mime="text/markdown",
        icon=":material/download:",
        key="download-md",
    )
    js.download_button(
        "Download JSON",
        debrief.to_json(),
        file_name=f"debrief-{view.session_id}.json",
        mime="application/json",
        icon=":material/download:",
        key="download-json",
    )


def lists(debrief: Debrief) -> None:
    """Show strengths, at most three improvements and text the grader ignored."""
    good, better = st.columns(2)
    with good:
        st.subheader("Strengths")
        for item in debrief.strengths or ["(none identified)"]:
            st.markdown("- " + escape_markdown(item))
    with better:
        st.subheader("Improvements")
        for item in debrief.improvements[:3] or ["(none)"]:
            st.markdown("- " + escape_markdown(item))
    if debrief.ignored:
        with st.expander("Text addressed to the grader (ignored)"):
            for item in debrief.ignored:
                st.markdown("- " + escape_markdown(item))


def branches(svc: InterviewService, view: SessionView) -> None:
    """Link to the comparison when this interview has branches."""
    if len(progress.family(svc.list_sessions(), view.session_id)) > 1:
        st.page_link(
            state.COMPARE,
            label="Compare with the other branches of this interview",
            icon=":material/compare_arrows:",
            query_params={state.SESSION_PARAM: view.session_id},
        )


def main() -> None:
    """Draw the debrief page."""
    svc = state.service()
    view = state.load_view(svc, "see its debrief")
    components.header(view, view.brain or state.brain_label(svc))
    if not view.done or view.debrief is None:
        st.info("This interview is still running; its debrief is written when it ends.")
        st.page_link(
            state.INTERVIEW,
            label="Back to the interview",
            icon=":material/forum:",
            query_params={state.SESSION_PARAM: view.session_id},
        )
        return
    debrief = view.debrief
    headline(view, debrief)
    st.altair_chart(scores_chart(svc.kb.framework, debrief), width="stretch")
    lists(debrief)
    st.subheader("Step by step")
    for result in debrief.steps:
        step_details(svc.kb.framework, view.session_id, result)
    downloads(view, debrief)
    branches(svc, view)
    st.page_link(
        state.INTERVIEW,
        label="Read the transcript",
        icon=":material/forum:",
        query_params={state.SESSION_PARAM: view.session_id},
    )


main()
