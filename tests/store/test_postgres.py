"""The PostgreSQL session store against a real, throw-away PostgreSQL server (see servers.py).

Without Debian's ``postgresql`` package these tests fail with the command that installs it;
``INTERVIEWER_SKIP_SERVERS=1`` skips them explicitly.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import psycopg
import pytest
from langgraph.checkpoint.postgres import PostgresSaver

from interviewer.brain.offline import OfflineBrain
from interviewer.graph.context import FakeClock
from interviewer.knowledge.loader import KnowledgeBase
from interviewer.prompts import load_phrases
from interviewer.sessions import InterviewService
from interviewer.settings import REPO_ROOT
from interviewer.store.base import SessionExists, StoreError
from interviewer.store.postgres import PostgresSessionIndex, postgres_store
from tests.store.servers import LOOPBACK, PG_PASSWORD, PostgresServer, free_port, run_at_once

pytestmark = pytest.mark.block_network(allowed_hosts=LOOPBACK)


@pytest.fixture
def store(database_url: str) -> Iterator[tuple[PostgresSaver, PostgresSessionIndex]]:
    saver, index = postgres_store(database_url)
    yield saver, index
    index.close()


def _service(kb: KnowledgeBase, saver: PostgresSaver, index: PostgresSessionIndex) -> InterviewService:
    return InterviewService(
        kb,
        OfflineBrain(),
        load_phrases(REPO_ROOT / "prompts"),
        checkpointer=saver,
        store=index,  # type: ignore[arg-type]
        clock=FakeClock(5.0),
    )


def test_an_interview_resumes_from_postgres_after_a_restart(kb: KnowledgeBase, database_url: str) -> None:
    saver, index = postgres_store(database_url)
    first = _service(kb, saver, index)
    view = first.start("ad-ctr")
    first.send(view.session_id, "What is the latency budget?")
    before = first.state(view.session_id)
    index.close()

    saver, index = postgres_store(database_url)  # a new process: new pool, same database
    try:
        second = _service(kb, saver, index)
        resumed = second.state(view.session_id)
        assert resumed.turns == before.turns
        assert [f.id for f in resumed.revealed_facts] == ["latency"]
        assert resumed.pending_message is None
        resumed = second.send(view.session_id, "How many requests per second?")
        assert [f.id for f in resumed.revealed_facts] == ["latency", "scale"]
        done = second.control(view.session_id, "end")
        assert done.done and done.debrief is not None
        [summary] = second.list_sessions()
        assert summary.session_id == view.session_id and summary.status == "finished"
        assert summary.overall == done.debrief.overall.score
        assert summary.scores == {s.step: s.score for s in done.debrief.steps if s.reached}  # unreached: no score
    finally:
        index.close()


def test_the_index_lists_newest_first_and_forgets(store: tuple[PostgresSaver, PostgresSessionIndex]) -> None:
    _, index = store
    index.add("old", "ad-ctr", "senior", 10.0, None)
    index.add("new", None, "junior", 20.0, "old")
    with pytest.raises(SessionExists):
        index.add("old", "ad-ctr", "senior", 30.0, None)
    assert [s.session_id for s in index.list()] == ["new", "old"]
    assert index.list()[0].parent_id == "old" and index.list()[0].case_id is None
    index.set_pending("old", "an answer", 40.0)
    assert index.pending("old") == "an answer"
    index.set_pending("old", None, 41.0)
    assert index.pending("old") is None and index.pending("missing") is None
    index.delete("old")
    assert not index.exists("old") and index.exists("new")


def test_twenty_threads_write_at_once_without_errors(store: tuple[PostgresSaver, PostgresSessionIndex]) -> None:
    _, index = store
    barrier = threading.Barrier(20)
    errors: list[BaseException] = []
    won: list[int] = []

    def work(n: int) -> None:
        try:
            barrier.wait()
            try:
                index.add("shared", "ad-ctr", "senior", float(n), None)
                won.append(n)
            except SessionExists:
                pass
            index.add(f"s{n}", "ad-ctr", "senior", float(n), None)
            for turn in range(5):
                index.set_pending(f"s{n}", f"message {turn} of {n}", float(n + turn))
                index.set_pending("shared", f"from {n}", float(n))
            assert index.pending(f"s{n}") == f"message 4 of {n}"
        except BaseException as error:  # collected: an exception in a thread would pass silently
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(won) == 1
    assert {s.session_id for s in index.list()} == {"shared", *(f"s{n}" for n in range(20))}
    assert (index.pending("shared") or "").startswith("from ")


SETUP_SCRIPT = """
from interviewer.store.postgres import postgres_store
wait()
saver, index = postgres_store({url!r})
index.add(str(os.getpid()), "ad-ctr", "senior", time.time(), None)
index.close()
print("ok")
"""


def test_replicas_setting_up_a_fresh_database_at_once_all_succeed(postgres_server: PostgresServer) -> None:
    """Four processes run the migrations on one empty database in the same instant (without the lock they race)."""
    url = postgres_server.create_database()
    assert run_at_once(SETUP_SCRIPT.format(url=url), 4) == ["ok"] * 4
    with psycopg.connect(url) as conn:
        versions = [r[0] for r in conn.execute("SELECT v FROM checkpoint_migrations ORDER BY v")]
        sessions = conn.execute("SELECT count(*) FROM interviewer_sessions").fetchone()
    assert versions == list(range(len(PostgresSaver.MIGRATIONS)))
    assert sessions == (4,)


@pytest.mark.parametrize(
    "problem", ["wrong password", "nothing listening", "no such database", "bad port", "key=value form"]
)
def test_an_unusable_url_is_a_store_error_that_never_shows_the_password(
    postgres_server: PostgresServer, problem: str
) -> None:
    secret = "Hunter2-Zq9x"
    urls = {
        "wrong password": postgres_server.url("postgres", password=secret),
        "nothing listening": f"postgresql://interviewer:{secret}@127.0.0.1:{free_port()}/sessions",
        "no such database": postgres_server.url("no_such_db").replace(PG_PASSWORD, secret),
        "bad port": f"postgresql://interviewer:{secret}@127.0.0.1:notaport/sessions",
        "key=value form": f"host=127.0.0.1 port={postgres_server.port} dbname=sessions user=u password={secret}",
    }
    with pytest.raises(StoreError) as caught:
        postgres_store(urls[problem])
    message = str(caught.value)
    assert secret not in message and PG_PASSWORD not in message
    assert "\n" not in message and "INTERVIEWER_DATABASE_URL" in message
    assert "127.0.0.1" in message
    expected_db = {"wrong password": "postgres", "no such database": "no_such_db"}.get(problem, "sessions")
    assert f"database {expected_db} " in message
