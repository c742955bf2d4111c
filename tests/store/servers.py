"""Real servers for the store tests: a throw-away PostgreSQL cluster and a ``chroma run`` process.

PostgreSQL comes from Debian's ``postgresql`` package (``.ci/run`` installs it); Chroma's server is
the ``chroma`` script installed with chromadb. A missing server fails the tests with the command
that installs it, unless ``INTERVIEWER_SKIP_SERVERS=1`` asks to skip them explicitly. Also here: a
tiny deterministic embedding function, for tests of the index's storage (not of its embedding).
"""

from __future__ import annotations

import glob
import hashlib
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
import pytest
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from interviewer.evals.browser import free_port

SKIP_VAR = "INTERVIEWER_SKIP_SERVERS"
PG_USER = "interviewer"
PG_PASSWORD = "pg-Secret-4711"
LOOPBACK = [r"127\.0\.0\.1$", r"localhost$", r"::1$"]


def skip_requested() -> None:
    """Skip the calling test if INTERVIEWER_SKIP_SERVERS=1."""
    if os.environ.get(SKIP_VAR) == "1":
        pytest.skip(f"{SKIP_VAR}=1")


def _tail(path: Path, chars: int = 3000) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-chars:]
    except OSError:
        return "(no log)"


# PostgreSQL ------------------------------------------------------------------------------------


def pg_bin_dir() -> Path:
    """Return the folder of initdb and pg_ctl, or fail with how to install them."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    pytest.fail(
        "the PostgreSQL store tests need initdb and pg_ctl: run `apt-get install -y postgresql` (as .ci/run"
        f" does), or set {SKIP_VAR}=1 to skip the tests that start real servers explicitly"
    )


def _server_user() -> str | None:
    """Return the user to run PostgreSQL as when we are root (it refuses to run as root), else None."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    pytest.fail("running as root, and there is no 'postgres' or 'nobody' user to run PostgreSQL as")


