"""How the stub server bills a request: tokens at four characters each, and a simulated prompt cache."""

from __future__ import annotations

import json
from typing import Any

CHARS_PER_TOKEN = 4
CACHE_MIN_TOKENS = 1024
"""OpenAI caches a prompt prefix only from this length on..."""
CACHE_STEP_TOKENS = 128
"""...and counts cached tokens in steps of this many."""
MESSAGE_OVERHEAD_TOKENS = 4


def estimate_tokens(text: str) -> int:
    """Estimate tokens at four characters per token (the stub has no tokenizer)."""
    return max(1, len(text) // CHARS_PER_TOKEN)


def _extras(body: dict[str, Any]) -> list[str]:
    """Return what a request is billed for besides its messages: the JSON schema and the tools."""
    extras = []
    response_format = body.get("response_format") or {}
    if response_format.get("type") == "json_schema":
        extras.append(json.dumps(response_format.get("json_schema", {}).get("schema", {}), separators=(",", ":")))
    if body.get("tools"):
        extras.append(json.dumps(body["tools"], separators=(",", ":")))
    return extras


def prompt_tokens(body: dict[str, Any]) -> int:
    """Return the prompt tokens a chat request is billed: its messages, schema and tools."""
    messages = sum(
        estimate_tokens(str(m.get("content") or "")) + MESSAGE_OVERHEAD_TOKENS for m in body.get("messages", [])
    )
    return messages + sum(estimate_tokens(extra) for extra in _extras(body))


def prompt_text(body: dict[str, Any]) -> str:
    """Return the request's prompt as the cache sees it: the messages in order, then the schema and tools."""
    messages = "".join(f"{m.get('role', '')}\n{m.get('content') or ''}\n" for m in body.get("messages", []))
    return messages + "".join(_extras(body))


class PromptCache:
    """Which prompt prefixes earlier requests have warmed, in blocks of CACHE_STEP_TOKENS tokens.

    A prefix is identified by a hash chained over its blocks, so a request's cached length is
    the longest common prefix with any earlier request, rounded down to whole blocks. Not
    thread-safe: the server calls it under its lock.
    """

    def __init__(self) -> None:
        self._seen: set[int] = set()

    def hit(self, text: str) -> int:
        """Return the cached tokens for ``text`` (0 under CACHE_MIN_TOKENS), then remember its prefixes."""
        block = CACHE_STEP_TOKENS * CHARS_PER_TOKEN
        chain: list[int] = []
        digest = 0
        for start in range(0, len(text) - block + 1, block):
            digest = hash((digest, text[start : start + block]))
            chain.append(digest)
        blocks = 0
        for digest in chain:
            if digest not in self._seen:
                break
            blocks += 1
        self._seen.update(chain)
        cached = blocks * CACHE_STEP_TOKENS
        return cached if cached >= CACHE_MIN_TOKENS else 0
