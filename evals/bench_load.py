"""Many candidates at once, and kills at random points: does the session store lose anything?

Run with ``make bench-load`` or ``.venv/bin/python evals/bench_load.py [--interviews N] [--kills N]``.

- **threads**: N scripted interviews at once in threads on one service (one data folder), as
  Streamlit serves every browser from one process.
- **processes**: N interviews across 4 processes sharing one data folder, threads in each.
- **postgres** (with ``--postgres URL``, or ``--start-postgres`` to start a throwaway server with the
  test suite's helper): the same through ``INTERVIEWER_DATABASE_URL``.
- **kills**: N interviews in a child process killed with SIGKILL at a random moment (half of them
  with the LLM brain on a stub server with latency, so kills land inside model calls), then resumed
  through the CLI (``practice --resume``) or the API (``retry`` and ``send``).

Every message is tagged with its interview, so each session's candidate turns can be checked
against what was sent: **lost** (sent and answered, missing), **duplicated** (present twice),
**cross-talk** (another interview's message), **stale pending** (a message shown as unanswered
after the interview went on), and **errors** (any exception). All must be 0.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from interviewer.factory import make_service
from interviewer.personas import ScriptedCandidate, builtin_persona_path, load_persona
from interviewer.sessions import InterviewService
from interviewer.settings import REPO_ROOT, Settings

CASES = ("ad-ctr", "payment-fraud", "rag-assistant", "feed-ranking", "search-ranking")
PERSONAS = ("strong", "average", "weak")
MAX_MESSAGES = 40


def _settings(data_dir: Path, **extra: Any) -> Settings:
    return Settings(_env_file=None, data_dir=data_dir, **extra)  # type: ignore[call-arg]


def _persona(n: int) -> tuple[str, ScriptedCandidate]:
    case = CASES[n % len(CASES)]
    path = builtin_persona_path(REPO_ROOT / "evals" / "personas", case, PERSONAS[n % len(PERSONAS)])
    if not path.exists():
        case, path = "ad-ctr", builtin_persona_path(REPO_ROOT / "evals" / "personas", "ad-ctr", "average")
    return case, ScriptedCandidate(load_persona(path))


def tag(n: int, k: int) -> str:
    """Return the marker that ties message ``k`` to interview ``n``."""
    return f" [i{n}m{k}]"


def interview(service: InterviewService, n: int, prefix: str) -> dict[str, Any]:
    """Run one tagged scripted interview; return what was sent and any error."""
    case, candidate = _persona(n)
    sent: list[str] = []
    try:
        view = service.start(case, session_id=f"{prefix}-{n}")
        while not view.done and len(sent) < MAX_MESSAGES:
            message = candidate.reply(view) + tag(n, len(sent))
            sent.append(message)
            view = service.send(view.session_id, message)
            if len(sent) == 2 and n % 3 == 0 and not view.done:
                view = service.control(view.session_id, "hint")  # a hint asks the knowledge index
        return {"n": n, "session": view.session_id, "sent": sent, "error": None}
    except Exception as error:  # noqa: BLE001 - counted, the bench goes on
        return {"n": n, "session": f"{prefix}-{n}", "sent": sent, "error": f"{type(error).__name__}: {error}"}


def check(service: InterviewService, runs: list[dict[str, Any]]) -> dict[str, int]:
    """Compare every session with what was sent to it."""
    counts = {"interviews": len(runs), "messages": 0, "lost": 0, "duplicated": 0, "cross_talk": 0, "stale_pending": 0}
    counts["errors"] = sum(1 for r in runs if r["error"])
    for r in runs:
        counts["messages"] += len(r["sent"])
        try:
            view = service.state(r["session"])
        except Exception:  # noqa: BLE001
            counts["lost"] += len(r["sent"])
            continue
        said = [t.content for t in view.turns if t.role == "candidate"]
        mine = f"[i{r['n']}m"
        counts["cross_talk"] += sum(1 for s in said if "[i" in s and mine not in s)
        counts["duplicated"] += len(said) - len(set(said))
        counts["lost"] += sum(1 for s in r["sent"] if s not in said)
        counts["stale_pending"] += view.pending_message is not None
    return counts


def run_threads(settings: Settings, count: int, prefix: str, offset: int = 0) -> list[dict[str, Any]]:
    """Run ``count`` interviews at once on one service."""
    service = make_service(settings, time_budgets=False)
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(lambda n: interview(service, n, prefix), range(offset, offset + count)))


def _process(args: tuple[dict[str, Any], int, str, int]) -> list[dict[str, Any]]:
    values, count, prefix, offset = args
    return run_threads(Settings(_env_file=None, **values), count, prefix, offset)  # type: ignore[call-arg]


def run_processes(settings_values: dict[str, Any], count: int, processes: int, prefix: str) -> list[dict[str, Any]]:
    """Run ``count`` interviews across ``processes`` processes, threads in each."""
    per = [count // processes + (1 if i < count % processes else 0) for i in range(processes)]
    offsets = [sum(per[:i]) for i in range(processes)]
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        parts = pool.map(_process, [(settings_values, per[i], prefix, offsets[i]) for i in range(processes)])
    return [r for part in parts for r in part]


KILL_DRIVER = """
import json, sys
from pathlib import Path
sys.path.insert(0, {root!r})
from evals.bench_load import _settings, _persona, tag
from interviewer.factory import make_service
settings = _settings(Path({data!r}), **json.loads({extra!r}))
service = make_service(settings, time_budgets=False)
n = {n}
case, candidate = _persona(n)
view = service.start(case, session_id="kill-{n}")
for k in range(12):
    message = candidate.reply(view) + tag(n, k)
    print("SENT", json.dumps(message), flush=True)
    view = service.send(view.session_id, message)
    print("DONE", flush=True)
