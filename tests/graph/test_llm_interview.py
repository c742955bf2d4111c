"""Interviews run by the LLM brain: one call per turn, streamed follow-ups, grading off the path, faults."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from interviewer.brain.llm import LLMBrain
from interviewer.brain.offline import OfflineBrain
from interviewer.factory import make_service
from interviewer.graph.background import Background
from interviewer.graph.context import FakeClock
from interviewer.knowledge.loader import KnowledgeBase
from interviewer.llm.stub import StubServer
from interviewer.personas import ScriptedCandidate, load_persona
from interviewer.prompts import load_llm_prompts, load_phrases
from interviewer.rubric import step_rubric
from interviewer.sessions import InterviewService
from interviewer.settings import REPO_ROOT, Settings
from interviewer.simulate import simulate
from tests.fakes import FakeChat, broken, verdict

ANSWER = "I'd predict the click probability per impression because the auction multiplies it by the bid."
READER = OfflineBrain()


def _service(kb: KnowledgeBase, chat: FakeChat, clock: FakeClock | None = None, **extra: object) -> InterviewService:
    brain = LLMBrain(
        chat, load_llm_prompts(REPO_ROOT / "prompts"), kb, reader=READER, interviewer_model="m", grader_model="g"
    )
    return InterviewService(
        kb,
        brain,
        load_phrases(REPO_ROOT / "prompts"),
        clock=clock or FakeClock(0),
        curveballs=False,
        turn_deadline_s=5.0,
        cooldown_s=60.0,
        **extra,  # type: ignore[arg-type]
    )


def test_an_answer_costs_one_streamed_call_and_no_routing_call(kb: KnowledgeBase) -> None:
    chat = FakeChat().say(["You said the auction", " uses it. Who else", " cares about the result?"])
    service = _service(kb, chat)
    sid = service.start("ad-ctr").session_id
    pieces = list(service.stream(sid, ANSWER))
    assert [name for name, _ in chat.calls] == ["stream"]  # no classify, no fact matching, no grading
    assert len(pieces) >= 3  # the acknowledgement, then the question in pieces
    reply = "".join(pieces)
    view = service.state(sid)
    assert reply == view.turns[-1].content
    assert reply.endswith("You said the auction uses it. Who else cares about the result?")
    assert view.turns[-1].kind == "follow_up" and view.turns[-2].content == ANSWER
    assert chat.options[0]["deadline"] is not None


def test_a_clarifying_question_costs_one_structured_call_and_code_reveals_the_fact(kb: KnowledgeBase) -> None:
    chat = FakeChat().answer({"fact_ids": ["latency"]})
    service = _service(kb, chat)
    view = service.send(service.start("ad-ctr").session_id, "What is the latency budget?")
    assert [name for name, _ in chat.calls] == ["FactSelection"]
    assert [f.id for f in view.revealed_facts] == ["latency"]
    assert kb.case("ad-ctr").facts[1].content in view.turns[-1].content


def test_a_failed_turn_is_handled_offline_with_one_notice_and_the_breaker_opens(kb: KnowledgeBase) -> None:
    clock = FakeClock(0)
    chat = FakeChat().say(broken("the model server did not answer within 5 s"))
    service = _service(kb, chat, clock, max_follow_ups=5)
    sid = service.start("ad-ctr").session_id
    view = service.send(sid, ANSWER)
    assert [t.content for t in view.turns if t.role == "candidate"] == [ANSWER]
    notices = [t for t in view.turns if t.kind == "notice"]
    assert len(notices) == 1 and "did not answer within 5 s" in notices[0].content
    assert "_Malformed" not in notices[0].content and "about 60 s" in notices[0].content
    assert view.turns[-2].kind == "follow_up"  # the offline brain asked the authored probe, then the notice
    clock.advance(30)
    view = service.send(sid, "I'd also use the user's recent clicks because they predict intent.")
    assert len(chat.calls) == 1  # the breaker is open: no call, no new notice
    assert len([t for t in view.turns if t.kind == "notice"]) == 1
    clock.advance(31)
    chat.say(broken("still down"))
    view = service.send(sid, "The label is whether the impression was clicked within an hour.")
    assert len(chat.calls) == 2  # one probe after the cool-down...
    assert "about 2 min" in view.turns[-1].content  # ...failed again: the cool-down doubled


def test_one_sessions_failure_never_moves_another_session_offline(kb: KnowledgeBase) -> None:
    chat = FakeChat()
    service = _service(kb, chat)
    first = service.start("ad-ctr").session_id
    second = service.start("ad-ctr").session_id
    chat.say(broken("down"))
    service.send(first, ANSWER)
    chat.say("Who else cares about the result?")
    view = service.send(second, ANSWER)
    assert not any(t.kind == "notice" for t in view.turns)  # its own breaker is closed, its notices its own
    assert view.turns[-1].content.endswith("Who else cares about the result?")


def test_grading_runs_off_the_path_and_the_debrief_regrades_only_what_changed(kb: KnowledgeBase) -> None:
    chat = FakeChat()
    service = _service(kb, chat, background=Background())
    sid = service.start("ad-ctr").session_id
    chat.say("What else?")
    service.send(sid, ANSWER)
    chat.answer(
        verdict(step_rubric(kb, kb.case("ad-ctr"), "requirements"))
    )  # the requirements step's grade, started in the background when the step ends
    service.control(sid, "move_on")
    chat.say("Why that label?")
    service.send(sid, "I'd frame it as predicting a click probability per impression.")
    chat.answer(
        verdict(step_rubric(kb, kb.case("ad-ctr"), "framing"))
    )  # only the framing step is left to grade: the others have no answers
    view = service.control(sid, "end")
    assert view.done and view.debrief is not None and len(view.debrief.steps) == 7
    assert [n for n, _ in chat.calls].count("StepGrade") == 2
    usage = view.debrief.metadata["usage"]
    assert isinstance(usage, dict) and usage["calls"] == len(chat.calls)


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
        llm_check=False,
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
    assert notices and "could not be reached" in notices[0].content
    assert len(view.debrief.steps) == 7


def _stub_service(stub: StubServer, tmp_path: Path, **settings: object) -> InterviewService:
    values = {
        "provider": "openai",
        "OPENAI_BASE_URL": stub.url,
        "data_dir": tmp_path,
        "interviewer_model": "stub",
        "grader_model": "stub",
        **settings,
    }
    return make_service(Settings(_env_file=None, **values), persistent=False, clock=FakeClock())  # type: ignore[call-arg]


@pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
def test_a_server_that_stalls_costs_one_slow_turn_then_the_breaker_answers_at_once(tmp_path: Path) -> None:
    with StubServer(slow_s=20.0) as stub:
        stub.always("stall")
        service = _stub_service(stub, tmp_path, llm_turn_deadline_s=1.0)
        sid = service.start("ad-ctr").session_id
        started = time.monotonic()
        view = service.send(sid, ANSWER)
        assert time.monotonic() - started < 10.0  # bounded by the turn's deadline, not the 20 s stall
        assert "did not answer" in next(t for t in view.turns if t.kind == "notice").content
        asked = len(stub.requests)
        view = service.send(sid, "I'd also use the user's recent clicks because they predict intent.")
        assert len(stub.requests) == asked  # the breaker is open: no request
        assert view.turns[-1].kind == "follow_up"


@pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
@pytest.mark.parametrize("fault", ["not_json", "bad_request", "refusal", "length"])
def test_a_server_that_always_fails_never_stops_an_interview(tmp_path: Path, fault: str) -> None:
    persona = load_persona(REPO_ROOT / "evals" / "personas" / "ad-ctr" / "weak.yaml")
    with StubServer() as stub:
        stub.always(fault)
        service = _stub_service(stub, tmp_path, llm_cooldown_s=0.0)
        result = simulate(service, persona, "ad-ctr")
    assert len(result.debrief.steps) == 7
    notices = [t.content for t in result.transcript.turns if t.kind == "notice"]
    assert notices and not any(re.search(r"\w(Error|Exception)\b|_[A-Z]", n) for n in notices)  # no class names


@pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
def test_a_400_that_is_not_about_response_format_keeps_structured_outputs(tmp_path: Path) -> None:
    with StubServer() as stub:
        service = _stub_service(stub, tmp_path, llm_cooldown_s=0.0)
        sid = service.start("ad-ctr").session_id
        stub.fail_next("bad_request")
        view = service.send(sid, "What is the latency budget?")
        assert [f.id for f in view.revealed_facts] == ["latency"]  # the offline reader answered
        service.send(sid, "How many requests per second at peak?")
    formats = [(r.get("response_format") or {}).get("type") for r in stub.requests]
    assert formats == ["json_schema", "json_schema"]
