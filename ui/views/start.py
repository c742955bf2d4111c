"""Start page: pick a case and a level, see the brain in use, or resume an unfinished interview."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import streamlit as st

from interviewer import progress
from interviewer.knowledge.loader import KnowledgeBase
from interviewer.knowledge.models import Case
from interviewer.steps import LEVELS
from ui import state
from ui.format import escape_error, escape_markdown, when

if TYPE_CHECKING:
    from interviewer.sessions import InterviewService

ANY = "Any"


def resume_section(svc: InterviewService) -> None:
    """List unfinished interviews with a button to resume each."""
    from interviewer.sessions import SessionNotFound

    open_ones = progress.unfinished(svc.list_sessions())[:5]
    if not open_ones:
        return
    st.subheader("Resume an unfinished interview")
    for summary in open_ones:
        try:
            view = svc.state(summary.session_id)
        except SessionNotFound:  # listed but never checkpointed (its start failed)
            continue
        step = svc.kb.framework.steps[view.step_index].title
        branch = " · branch" if summary.parent_id else ""
        left, right = st.columns([4, 1], vertical_alignment="center")
        title, level = escape_markdown(view.case_title), escape_markdown(view.level)
        left.markdown(
            f"**{title}** · {level}{branch} · step {view.step_index + 1} of 7"
            f" ({escape_markdown(step)}) · {len(view.turns)} messages · last active {when(summary.updated_at)}"
        )
        if right.button("Resume", key=f"resume-{summary.session_id}", icon=":material/play_arrow:"):
            state.go(state.INTERVIEW, summary.session_id)


def filtered_cases(cases: list[Case], domain: str, difficulty: str) -> list[Case]:
    """Return the cases matching the chosen domain and difficulty."""
    return [c for c in cases if domain in (ANY, c.domain) and difficulty in (ANY, c.difficulty)]


def new_interview(kb: KnowledgeBase) -> None:
    """Choose a case and level, then start (the engine is asked for only when Start is pressed)."""
    st.subheader("New interview")
    cases = sorted(kb.cases.values(), key=lambda c: c.title)
    left, right = st.columns(2)
    domain = left.selectbox("Domain", [ANY, *sorted({c.domain for c in cases})], key="domain")
    difficulty = right.selectbox("Difficulty", [ANY, "easy", "medium", "hard"], key="difficulty")
    matching = filtered_cases(cases, domain, difficulty)
    if not matching:
        st.warning("No case matches these filters.")
        return
    surprise = st.toggle("Surprise me (a random case among the matching ones)", key="surprise")
    chosen: Case | None = None
    if not surprise:
        titles = {c.title: c for c in matching}
        pick = st.selectbox("Case", list(titles), key="case")
        chosen = titles[pick]
        st.info(escape_markdown(chosen.prompt), icon=":material/description:")
        st.caption(f"Domain: {escape_markdown(chosen.domain)} · difficulty: {escape_markdown(chosen.difficulty)}")
    level = st.radio("Target level", list(LEVELS), index=LEVELS.index("senior"), horizontal=True, key="level")
    if st.button("Start the interview", type="primary", icon=":material/play_arrow:", key="start"):
        from interviewer.sessions import InputError

        case = chosen or random.choice(matching)
        try:
            view = state.service().start(case.id, level)
        except InputError as exc:
            st.error(escape_error(str(exc)))
            return
        state.go(state.INTERVIEW, view.session_id)


def main() -> None:
    """Draw the start page: it needs the knowledge base only, never the engine."""
    st.title("ML system design mock interview")
    st.markdown(
        "You are interviewed through the seven steps of the ML system design framework. Ask clarifying"
        " questions: the interviewer holds facts back until you ask. You get a scored debrief at the end."
    )
    st.caption(f"Brain: {escape_markdown(state.brain_label())}")
    new_interview(state.knowledge())
    # The engine loads after the form is on screen, in this script run (not in a thread: CPython 3.11 can
    # fail when two threads compile code at once); the unfinished interviews follow once it is ready.
    resume_section(state.service())


main()
