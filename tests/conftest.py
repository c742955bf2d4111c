from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from interviewer.brain.offline import OfflineBrain
from interviewer.factory import knowledge
from interviewer.graph.context import FakeClock
from interviewer.knowledge.loader import KnowledgeBase
from interviewer.prompts import load_phrases
from interviewer.sessions import InterviewService
from interviewer.settings import REPO_ROOT, Settings, get_settings


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Point every user path at a temporary folder and ignore any developer .env."""
    for var in ("INTERVIEWER_PROVIDER", "OPENAI_API_KEY", "OPENAI_BASE_URL", "INTERVIEWER_EMBEDDING_PROVIDER"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("INTERVIEWER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path / "data")  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return knowledge(REPO_ROOT / "knowledge")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1000.0)


@pytest.fixture
def service(kb: KnowledgeBase, clock: FakeClock) -> InterviewService:
    return InterviewService(kb, OfflineBrain(), load_phrases(REPO_ROOT / "prompts"), clock=clock)


@pytest.fixture(scope="session")
def built_index(kb: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the real index (packaged MiniLM) once per test session; tests copy it rather than rebuild."""
    from interviewer.embedding import MiniLMEmbedding
    from interviewer.index import KnowledgeIndex

    path = tmp_path_factory.mktemp("index") / "chroma"
    KnowledgeIndex(path, MiniLMEmbedding()).ensure(kb)
    return path


@pytest.fixture(scope="session")
def built_data(kb: KnowledgeBase, built_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder as `interviewer index` (and so `make run`) leaves it: the index and the judge vectors."""
    import shutil

    from interviewer.semantic.encoder import get_encoder
    from interviewer.semantic.precompute import FILE_NAME, save_vectors

    data = tmp_path_factory.mktemp("data")
    shutil.copytree(built_index, data / "chroma")
    save_vectors(data / FILE_NAME, get_encoder(), kb)
    return data
