"""Benchmark the LLM brain's prompt size: our compact prompts against whole-history prompting.

Run with ``make bench-tokens`` or ``.venv/bin/python evals/bench_tokens.py [--cases ID ...]``.

Scripted personas are interviewed end to end by the real graph and the LLM brain, talking
over HTTP to the project's OpenAI-compatible stub server (``interviewer/llm/stub.py``), so
every model call really happens; the stub answers minimally (every signal missing), which
makes the interviewer ask every follow-up it may: an upper bound on calls.

Tokens are estimated at four characters per token plus four per message (the stub's
estimator; no tokenizer is available offline). For every call we record the prompt we
sent ("ours": the fixed system prefix, the task, the current step's rubric, and only the
candidate text the task needs, with earlier steps summarised) and the prompt the same call
would need if it replayed the whole interview so far instead of our selected candidate text
("whole history"): ours − the candidate text we included + the full transcript so far.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from interviewer.factory import make_service
from interviewer.graph.context import FakeClock
from interviewer.llm.client import Message, OpenAIChat, Usage
from interviewer.llm.stub import StubServer, estimate_tokens
from interviewer.personas import ScriptedCandidate, builtin_persona_path, load_persona
from interviewer.settings import Settings

T = TypeVar("T", bound=BaseModel)
_CANDIDATE = re.compile(r"<candidate[^>]*>(.*?)</candidate>", re.S)
DEFAULT_CASES = ("ad-ctr", "payment-fraud", "rag-assistant")
PERSONAS = ("strong", "average", "weak")


def prompt_tokens(messages: Sequence[Message]) -> int:
    """Estimate a prompt's tokens the way the stub server does."""
    return sum(estimate_tokens(m["content"]) + 4 for m in messages)


class CountingChat:
    """Wraps a ChatModel and records, per call, our prompt size and the whole-history one."""

    def __init__(self, inner: OpenAIChat) -> None:
        """Wrap a chat model."""
        self.inner = inner
        self.history = ""
        """The whole transcript so far, as the bench last saw it."""
        self.ours: list[int] = []
        self.whole: list[int] = []
        self.kinds: Counter[str] = Counter()

    def _record(self, kind: str, messages: Sequence[Message]) -> None:
        ours = prompt_tokens(messages)
        included = sum(estimate_tokens(m) for msg in messages for m in _CANDIDATE.findall(msg["content"]))
        self.ours.append(ours)
        self.whole.append(ours - included + estimate_tokens(self.history))
        self.kinds[kind] += 1

    def structured(self, messages: Sequence[Message], schema: type[T], *, model: str) -> T:
        """Record and forward a structured call."""
        self._record(schema.__name__, messages)
        return self.inner.structured(messages, schema, model=model)

    def stream(self, messages: Sequence[Message], *, model: str) -> Iterator[str]:
        """Record and forward a streamed call."""
        self._record("follow-up", messages)
        return self.inner.stream(messages, model=model)

    def take_usage(self) -> Usage:
        """Forward the usage of the wrapped model."""
        return self.inner.take_usage()


def run(case_id: str, persona_name: str, stub: StubServer, data_dir: Path) -> dict[str, Any]:
    """Interview one persona and return its token figures."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        provider="openai",
        OPENAI_BASE_URL=stub.url,
        data_dir=data_dir,
        llm_check=False,
    )
    from interviewer.factory import make_brain, make_chat

    chat = CountingChat(make_chat(settings))
    service = make_service(settings, persistent=False, clock=FakeClock(), brain=make_brain(settings, chat=chat))
    candidate = ScriptedCandidate(load_persona(builtin_persona_path(settings.personas_dir, case_id, persona_name)))
    view = service.start(case_id, "senior")
    while not view.done:
        message = candidate.reply(view)
        chat.history = "\n".join(f"{t.role}: {t.content}" for t in view.turns) + f"\ncandidate: {message}"
        service.clock.advance(45)  # type: ignore[attr-defined]
        view = service.send(view.session_id, message)
    assert view.debrief is not None
    usage = view.debrief.metadata["usage"]
    assert isinstance(usage, dict)
    return {
        "case": case_id,
        "persona": persona_name,
        "turns": sum(1 for t in view.turns if t.role == "candidate"),
        "calls": len(chat.ours),
        "ours": sum(chat.ours),
        "whole": sum(chat.whole),
        "reported_prompt_tokens": usage["prompt_tokens"],
        "completion_tokens": usage["completion_tokens"],
        "kinds": dict(chat.kinds),
    }


def main() -> None:
    """Run the benchmark and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", nargs="*", default=list(DEFAULT_CASES), help="Case ids to interview.")
    args = parser.parse_args()
    rows = []
    with StubServer() as stub, tempfile.TemporaryDirectory() as tmp:
        for case_id in args.cases:
            for persona in PERSONAS:
                rows.append(run(case_id, persona, stub, Path(tmp)))
    lines = [
        "| case | persona | candidate turns | model calls | prompt tokens, ours | whole history | ours / whole |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['case']} | {r['persona']} | {r['turns']} | {r['calls']} | {r['ours']:,} | {r['whole']:,} |"
            f" {r['ours'] / r['whole']:.2f} |"
        )
    ours, whole = sum(r["ours"] for r in rows), sum(r["whole"] for r in rows)
    calls = sum(r["calls"] for r in rows)
    lines.append(f"| **all** | | | {calls} | **{ours:,}** | **{whole:,}** | **{ours / whole:.2f}** |")
    per_interview = statistics.median(r["ours"] for r in rows)
    kinds: Counter[str] = Counter()
    for r in rows:
        kinds.update(r["kinds"])
    assert all(r["reported_prompt_tokens"] == r["ours"] for r in rows), "debrief usage disagrees with the calls made"
    lines += [
        "",
        f"Median prompt tokens per interview (ours): {per_interview:,.0f}; whole history would need"
        f" {statistics.median(r['whole'] for r in rows):,.0f}. Saving: {1 - ours / whole:.0%}.",
        "Calls by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())),
        "The debrief's own usage record matched the calls counted here on every interview.",
    ]
    print("\n".join(lines))  # noqa: T201


if __name__ == "__main__":
    main()
