"""Every case, interviewed end to end by its built-in personas through the real graph."""

import pytest

from interviewer.brain.offline import OfflineBrain
from interviewer.factory import knowledge
from interviewer.graph.context import FakeClock
from interviewer.knowledge.loader import KnowledgeBase
from interviewer.personas import Persona, builtin_persona_path, load_persona
from interviewer.prompts import load_phrases
from interviewer.sessions import InterviewService
from interviewer.settings import REPO_ROOT
from interviewer.simulate import simulate
from interviewer.steps import STEP_IDS

PERSONAS = REPO_ROOT / "evals" / "personas"
CASES = sorted(knowledge(REPO_ROOT / "knowledge").cases)


def _run(kb: KnowledgeBase, case_id: str, name: str):  # type: ignore[no-untyped-def]
    service = InterviewService(kb, OfflineBrain(), load_phrases(REPO_ROOT / "prompts"), clock=FakeClock())
    return simulate(service, load_persona(builtin_persona_path(PERSONAS, case_id, name)), case_id)


@pytest.mark.parametrize("case_id", CASES)
def test_personas_are_ordered_and_evidence_is_verbatim(kb: KnowledgeBase, case_id: str) -> None:
    results = {name: _run(kb, case_id, name) for name in ("strong", "average", "weak")}
    scores = {name: r.debrief.overall.score for name, r in results.items()}
    assert scores["strong"] > scores["average"] > scores["weak"], scores
    for result in results.values():
        assert [s.step for s in result.debrief.steps] == list(STEP_IDS)
        turns = result.transcript.turns
        for step in result.debrief.steps:
            for ev in step.evidence:
                assert ev.turn is not None and turns[ev.turn].role == "candidate"
                assert ev.quote in turns[ev.turn].content
        asked = [t.content for t in turns if t.role == "interviewer" and t.kind == "follow_up"]
        assert len(asked) == len(set(asked)), "a follow-up was repeated"


def test_persona_that_runs_out_asks_to_move_on(kb: KnowledgeBase) -> None:
    persona = Persona(name="silent", case_id="ad-ctr")
    service = InterviewService(kb, OfflineBrain(), load_phrases(REPO_ROOT / "prompts"), clock=FakeClock())
    result = simulate(service, persona, "ad-ctr")
    candidate = [t for t in result.transcript.turns if t.role == "candidate"]
    assert len(candidate) == len(STEP_IDS)
    assert all(t.kind == "move_on" for t in candidate)
    assert result.debrief.overall.score == 1.0
