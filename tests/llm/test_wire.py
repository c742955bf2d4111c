"""The OpenAI wire format, pinned by cassettes (tests/llm/cassettes/test_wire/).

Each test replays its cassette: the request body the code sends must match the recorded one
exactly (as JSON), and every recorded interaction must be played. ``make cassettes`` re-records
them against the project's stub server, answering as each test's responder below does; see
tests/llm/cassettes/README.md for re-recording against a real server.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import openai
import pytest

from interviewer.brain.base import FollowUpRequest, Situation
from interviewer.brain.llm import LLMBrain
from interviewer.brain.offline import OfflineBrain
from interviewer.honesty import judge
from interviewer.knowledge.loader import KnowledgeBase
from interviewer.llm.client import OpenAIChat, RetryPolicy
from interviewer.prompts import load_llm_prompts
from interviewer.rubric import step_rubric
from interviewer.settings import REPO_ROOT
from tests.llm.conftest import record_target

ANSWER = (
    "We join impressions and clicks on the impression id, because clicks arrive up to a day late. "
    "Clicks are rare, so we downsample negatives and correct the probabilities for the sampling rate."
)
QUESTION = "You join on the impression id; how would you make sure a feature never sees the future?"


def _brain(kb: KnowledgeBase, base_url: str, mode: str = "auto") -> LLMBrain:
    client = openai.OpenAI(
        api_key=os.environ.get("INTERVIEWER_RECORD_API_KEY", "sk-test"), base_url=base_url, max_retries=0
    )
    chat = OpenAIChat(
        client,
        structured_mode=mode,  # type: ignore[arg-type]
        retry=RetryPolicy(attempts=1),
        output_token_param="max_completion_tokens",  # recorded as OpenAI, whatever server answered
    )
    prompts = load_llm_prompts(REPO_ROOT / "prompts")
    return LLMBrain(chat, prompts, kb, reader=OfflineBrain(), interviewer_model="gpt-4.1-mini", grader_model="gpt-4.1")


def _here(kb: KnowledgeBase) -> Situation:
    return Situation(case=kb.case("ad-ctr"), step="data", step_title="Data", question="What data would you use?")


def _played(vcr: Any, calls: int) -> None:
    if vcr.record_mode == "none":  # replaying: every recorded interaction must have been used
        assert vcr.play_count == len(vcr.data) == calls and vcr.all_played


def _facts(body: dict[str, Any]) -> str:
    return json.dumps({"fact_ids": ["latency"]})


def _grades(body: dict[str, Any]) -> str:
    verdicts = {
        "impression-logs": {"quote": ANSWER.split(". ")[0] + ".", "turn": 3, "status": "covered"},
        "negative-downsampling": {"quote": ANSWER.split(". ")[1], "turn": 3, "status": "covered"},
    }
    schema = body["response_format"]["json_schema"]["schema"]
    ids = schema["$defs"]["Signals"]["properties"]
    missing = {"quote": "", "turn": -1, "status": "missing"}
    return json.dumps({"signals": {i: verdicts.get(i, missing) for i in ids}, "red_flags": []})


def _question(body: dict[str, Any]) -> str:
    return QUESTION


@pytest.fixture
def facts_url() -> Iterator[str]:
    yield from record_target(_facts)


@pytest.fixture
def grades_url() -> Iterator[str]:
    yield from record_target(_grades)


@pytest.fixture
def stream_url() -> Iterator[str]:
    yield from record_target(_question)


@pytest.fixture
def no_schema_url() -> Iterator[str]:
    yield from record_target(_facts, "no_schema")


@pytest.mark.vcr
def test_fact_matching_sends_the_sdks_strict_schema_with_the_stable_prefix(
    vcr: Any, kb: KnowledgeBase, facts_url: str
) -> None:
    outcome = _brain(kb, facts_url).match_facts("What is the latency budget?", kb.case("ad-ctr").facts, _here(kb))
    assert [f.id for f in outcome.value] == ["latency"]
    assert outcome.usage["prompt_tokens"] > 1024
    body = json.loads(vcr.requests[0].body)
    assert body["response_format"]["json_schema"]["strict"] is True
    assert body["prompt_cache_key"].startswith("interviewer-") and body["max_completion_tokens"] == 1024
    _played(vcr, 1)


@pytest.mark.vcr
def test_grade_reads_verdicts_keyed_by_signal_with_verbatim_quotes(
    vcr: Any, kb: KnowledgeBase, grades_url: str
) -> None:
    brain = _brain(kb, grades_url)
    rubric = step_rubric(kb, kb.case("ad-ctr"), "data")
    outcome = judge(brain.grade, rubric, [(3, ANSWER)], _here(kb), brain.reader)
    assert outcome.value.status("impression-logs") == "covered"
    assert outcome.value.status("negative-downsampling") == "covered"
    assert all(j.quote is None or j.quote in ANSWER for j in outcome.value.signals)
    assert outcome.usage["prompt_tokens"] > 0 and outcome.failure is None
    _played(vcr, 1)


@pytest.mark.vcr
def test_follow_up_streams_server_sent_events_with_usage(vcr: Any, kb: KnowledgeBase, stream_url: str) -> None:
    rubric = step_rubric(kb, kb.case("ad-ctr"), "data")
    signal = next(s for s in rubric.signals if s.id == "point-in-time")
    request = FollowUpRequest(rubric.title, signal, signal.probes[0], (ANSWER,), forbidden=tuple(signal.cues))
    shown: list[str] = []
    outcome = _brain(kb, stream_url).follow_up(request, _here(kb), shown.append)
    assert len(shown) > 1 and "".join(shown) == outcome.value == QUESTION
    assert outcome.usage["completion_tokens"] > 0
    _played(vcr, 1)


@pytest.mark.vcr
def test_a_server_without_structured_outputs_gets_json_mode(vcr: Any, kb: KnowledgeBase, no_schema_url: str) -> None:
    outcome = _brain(kb, no_schema_url).match_facts("What is the latency budget?", kb.case("ad-ctr").facts, _here(kb))
    assert [f.id for f in outcome.value] == ["latency"]
    modes = [json.loads(r.body)["response_format"]["type"] for r in vcr.requests]
    assert modes == ["json_schema", "json_object"]
    _played(vcr, 2)
