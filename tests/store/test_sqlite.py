"""The embedded session index under many threads and processes, and on damaged files."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from interviewer.store.base import SessionExists, StoreError
from interviewer.store.sqlite import SqliteSessionIndex, sqlite_checkpointer


def test_many_threads_write_one_file_without_errors(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite"
    index = SqliteSessionIndex(db)
    other = SqliteSessionIndex(db)  # a second service on the same file, as a second process would be
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            store = index if n % 2 else other
            store.add(f"s{n}", "ad-ctr", "senior", float(n), None)
            for k in range(20):
                store.set_pending(f"s{n}", f"message {k}", float(k))
                assert store.pending(f"s{n}") == f"message {k}"
            store.set_pending(f"s{n}", None, 99.0)
        except BaseException as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(index.list()) == 24 and all(index.pending(f"s{n}") is None for n in range(24))


def test_the_files_are_in_wal_mode(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite"
    SqliteSessionIndex(db)
    sqlite_checkpointer(db)
    assert sqlite3.connect(db).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_taken_id_is_refused(tmp_path: Path) -> None:
    index = SqliteSessionIndex(tmp_path / "s.sqlite")
    index.add("a", None, "senior", 1.0, None)
    with pytest.raises(SessionExists):
        index.add("a", None, "senior", 2.0, None)


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.write_bytes(b"this is not a database at all" * 100),
        lambda p: p.write_bytes(p.read_bytes()[:1000]),
        lambda p: (p.unlink(), p.mkdir()),
    ],
    ids=["garbage", "truncated", "a-folder"],
)
def test_a_damaged_store_is_one_clear_error_naming_the_file(tmp_path: Path, damage: object) -> None:
    db = tmp_path / "s.sqlite"
    index = SqliteSessionIndex(db)
    for n in range(200):
        index.add(f"session-{n}", "ad-ctr", "senior", float(n), None)
    index.close()
    for extra in (tmp_path / "s.sqlite-wal", tmp_path / "s.sqlite-shm"):
        extra.unlink(missing_ok=True)
    damage(db)  # type: ignore[operator]
    with pytest.raises(StoreError) as caught:
        SqliteSessionIndex(db).list()
    message = str(caught.value)
    assert str(db) in message and "mv " in message and "\n" not in message


def test_the_cli_says_one_line_about_a_damaged_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from interviewer.cli import app
    from interviewer.settings import get_settings

    data = tmp_path / "data"
    data.mkdir()
    (data / "sessions.sqlite").write_bytes(b"\x00garbage" * 512)
    monkeypatch.setenv("INTERVIEWER_DATA_DIR", str(data))
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["sessions"])
    assert result.exit_code == 2
    assert "sessions.sqlite is damaged" in result.output and "Traceback" not in result.output
