"""Debrief page: recommendation and level first, the step scores chart, evidence per step, downloads."""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from interviewer import export, progress
from interviewer.debrief import Debrief, StepResult
from interviewer.knowledge.loader import KnowledgeBase
from interviewer.knowledge.models import Framework
from interviewer.sessions import InterviewService, SessionView
from interviewer.steps import LEVELS, STEP_IDS, StepId
from interviewer.transcript import JUDGED_KINDS, Turn
from ui import components, state
from ui.format import escape_markdown, label

SENIOR_BAR = 3
PARTLY = "partly shown"
MISSED = "missed"


@dataclass(frozen=True)
class Improvement:
    """A signal of a reached step the candidate missed or only partly showed, as the page lists it."""

    step_title: str
    signal: str
    shown: str
    """``missed`` or ``partly shown``."""
    stronger_answer: str
    weight: int


def scores_chart(framework: Framework, debrief: Debrief) -> alt.LayerChart:
    """Return a bar per step score, in interview order, with the senior bar drawn across.

    A step the interview never reached has no bar, only the words "not reached".
    """
    titles = [framework.step(s.step).title for s in debrief.steps]
    data = pd.DataFrame(
        {
            "step": titles,
            "score": [s.score if s.reached else None for s in debrief.steps],
            "note": ["" if s.reached else "not reached" for s in debrief.steps],
        }
    )
    y = alt.Y("step:N", sort=titles, title=None, axis=alt.Axis(labelLimit=300))
    bars = (
        alt.Chart(data)
        .transform_filter("datum.score != null")
        .mark_bar()
        .encode(
            y=y,
            x=alt.X("score:Q", scale=alt.Scale(domain=[0, 4]), axis=alt.Axis(tickCount=4), title="score (1-4)"),
            color=alt.Color("score:Q", scale=alt.Scale(domain=[1, 4], scheme="redyellowgreen"), legend=None),
            tooltip=["step", "score"],
        )
    )
    unreached = (
        alt.Chart(data)
        .transform_filter("datum.score == null")
        .mark_text(align="left", dx=4, color="gray", fontStyle="italic")
        .encode(y=y, x=alt.datum(0), text="note:N")
    )
    bar = alt.Chart(pd.DataFrame({"score": [SENIOR_BAR]})).mark_rule(strokeDash=[4, 4]).encode(x="score:Q")
    return (bars + unreached + bar).properties(height=260)


def headline(view: SessionView, debrief: Debrief) -> None:
    """Show the recommendation, estimated level, overall score and hints up front."""
    o = debrief.overall
    rec, lvl, score, hints = st.columns(4)
    rec.metric("Recommendation", label(o.recommendation), border=True)
    lvl.metric("Estimated level", label(o.level), help=f"Target level: {escape_markdown(o.target_level)}", border=True)
    score.metric("Overall score", f"{o.score:.2f} / 4", help="3 meets the senior bar.", border=True)
    hints.metric("Hints taken", str(debrief.metadata.get("hints", view.hints)), border=True)


def shown_as(result: StepResult, signal_id: str) -> str:
    """Return whether a signal the step lists as not covered was partly shown or missed."""
    partial = {e.signal_id for e in result.evidence if e.status == "partial"}
    return PARTLY if signal_id in partial else MISSED


def signal_weights(kb: KnowledgeBase, case_id: str | None) -> dict[tuple[str, str], int]:
    """Return the weight of every signal an interview on this case can be judged on, by (step, signal id)."""
    case = kb.cases.get(case_id or "")
    if case is None:
        return {(step.id, s.id): s.weight for step in kb.framework.steps for s in step.signals}
    weights = {(step, s.id): s.weight for step in STEP_IDS for s in case.signals_for(step)}
    weights |= {(c.step, s.id): s.weight for c in case.curveballs for s in c.signals}
    return weights


def improvements(
    framework: Framework, debrief: Debrief, weights: dict[tuple[str, str], int], limit: int = 3
) -> list[Improvement]:
    """Return the heaviest signals missed or partly shown in the steps the interview reached.

    Steps never reached are left out (nothing was asked there), and so are red flags (each step
    shows its own); heavier signals come first, then interview order, like the debrief's own ranking.
    """
    found = [
        Improvement(
            step_title=framework.step(result.step).title,
            signal=missed.signal,
            shown=shown_as(result, missed.signal_id),
            stronger_answer=missed.stronger_answer,
            weight=weights.get((result.step, missed.signal_id), 1),
        )
        for result in debrief.steps
        if result.reached
        for missed in result.missed
    ]
    ranked = sorted(enumerate(found), key=lambda pair: (-pair[1].weight, pair[0]))
    return [item for _, item in ranked[:limit]]


def turn_link(session_id: str, turn: int | None, where: DeltaGenerator | None = None) -> None:
    """Link to one turn of the transcript on the interview page (nothing when the turn is unknown)."""
    if turn is None:
        return
    (where or st).page_link(
        state.INTERVIEW,
        label=f"turn {turn}",
        icon=":material/chat:",
        query_params={state.SESSION_PARAM: session_id, state.TURN_PARAM: str(turn)},
    )


def quote(session_id: str, text: str, turn: int | None) -> None:
    """Show a verbatim quote whole, escaped, with a link to the turn it comes from."""
    body, link = st.columns([5, 1], vertical_alignment="center")
    body.markdown("> " + escape_markdown(text).replace("  \n", "  \n> "))
    turn_link(session_id, turn, link)


