"""Interviews run by the LLM brain: streamed follow-ups, usage in the debrief, and faults mid-interview."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.brain.fallback import FallbackBrain
from interviewer.brain.llm import LLMBrain
from interviewer.brain.offline import OfflineBrain
from interviewer.factory import make_service
from interviewer.graph.context import FakeClock
from interviewer.knowledge.loader import KnowledgeBase
from interviewer.llm.stub import StubServer
from interviewer.personas import ScriptedCandidate, load_persona
from interviewer.prompts import load_llm_prompts, load_phrases
from interviewer.sessions import InterviewService
from interviewer.settings import REPO_ROOT, Settings
from tests.fakes import FakeChat, broken

ANSWER = "I'd predict the click probability per impression because the auction multiplies it by the bid."


def _service(kb: KnowledgeBase, chat: FakeChat) -> InterviewService:
    llm = LLMBrain(chat, load_llm_prompts(REPO_ROOT / "prompts"), interviewer_model="m", grader_model="g")
    brain = FallbackBrain(llm, OfflineBrain(), cooldown_s=0)
    return InterviewService(kb, brain, load_phrases(REPO_ROOT / "prompts"), clock=FakeClock(0), curveballs=False)


def test_a_follow_up_streams_token_by_token_through_the_session_api(kb: KnowledgeBase) -> None:
    chat = FakeChat().answer({"kind": "answer"}, {"fact_ids": []}, {"signals": [], "red_flags": []})
    chat.say(["You said the auction", " uses it. Who else", " cares about the result?"])
    service = _service(kb, chat)
    sid = service.start("ad-ctr").session_id
    pieces = list(service.stream(sid, ANSWER))
    assert len(pieces) >= 4
    reply = "".join(pieces)
    view = service.state(sid)
    assert reply == view.turns[-1].content
    assert reply.endswith("You said the auction uses it. Who else cares about the result?")
    assert view.turns[-1].kind == "follow_up" and view.turns[-2].content == ANSWER


def test_a_failed_turn_is_handled_offline_with_a_notice_and_the_answer_kept(kb: KnowledgeBase) -> None:
    chat = FakeChat().answer(broken(), broken(), broken()).say(broken())
    service = _service(kb, chat)
    sid = service.start("ad-ctr").session_id
    view = service.send(sid, ANSWER)
    candidate = [t for t in view.turns if t.role == "candidate"]
    assert [t.content for t in candidate] == [ANSWER]
    notices = [t for t in view.turns if t.kind == "notice"]
    assert len(notices) == 1 and "offline brain handled this turn" in notices[0].content
    assert view.turns[-1].kind == "follow_up"  # the offline brain asked the authored probe
    assert view.pending_message is None


def test_token_usage_is_counted_per_interview_and_reported_in_the_debrief(kb: KnowledgeBase) -> None:
    chat = FakeChat()
    service = _service(kb, chat)
    chat.answer({"kind": "answer"}, {"fact_ids": []}, {"signals": [], "red_flags": []}).say("What else?")
    sid = service.start("ad-ctr").session_id
    service.send(sid, ANSWER)
    chat.answer(*[{"signals": [], "red_flags": []}] * 7)
    view = service.control(sid, "end")
    assert view.done and view.debrief is not None
    usage = view.debrief.metadata["usage"]
    assert isinstance(usage, dict)
    assert usage["calls"] == len(chat.calls)
    assert usage["prompt_tokens"] > 0


@pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
def test_a_server_stopped_mid_interview_finishes_on_the_offline_brain(tmp_path: Path) -> None:
    persona = load_persona(REPO_ROOT / "evals" / "personas" / "ad-ctr" / "average.yaml")
    candidate = ScriptedCandidate(persona)
    stub = StubServer().start()
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        provider="openai",
        OPENAI_BASE_URL=stub.url,
        data_dir=tmp_path,
        llm_attempts=2,
    )
    service = make_service(settings, persistent=False, clock=FakeClock())
    view = service.start("ad-ctr", "senior")
    sent: list[str] = []
    for _ in range(4):
        sent.append(candidate.reply(view))
        view = service.send(view.session_id, sent[-1])
    assert len(stub.requests) > 0
    assert not any(t.kind == "notice" for t in view.turns)
    stub.stop()
    for _ in range(80):
        if view.done:
            break
        sent.append(candidate.reply(view))
        view = service.send(view.session_id, sent[-1])
    assert view.done and view.debrief is not None
    assert [t.content for t in view.turns if t.role == "candidate"] == sent
    notices = [t for t in view.turns if t.kind == "notice"]
    assert notices and "offline brain" in notices[0].content
    assert len(view.debrief.steps) == 7
