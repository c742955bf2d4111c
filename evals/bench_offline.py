"""Benchmark the offline brain: per-turn latency, whole simulated interviews, index build.

Run with ``make bench`` or ``.venv/bin/python evals/bench_offline.py [--repeat N]``.
Prints a Markdown table; numbers depend on the machine, so compare runs on one machine.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from interviewer.brain.offline import OfflineBrain
from interviewer.embedding import HashingEmbedding
from interviewer.evals.stats import percentile
from interviewer.graph.context import FakeClock
from interviewer.index import KnowledgeIndex
from interviewer.knowledge.loader import load_knowledge
from interviewer.personas import ScriptedCandidate, builtin_persona_path, load_persona
from interviewer.prompts import load_phrases
from interviewer.sessions import InterviewService
from interviewer.settings import REPO_ROOT


def main() -> None:
    """Run the benchmark and print the results."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=1, help="Interviews per case and persona.")
    args = parser.parse_args()
    kb = load_knowledge(REPO_ROOT / "knowledge")
    phrases = load_phrases(REPO_ROOT / "prompts")
    personas = REPO_ROOT / "evals" / "personas"
    turn_ms: list[float] = []
    interview_s: list[float] = []
    for _ in range(args.repeat):
        for case_id in kb.cases:
            for name in ("strong", "average", "weak"):
                path = builtin_persona_path(personas, case_id, name)
                if not path.exists():
                    continue
                service = InterviewService(kb, OfflineBrain(), phrases, clock=FakeClock())
                candidate = ScriptedCandidate(load_persona(path))
                started = time.perf_counter()
                view = service.start(case_id, "senior")
                while not view.done:
                    message = candidate.reply(view)
                    t0 = time.perf_counter()
                    view = service.send(view.session_id, message)
                    turn_ms.append((time.perf_counter() - t0) * 1000)
                interview_s.append(time.perf_counter() - started)
    with tempfile.TemporaryDirectory() as tmp:
        index = KnowledgeIndex(Path(tmp) / "chroma", HashingEmbedding())
        t0 = time.perf_counter()
        index.ensure(kb)
        build_s = time.perf_counter() - t0
        entries = index.count()
    print("| metric | value |\n| --- | --- |")
    print(f"| cases | {len(kb.cases)} |")
    print(f"| simulated interviews | {len(interview_s)} |")
    print(f"| candidate turns | {len(turn_ms)} |")
    print(f"| per-turn latency, median | {statistics.median(turn_ms):.1f} ms |")
    print(f"| per-turn latency, p95 | {percentile(turn_ms, 0.95):.1f} ms |")
    print(f"| whole simulated interview, median | {statistics.median(interview_s):.2f} s |")
    print(f"| whole simulated interview, max | {max(interview_s):.2f} s |")
    print(f"| index build ({entries} entries) | {build_s:.2f} s |")


if __name__ == "__main__":
    main()
