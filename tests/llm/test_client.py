"""The OpenAI-compatible client against a local stub server: retries, fallbacks, usage, start-up checks."""

from __future__ import annotations

import json
from collections.abc import Iterator

import openai
import pytest
from pydantic import BaseModel

from interviewer.llm.client import LLMConfigError, LLMError, OpenAIChat, RetryPolicy
from interviewer.llm.stub import StubServer, default_responder

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])


class Pick(BaseModel):
    kind: str
    ids: list[str]


def _responder(body: dict[str, object]) -> str:
    if body.get("stream"):
        return "What would you measure first? Why?"
    return json.dumps({"kind": "answer", "ids": ["a"]})


@pytest.fixture
def stub() -> Iterator[StubServer]:
    with StubServer(_responder, slow_s=1.0) as server:
        yield server


def _chat(stub: StubServer, *, timeout_s: float = 5.0, attempts: int = 3, mode: str = "auto") -> OpenAIChat:
    sleeps: list[float] = []
    chat = OpenAIChat.from_settings(
        api_key=None,
        base_url=stub.url,
        timeout_s=timeout_s,
        structured_mode=mode,  # type: ignore[arg-type]
        retry=RetryPolicy(attempts=attempts, base_delay_s=0.01, sleep=sleeps.append),
    )
    chat.sleeps = sleeps  # type: ignore[attr-defined]
    return chat


def test_structured_outputs_are_requested_with_a_strict_schema(stub: StubServer) -> None:
    answer = _chat(stub).structured([{"role": "user", "content": "hi"}], Pick, model="m")
    assert answer == Pick(kind="answer", ids=["a"])
    fmt = stub.requests[0]["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["schema"]["additionalProperties"] is False


@pytest.mark.parametrize("fault", ["429", "500", "malformed", "drop"])
def test_transient_faults_are_retried_with_backoff(stub: StubServer, fault: str) -> None:
    stub.fail_next(fault)
    chat = _chat(stub)
    assert chat.structured([{"role": "user", "content": "hi"}], Pick, model="m").kind == "answer"
    assert len(stub.requests) == 2 - (fault == "drop") or len(stub.requests) == 2
    assert len(chat.sleeps) == 1  # type: ignore[attr-defined]


def test_a_slow_server_times_out_and_is_retried(stub: StubServer) -> None:
    stub.fail_next("slow")
    chat = _chat(stub, timeout_s=0.3)
    assert chat.structured([{"role": "user", "content": "hi"}], Pick, model="m").kind == "answer"
    assert len(chat.sleeps) == 1  # type: ignore[attr-defined]


def test_persistent_failure_raises_llm_error_after_the_last_try(stub: StubServer) -> None:
    stub.fail_next("500", "500", "500")
    chat = _chat(stub)
    with pytest.raises(LLMError, match="after 3 tries"):
        chat.structured([{"role": "user", "content": "hi"}], Pick, model="m")
    assert len(stub.requests) == 3


def test_a_server_without_structured_outputs_gets_json_mode_from_then_on(stub: StubServer) -> None:
    stub.fail_next("no_schema")
    chat = _chat(stub)
    assert chat.structured([{"role": "user", "content": "hi"}], Pick, model="m").ids == ["a"]
    assert [r["response_format"]["type"] for r in stub.requests] == ["json_schema", "json_object"]
    assert "JSON schema" in stub.requests[1]["messages"][-1]["content"]
    chat.structured([{"role": "user", "content": "again"}], Pick, model="m")
    assert stub.requests[2]["response_format"]["type"] == "json_object"


def test_json_mode_repairs_malformed_output_once(stub: StubServer) -> None:
    stub.fail_next("malformed")
    chat = _chat(stub, mode="json_object")
    assert chat.structured([{"role": "user", "content": "hi"}], Pick, model="m").kind == "answer"
    repair = stub.requests[1]["messages"]
    assert repair[-2] == {"role": "assistant", "content": "{not json"}
    assert "not valid" in repair[-1]["content"]
    assert chat.sleeps == []  # type: ignore[attr-defined]


def test_streaming_yields_pieces_and_records_usage(stub: StubServer) -> None:
    chat = _chat(stub)
    pieces = list(chat.stream([{"role": "user", "content": "ask me"}], model="m"))
    assert len(pieces) > 1 and "".join(pieces) == "What would you measure first? Why?"
    assert stub.requests[0]["stream_options"] == {"include_usage": True}
    usage = chat.take_usage()
    assert usage.calls == 1 and usage.prompt_tokens > 0 and usage.completion_tokens > 0
    assert chat.take_usage().calls == 0


def test_a_stream_that_cannot_start_is_retried(stub: StubServer) -> None:
    stub.fail_next("429")
    assert "".join(_chat(stub).stream([{"role": "user", "content": "x"}], model="m")).endswith("Why?")


def test_usage_is_summed_over_calls(stub: StubServer) -> None:
    chat = _chat(stub)
    for _ in range(3):
        chat.structured([{"role": "user", "content": "hello there"}], Pick, model="m")
    usage = chat.take_usage()
    assert usage.calls == 3 and usage.prompt_tokens == 3 * stub_prompt_tokens("hello there")


def stub_prompt_tokens(text: str) -> int:
    return max(1, len(text) // 4) + 4


def test_check_passes_on_a_live_server_and_names_the_problem_otherwise(stub: StubServer) -> None:
    _chat(stub).check()
    dead = OpenAIChat(openai.OpenAI(api_key="x", base_url="http://127.0.0.1:9/v1", max_retries=0))
    with pytest.raises(LLMConfigError, match="cannot reach an OpenAI-compatible server at http://127.0.0.1:9"):
        dead.check()


def test_openai_without_a_key_is_a_config_error() -> None:
    with pytest.raises(LLMConfigError, match="OPENAI_API_KEY"):
        OpenAIChat.from_settings(api_key=None, base_url=None, timeout_s=1)


def test_the_default_stub_answers_any_schema_minimally() -> None:
    body = {"response_format": {"type": "json_schema", "json_schema": {"schema": Pick.model_json_schema()}}}
    assert Pick.model_validate_json(default_responder(body)) == Pick(kind="", ids=[])
