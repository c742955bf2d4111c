"""Benchmark the LLM brain where a user feels it: seconds to the first model word, and tokens billed.

Run with ``make bench-tokens`` or ``.venv/bin/python evals/bench_tokens.py [--cases ID ...] [--latency S]``.

Scripted personas (strong, average, weak) are interviewed end to end by the real graph and the LLM
brain, over HTTP, against the project's OpenAI-compatible stub server (``interviewer/llm/stub.py``)
with ``--latency`` seconds (default 1) added to every call, about what a real model takes. The stub
bills like a real server: prompt tokens count the messages *and* the structured-output schema, at
four characters per token, and it simulates prompt caching (a shared prefix of at least 1,024
tokens, in steps of 128). Every figure comes from the stub's own request log.

- **First model word of a follow-up**: seconds from sending the answer to the first piece of the
  model's question (the acknowledgement before it is code's and comes at once).
- **Clarifying answer**: seconds from sending a clarifying question to the whole answer.
- **Debrief ready**: seconds from sending the last answer to the finished debrief.
- **Whole-history baseline**: the prompt tokens of a peer design that makes one call per interviewer
  turn, each sending the same system prompt (our stable prefix: rules, case, rubric, fact topics)
  plus every turn so far; billed the same way (four characters per token, four per message).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from interviewer.brain.base import Situation
from interviewer.brain.llm import LLMBrain
from interviewer.factory import knowledge, make_brain, make_service
from interviewer.graph.context import FakeClock
from interviewer.llm.stub import StubServer, estimate_tokens
from interviewer.personas import ScriptedCandidate, builtin_persona_path, load_persona
from interviewer.settings import Settings

DEFAULT_CASES = ("ad-ctr", "payment-fraud", "rag-assistant")
PERSONAS = ("strong", "average", "weak")
SECONDS_PER_TURN = 45
GOALS = {"follow_up_first_word_s": 1.3, "clarifying_s": 1.3, "debrief_s": 3.0, "tokens_vs_whole": 1.0}


def _settings(stub: StubServer, data_dir: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        provider="openai",
        OPENAI_BASE_URL=stub.url,
        data_dir=data_dir,
        interviewer_model="stub",
        grader_model="stub",
    )


def whole_history_tokens(prefix: str, turns: list[Any]) -> tuple[int, int]:
    """Return (calls, prompt tokens) of one call per interviewer turn sending the prefix and all turns so far."""
    calls = tokens = 0
    history = 0
    for turn in turns:
        if turn.role == "interviewer" and turn.kind != "notice":
            calls += 1
            tokens += estimate_tokens(prefix) + 4 + history
        history += estimate_tokens(turn.content) + 4
    return calls, tokens


def run(case_id: str, persona_name: str, stub: StubServer, data_dir: Path) -> dict[str, Any]:
    """Interview one persona; return its timings and token figures from the stub's log."""
    settings = _settings(stub, data_dir)
    brain = make_brain(settings)
    assert isinstance(brain, LLMBrain)
    service = make_service(settings, persistent=False, clock=FakeClock(), brain=brain)
    candidate = ScriptedCandidate(load_persona(builtin_persona_path(settings.personas_dir, case_id, persona_name)))
    first_log = len(stub.log)
    view = service.start(case_id, "senior")
    first_words: list[float] = []
    clarifying: list[float] = []
    per_turn: list[float] = []
    last = 0.0
    while not view.done:
        message = candidate.reply(view)
        service.clock.advance(SECONDS_PER_TURN)  # type: ignore[attr-defined]
        started = time.perf_counter()
        stamps = [time.perf_counter() - started for _ in service.stream(view.session_id, message)]
        last = time.perf_counter() - started
        per_turn.append(last)
        view = service.state(view.session_id)
        reply = view.turns[-1]
        if reply.kind == "follow_up" and len(stamps) > 1:
            first_words.append(stamps[1])  # stamps[0] is the acknowledgement, code's own text
        elif reply.kind == "fact":
            clarifying.append(last)
    log = stub.log[first_log:]
    prefix = brain.book.prefix(Situation(case=knowledge(settings.knowledge_dir).cases[case_id]))
    whole_calls, whole = whole_history_tokens(prefix, view.turns)
    assert view.debrief is not None
    usage = view.debrief.metadata["usage"]
    assert isinstance(usage, dict)
    return {
        "case": case_id,
        "persona": persona_name,
        "turns": len(per_turn),
        "calls": len(log),
        "kinds": Counter("stream" if e["stream"] else "structured" for e in log),
        "billed": sum(e["prompt_tokens"] for e in log),
        "cached": sum(e["cached_tokens"] for e in log),
        "reported": usage.get("prompt_tokens", 0),
        "whole_calls": whole_calls,
        "whole": whole,
        "first_words": first_words,
        "clarifying": clarifying,
        "debrief_s": last,
        "per_turn": per_turn,
    }


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def main() -> None:
    """Run the benchmark and print Markdown tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", nargs="*", default=list(DEFAULT_CASES), help="Case ids to interview.")
    parser.add_argument("--latency", type=float, default=1.0, help="Seconds the stub waits before each answer.")
    args = parser.parse_args()
    rows = []
    with StubServer(latency_s=args.latency, models=("stub",)) as stub, tempfile.TemporaryDirectory() as tmp:
        for case_id in args.cases:
            for persona in PERSONAS:
                rows.append(run(case_id, persona, stub, Path(tmp)))
    lines = [
        f"Stub latency {args.latency:g} s per call.",
        "",
        "| case | persona | turns | calls | s/turn | 1st word (median) | clarifying (median) | debrief |"
        " billed prompt tokens | cached | whole history (calls) | billed / whole |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['case']} | {r['persona']} | {r['turns']} | {r['calls']} | {statistics.mean(r['per_turn']):.2f} |"
            f" {_median(r['first_words']):.2f} | {_median(r['clarifying']):.2f} | {r['debrief_s']:.2f} |"
            f" {r['billed']:,} | {r['cached'] / r['billed']:.0%} | {r['whole']:,} ({r['whole_calls']}) |"
            f" {r['billed'] / r['whole']:.2f} |"
        )
    billed, whole, cached = (sum(r[k] for r in rows) for k in ("billed", "whole", "cached"))
    figures = {
        "follow_up_first_word_s": _median([x for r in rows for x in r["first_words"]]),
        "clarifying_s": _median([x for r in rows for x in r["clarifying"]]),
        "debrief_s": _median([r["debrief_s"] for r in rows]),
        "tokens_vs_whole": billed / whole,
    }
    kinds: Counter[str] = Counter()
    for r in rows:
        kinds.update(r["kinds"])
    lines += [
        f"| **all** | | {sum(r['turns'] for r in rows)} | {sum(r['calls'] for r in rows)} |"
        f" {statistics.mean(x for r in rows for x in r['per_turn']):.2f} | | | |"
        f" **{billed:,}** | {cached / billed:.0%} |"
        f" **{whole:,}** | **{billed / whole:.2f}** |",
        "",
        "| figure | measured | goal |",
        "|---|---:|---:|",
        *(f"| {name} | {value:.2f} | ≤ {GOALS[name]:g} |" for name, value in figures.items()),
        "",
        "Calls by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())),
        f"Debrief ready after the last answer, worst interview: {max(r['debrief_s'] for r in rows):.2f} s.",
    ]
    if any(r["reported"] != r["billed"] for r in rows):
        lines.append("Note: the debrief's usage record differs from the stub's log on some interview.")
    else:
        lines.append("The debrief's own usage record matched the stub's billing on every interview.")
    print("\n".join(lines))  # noqa: T201


if __name__ == "__main__":
    main()
