"""The OpenAI wire format, pinned by cassettes (tests/llm/cassettes/test_wire/).

Each test replays its cassette: the request body the code sends must match the recorded one
exactly (as JSON), and every recorded interaction must be played. See
tests/llm/cassettes/README.md for how the cassettes were made and how to re-record them.
"""

from __future__ import annotations

import os
from typing import Any

import openai
import pytest

from interviewer.brain.base import FollowUpRequest
from interviewer.brain.llm import LLMBrain
from interviewer.knowledge.loader import KnowledgeBase
from interviewer.llm.client import OpenAIChat, RetryPolicy
from interviewer.prompts import load_llm_prompts
from interviewer.rubric import step_rubric
from interviewer.settings import REPO_ROOT

ANSWER = (
    "We join impressions and clicks on the impression id, because clicks arrive up to a day late. "
    "Clicks are rare, so we downsample negatives and correct the probabilities for the sampling rate."
)


def _brain(mode: str = "auto") -> LLMBrain:
    # Recording against a real server: INTERVIEWER_RECORD_BASE_URL / INTERVIEWER_RECORD_API_KEY.
    client = openai.OpenAI(
        api_key=os.environ.get("INTERVIEWER_RECORD_API_KEY", "sk-test"),
        base_url=os.environ.get("INTERVIEWER_RECORD_BASE_URL", "https://api.openai.com/v1"),
        max_retries=0,
    )
    chat = OpenAIChat(client, structured_mode=mode, retry=RetryPolicy(attempts=1))  # type: ignore[arg-type]
    prompts = load_llm_prompts(REPO_ROOT / "prompts")
    return LLMBrain(chat, prompts, interviewer_model="gpt-4.1-mini", grader_model="gpt-4.1")


def _played(vcr: Any) -> None:
    if vcr.record_mode == "none":  # replaying: every recorded interaction must have been used
        assert vcr.play_count == len(vcr.data) and vcr.all_played


@pytest.mark.vcr
def test_classify_sends_a_strict_json_schema_and_reads_the_answer(vcr: Any) -> None:
    kind = _brain().classify("What is the latency budget for scoring?", step_vocabulary=[])
    assert kind == "clarifying"
    _played(vcr)


@pytest.mark.vcr
def test_judge_reads_verdicts_with_verbatim_quotes(vcr: Any, kb: KnowledgeBase) -> None:
    brain = _brain()
    judgment = brain.judge(step_rubric(kb, kb.case("ad-ctr"), "data"), [(3, ANSWER)])
    assert judgment.status("impression-logs") == "covered"
    assert judgment.status("negative-downsampling") == "covered"
    assert all(j.quote is None or j.quote in ANSWER for j in judgment.signals)
    assert brain.take_report().usage["prompt_tokens"] > 0
    _played(vcr)


@pytest.mark.vcr
def test_follow_up_streams_server_sent_events_with_usage(vcr: Any, kb: KnowledgeBase) -> None:
    rubric = step_rubric(kb, kb.case("ad-ctr"), "data")
    signal = next(s for s in rubric.signals if s.id == "point-in-time")
    request = FollowUpRequest(rubric.title, signal, signal.probes[0], (ANSWER,), forbidden=tuple(signal.cues))
    shown: list[str] = []
    brain = _brain()
    question = brain.follow_up(request, shown.append)
    assert len(shown) > 1 and "".join(shown) == question and question.endswith("?")
    assert brain.take_report().usage["completion_tokens"] > 0
    _played(vcr)


@pytest.mark.vcr
def test_a_server_without_structured_outputs_gets_json_mode(vcr: Any) -> None:
    kind = _brain().classify("I'd like to move on to the next step.", step_vocabulary=[])
    assert kind == "move_on"
    _played(vcr)
