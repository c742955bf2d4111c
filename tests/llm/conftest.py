"""Cassette settings for the wire tests: secrets scrubbed, bodies matched, replay only by default.

``make cassettes`` re-records every cassette against the project's stub server
(``INTERVIEWER_RECORD_STUB=1``): the stub's loopback address is written into the cassettes as
OpenAI's, so a replay matches what the code sends to OpenAI itself.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from typing import Any

import pytest

SCRUBBED_REQUEST_HEADERS = ["authorization", "openai-organization", "openai-project", "cookie", "user-agent"]
SCRUBBED_RESPONSE_HEADERS = {"set-cookie", "openai-organization", "openai-project", "x-request-id", "cf-ray", "date"}


def _json_body(r1: Any, r2: Any) -> None:
    """Match request bodies as JSON, so key order and spacing do not matter."""
    a, b = json.loads(r1.body or b"{}"), json.loads(r2.body or b"{}")
    assert a == b, "request bodies differ"


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    response["headers"] = {k: v for k, v in response["headers"].items() if k.lower() not in SCRUBBED_RESPONSE_HEADERS}
    return response


RECORDED_FROM = "https://api.openai.com/v1"
_LOOPBACK = re.compile(r"^http://127\.0\.0\.1:\d+/v1")


def _as_openai(request: Any) -> Any:
    """Record a request to the stub as a request to OpenAI (the host replays are matched on)."""
    request.uri = _LOOPBACK.sub(RECORDED_FROM, request.uri)
    return request


def recording_stub() -> bool:
    """Whether the cassettes are being re-recorded against the project's stub server."""
    return bool(os.environ.get("INTERVIEWER_RECORD_STUB"))


def record_target(responder: Any = None, *faults: str) -> Iterator[str]:
    """Yield the base URL calls go to: a fresh stub when re-recording, else the recorded server's."""
    if recording_stub():
        from interviewer.llm.stub import StubServer, default_responder

        with StubServer(responder or default_responder) as stub:
            stub.fail_next(*faults)
            yield stub.url
    else:
        yield os.environ.get("INTERVIEWER_RECORD_BASE_URL", RECORDED_FROM)


def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    vcr.register_matcher("json_body", _json_body)


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    return {
        "filter_headers": SCRUBBED_REQUEST_HEADERS,
        "before_record_request": _as_openai,
        "before_record_response": _scrub_response,
        "match_on": ["method", "scheme", "host", "path", "json_body"],
        "decode_compressed_response": True,
        "allow_playback_repeats": False,
    }
