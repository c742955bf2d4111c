from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.store.servers import ChromaServer, PostgresServer, skip_requested, start_chroma, start_postgres


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One throw-away PostgreSQL cluster for the whole test session (fails if PostgreSQL is missing)."""
    skip_requested()
    server = start_postgres()
    yield server
    server.stop()


@pytest.fixture
def database_url(postgres_server: PostgresServer) -> str:
    """The URL of a fresh, empty database on the session's cluster."""
    return postgres_server.create_database()


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    """One `chroma run` for the whole test session, storing in a temporary folder."""
    skip_requested()
    server = start_chroma(tmp_path_factory.mktemp("chroma-server") / "data")
    yield server
    server.stop()
