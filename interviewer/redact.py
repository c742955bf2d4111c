"""Make URLs fit to print: passwords and secret-looking query values are masked.

``OPENAI_BASE_URL`` may carry credentials (``http://user:pass@host/v1?api_key=...``); the CLI and
the app show where the brain talks to, so they print the URL through :func:`redact_url`.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus, urlsplit, urlunsplit

MASK = "***"
"""What a hidden password or query value is replaced with."""

SECRET_WORDS = ("key", "token", "secret", "pass", "pwd", "auth", "sig", "credential")
"""A query key containing one of these (case-insensitive) has its value masked."""

# A URL in running text; trailing punctuation belongs to the sentence, not the URL.
_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>`]*[^\s'\"<>`.,;:!?)\]]")


def is_secret_key(name: str) -> bool:
    """Say whether a query key looks like it names a secret (``api_key``, ``X-Amz-Signature``...)."""
    lowered = unquote_plus(name).lower()
    return any(word in lowered for word in SECRET_WORDS)


def _mask_pairs(text: str) -> str:
    """Mask the values of secret-looking ``key=value`` pairs; everything else is kept as written."""
    pairs = []
    for pair in text.split("&"):
        name, sep, _ = pair.partition("=")
        pairs.append(f"{name}={MASK}" if sep and is_secret_key(name) else pair)
    return "&".join(pairs)


def _mask_userinfo(netloc: str) -> str:
    userinfo, at, host = netloc.rpartition("@")
    if not at:
        return netloc
    user, colon, _ = userinfo.partition(":")
    return f"{user}:{MASK}@{host}" if colon else netloc


def redact_url(url: str) -> str:
    """Return ``url`` with its password (``user:***@``) and secret-looking query values masked.

    The user name, host, path and other query values are kept as written, so the result still
    says which server is meant. A URL that cannot be parsed is not shown at all.
    """
    bare = "://" not in url and not url.startswith("//")
    try:  # "user:pass@host:8000/v1" without a scheme would otherwise parse as scheme "user"
        parts = urlsplit("//" + url if bare else url)
    except ValueError:
        return "(a URL that cannot be parsed; not shown)"
    redacted = urlunsplit(
        (
            parts.scheme,
            _mask_userinfo(parts.netloc),
            parts.path,
            _mask_pairs(parts.query),
            _mask_pairs(parts.fragment),
        )
    )
    return redacted.removeprefix("//") if bare else redacted


def redact_urls(text: str) -> str:
    """Return ``text`` (an error message, say) with every URL in it passed through :func:`redact_url`."""
    return _URL.sub(lambda match: redact_url(match.group(0)), text)
