"""Interviewer-behaviour metrics of one simulated interview (definitions in evals/README.md).

A fixed reference judge (the offline brain) decides what the candidate had covered when the
interviewer spoke, whichever brain ran the interview, so brains are compared on one ruler.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from interviewer.brain.guard import leaks
from interviewer.brain.offline import OfflineBrain
from interviewer.grading import curveballs_in, resolve_case
from interviewer.honesty import judged
from interviewer.knowledge.loader import KnowledgeBase
from interviewer.knowledge.models import Case
from interviewer.rubric import step_rubric
from interviewer.steps import STEP_IDS, StepId
from interviewer.text import normalize
from interviewer.transcript import JUDGED_KINDS, Transcript, Turn

PRAISE = re.compile(
    r"\b(great|excellent|perfect|good answer|good point|well done|nice|correct|impressive|exactly right|spot on|"
    r"brilliant|awesome|fantastic|love that)\b",
    re.IGNORECASE,
)
QUESTION_KINDS = ("opening", "follow_up", "hint", "curveball")
HIGH_WEIGHT = 3
LOOP_REPEATS = 3


@dataclass
class InterviewMetrics:
    """Counts from one interview; the suite sums them into rates."""

    steps_opened: int = 0
    in_order: bool = True
    follow_ups: int = 0
    follow_ups_on_missed: int = 0
    high_missed: int = 0
    high_missed_probed: int = 0
    checked_turns: int = 0
    leaks: list[str] = field(default_factory=list)
    questions: int = 0
    repeats: int = 0
    loop: bool = False
    praise: list[str] = field(default_factory=list)
    interviewer_turns: int = 0


def _question(turn: Turn) -> str:
    asked = [s for s in re.split(r"(?<=[.?!])\s+", turn.content) if s.strip().endswith("?")]
    return normalize(asked[-1]) if asked else ""


def _judged_before(transcript: Transcript, step: str, before: int) -> list[tuple[int, str]]:
    return [
        (i, t.content)
        for i, t in enumerate(transcript.turns[:before])
        if t.role == "candidate" and t.step == step and (t.kind is None or t.kind in JUDGED_KINDS)
    ]


def interview_metrics(
    kb: KnowledgeBase, transcript: Transcript, judge: OfflineBrain, max_turns_per_step: int = 8
) -> InterviewMetrics:
    """Measure the interviewer's behaviour in one transcript."""
    m = InterviewMetrics()
    case = resolve_case(kb, transcript.case_id)
    fired = curveballs_in(transcript, case)
    openings = [STEP_IDS.index(t.step) for t in transcript.turns if t.role == "interviewer" and t.kind == "opening"]
    m.steps_opened = len(set(openings))
    m.in_order = openings == sorted(openings)
    revealed: set[str] = set()
    asked: set[str] = set()
    previous: list[str] = []
    for i, turn in enumerate(transcript.turns):
        if turn.role != "interviewer":
            continue
        m.interviewer_turns += 1
        previous = (previous + [turn.content])[-LOOP_REPEATS:]
        if len(previous) == LOOP_REPEATS and len(set(previous)) == 1:
            m.loop = True
        if turn.kind in ("notice", "closing"):
            continue
        if turn.kind == "fact":  # answers to clarifying questions: measured by clarifying accuracy
            revealed |= set(turn.facts)
            continue
        rubric = step_rubric(kb, case, turn.step, fired)
        judgment = judged(judge, rubric, _judged_before(transcript, turn.step, i))
        if PRAISE.search(turn.content):
            m.praise.append(turn.content)
        m.checked_turns += 1
        if _leaks(
            transcript,
            i,
            case,
            fired,
            revealed,
            [c for s in rubric.signals if judgment.status(s.id) != "covered" for c in s.cues],
        ):
            m.leaks.append(f"turn {i}: {turn.content[:120]}")
        revealed |= set(turn.facts)
        _count_question(turn, asked, m)
        if turn.kind == "follow_up" and turn.signal:
            m.follow_ups += 1
            m.follow_ups_on_missed += judgment.status(turn.signal) != "covered"
    for step in STEP_IDS:
        _high_weight_targeting(kb, case, transcript, judge, step, m, fired)
        if len(transcript.judged_turns(step)) > max_turns_per_step:
            m.loop = True
    return m


def _count_question(turn: Turn, asked: set[str], m: InterviewMetrics) -> None:
    """Count a question turn, and whether its question was asked before."""
    question = _question(turn) if turn.kind in QUESTION_KINDS else ""
    if question:
        m.questions += 1
        m.repeats += question in asked
        asked.add(question)


def _leaks(
    transcript: Transcript, i: int, case: Case | None, fired: list[str], revealed: set[str], forbidden: list[str]
) -> bool:
    """Return whether interviewer turn ``i`` names an uncovered signal or states a fact nobody asked for."""
    turn = transcript.turns[i]
    said = " ".join(text for _, text in _judged_before(transcript, turn.step, i))
    hidden = [f.content for f in (case.facts if case else []) if f.id not in revealed and f.id not in turn.facts]
    checked = turn.content
    if case:  # authored text the candidate is meant to see: the prompt, curveballs, revealed facts
        for shown in [case.prompt, *(c.message for c in case.curveballs if c.id in fired)]:
            checked = checked.replace(shown, "")
        for fact in case.facts:
            if fact.id in revealed or fact.id in turn.facts:
                checked = checked.replace(fact.content, "")
    return bool(leaks(checked, forbidden=forbidden, hidden_facts=hidden, said=said))


def _high_weight_targeting(
    kb: KnowledgeBase,
    case: Case | None,
    transcript: Transcript,
    judge: OfflineBrain,
    step: StepId,
    m: InterviewMetrics,
    fired: list[str],
) -> None:
    """Count high-weight signals missed by the step's first answer, and how many got probed."""
    turns = transcript.turns
    first = next(
        (i for i, t in enumerate(turns) if t.role == "candidate" and t.step == step and t.kind in (None, "answer")),
        None,
    )
    if first is None:
        return
    rubric = step_rubric(kb, case, step, fired)
    judgment = judged(judge, rubric, [(first, turns[first].content)])
    probed = {t.signal for t in turns[first:] if t.role == "interviewer" and t.step == step and t.signal}
    for signal in rubric.signals:
        if signal.weight >= HIGH_WEIGHT and judgment.status(signal.id) != "covered":
            m.high_missed += 1
            m.high_missed_probed += signal.id in probed
