"""The stub server itself: latency, billing, the simulated prompt cache, the log, models and faults."""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel

from interviewer.llm.stub import (
    FAULTS,
    StubServer,
    default_responder,
    estimate_tokens,
    prompt_text,
    request_schema,
)

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])

SCHEMA = {"type": "object", "properties": {"kind": {"type": "string"}}, "required": ["kind"]}


class Pick(BaseModel):
    kind: str
    ids: list[str]


@pytest.fixture
def stub() -> Iterator[StubServer]:
    with StubServer(slow_s=0.3, drip_s=0.02) as server:
        yield server


def _body(*contents: str, **extra: Any) -> dict[str, Any]:
    roles = ["system", "user", "assistant"]
    return {
        "model": "stub",
        "messages": [{"role": roles[i % 3], "content": c} for i, c in enumerate(contents)],
        **extra,
    }


def _structured(*contents: str) -> dict[str, Any]:
    return _body(*contents, response_format={"type": "json_schema", "json_schema": {"name": "S", "schema": SCHEMA}})


def _open(stub: StubServer, body: dict[str, Any]) -> Any:
    data = json.dumps(body).encode()
    request = urllib.request.Request(
        stub.url + "/chat/completions", data=data, headers={"Content-Type": "application/json"}
    )
    try:
        return urllib.request.urlopen(request, timeout=10)
    except urllib.error.HTTPError as error:
        return error


def _post(stub: StubServer, body: dict[str, Any]) -> tuple[int, Any]:
    with _open(stub, body) as response:
        raw = response.read()
        kind = response.headers.get("Content-Type", "")
        return response.status, json.loads(raw) if raw.startswith(b"{") and "json" in kind else raw


# -- latency ----------------------------------------------------------------------------------


def test_latency_delays_every_call_without_serialising_them() -> None:
    with StubServer(latency_s=0.4) as stub:
        times: list[float] = []

        def call() -> None:
            started = time.monotonic()
            assert _post(stub, _body("hi"))[0] == 200
            times.append(time.monotonic() - started)

        started = time.monotonic()
        threads = [threading.Thread(target=call) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)
        total = time.monotonic() - started
    assert len(times) == 4 and min(times) >= 0.38
    assert total < 1.2  # four calls in sequence would take 1.6 s


def test_latency_comes_before_the_first_chunk_of_a_stream() -> None:
    with StubServer(latency_s=0.3) as stub:
        started = time.monotonic()
        with _open(stub, _body("hi", stream=True)) as response:
            first = response.readline()
            waited = time.monotonic() - started
            rest = response.read()
    assert first.startswith(b"data: ") and waited >= 0.28
    assert rest.rstrip().endswith(b"data: [DONE]")


# -- billing ----------------------------------------------------------------------------------


def test_prompt_tokens_bill_the_messages_the_schema_and_the_tools(stub: StubServer) -> None:
    text = "Describe the feature pipeline for the click-through model."
    plain = _post(stub, _body(text))[1]["usage"]["prompt_tokens"]
    assert plain == estimate_tokens(text) + 4
    structured = _post(stub, _structured(text))[1]["usage"]["prompt_tokens"]
    assert structured == plain + estimate_tokens(json.dumps(SCHEMA, separators=(",", ":")))
    tools = [{"type": "function", "function": {"name": "lookup", "parameters": SCHEMA}}]
    with_tools = _post(stub, _body(text, tools=tools))[1]["usage"]["prompt_tokens"]
    assert with_tools == plain + estimate_tokens(json.dumps(tools, separators=(",", ":")))
    assert [entry["prompt_tokens"] for entry in stub.log] == [plain, structured, with_tools]


# -- prompt cache -----------------------------------------------------------------------------


def _cached(stub: StubServer, body: dict[str, Any]) -> int:
    usage = _post(stub, body)[1]["usage"]
    cached: int = usage["prompt_tokens_details"]["cached_tokens"]
    return cached


# prompt_text is "system\n<shared>\nuser\n<question>\n": the prefix shared by two questions that
# differ in their first letter is len(shared) + 13 characters, at four characters per token.
@pytest.mark.parametrize(
    ("shared_chars", "expected"), [(4082, 0), (4083, 1024), (4083 + 511, 1024), (4083 + 512, 1152)]
)
def test_cached_tokens_follow_openais_rule(stub: StubServer, shared_chars: int, expected: int) -> None:
    shared = "x" * shared_chars
    first, second = _body(shared, "one"), _body(shared, "two")
    assert len(os.path.commonprefix([prompt_text(first), prompt_text(second)])) == shared_chars + 13
    assert _cached(stub, first) == 0
    assert _cached(stub, second) == expected
    assert expected % 128 == 0 and stub.log[1]["cached_tokens"] == expected


def test_the_cache_needs_a_shared_prefix_not_shared_text(stub: StubServer) -> None:
    shared = "y" * 8000
    _post(stub, _body(shared, "one"))
    assert _cached(stub, _body("a different start. " + shared, "two")) == 0
    assert _cached(stub, _body(shared, "three")) == 1920  # (8000 + 13) // 4 rounded down to 128s


def test_the_stream_usage_chunk_reports_cached_tokens(stub: StubServer) -> None:
    shared = "z" * 6000
    _post(stub, _body(shared, "one"))
    _, raw = _post(stub, _body(shared, "two", stream=True, stream_options={"include_usage": True}))
    events = [json.loads(line[6:]) for line in raw.decode().splitlines() if line.startswith("data: {")]
    assert events[-1]["choices"] == [] and events[-1]["usage"]["prompt_tokens_details"]["cached_tokens"] == 1408


