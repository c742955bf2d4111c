"""Pieces several pages draw: the interview header, step progress, timers, turns and facts."""

from __future__ import annotations

import streamlit as st

from interviewer.knowledge.models import Framework
from interviewer.sessions import SessionView
from interviewer.steps import STEP_IDS
from interviewer.transcript import Turn
from ui.format import escape_markdown, inline_code, progress_label

AVATARS = {"interviewer": ":material/record_voice_over:", "candidate": ":material/person:"}
CONTROL_LABELS = {"hint": "asked for a hint", "move_on": "asked to move on", "end": "ended the interview"}


def header(view: SessionView, brain: str) -> None:
    """Show the case, target level and brain of an interview."""
    st.title(escape_markdown(view.case_title))
    level, brain = escape_markdown(view.level), escape_markdown(brain)
    st.caption(f"Level: {level} · Brain: {brain} · Session {inline_code(view.session_id)}")


def step_progress(framework: Framework, view: SessionView) -> None:
    """Show the seven steps: done ones ticked, the current one highlighted, those an early end never reached."""
    reached = {s.step for s in view.debrief.steps if s.reached} if view.debrief else set(STEP_IDS)
    done = len(reached) if view.done else view.step_index
    current = escape_markdown(framework.steps[view.step_index].title)
    text = progress_label(
        step_number=view.step_index + 1, total=len(STEP_IDS), title=current, done=view.done, reached=len(reached)
    )
    st.progress(done / len(STEP_IDS), text=text)
    lines = []
    for index, step in enumerate(framework.steps):
        title = escape_markdown(step.title)
        if view.done and step.id not in reached:
            lines.append(f":gray[:material/block: {title} · not reached]")
        elif view.done or index < view.step_index:
            lines.append(f":green[:material/check_circle:] {title}")
        elif index == view.step_index:
            lines.append(f":blue[:material/radio_button_checked:] **{title}** · {step.budget_minutes} min")
        else:
            lines.append(f":gray[:material/radio_button_unchecked: {title}]")
    st.markdown("  \n".join(lines))


def turn_body(turn: Turn) -> None:
    """Write one message's text safely (candidate and model text never becomes Markdown or HTML)."""
    st.markdown(escape_markdown(turn.content))


def facts_panel(view: SessionView) -> None:
    """List the hidden facts revealed so far."""
    st.subheader("Facts revealed")
    if not view.revealed_facts:
        st.caption("None yet. Ask clarifying questions to learn about the problem.")
    for fact in view.revealed_facts:
        st.markdown(f"**{escape_markdown(fact.topic)}**: {escape_markdown(fact.content)}")
    st.caption(f"Hints taken: {view.hints} (counted in the debrief)")
