"""Pieces several pages draw: the interview header, step progress, timers, turns and facts."""

from __future__ import annotations

import time
from datetime import timedelta

import streamlit as st

from interviewer.knowledge.models import Framework
from interviewer.sessions import SessionView
from interviewer.steps import STEP_IDS
from interviewer.transcript import Turn
from ui.format import budget_fraction, budget_note, duration, escape_markdown, inline_code

AVATARS = {"interviewer": ":material/record_voice_over:", "candidate": ":material/person:"}
CONTROL_LABELS = {"hint": "asked for a hint", "move_on": "asked to move on", "end": "ended the interview"}


def header(view: SessionView, brain: str) -> None:
    """Show the case, target level and brain of an interview."""
    st.title(escape_markdown(view.case_title))
    level, brain = escape_markdown(view.level), escape_markdown(brain)
    st.caption(f"Level: {level} · Brain: {brain} · Session {inline_code(view.session_id)}")


def step_progress(framework: Framework, view: SessionView) -> None:
    """Show the seven steps, done ones ticked and the current one highlighted."""
    done = len(STEP_IDS) if view.done else view.step_index
    current = escape_markdown(framework.steps[view.step_index].title)
    text = "All seven steps done" if view.done else f"Step {view.step_index + 1} of {len(STEP_IDS)}: {current}"
    st.progress(done / len(STEP_IDS), text=text)
    lines = []
    for index, step in enumerate(framework.steps):
        title = escape_markdown(step.title)
        if view.done or index < view.step_index:
            lines.append(f":green[:material/check_circle:] {title}")
        elif index == view.step_index:
            lines.append(f":blue[:material/radio_button_checked:] **{title}** · {step.budget_minutes} min")
        else:
            lines.append(f":gray[:material/radio_button_unchecked: {title}]")
    st.markdown("  \n".join(lines))


def _timers(view: SessionView, framework: Framework, now: float) -> None:
    total_budget = sum(step.budget_minutes for step in framework.steps)
    if view.done:
        last = next((t.elapsed_s for t in reversed(view.turns) if t.elapsed_s is not None), None)
        st.caption(f"Interview length: {duration(last or 0)} (suggested {total_budget} min)")
        return
    overall = now - view.started_at if view.started_at else 0.0
    step = now - view.step_started_at if view.step_started_at else 0.0
    title = escape_markdown(framework.steps[view.step_index].title)
    st.progress(budget_fraction(step, view.budget_minutes), text=f"{title}: {budget_note(step, view.budget_minutes)}")
    st.progress(budget_fraction(overall, total_budget), text=f"Overall: {budget_note(overall, total_budget)}")
    st.caption(
        "Suggested times. Past a step's time the interviewer moves on after your next answer; time is never scored."
    )


def timers(view: SessionView, framework: Framework) -> None:
    """Show elapsed time in this step and overall against the suggested budgets; refreshes on its own."""
    if view.done:
        _timers(view, framework, time.time())
        return

    @st.fragment(run_every=timedelta(seconds=5))
    def ticking() -> None:
        _timers(view, framework, time.time())

    ticking()


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
