"""Read-only views of the session history: scores over time, the weakest step, the next case to practise.

Plain functions over :class:`~interviewer.sessions.SessionSummary` rows and the knowledge base.
The app's History and Compare pages render what these return; nothing here writes anything.
A session's ``scores`` hold only the steps its interview reached (an early end leaves the rest
out), so every average here is over the interviews that reached the step, never a 1 for a step
nobody asked about.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from interviewer.knowledge.loader import KnowledgeBase
from interviewer.knowledge.models import Case
from interviewer.steps import STEP_IDS, StepId
from interviewer.store.base import SessionSummary

RECENT = 5
"""How many of the latest finished interviews decide the weakest step."""


@dataclass(frozen=True)
class ScorePoint:
    """One step score of one finished interview: a point of the score-over-time chart."""

    session_id: str
    case_id: str | None
    level: str
    finished_at: float
    """When the interview was scored (seconds since the epoch)."""
    step: StepId
    score: int


@dataclass(frozen=True)
class SessionPoint:
    """One finished interview on the history chart: its place among them, when, and its scores."""

    number: int
    """1 for the oldest finished interview, then 2, 3, ... (a label that never repeats)."""
    session_id: str
    case_id: str | None
    level: str
    finished_at: float
    """When the interview was scored (seconds since the epoch)."""
    overall: float | None
    scores: Mapping[StepId, int] = field(default_factory=dict)
    """Score of each step the interview reached; a step it never reached is absent."""


@dataclass(frozen=True)
class Suggestion:
    """The case to practise next and why it was chosen."""

    step: StepId
    """The weakest step it exercises."""
    average: float
    """The candidate's average score in that step over the recent interviews."""
    case: Case
    weight: int
    """Total weight of the case's rubric signals in that step."""
    practised: int
    """How many interviews the candidate has already done on this case."""
    interviews: int = 0
    """How many of the recent finished interviews reached the step: the average is over these."""


def finished(sessions: Iterable[SessionSummary]) -> list[SessionSummary]:
    """Return the scored sessions, oldest first."""
    return sorted((s for s in sessions if s.status == "finished" and s.scores), key=lambda s: s.updated_at)


def unfinished(sessions: Iterable[SessionSummary]) -> list[SessionSummary]:
    """Return the sessions that can be resumed, most recently used first."""
    return sorted((s for s in sessions if s.status != "finished"), key=lambda s: s.updated_at, reverse=True)


def score_points(sessions: Iterable[SessionSummary]) -> list[ScorePoint]:
    """Return every step score of every finished session, oldest session first, steps in order."""
    return [
        ScorePoint(s.session_id, s.case_id, s.level, s.updated_at, step, s.scores[step])
        for s in finished(sessions)
        for step in STEP_IDS
        if step in s.scores
    ]


def timeline(sessions: Iterable[SessionSummary]) -> list[SessionPoint]:
    """Return one point per finished session, oldest first, numbered from 1, with its reached steps' scores."""
    return [
        SessionPoint(
            number=number,
            session_id=s.session_id,
            case_id=s.case_id,
            level=s.level,
            finished_at=s.updated_at,
            overall=s.overall,
            scores={step: s.scores[step] for step in STEP_IDS if step in s.scores},
        )
        for number, s in enumerate(finished(sessions), start=1)
    ]


def _recent(sessions: Iterable[SessionSummary], recent: int | None) -> list[SessionSummary]:
    done = finished(sessions)
    if recent is None:
        return done
    return done[-recent:] if recent > 0 else []


def step_scores(sessions: Iterable[SessionSummary], *, recent: int | None = RECENT) -> dict[StepId, list[int]]:
    """Return each step's scores in the latest ``recent`` finished sessions (all if None) that reached it.

    A step no recent interview reached is absent.
    """
    done = _recent(sessions, recent)
    scores = {step: [s.scores[step] for s in done if step in s.scores] for step in STEP_IDS}
    return {step: values for step, values in scores.items() if values}


def step_averages(sessions: Iterable[SessionSummary], *, recent: int | None = RECENT) -> dict[StepId, float]:
    """Return the average score of each step over the latest ``recent`` finished sessions (all if None).

    Only the sessions that reached a step count towards its average; a step none reached is absent.
    """
    return {step: sum(values) / len(values) for step, values in step_scores(sessions, recent=recent).items()}


def weakest_step(sessions: Iterable[SessionSummary], *, recent: int | None = RECENT) -> StepId | None:
    """Return the step with the lowest recent average; ties go to the earlier step. None without history."""
    averages = step_averages(sessions, recent=recent)
    if not averages:
        return None
    return min(averages, key=lambda step: (averages[step], STEP_IDS.index(step)))


def step_weight(case: Case, step: StepId) -> int:
    """Return the total weight of a case's rubric signals in one step."""
    return sum(signal.weight for signal in case.signals_for(step))


def practice_counts(sessions: Iterable[SessionSummary]) -> Counter[str]:
    """Return how many interviews (finished or not, branches included) each case has had."""
    return Counter(s.case_id for s in sessions if s.case_id is not None)


def suggest_next_case(
    kb: KnowledgeBase, sessions: Iterable[SessionSummary], *, recent: int | None = RECENT
) -> Suggestion | None:
    """Suggest the case that best exercises the weakest step.

    Among the cases practised least, pick the one whose signals in the weakest step carry the
    most weight; the case id breaks remaining ties so the answer is reproducible.
    Returns None when there is no finished interview yet.
    """
    rows = list(sessions)
    step = weakest_step(rows, recent=recent)
    if step is None or not kb.cases:
        return None
    counts = practice_counts(rows)
    case = min(kb.cases.values(), key=lambda c: (counts[c.id], -step_weight(c, step), c.id))
    scores = step_scores(rows, recent=recent)[step]
    return Suggestion(
        step=step,
        average=sum(scores) / len(scores),
        case=case,
        weight=step_weight(case, step),
        practised=counts[case.id],
        interviews=len(scores),
    )


def family(sessions: Iterable[SessionSummary], session_id: str) -> list[SessionSummary]:
    """Return the branch tree a session belongs to: its root first, then every branch, oldest first.

    Returns an empty list when the session is unknown.
    """
    by_id = {s.session_id: s for s in sessions}
    if session_id not in by_id:
        return []
    root = by_id[session_id]
    seen = {root.session_id}
    while root.parent_id in by_id and root.parent_id not in seen:
        root = by_id[root.parent_id]
        seen.add(root.session_id)
    members = {root.session_id: root}
    frontier = {root.session_id}
    while frontier:
        children = [s for s in by_id.values() if s.parent_id in frontier and s.session_id not in members]
        members.update((c.session_id, c) for c in children)
        frontier = {c.session_id for c in children}
    branches = sorted((s for sid, s in members.items() if sid != root.session_id), key=lambda s: s.created_at)
    return [root, *branches]
