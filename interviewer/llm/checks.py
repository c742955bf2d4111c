"""The start-up check: is the server there, does it take the key, does it serve the models?"""

from __future__ import annotations

import time
from collections.abc import Sequence

import openai

from interviewer.llm.bounded import DeadlinePassed, call_by
from interviewer.llm.errors import LLMConfigError
from interviewer.redact import redact_url

_SHOWN_MODELS = 12


def check_server(client: openai.OpenAI, models: Sequence[str] = (), *, timeout_s: float = 5.0) -> None:
    """Raise LLMConfigError with one clear sentence if the server cannot be used for ``models``.

    A server that cannot list its models (some compatible servers answer 404) passes: its
    chat endpoint may still work, and the first call will say if it does not.
    """
    where = redact_url(str(client.base_url)).rstrip("/")
    try:
        listing = call_by(time.monotonic() + timeout_s, lambda _: client.models.list(timeout=timeout_s))
    except openai.AuthenticationError:
        raise LLMConfigError(f"the server at {where} rejected the API key; check OPENAI_API_KEY.") from None
    except (openai.APIConnectionError, DeadlinePassed):
        raise LLMConfigError(f"cannot reach an OpenAI-compatible server at {where}; is it running?") from None
    except (openai.APIError, ValueError):
        return
    served = [str(model.id) for model in getattr(listing, "data", None) or () if getattr(model, "id", None)]
    missing = [name for name in dict.fromkeys(models) if name not in served]
    if served and missing:
        raise LLMConfigError(_not_served(where, missing, served))


def _not_served(where: str, missing: Sequence[str], served: Sequence[str]) -> str:
    names = ", ".join(f"'{name}'" for name in missing)
    noun = "model" if len(missing) == 1 else "models"
    listed = ", ".join(served[:_SHOWN_MODELS])
    if len(served) > _SHOWN_MODELS:
        listed += f" and {len(served) - _SHOWN_MODELS} more"
    return (
        f"the server at {where} does not serve {noun} {names} (it serves: {listed}); set"
        " INTERVIEWER_INTERVIEWER_MODEL and INTERVIEWER_GRADER_MODEL to models it serves."
    )