def candidate_turns(view: SessionView, step: StepId) -> list[tuple[int, Turn]]:
    """Return (index, turn) of the candidate's judged turns in one step: their answer to it."""
    return [
        (i, t)
        for i, t in enumerate(view.turns)
        if t.role == "candidate" and t.step == step and (t.kind is None or t.kind in JUDGED_KINDS)
    ]


def model_answer(kb: KnowledgeBase, case_id: str | None, step: StepId, level: str) -> str | None:
    """Return the case's model answer to a step at a level; None for a generic interview or a level without one."""
    case = kb.cases.get(case_id or "")
    answers = case.steps[step].model_answers if case and step in case.steps else None
    text = getattr(answers, level, None) if answers and level in LEVELS else None
    return text if isinstance(text, str) else None


def answers(svc: InterviewService, view: SessionView, debrief: Debrief, result: StepResult) -> None:
    """Show the candidate's own answer to a step beside the case's model answer at the target level."""
    level = debrief.overall.target_level
    ideal = model_answer(svc.kb, view.case_id, result.step, level)
    turns = candidate_turns(view, result.step)
    if not turns and ideal is None:
        return
    yours, model = st.columns(2) if turns and ideal is not None else (st.container(), st.container())
    if turns:
        with yours:
            st.markdown("**Your answer**")
            for index, turn in turns:
                with st.container(border=True):
                    turn_link(view.session_id, index)
                    components.turn_body(turn)
                    if turn.sketch:
                        st.code(turn.sketch, language=None)
    if ideal is not None:
        with model, st.expander(f"Model answer ({escape_markdown(level)})", expanded=False):
            st.markdown(escape_markdown(ideal))


def step_details(svc: InterviewService, view: SessionView, debrief: Debrief, result: StepResult) -> None:
    """Show one step's evidence (linked to its turn), red flags, missed signals and the model answer."""
    title = escape_markdown(svc.kb.framework.step(result.step).title)
    if not result.reached:
        with st.expander(f"{title}: not reached", expanded=False):
            st.caption("The interview ended before this step, so nothing was asked or judged here.")
            answers(svc, view, debrief, result)
        return
    note = " · not enough evidence" if result.insufficient_evidence else ""
    with st.expander(f"{title}: {result.score}/4{note}", expanded=result.score < SENIOR_BAR):
        if result.evidence:
            st.markdown("**What you showed**")
        for evidence in result.evidence:
            shown = PARTLY if evidence.status == "partial" else "shown"
            st.markdown(f"{escape_markdown(evidence.signal)} ({shown})")
            quote(view.session_id, evidence.quote, evidence.turn)
        for flag in result.red_flags:
            st.error(f"**Red flag: {escape_markdown(flag.flag)}**: {escape_markdown(flag.why)}")
            quote(view.session_id, flag.quote, flag.turn)
        if result.missed:
            st.markdown("**Missed or partly shown**")
        for missed in result.missed:
            st.markdown(f"- **{escape_markdown(missed.signal)}** ({shown_as(result, missed.signal_id)})")
            st.caption(f"A stronger answer: {escape_markdown(missed.stronger_answer)}")
        answers(svc, view, debrief, result)


def downloads(svc: InterviewService, view: SessionView) -> None:
    """Offer the transcript with its debrief as Markdown, and as JSON that ``interviewer score`` reads."""
    md, js, _ = st.columns([1, 1, 3])
    md.download_button(
        "Download Markdown",
        export.to_markdown(svc, view.session_id),
        file_name=f"{view.session_id}-transcript.md",
        mime="text/markdown",
        icon=":material/download:",
        help="The conversation, then the debrief and the facts you never asked about.",
        key="download-md",
    )
    js.download_button(
        "Download JSON",
        export.to_json(svc, view.session_id),
        file_name=f"{view.session_id}-transcript.json",
        mime="application/json",
        icon=":material/download:",
        help="The transcript with its debrief; `interviewer score FILE` scores it again.",
        key="download-json",
    )


def lists(svc: InterviewService, view: SessionView, debrief: Debrief) -> None:
    """Show strengths, at most three improvements, the steps not reached and text the grader ignored."""
    framework = svc.kb.framework
    good, better = st.columns(2)
    with good:
        st.subheader("Strengths")
        for item in debrief.strengths or ["(none identified)"]:
            st.markdown("- " + escape_markdown(item))
    with better:
        st.subheader("Improvements")
        todo = improvements(framework, debrief, signal_weights(svc.kb, view.case_id))
        if not todo:
            st.markdown("- (none)")
        for item in todo:
            st.markdown(
                f"- **{escape_markdown(item.step_title)}: {escape_markdown(item.signal)}** ({item.shown})."
                f" {escape_markdown(item.stronger_answer)}"
            )
        unreached = [framework.step(s.step).title for s in debrief.steps if not s.reached]
        if unreached:
            st.caption("Not reached (the interview ended early): " + escape_markdown(", ".join(unreached)) + ".")
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
    lists(svc, view, debrief)
    st.subheader("Step by step")
    for result in debrief.steps:
        step_details(svc, view, debrief, result)
    downloads(svc, view)
    branches(svc, view)
    st.page_link(
        state.INTERVIEW,
        label="Read the transcript",
        icon=":material/forum:",
        query_params={state.SESSION_PARAM: view.session_id},
    )


main()