"""


def kill_and_resume(data_dir: Path, n: int, extra: dict[str, Any], via_cli: bool, rng: random.Random) -> dict[str, int]:
    """Kill an interview at a random moment, resume it, and count what was lost or duplicated."""
    code = KILL_DRIVER.format(root=str(REPO_ROOT), data=str(data_dir), extra=json.dumps(extra), n=n)
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=REPO_ROOT)
    assert child.stdout is not None
    answered: list[str] = []
    in_flight: str | None = None
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(child.stdout.readline, "")), daemon=True)
    reader.start()
    # Kill at a random moment after the interview has started sending (a kill before it exists tests nothing).
    waited = time.monotonic() + 120
    while not any(line.startswith("SENT") for line in lines) and child.poll() is None and time.monotonic() < waited:
        time.sleep(0.02)
    deadline = time.monotonic() + rng.uniform(0.05, 4.0)
    while time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    child.wait()
    reader.join(timeout=5)
    for line in lines:
        if line.startswith("SENT "):
            in_flight = json.loads(line[5:])
        elif line.startswith("DONE") and in_flight is not None:
            answered.append(in_flight)
            in_flight = None
    settings = _settings(data_dir, **extra)
    new = f"resumed after the kill, because the interview goes on{tag(n, 99)}"
    if via_cli:
        env = {
            **os.environ,
            "INTERVIEWER_DATA_DIR": str(data_dir),
            **{f"INTERVIEWER_{k.upper()}": str(v) for k, v in extra.items() if k != "OPENAI_BASE_URL"},
        }
        if "OPENAI_BASE_URL" in extra:
            env["OPENAI_BASE_URL"] = str(extra["OPENAI_BASE_URL"])
        subprocess.run(
            [str(REPO_ROOT / ".venv" / "bin" / "interviewer"), "practice", "--resume", f"kill-{n}"],
            input=new + "\n",
            text=True,
            capture_output=True,
            env=env,
            cwd=REPO_ROOT,
            timeout=120,
            check=False,
        )
    service = make_service(settings, time_budgets=False)
    errors = 0
    try:
        if not service.state(f"kill-{n}").done and not via_cli:
            service.retry(f"kill-{n}")
            service.send(f"kill-{n}", new)
        view = service.state(f"kill-{n}")
    except Exception:  # noqa: BLE001 - a session the kill left unopenable counts as everything lost
        return {"lost": len(answered) + 1, "duplicated": 0, "errors": 1, "stale_pending": 0}
    said = [t.content for t in view.turns if t.role == "candidate"]
    expected = [*answered, new] if not view.done else answered
    lost = sum(1 for s in expected if s not in said)
    dup = len(said) - len(set(said))
    extra_msgs = [s for s in said if s not in expected and s != in_flight]
    return {
        "lost": lost,
        "duplicated": dup + len(extra_msgs),
        "errors": errors,
        "stale_pending": int(view.pending_message is not None),
    }


def main() -> None:
    """Run the load and kill benchmarks and print Markdown tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--interviews", type=int, default=50)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--postgres", default=None, help="postgresql:// URL to also run the load against.")
    parser.add_argument(
        "--servers",
        action="store_true",
        help="Start a throwaway PostgreSQL and Chroma server (the test suite's helpers) and run against them too.",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only-kills", action="store_true", help="Run only the kill -9 part.")
    args = parser.parse_args()
    rows: list[tuple[str, dict[str, int], float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        data = base / "threads"
        subprocess.run(
            [str(REPO_ROOT / ".venv" / "bin" / "interviewer"), "index"],
            env={**os.environ, "INTERVIEWER_DATA_DIR": str(data)},
            check=True,
            capture_output=True,
        )
        if not args.only_kills:
            started = time.perf_counter()
            settings = _settings(data)
            runs = run_threads(settings, args.interviews, "t")
            rows.append(
                (
                    f"{args.interviews} interviews, threads, SQLite",
                    check(make_service(settings), runs),
                    time.perf_counter() - started,
                )
            )
            started = time.perf_counter()
            runs = run_processes({"data_dir": str(data)}, args.interviews, args.processes, "p")
            rows.append(
                (
                    f"{args.interviews} interviews, {args.processes} processes, SQLite",
                    check(make_service(settings), runs),
                    time.perf_counter() - started,
                )
            )
            servers: list[Any] = []
            postgres, chroma = args.postgres, None
            if args.servers:
                sys.path.insert(0, str(REPO_ROOT))
                from tests.store.servers import start_chroma, start_postgres

                pg_server = start_postgres()
                servers.append(pg_server)
                chroma_server = start_chroma(base / "chroma-server")
                servers.append(chroma_server)
                postgres, chroma = pg_server.create_database(), chroma_server.url
            try:
                if postgres:
                    started = time.perf_counter()
                    values = {"data_dir": str(data), "database_url": postgres}
                    runs = run_processes(values, args.interviews, args.processes, "pg")
                    pg = _settings(data, database_url=postgres)
                    name = f"{args.interviews} interviews, {args.processes} processes, PostgreSQL"
                    rows.append((name, check(make_service(pg), runs), time.perf_counter() - started))
                if postgres and chroma:
                    started = time.perf_counter()
                    replica = base / "replica"
                    values = {"data_dir": str(replica), "database_url": postgres, "chroma_url": chroma}
                    env = {**os.environ, "INTERVIEWER_CHROMA_URL": chroma, "INTERVIEWER_DATA_DIR": str(replica)}
                    subprocess.run([str(REPO_ROOT / ".venv" / "bin" / "interviewer"), "index"], env=env, check=True)
                    runs = run_processes(values, args.interviews, 2, "rep")
                    shared = _settings(replica, database_url=postgres, chroma_url=chroma)
                    name = f"{args.interviews} interviews, 2 app processes sharing PostgreSQL and a Chroma server"
                    rows.append((name, check(make_service(shared), runs), time.perf_counter() - started))
            finally:
                for server in servers:
                    server.stop()
        rng = random.Random(args.seed)
        totals = {"lost": 0, "duplicated": 0, "errors": 0, "stale_pending": 0}
        started = time.perf_counter()
        from interviewer.llm.stub import StubServer

        with StubServer(latency_s=0.4, models=("stub",)) as stub:
            llm = {
                "provider": "openai",
                "OPENAI_BASE_URL": stub.url,
                "interviewer_model": "stub",
                "grader_model": "stub",
            }
            for n in range(args.kills):
                extra = llm if n % 2 else {}
                result = kill_and_resume(data, 1000 + n, extra, via_cli=n % 4 < 2, rng=rng)
                for key in totals:
                    totals[key] += result[key]
        kill_rows = totals
    print("| run | interviews | messages | lost | duplicated | cross-talk | stale pending | errors | seconds |")  # noqa: T201
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")  # noqa: T201
    for name, c, seconds in rows:
        print(  # noqa: T201
            f"| {name} | {c['interviews']} | {c['messages']} | {c['lost']} | {c['duplicated']} | {c['cross_talk']} |"
            f" {c['stale_pending']} | {c['errors']} | {seconds:.0f} |"
        )
    print(  # noqa: T201
        f"\nkill -9 at random points of {args.kills} interviews (half on the LLM brain with a 0.4 s stub, half resumed"
        f" through `practice --resume`, half through the API), {time.perf_counter() - started:.0f} s: lost"
        f" {kill_rows['lost']}, duplicated {kill_rows['duplicated']}, stale pending {kill_rows['stale_pending']},"
        f" errors {kill_rows['errors']}."
    )


if __name__ == "__main__":
    main()
