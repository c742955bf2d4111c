"""Cassette settings for the wire tests: secrets scrubbed, bodies matched, replay only by default."""

from __future__ import annotations

import json
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


def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    vcr.register_matcher("json_body", _json_body)


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    return {
        "filter_headers": SCRUBBED_REQUEST_HEADERS,
        "before_record_response": _scrub_response,
        "match_on": ["method", "scheme", "host", "path", "json_body"],
        "decode_compressed_response": True,
        "allow_playback_repeats": False,
    }