def test_the_log_records_each_request(stub: StubServer) -> None:
    before = time.monotonic()
    _post(stub, _body("hi", prompt_cache_key="session-7"))
    _post(stub, _body("hi", stream=True, model="other"))
    after = time.monotonic()
    assert len(stub.log) == len(stub.requests) == 2
    first, second = stub.log
    assert set(first) == {"time", "model", "stream", "prompt_tokens", "cached_tokens", "cache_key"}
    assert before <= first["time"] <= second["time"] <= after
    assert (first["model"], first["stream"], first["cache_key"]) == ("stub", False, "session-7")
    assert (second["model"], second["stream"], second["cache_key"]) == ("other", True, None)


# -- models -----------------------------------------------------------------------------------


def test_models_are_listed_and_strict_models_rejects_others() -> None:
    with StubServer(models=("llama3.1", "qwen2.5"), strict_models=True) as stub:
        with urllib.request.urlopen(stub.url + "/models", timeout=5) as response:
            listed = [m["id"] for m in json.loads(response.read())["data"]]
        status, body = _post(stub, _body("hi", model="gpt-4.1"))
        ok = _post(stub, _body("hi", model="qwen2.5"))[0]
    assert listed == ["llama3.1", "qwen2.5"]
    assert status == 404 and body["error"]["code"] == "model_not_found"
    assert ok == 200


# -- faults -----------------------------------------------------------------------------------


def test_the_fault_list_names_every_fault() -> None:
    expected = {"slow", "stall", "429", "500", "malformed", "drop", "drip", "not_json", "bad_request"}
    expected |= {"no_temperature", "no_schema", "no_json_mode", "refusal", "length", "cut"}
    assert set(FAULTS) == expected


def test_unknown_faults_are_refused(stub: StubServer) -> None:
    with pytest.raises(ValueError, match="unknown faults"):
        stub.fail_next("slow", "typo")
    with pytest.raises(ValueError, match="unknown faults"):
        stub.always("typo")


def test_a_sticky_fault_applies_to_every_request_until_cleared(stub: StubServer) -> None:
    stub.always("500")
    stub.fail_next("429")
    assert [_post(stub, _body("hi"))[0] for _ in range(3)] == [429, 500, 500]
    stub.always(None)
    assert _post(stub, _body("hi"))[0] == 200


def test_not_json_is_a_200_whose_json_body_is_html(stub: StubServer) -> None:
    stub.fail_next("not_json")
    with _open(stub, _body("hi")) as response:
        assert response.status == 200 and response.headers["Content-Type"] == "application/json"
        assert response.read() == b"<html>upstream error</html>"


def test_refusal_and_length_answer_200_with_what_real_servers_send(stub: StubServer) -> None:
    stub.fail_next("refusal", "length")
    refused = _post(stub, _structured("hi"))[1]["choices"][0]
    cut = _post(stub, _body("hi"))[1]["choices"][0]
    assert refused["message"]["refusal"] == "I can't help with that." and refused["message"]["content"] is None
    assert cut["finish_reason"] == "length" and len(cut["message"]["content"]) < len(default_responder(_body("hi")))


def test_conditional_rejections_pass_requests_they_do_not_concern(stub: StubServer) -> None:
    stub.fail_next("no_temperature", "no_temperature")
    status, body = _post(stub, _body("hi", temperature=0.2))
    assert status == 400 and body["error"]["param"] == "temperature"
    assert _post(stub, _body("hi"))[0] == 200
    stub.fail_next("no_json_mode", "no_json_mode")
    status, body = _post(stub, _body("hi", response_format={"type": "json_object"}))
    assert status == 400 and "response_format" in body["error"]["message"]
    assert _post(stub, _structured("hi"))[0] == 200
    stub.fail_next("no_schema", "bad_request")
    assert "json_schema" in _post(stub, _structured("hi"))[1]["error"]["message"]
    assert _post(stub, _body("hi"))[1]["error"]["message"] == "Invalid 'messages[1].content': string too long"


def test_drip_sends_the_body_one_byte_at_a_time(stub: StubServer) -> None:
    stub.fail_next("drip")
    with _open(stub, _body("hi")) as response:
        started = time.monotonic()
        head = response.read(10)
        waited = time.monotonic() - started
    assert head == b'{"id": "ch' and waited >= 0.15


def test_stall_waits_before_answering(stub: StubServer) -> None:
    stub.fail_next("stall")
    started = time.monotonic()
    assert _post(stub, _body("hi"))[0] == 200 and time.monotonic() - started >= 0.28


def test_cut_ends_a_stream_without_a_finish(stub: StubServer) -> None:
    stub.fail_next("cut")
    _, raw = _post(stub, _body("hi", stream=True))
    assert b"data: {" in raw and b'finish_reason": "stop' not in raw and b"[DONE]" not in raw


# -- answers ----------------------------------------------------------------------------------


def test_the_default_stub_answers_any_schema_minimally() -> None:
    body = {"response_format": {"type": "json_schema", "json_schema": {"schema": Pick.model_json_schema()}}}
    assert Pick.model_validate_json(default_responder(body)) == Pick(kind="", ids=[])


def test_a_schema_in_a_plain_prompt_is_found_too() -> None:
    prompt = "Answer with one JSON object only, matching this JSON schema:\n" + json.dumps(SCHEMA)
    assert request_schema(_body("hi", prompt)) == SCHEMA
    assert request_schema(_body("hi")) is None
    assert json.loads(default_responder(_body("hi", prompt))) == {"kind": ""}
