"""Benchmark the offline brain: model load, memory, judge vectors, first turn, per-turn latency, index build.

Run with ``make bench`` or ``.venv/bin/python evals/bench_offline.py [--repeat N]``.
Prints a Markdown table; numbers depend on the machine, so compare runs on one machine.
Model load and memory are measured in a fresh Python process, so imports are counted too.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from interviewer.brain.offline import OfflineBrain
from interviewer.embedding import MiniLMEmbedding
from interviewer.evals.stats import percentile
from interviewer.graph.context import FakeClock
from interviewer.index import KnowledgeIndex
from interviewer.knowledge.loader import KnowledgeBase, load_knowledge
from interviewer.personas import ScriptedCandidate, builtin_persona_path, load_persona
from interviewer.prompts import Phrases, load_phrases
from interviewer.semantic.encoder import Encoder
from interviewer.semantic.precompute import load_vectors, save_vectors
from interviewer.sessions import InterviewService
from interviewer.settings import REPO_ROOT

PERSONAS = ("strong", "plain", "average", "weak")
_LOAD_PROBE = """
import json, time
def rss():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) / 1024
import interviewer.brain.offline
before = rss()
t0 = time.perf_counter()
from interviewer.semantic.encoder import Encoder
encoder = Encoder()
load = time.perf_counter() - t0
encoder.encode(["warm up the session with one sentence about delayed click labels"] * 8)
print(json.dumps({"load_s": load, "added_rss_mb": rss() - before}))
"""


def _model_load() -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", _LOAD_PROBE], check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _interviews(kb: KnowledgeBase, phrases: Phrases, brain: OfflineBrain, repeat: int) -> tuple[list[float], int]:
    personas = REPO_ROOT / "evals" / "personas"
    turn_ms: list[float] = []
    count = 0
    for _ in range(repeat):
        for case_id in kb.cases:
            for name in PERSONAS:
                path = builtin_persona_path(personas, case_id, name)
                if not path.exists():
                    continue
                service = InterviewService(kb, brain, phrases, clock=FakeClock())
                candidate = ScriptedCandidate(load_persona(path))
                view = service.start(case_id, "senior")
                while not view.done:
                    message = candidate.reply(view)
                    t0 = time.perf_counter()
                    view = service.send(view.session_id, message)
                    turn_ms.append((time.perf_counter() - t0) * 1000)
                count += 1
    return turn_ms, count


def _first_turn_ms(kb: KnowledgeBase, phrases: Phrases, brain: OfflineBrain) -> float:
    service = InterviewService(kb, brain, phrases, clock=FakeClock())
    view = service.start("ad-ctr", "senior")
    t0 = time.perf_counter()
    service.send(view.session_id, "I'd predict the click probability per impression, because the auction needs it.")
    return (time.perf_counter() - t0) * 1000


def main() -> None:
    """Run the benchmark and print the results."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=1, help="Interviews per case and persona.")
    args = parser.parse_args()
    kb = load_knowledge(REPO_ROOT / "knowledge")
    phrases = load_phrases(REPO_ROOT / "prompts")
    load = _model_load()
    with tempfile.TemporaryDirectory() as tmp:
        # What `interviewer index` does on a fresh data dir: the index, then the judge vectors, one encoder.
        encoder = Encoder()
        index = KnowledgeIndex(Path(tmp) / "chroma", MiniLMEmbedding(encoder))
        t0 = time.perf_counter()
        index.ensure(kb)
        build_s = time.perf_counter() - t0
        entries = index.count()
        vectors = Path(tmp) / "vectors.npz"
        t0 = time.perf_counter()
        texts = save_vectors(vectors, encoder, kb)
        vectors_s = time.perf_counter() - t0
        cold = _first_turn_ms(kb, phrases, OfflineBrain(encoder=Encoder()))
        warm_brain = OfflineBrain(encoder=Encoder(), preload=lambda e: load_vectors(vectors, e, kb.fingerprint))
        t0 = time.perf_counter()
        _ = warm_brain.encoder
        preload_ms = (time.perf_counter() - t0) * 1000
        warm = _first_turn_ms(kb, phrases, warm_brain)
        turn_ms, interviews = _interviews(kb, phrases, warm_brain, args.repeat)
    print("| metric | value |\n| --- | --- |")
    print(f"| model load (fresh process, imports included) | {load['load_s']:.2f} s |")
    print(f"| added resident memory (model loaded and run) | {load['added_rss_mb']:.0f} MB |")
    print(f"| index build, fresh ({entries} entries) | {build_s:.2f} s |")
    print(f"| judge vectors after the index ({texts} texts) | {vectors_s:.2f} s |")
    print(f"| preloading the judge vectors | {preload_ms:.0f} ms |")
    print(f"| first turn of a case, vectors not precomputed | {cold:.0f} ms |")
    print(f"| first turn of a case, vectors precomputed | {warm:.0f} ms |")
    print(f"| simulated interviews ({', '.join(PERSONAS)}) | {interviews} |")
    print(f"| candidate turns | {len(turn_ms)} |")
    print(f"| per-turn latency, median | {statistics.median(turn_ms):.1f} ms |")
    print(f"| per-turn latency, p95 | {percentile(turn_ms, 0.95):.1f} ms |")


if __name__ == "__main__":
    main()
