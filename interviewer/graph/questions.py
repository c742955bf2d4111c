"""Question choice: what the step is judged against, which gap to probe next, what a follow-up may see.

Plain functions over the state and the injected :class:`Context`, shared by the graph nodes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from interviewer.brain.base import FollowUpRequest, StepJudgment
from interviewer.graph.context import Context
from interviewer.graph.state import InterviewState
from interviewer.honesty import clean, judge
from interviewer.knowledge.models import Case, Signal
from interviewer.rubric import StepRubric, step_rubric
from interviewer.semantic.judging import signal_texts
from interviewer.steps import STEP_IDS, StepId
from interviewer.text import contains_cue, normalize, sentences
from interviewer.transcript import JUDGED_KINDS, judged_text

if TYPE_CHECKING:
    from interviewer.graph.calls import Calls


def case_of(ctx: Context, state: InterviewState) -> Case | None:
    """Return the interview's case, or None for the generic framework."""
    case_id = state.get("case_id")
    return ctx.kb.cases.get(case_id) if case_id else None


def step_of(state: InterviewState) -> StepId:
    """Return the current step."""
    return STEP_IDS[min(state.get("step_index", 0), len(STEP_IDS) - 1)]


def rubric_of(ctx: Context, state: InterviewState) -> StepRubric:
    """Return the current step's rubric, with a fired curveball and without flags for facts already told."""
    fired = [state["curveball_id"]] if state.get("curveball_fired") and state.get("curveball_id") else []
    revealed = state.get("revealed_facts", [])
    return step_rubric(ctx.kb, case_of(ctx, state), step_of(state), [c for c in fired if c], revealed)


def vocabulary(ctx: Context, case: Case | None) -> list[str]:
    """Return the domain words and the case's cues and unlock phrases: one lexical way to be on topic."""
    vocab = list(ctx.kb.framework.vocabulary)
    for step in ctx.kb.framework.steps:
        vocab += [cue for s in step.signals for cue in s.cues]
    if case is not None:
        vocab += [cue for step in case.steps.values() for s in step.signals for cue in s.cues]
        vocab += [cue for fact in case.facts for cue in fact.unlock]
    return vocab


def topic_texts(ctx: Context, case: Case | None) -> list[str]:
    """Return what an on-topic message is close to: the rubric's meanings and examples, and fact questions."""
    signals = [s for step in ctx.kb.framework.steps for s in step.signals]
    texts = []
    if case is not None:
        signals += [s for step in case.steps.values() for s in step.signals]
        texts += [q for fact in case.facts for q in fact.questions]
    return texts + [t for s in signals for t in signal_texts(s)]


def judge_step(ctx: Context, state: InterviewState, calls: Calls) -> StepJudgment:
    """Judge the current step's answers so far, instantly, through the judging pipeline: to pick a gap."""
    step = step_of(state)
    judged = [
        (i, judged_text(t["content"], t.get("sketch")))
        for i, t in enumerate(state.get("turns", []))
        if t["role"] == "candidate" and t["step"] == step and t.get("kind") in JUDGED_KINDS
    ]
    return calls.take(judge(ctx.brain.assess, rubric_of(ctx, state), judged, calls.situation(state), ctx.brain.reader))


def next_probe(
    state: InterviewState,
    rubric: StepRubric,
    judgment: StepJudgment,
    preferred: Sequence[str] = (),
    reopen: str | None = None,
) -> tuple[Signal, str] | None:
    """Return the most important uncovered signal not yet probed or declined, with an unasked probe.

    Signals named in ``preferred`` (e.g. those closest to what the candidate is talking about)
    come first, in that order; the rest follow by weight. ``reopen`` names a probed signal that may
    be targeted again (the gap of the question still open, for a hint).
    """
    done = set(state.get("probed", [])) - {f"{rubric.step}:{reopen}"} | set(state.get("declined", []))
    asked = set(state.get("asked", []))
    rank = {signal_id: i for i, signal_id in enumerate(preferred)}
    ranked = sorted(rubric.signals, key=lambda s: (rank.get(s.id, len(rank)), -s.weight))
    for signal in ranked:
        if judgment.status(signal.id) == "covered" or f"{rubric.step}:{signal.id}" in done:
            continue
        for probe in signal.probes:
            if probe not in asked:
                return signal, probe
    return None


def last_question(state: InterviewState) -> str:
    """Return the interviewer's last question."""
    asked = state.get("asked", [])
    return asked[-1] if asked else ""


RECORD_WORDS = 25
"""Words kept from each earlier answer in the record a generated follow-up sees."""


def follow_up_request(
    ctx: Context,
    state: InterviewState,
    rubric: StepRubric,
    judgment: StepJudgment,
    signal: Signal,
    probe: str,
    fact_ids: list[str],
) -> FollowUpRequest:
    """Collect what a brain may see to ask about one gap: this step in full, earlier steps in brief."""
    step = step_of(state)
    candidate = [t for t in state.get("turns", []) if t["role"] == "candidate" and t.get("kind") in JUDGED_KINDS]
    answers = tuple(text for t in candidate if t["step"] == step for text in [clean(t["content"])[0]] if text)
    record = []
    for earlier in STEP_IDS[: STEP_IDS.index(step)]:
        openings = [sentences(clean(t["content"])[0]) for t in candidate if t["step"] == earlier]
        firsts = [" ".join(sents[0].text.split()[:RECORD_WORDS]) for sents in openings if sents]
        if firsts:
            record.append(f"{ctx.kb.framework.step(earlier).title}: " + " / ".join(firsts))
    said = normalize(" ".join(answers))
    # A question naming an uncovered signal's cue or title hands out the answer (unless the candidate said it).
    forbidden = tuple(
        cue
        for s in rubric.signals
        if judgment.status(s.id) != "covered"
        for cue in (*s.cues, s.title)
        if not contains_cue(said, cue)
    )
    case = case_of(ctx, state)
    revealed = set(state.get("revealed_facts", [])) | set(fact_ids)
    hidden = tuple(f.content for f in case.facts if f.id not in revealed) if case else ()
    return FollowUpRequest(
        step_title=rubric.title,
        signal=signal,
        probe=probe,
        answers=answers,
        record=tuple(record),
        forbidden=forbidden,
        hidden_facts=hidden,
    )


def closest_signals(ctx: Context, state: InterviewState) -> list[str]:
    """Return the step's signal ids ordered by similarity to the candidate's answers in this step."""
    step = step_of(state)
    said = " ".join(
        t["content"]
        for t in state.get("turns", [])
        if t["role"] == "candidate" and t["step"] == step and t.get("kind") == "answer"
    )
    case_id = state.get("case_id")
    if ctx.retriever is None or not said or not case_id:
        return []
    hits = ctx.retriever.similar(said, case_id, step, k=12)
    kinds = ("signal", "example")
    return list(dict.fromkeys(hit.owner for hit in hits if hit.kind in kinds and hit.case_id == case_id))


def open_gap(state: InterviewState) -> str | None:
    """Return the signal the interviewer's last question in this step probed, if any: the open question's gap."""
    step = step_of(state)
    for turn in reversed(state.get("turns", [])):
        if turn["role"] == "interviewer" and turn["step"] == step and turn.get("kind") in ("follow_up", "hint"):
            return str(turn["signal"]) if turn.get("signal") else None
        if turn["role"] == "interviewer" and turn.get("kind") == "opening":
            return None
    return None
