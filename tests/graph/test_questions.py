from interviewer.brain.base import SignalJudgment, StepJudgment
from interviewer.graph.questions import next_probe, open_gap
from interviewer.graph.state import InterviewState
from interviewer.knowledge.loader import KnowledgeBase
from interviewer.knowledge.models import Signal
from interviewer.rubric import step_rubric


def _state(turns: list[dict[str, object]], probed: list[str], asked: list[str]) -> InterviewState:
    return {"step_index": 2, "turns": turns, "probed": probed, "asked": asked}  # type: ignore[typeddict-item]


def test_the_open_question_names_its_gap_until_the_step_opens_again() -> None:
    turns = [
        {"role": "interviewer", "step": "data", "kind": "opening", "content": "What data?"},
        {"role": "candidate", "step": "data", "kind": "answer", "content": "Logs."},
        {"role": "interviewer", "step": "data", "kind": "follow_up", "signal": "accidental-clicks", "content": "?"},
        {"role": "candidate", "step": "data", "kind": "answer", "content": "Hmm."},
    ]
    assert open_gap(_state(turns, [], [])) == "accidental-clicks"
    assert open_gap(_state(turns[:2], [], [])) is None


def test_a_hint_may_return_to_the_probed_gap_while_it_has_an_unasked_probe(kb: KnowledgeBase) -> None:
    rubric = step_rubric(kb, kb.case("ad-ctr"), "data")
    signal: Signal = rubric.signals[0]
    two = rubric.signals[0].model_copy(update={"probes": [*signal.probes, "And what else about that?"]})
    rubric = rubric.__class__(**{**rubric.__dict__, "signals": (two, *rubric.signals[1:])})
    missing = StepJudgment(tuple(SignalJudgment(s.id, "missing") for s in rubric.signals))
    state = _state([], probed=[f"data:{two.id}"], asked=[two.probes[0]])
    other = next_probe(state, rubric, missing)
    assert other is not None and other[0].id != two.id
    again = next_probe(state, rubric, missing, preferred=[two.id], reopen=two.id)
    assert again == (two, "And what else about that?")
