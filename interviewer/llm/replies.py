"""Structured answers without structured outputs: the schema in the prompt, the reply parsed and checked.

Servers without ``json_schema`` support get the schema as an extra system message (with JSON
mode when they have it, as plain text when they do not); the reply is read leniently (code
fences and chatter around the object are dropped) and validated, and one repair request
tells the model what was wrong.
"""

from __future__ import annotations

import json
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from interviewer.llm.errors import NOT_JSON, ReplyError, invalid_reply

T = TypeVar("T", bound=BaseModel)
Message = dict[str, str]

SCHEMA_MARKER = "matching this JSON schema:\n"
"""Ends the instruction before the schema; the stub server finds the schema after it."""


def schema_instruction(schema: type[BaseModel]) -> Message:
    """Return the system message that asks for one JSON object matching ``schema``."""
    text = json.dumps(schema.model_json_schema(), separators=(",", ":"))
    return {"role": "system", "content": f"Answer with one JSON object only, {SCHEMA_MARKER}{text}"}


def repair_request(content: str | None, error: ReplyError) -> list[Message]:
    """Return the two messages that show the model its invalid reply and ask for a corrected one."""
    return [
        {"role": "assistant", "content": content or ""},
        {"role": "user", "content": f"That was not valid: {error.detail}. Reply with the corrected JSON object only."},
    ]


def json_text(content: str) -> str:
    """Return the JSON object inside a reply, without code fences or text around it."""
    text = content.strip()
    start, end = text.find("{"), text.rfind("}")
    return text[start : end + 1] if 0 <= start < end else text


def parse_reply(content: str | None, schema: type[T]) -> T:
    """Return the reply validated against ``schema``; raise a retryable ReplyError when it is not."""
    if not content or not content.strip():
        raise ReplyError(NOT_JSON, retry=True, detail="the reply was empty")
    try:
        return schema.model_validate_json(json_text(content))
    except ValidationError as error:
        raise invalid_reply(error) from None