@dataclass
class PostgresServer:
    """A running throw-away cluster on loopback, with password authentication over TCP."""

    root: Path
    port: int
    bin_dir: Path
    user: str | None

    def url(self, dbname: str, password: str = PG_PASSWORD) -> str:
        """Return the URL of one database of this cluster."""
        return f"postgresql://{PG_USER}:{password}@127.0.0.1:{self.port}/{dbname}"

    def create_database(self) -> str:
        """Create a fresh, empty database and return its URL."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        return subprocess.run(
            [*prefix, *args], capture_output=True, text=True, timeout=timeout, cwd=self.root, check=False
        )

    def start(self) -> None:
        """Initialise the cluster and start it; fail with the server's log if it does not come up."""
        pwfile = self.root / "pwfile"
        pwfile.write_text(PG_PASSWORD + "\n", encoding="utf-8")
        if self.user:
            subprocess.run(["chown", "-R", self.user, str(self.root)], check=True)
        init = self._run(
            str(self.bin_dir / "initdb"),
            "-D",
            str(self.root / "data"),
            "-U",
            PG_USER,
            f"--pwfile={pwfile}",
            "--auth-host=scram-sha-256",
            "--auth-local=trust",
            "--encoding=UTF8",
            "--no-sync",
        )
        if init.returncode != 0:
            pytest.fail(f"initdb failed:\n{init.stdout}\n{init.stderr}")
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        started = self._run(
            str(self.bin_dir / "pg_ctl"),
            "-D",
            str(self.root / "data"),
            "-l",
            str(self.root / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
            timeout=90,
        )
        if started.returncode != 0:
            pytest.fail(f"pg_ctl start failed:\n{started.stdout}\n{started.stderr}\n{_tail(self.root / 'server.log')}")

    def stop(self) -> None:
        """Stop the server and remove its files."""
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


def start_postgres() -> PostgresServer:
    """Start a throw-away PostgreSQL cluster on a free loopback port."""
    bin_dir = pg_bin_dir()
    # Not under pytest's tmp folder: that is private to this user, and the server may run as another.
    root = Path(tempfile.mkdtemp(prefix="interviewer-pg-"))
    server = PostgresServer(root=root, port=free_port(), bin_dir=bin_dir, user=_server_user())
    try:
        server.start()
    except BaseException:
        server.stop()
        raise
    return server


# Chroma ----------------------------------------------------------------------------------------


def chroma_command() -> str:
    """Return the ``chroma`` script installed with chromadb, or fail with how to get it."""
    beside = Path(sys.executable).parent / "chroma"
    found = str(beside) if beside.exists() else shutil.which("chroma")
    if not found:
        pytest.fail(
            f"the Chroma server tests need the `chroma` script of chromadb: `pip install chromadb` ({SKIP_VAR}=1 skips)"
        )
    return found


def _heartbeat(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@dataclass
class ChromaServer:
    """A running ``chroma run`` on loopback."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def stop(self) -> None:
        """Terminate the server (kill it if it does not stop in time)."""
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)


def start_chroma(path: Path, timeout_s: float = 60.0) -> ChromaServer:
    """Start ``chroma run`` on a free loopback port, storing in a folder; wait for its heartbeat."""
    port = free_port()
    log = path.parent / f"{path.name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [chroma_command(), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        )
    server = ChromaServer(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + timeout_s
    while not _heartbeat(server.url):
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            pytest.fail(f"`chroma run` did not answer at {server.url}/api/v2/heartbeat:\n{_tail(log)}")
        time.sleep(0.2)
    return server


# A tiny embedding ------------------------------------------------------------------------------


@register_embedding_function
class HashEmbedding(EmbeddingFunction[Documents]):
    """A deterministic 16-dimensional bag-of-words embedding, for tests of storage and not of retrieval.

    Texts that share words get nearby vectors, enough to check that a query returns what it should.
    ``salt`` changes only the configuration, hence the index fingerprint: tests on one shared server
    get collections of their own, and a changed salt stands for a changed embedding.
    """

    DIM = 16

    def __init__(self, salt: str = "") -> None:
        self.salt = salt

    def __call__(self, input: Documents) -> Embeddings:  # noqa: A002 - Chroma's parameter name
        vectors = []
        for text in input:
            v = np.full(self.DIM, 1e-3, dtype=np.float32)
            for word in str(text).lower().split():
                v[hashlib.sha256(word.encode()).digest()[0] % self.DIM] += 1.0
            vectors.append(v / np.linalg.norm(v))
        return vectors

    @staticmethod
    def name() -> str:
        return "interviewer-test-hash"

    def default_space(self) -> Any:
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        return {"dim": self.DIM, "salt": self.salt}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> HashEmbedding:
        return HashEmbedding(str(config.get("salt", "")))


def run_at_once(code: str, count: int, *, timeout_s: float = 180.0) -> list[str]:
    """Run ``count`` Python processes that do ``code`` at the same instant; return what each printed.

    ``code`` imports what it needs, then calls ``wait()``, which returns once every process has
    reached it (a barrier of files in a temporary folder), so the work itself overlaps. It runs from
    the repository root. A process that fails fails the test with its stderr.
    """
    from interviewer.settings import REPO_ROOT

    barrier = tempfile.mkdtemp(prefix="interviewer-barrier-")
    body = (
        "import os, time\n"
        "def wait():\n"
        f"    open(os.path.join({barrier!r}, str(os.getpid())), 'w').close()\n"
        "    deadline = time.time() + 120\n"
        f"    while len(os.listdir({barrier!r})) < {count} and time.time() < deadline:\n"
        "        time.sleep(0.002)\n"
        f"{code}\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "ANONYMIZED_TELEMETRY": "False"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", body],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    outputs = []
    try:
        for proc in procs:
            out, err = proc.communicate(timeout=timeout_s)
            if proc.returncode != 0:
                pytest.fail(f"a concurrent process failed (rc {proc.returncode}):\n{err[-3000:]}")
            outputs.append(out.strip())
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        shutil.rmtree(barrier, ignore_errors=True)
    return outputs
