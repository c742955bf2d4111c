"""The OpenAI-compatible client against a local stub server: deadlines, retries, adaptation, usage, checks."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx2
import openai
import pytest
from pydantic import BaseModel

from interviewer.llm.client import Completion, LLMConfigError, LLMError, OpenAIChat, RetryPolicy
from interviewer.llm.stub import StubServer

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])

HI = [{"role": "user", "content": "hi"}]
QUESTION = "What would you measure first? Why?"
CLASS_NAME = re.compile(r"[A-Z][a-z]+[A-Z]|Error|Exception|_[A-Z]|json\.")


class Pick(BaseModel):
    kind: str
    ids: list[str]


def _responder(body: dict[str, Any]) -> str:
    if body.get("stream"):
        return QUESTION
    return json.dumps({"kind": "answer", "ids": ["a"]})


@pytest.fixture
def stub() -> Iterator[StubServer]:
    with StubServer(_responder, slow_s=3.0, drip_s=0.05) as server:
        yield server


class Chat(OpenAIChat):
    """The client with its backoff sleeps recorded instead of slept."""

    sleeps: list[float]


def _chat(
    stub: StubServer,
    *,
    timeout_s: float = 5.0,
    read_timeout_s: float | None = None,
    attempts: int = 3,
    mode: str = "auto",
    **kw: Any,
) -> Chat:
    """A client of the stub: ``timeout_s`` per call in total, ``read_timeout_s`` per HTTP request."""
    sleeps: list[float] = []
    client = openai.OpenAI(api_key="x", base_url=stub.url, timeout=read_timeout_s or timeout_s, max_retries=0)
    retry = RetryPolicy(attempts=attempts, base_delay_s=0.01, sleep=sleeps.append)
    chat = Chat(client, structured_mode=mode, retry=retry, timeout_s=timeout_s, **kw)  # type: ignore[arg-type]
    chat.sleeps = sleeps
    return chat


def _ask(chat: OpenAIChat, model: str = "m", **kw: Any) -> Completion[Pick]:
    return chat.structured(HI, Pick, model=model, **kw)


def _failure(call: Callable[[], object]) -> tuple[str, float]:
    started = time.monotonic()
    with pytest.raises(LLMError) as caught:
        call()
    return str(caught.value), time.monotonic() - started


# -- structured outputs and usage -----------------------------------------------------------


def test_structured_outputs_use_the_sdks_strict_schema_and_return_value_with_usage(stub: StubServer) -> None:
    result = _ask(_chat(stub))
    assert result.value == Pick(kind="answer", ids=["a"])
    assert result.usage.calls == 1 and result.usage.prompt_tokens == stub.log[0]["prompt_tokens"]
    fmt = stub.requests[0]["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["name"] == "Pick"
    assert fmt["json_schema"]["schema"]["additionalProperties"] is False


def test_each_result_carries_its_own_usage(stub: StubServer) -> None:
    chat = _chat(stub)
    first, second = _ask(chat), chat.structured([{"role": "user", "content": "hello " * 50}], Pick, model="m")
    assert first.usage.calls == second.usage.calls == 1
    assert second.usage.prompt_tokens > first.usage.prompt_tokens
    assert not hasattr(chat, "take_usage")


def test_the_output_cap_is_max_tokens_for_compatible_servers(stub: StubServer) -> None:
    _ask(_chat(stub, max_output_tokens=300))
    assert stub.requests[0]["max_tokens"] == 300 and "max_completion_tokens" not in stub.requests[0]


def test_the_output_cap_parameter_can_be_chosen(stub: StubServer) -> None:
    _ask(_chat(stub, output_token_param="max_completion_tokens"))
    assert stub.requests[0]["max_completion_tokens"] == 1024 and "max_tokens" not in stub.requests[0]


def _completion(content: str) -> dict[str, Any]:
    choice = {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
    usage = {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}
    return {"id": "x", "object": "chat.completion", "created": 0, "model": "m", "choices": [choice], "usage": usage}


def _openai_like(answers: list[httpx2.Response]) -> tuple[OpenAIChat, list[dict[str, Any]]]:
    """A client whose base URL is api.openai.com, answered in-process (no network)."""
    sent: list[dict[str, Any]] = []

    def handle(request: httpx2.Request) -> httpx2.Response:
        sent.append(json.loads(request.content))
        return answers.pop(0)

    http = httpx2.Client(transport=httpx2.MockTransport(handle))
    client = openai.OpenAI(api_key="sk-test", base_url="https://api.openai.com/v1", http_client=http, max_retries=0)
    return OpenAIChat(client, retry=RetryPolicy(sleep=lambda _: None)), sent


def test_openai_itself_gets_max_completion_tokens() -> None:
    chat, sent = _openai_like([httpx2.Response(200, json=_completion('{"kind": "k", "ids": []}'))])
    assert _ask(chat, "gpt-4.1").value.kind == "k"
    assert sent[0]["max_completion_tokens"] == 1024 and "max_tokens" not in sent[0]


def test_an_unknown_prompt_cache_key_is_dropped_for_good() -> None:
    rejected = {"error": {"message": "Unrecognized request argument supplied: prompt_cache_key", "type": "x"}}
    ok = '{"kind": "k", "ids": []}'
    answers = [httpx2.Response(400, json=rejected), httpx2.Response(200, json=_completion(ok))]
    chat, sent = _openai_like([*answers, httpx2.Response(200, json=_completion(ok))])
    _ask(chat, cache_key="session-1")
    _ask(chat, cache_key="session-1")
    assert [("prompt_cache_key" in body) for body in sent] == [True, False, False]


def test_the_cache_key_is_sent_and_cached_tokens_are_read_back(stub: StubServer) -> None:
    chat = _chat(stub)
    system = {"role": "system", "content": "You are a careful interviewer. " * 200}  # about 1500 tokens
    first = chat.structured([system, {"role": "user", "content": "one"}], Pick, model="m", cache_key="s-1")
    second = chat.structured([system, {"role": "user", "content": "two"}], Pick, model="m", cache_key="s-1")
    assert stub.requests[0]["prompt_cache_key"] == "s-1" and stub.log[1]["cache_key"] == "s-1"
    assert first.usage.cached_tokens == 0
    assert second.usage.cached_tokens >= 1024 and second.usage.cached_tokens % 128 == 0
    assert second.usage.cached_tokens == stub.log[1]["cached_tokens"]


# -- retries ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", ["429", "500", "malformed", "drop", "not_json", "cut"])
def test_transient_faults_are_retried_with_backoff(stub: StubServer, fault: str) -> None:
    stub.fail_next(fault)
    chat = _chat(stub)
    assert _ask(chat).value.kind == "answer"
    assert len(stub.requests) == 2 and len(chat.sleeps) == 1


def test_retry_after_is_honoured(stub: StubServer) -> None:
    stub.fail_next("429")
    chat = _chat(stub)
    _ask(chat)
    assert chat.sleeps == [0.0]  # the stub says retry-after: 0


def test_a_body_that_is_never_json_ends_as_llm_error(stub: StubServer) -> None:
    stub.always("not_json")
    chat = _chat(stub)
    text, _ = _failure(lambda: _ask(chat))
    assert text == "the model server sent a response that was not JSON, after 3 tries"
    assert len(stub.requests) == 3


def test_persistent_failure_raises_llm_error_after_the_last_try(stub: StubServer) -> None:
    stub.fail_next("500", "500", "500")
    text, _ = _failure(lambda: _ask(_chat(stub)))
    assert text.startswith("the model server failed (500: ") and text.endswith("after 3 tries")
    assert len(stub.requests) == 3


def test_backoff_never_sleeps_past_the_deadline(stub: StubServer) -> None:
    stub.always("500")
    client = openai.OpenAI(api_key="x", base_url=stub.url, max_retries=0)
    chat = OpenAIChat(client, retry=RetryPolicy(attempts=5, base_delay_s=5.0))
    text, elapsed = _failure(lambda: _ask(chat, deadline=time.monotonic() + 1.0))
    assert "no time was left" in text and elapsed < 1.0 and len(stub.requests) == 1


# -- total time -------------------------------------------------------------------------------


def test_a_dripping_server_cannot_keep_a_call_past_its_deadline(stub: StubServer) -> None:
    stub.always("drip")  # one byte every 0.05 s: no single read ever times out
    chat = _chat(stub, timeout_s=30.0)
    started = time.monotonic()
    text, elapsed = _failure(lambda: _ask(chat, deadline=started + 1.0))
    assert text == "the model server did not answer within 1 s"
    assert elapsed < 2.0


def test_a_stalled_server_times_out_by_the_deadline_without_more_tries(stub: StubServer) -> None:
    stub.always("stall")
    chat = _chat(stub)
    text, elapsed = _failure(lambda: _ask(chat, deadline=time.monotonic() + 1.0))
    assert text == "the model server did not answer within 1 s" and 0.8 < elapsed < 2.0
    assert len(stub.requests) == 1 and chat.sleeps == []


def test_without_a_deadline_the_total_timeout_applies(stub: StubServer) -> None:
    stub.always("slow")
    text, elapsed = _failure(lambda: _ask(_chat(stub, timeout_s=1.0)))
    assert text == "the model server did not answer within 1 s" and elapsed < 2.0


def test_a_client_read_timeout_shorter_than_a_stall_lets_a_retry_answer_in_time() -> None:
    with StubServer(_responder, slow_s=1.0) as stub:
        stub.fail_next("slow")
        chat = _chat(stub, timeout_s=5.0, read_timeout_s=0.4)
        assert _ask(chat).value.kind == "answer"
    assert len(stub.requests) == 2 and len(chat.sleeps) == 1


# -- answers that are final -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ("refusal", "the model declined to answer"),
        ("length", "the model's reply was cut off at the output-token limit"),
        ("bad_request", "the model server refused the request (400: Invalid 'messages[1].content': string too long)"),
    ],
)
def test_final_answers_fail_at_once_with_one_request(stub: StubServer, fault: str, expected: str) -> None:
    stub.fail_next(fault)
    chat = _chat(stub)
    text, _ = _failure(lambda: _ask(chat))
    assert text == expected and len(stub.requests) == 1 and chat.sleeps == []


def test_an_unrelated_bad_request_does_not_switch_modes(stub: StubServer) -> None:
    stub.fail_next("bad_request")
    chat = _chat(stub)
    _failure(lambda: _ask(chat))
    _ask(chat)
    assert stub.requests[1]["response_format"]["type"] == "json_schema"


def test_an_unknown_model_on_a_strict_server_is_a_refusal() -> None:
    with StubServer(_responder, models=("llama3.1",), strict_models=True) as strict:
        text, _ = _failure(lambda: _ask(_chat(strict), "gpt-4.1"))
    assert text == "the model server refused the request (404: The model 'gpt-4.1' does not exist)"


@pytest.mark.parametrize("fault", ["not_json", "500", "429", "drop", "malformed", "refusal", "length", "stall", "drip"])
def test_error_messages_name_no_python_classes(stub: StubServer, fault: str) -> None:
    stub.always(fault)
    text, _ = _failure(lambda: _ask(_chat(stub), deadline=time.monotonic() + 0.5))
    assert text.startswith("the model") and not CLASS_NAME.search(text), text


# -- adapting to the server -------------------------------------------------------------------


def test_a_server_without_structured_outputs_gets_json_mode_for_that_model_only(stub: StubServer) -> None:
    stub.fail_next("no_schema")
    chat = _chat(stub)
    assert _ask(chat, "a").value.ids == ["a"]
    assert [r["response_format"]["type"] for r in stub.requests] == ["json_schema", "json_object"]
    assert "JSON schema" in stub.requests[1]["messages"][-1]["content"]
    _ask(chat, "a")
    _ask(chat, "b")
    assert [r["response_format"]["type"] for r in stub.requests[2:]] == ["json_object", "json_schema"]
    assert chat.sleeps == []


def test_without_json_mode_either_the_schema_goes_in_a_plain_prompt(stub: StubServer) -> None:
    stub.fail_next("no_schema", "no_json_mode")
    chat = _chat(stub)
    assert _ask(chat).value == Pick(kind="answer", ids=["a"])
    assert [(r.get("response_format") or {}).get("type") for r in stub.requests] == ["json_schema", "json_object", None]
    assert "matching this JSON schema" in stub.requests[2]["messages"][-1]["content"]
    _ask(chat)
    assert "response_format" not in stub.requests[3] and chat.sleeps == []


def test_json_mode_repairs_malformed_output_once(stub: StubServer) -> None:
    stub.fail_next("malformed")
    chat = _chat(stub, mode="json_object")
    result = _ask(chat)
    assert result.value.kind == "answer" and result.usage.calls == 2
    repair = stub.requests[1]["messages"]
    assert repair[-2] == {"role": "assistant", "content": "{not json"}
    assert "not valid" in repair[-1]["content"]
    assert chat.sleeps == []


def test_forced_json_schema_mode_never_falls_back(stub: StubServer) -> None:
    stub.fail_next("no_schema")
    text, _ = _failure(lambda: _ask(_chat(stub, mode="json_schema")))
    assert text == "the model server refused the request (400: response_format json_schema is not supported)"


def test_a_refused_temperature_is_dropped_for_that_model(stub: StubServer) -> None:
    stub.fail_next("no_temperature")
    chat = _chat(stub)
    _ask(chat, "a")
    assert [("temperature" in r) for r in stub.requests] == [True, False] and chat.sleeps == []
    _ask(chat, "a")
    _ask(chat, "b")
    assert [("temperature" in r) for r in stub.requests[2:]] == [False, True]


@pytest.mark.parametrize("model", ["o3-mini", "o1", "o4-mini", "gpt-5", "gpt-5-mini"])
def test_reasoning_models_get_no_temperature(stub: StubServer, model: str) -> None:
    _ask(_chat(stub), model)
    assert "temperature" not in stub.requests[0]


def test_the_client_is_shared_safely_across_threads(stub: StubServer) -> None:
    stub.always("no_schema")
    chat = _chat(stub)
    results: list[Pick] = []

    def work() -> None:
        results.append(_ask(chat, "shared").value)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(results) == 6
    assert all(r.get("response_format", {}).get("type") in ("json_schema", "json_object") for r in stub.requests)


# -- streaming --------------------------------------------------------------------------------


def test_streaming_yields_pieces_and_usage_from_the_final_chunk(stub: StubServer) -> None:
    stream = _chat(stub).stream([{"role": "user", "content": "ask me"}], model="m", cache_key="s-2")
    pieces = list(stream)
    assert len(pieces) > 1 and "".join(pieces) == QUESTION
    assert stub.requests[0]["stream_options"] == {"include_usage": True}
    assert stub.requests[0]["prompt_cache_key"] == "s-2"
    assert stream.usage.calls == 1 and stream.usage.prompt_tokens == stub.log[0]["prompt_tokens"]
    assert stream.usage.completion_tokens > 0


@pytest.mark.parametrize("fault", ["429", "drop", "500", "not_json"])
def test_a_stream_that_cannot_start_is_retried(stub: StubServer, fault: str) -> None:
    stub.fail_next(fault)
    chat = _chat(stub)
    assert "".join(chat.stream(HI, model="m")) == QUESTION
    assert len(stub.requests) == 2 and len(chat.sleeps) == 1


def test_a_stream_cut_after_some_pieces_raises_llm_error(stub: StubServer) -> None:
    stub.fail_next("cut")
    shown: list[str] = []
    text, _ = _failure(lambda: shown.extend(_chat(stub).stream(HI, model="m")))
    assert text == "the model's answer broke off mid-stream"
    assert shown and QUESTION.startswith("".join(shown)) and len(stub.requests) == 1


def test_a_stream_still_running_at_its_deadline_raises_llm_error() -> None:
    long_answer = " ".join(["word"] * 300)  # a first piece after about 0.4 s, the last after a minute
    with StubServer(lambda body: long_answer, drip_s=0.002) as dripping:
        dripping.always("drip")
        shown: list[str] = []
        started = time.monotonic()
        text, elapsed = _failure(lambda: shown.extend(_chat(dripping).stream(HI, model="m", deadline=started + 2.0)))
    assert text == "the model's answer did not finish within 2 s"
    assert shown and elapsed < 3.0 and len(dripping.requests) == 1


def test_a_refused_or_cut_off_stream_is_final(stub: StubServer) -> None:
    stub.fail_next("refusal", "length")
    chat = _chat(stub)
    assert _failure(lambda: list(chat.stream(HI, model="m")))[0] == "the model declined to answer"
    assert _failure(lambda: list(chat.stream(HI, model="m")))[0].endswith("cut off at the output-token limit")
    assert len(stub.requests) == 2 and chat.sleeps == []


def test_a_stream_retries_without_a_refused_temperature(stub: StubServer) -> None:
    stub.fail_next("no_temperature")
    chat = _chat(stub)
    assert "".join(chat.stream(HI, model="m")) == QUESTION
    assert [("temperature" in r) for r in stub.requests] == [True, False]


def test_closing_a_stream_from_another_thread_ends_it_quietly(stub: StubServer) -> None:
    stub.always("drip")
    stream = _chat(stub).stream(HI, model="m", deadline=time.monotonic() + 10)
    started = time.monotonic()
    threading.Timer(0.3, stream.close).start()
    assert list(stream) == []
    assert time.monotonic() - started < 2.0


def test_a_stream_closed_before_iteration_sends_nothing(stub: StubServer) -> None:
    with _chat(stub).stream(HI, model="m") as stream:
        pass
    assert list(stream) == [] and stub.requests == [] and stream.usage.calls == 0


# -- start-up check ---------------------------------------------------------------------------


def test_check_passes_on_a_live_server_serving_the_models(stub: StubServer) -> None:
    _chat(stub).check()
    _chat(stub).check(["stub"])


def test_check_names_a_model_the_server_does_not_serve() -> None:
    with StubServer(models=("llama3.1", "qwen2.5")) as server:
        with pytest.raises(LLMConfigError) as caught:
            _chat(server).check(["llama3.1", "gpt-4.1"])
    assert str(caught.value) == (
        f"the server at {server.url} does not serve model 'gpt-4.1' (it serves: llama3.1, qwen2.5); set"
        " INTERVIEWER_INTERVIEWER_MODEL and INTERVIEWER_GRADER_MODEL to models it serves."
    )


def test_check_says_when_the_server_is_unreachable_without_showing_credentials() -> None:
    client = openai.OpenAI(
        api_key="sk-secret", base_url="http://alice:hunter2@127.0.0.1:9/v1?token=t0k3n", max_retries=0
    )
    with pytest.raises(LLMConfigError) as caught:
        OpenAIChat(client).check()
    text = str(caught.value)
    assert text.startswith("cannot reach an OpenAI-compatible server at http://alice:***@127.0.0.1:9/v1")
    assert not any(secret in text for secret in ("hunter2", "t0k3n", "sk-secret"))


def test_a_server_that_cannot_list_models_passes_the_check() -> None:
    def handle(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(404, json={"error": {"message": "not found"}})

    http = httpx2.Client(transport=httpx2.MockTransport(handle))
    client = openai.OpenAI(api_key="x", base_url="http://127.0.0.1:1/v1", http_client=http, max_retries=0)
    OpenAIChat(client).check(["anything"])


def test_openai_without_a_key_is_a_config_error() -> None:
    with pytest.raises(LLMConfigError, match="OPENAI_API_KEY"):
        OpenAIChat.from_settings(api_key=None, base_url=None, timeout_s=1)
