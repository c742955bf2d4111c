"""The grader part of the eval with the LLM brain, replayed from a cassette (no key, no network).

The cassette holds real, mixed verdicts: it was recorded against the project's stub server
answering with its heuristic grader (``interviewer/llm/stub_grader.py``); ``make cassettes``
re-records it. To record against a real model instead, delete it and run this test with
``--record-mode=once`` and INTERVIEWER_RECORD_API_KEY (and INTERVIEWER_RECORD_BASE_URL).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import openai
import pytest

from interviewer.brain.llm import LLMBrain
from interviewer.brain.offline import OfflineBrain
from interviewer.evals.datasets import load_labelled
from interviewer.evals.runner import EVALS_DIR, grader_summary
from interviewer.grading import grade
from interviewer.knowledge.loader import KnowledgeBase
from interviewer.llm.client import OpenAIChat, RetryPolicy
from interviewer.llm.stub_grader import grading_responder
from interviewer.prompts import load_llm_prompts
from interviewer.settings import REPO_ROOT
from tests.llm.conftest import record_target


@pytest.fixture
def base_url() -> Iterator[str]:
    yield from record_target(grading_responder)


@pytest.mark.vcr
def test_llm_grader_grades_a_labelled_transcript_with_mixed_verdicts(
    vcr: Any, kb: KnowledgeBase, base_url: str
) -> None:
    client = openai.OpenAI(
        api_key=os.environ.get("INTERVIEWER_RECORD_API_KEY", "sk-test"), base_url=base_url, max_retries=0
    )
    chat = OpenAIChat(client, retry=RetryPolicy(attempts=1), output_token_param="max_completion_tokens")  # as OpenAI
    prompts = load_llm_prompts(REPO_ROOT / "prompts")
    brain = LLMBrain(chat, prompts, kb, reader=OfflineBrain(), interviewer_model="gpt-4.1-mini", grader_model="gpt-4.1")
    transcript = next(t for t in load_labelled(EVALS_DIR / "transcripts") if t.id == "t1-ad-ctr-good")

    debrief = grade(kb, brain, transcript)
    assert "notices" not in debrief.metadata  # every step graded by the model, none by the offline fallback
    statuses = [e.status for step in debrief.steps for e in step.evidence]
    missed = [m for step in debrief.steps for m in step.missed]
    assert "covered" in statuses and "partial" in statuses and missed  # mixed: a broken grader fails here
    assert len({step.score for step in debrief.steps}) > 1
    assert all(e.quote and e.quote in transcript.turns[e.turn or 0].content for s in debrief.steps for e in s.evidence)
    usage = debrief.metadata["usage"]
    assert isinstance(usage, dict) and usage["calls"] == 7 and usage["prompt_tokens"] > 0

    # Consistency regrades for real: no cache, so every repeat is seven more calls (the cassette holds them all).
    summary, detail = grader_summary(kb, brain, [transcript], repeats=2, progress=lambda _: None)
    assert len(detail["rows"]) == 7 and all(1 <= r["grader"] <= 4 for r in detail["rows"])
    assert summary["consistency.max_spread"] == 0.0  # the recorded grader is deterministic
    if vcr.record_mode == "none":
        assert vcr.all_played and vcr.play_count == 21
