"""The grader part of the eval with the LLM brain, replayed from a cassette (no key, no network).

The cassette was recorded against the stub server (see tests/llm/cassettes/README.md); to
re-record against a real model, delete it and run this test with --record-mode=once and
INTERVIEWER_RECORD_API_KEY (and INTERVIEWER_RECORD_BASE_URL for another server).
"""

from __future__ import annotations

import os
from typing import Any

import openai
import pytest

from interviewer.brain.llm import LLMBrain
from interviewer.evals.datasets import load_labelled
from interviewer.evals.runner import EVALS_DIR, grader_summary
from interviewer.knowledge.loader import KnowledgeBase
from interviewer.llm.client import OpenAIChat, RetryPolicy
from interviewer.prompts import load_llm_prompts
from interviewer.settings import REPO_ROOT


@pytest.mark.vcr
def test_llm_brain_grades_a_labelled_transcript_from_the_cassette(vcr: Any, kb: KnowledgeBase) -> None:
    client = openai.OpenAI(
        api_key=os.environ.get("INTERVIEWER_RECORD_API_KEY", "sk-test"),
        base_url=os.environ.get("INTERVIEWER_RECORD_BASE_URL", "https://api.openai.com/v1"),
        max_retries=0,
    )
    chat = OpenAIChat(client, retry=RetryPolicy(attempts=1))
    brain = LLMBrain(
        chat, load_llm_prompts(REPO_ROOT / "prompts"), interviewer_model="gpt-4.1-mini", grader_model="gpt-4.1"
    )
    transcript = next(t for t in load_labelled(EVALS_DIR / "transcripts") if t.id == "t1-ad-ctr-good")
    summary, detail = grader_summary(kb, brain, [transcript], repeats=2, progress=lambda _: None)
    assert len(detail["rows"]) == 7 and all(1 <= r["grader"] <= 4 for r in detail["rows"])
    assert summary["consistency.max_spread"] == 0.0  # the second grading is served from the brain's cache
    assert brain.take_report().usage["calls"] == 7
    if vcr.record_mode == "none":
        assert vcr.all_played
