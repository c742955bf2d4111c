"""Run a simulated candidate through the real interview graph."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from typing import Protocol

from interviewer.debrief import Debrief
from interviewer.graph.context import FakeClock
from interviewer.personas import Persona, ScriptedCandidate
from interviewer.sessions import InterviewService, SessionView
from interviewer.transcript import Transcript

SECONDS_PER_TURN = 45.0
"""Simulated time a candidate turn takes, so step budgets behave as in a real interview."""
MAX_TURNS = 200


@dataclass(frozen=True)
class SimulationResult:
    """The transcript and debrief of a simulated interview."""

    session_id: str
    transcript: Transcript
    debrief: Debrief


class Candidate(Protocol):
    """Anything that answers the interviewer: a scripted persona or a language model."""

    name: str

    def reply(self, view: SessionView) -> str:
        """Return the candidate's next message."""
        ...


def simulate(
    service: InterviewService,
    persona: Persona | Candidate,
    case_id: str | None,
    level: str = "senior",
    *,
    seed: str | None = None,
    timings: list[float] | None = None,
) -> SimulationResult:
    """Interview a simulated candidate end to end and return transcript and debrief.

    The session id (and so the curveball) derives from case and ``seed`` (default: the
    persona's name); give two personas one seed to interview them under the same conditions.
    Seconds per candidate turn are appended to ``timings`` when given.
    """
    candidate = ScriptedCandidate(persona) if isinstance(persona, Persona) else persona
    base = f"sim-{case_id or 'generic'}-{seed or persona.name}"
    session_id = base
    for n in itertools.count(2):
        if not service.store.exists(session_id):
            break
        session_id = f"{base}-{n}"
    view = service.start(case_id, level, session_id=session_id)
    for _ in range(MAX_TURNS):
        if view.done:
            break
        if isinstance(service.clock, FakeClock):
            service.clock.advance(SECONDS_PER_TURN)
        message = candidate.reply(view)
        started = time.perf_counter()
        view = service.send(view.session_id, message)
        if timings is not None:
            timings.append(time.perf_counter() - started)
    else:
        view = service.control(view.session_id, "end")
    assert view.debrief is not None
    return SimulationResult(view.session_id, service.transcript(view.session_id), view.debrief)
