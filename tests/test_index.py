import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from interviewer.embedding import MiniLMEmbedding
from interviewer.index import IndexUnavailable, KnowledgeIndex, LazyRetriever, entries
from interviewer.index_storage import POINTER
from interviewer.knowledge.loader import KnowledgeBase, load_knowledge
from interviewer.settings import REPO_ROOT
from tests.store.servers import HashEmbedding, run_at_once


def test_the_embedding_function_round_trips_through_its_config() -> None:
    fn = MiniLMEmbedding.build_from_config(MiniLMEmbedding().get_config())
    [vector] = fn(["negative downsampling for rare clicks"])
    assert np.asarray(vector).shape == (384,)
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-5
    assert MiniLMEmbedding.name() == "interviewer-minilm"


def test_index_builds_offline_and_is_not_rebuilt_when_unchanged(kb: KnowledgeBase, built_index: Path) -> None:
    index = KnowledgeIndex(built_index, MiniLMEmbedding())
    assert index.is_current(kb)
    assert index.ensure(kb) is False
    assert index.count() == len(list(entries(kb)))
    signals = index.by_step("ad-ctr", "data", kind="signal")
    assert {e.owner for e in signals} == {s.id for s in kb.case("ad-ctr").steps["data"].signals}
    examples = index.by_step("ad-ctr", "data", kind="example")
    assert len(examples) >= 3 * len(signals)


def test_retrieval_finds_an_idea_said_in_plain_words(kb: KnowledgeBase, built_index: Path) -> None:
    index = KnowledgeIndex(built_index, MiniLMEmbedding())
    plain = "clicks are so rare that I'd throw away most of the no-click rows and then scale the predictions back"
    hits = index.similar(plain, "ad-ctr", "data", k=3)
    assert hits[0].owner == "negative-downsampling"
    assert hits[0].source.startswith("knowledge/cases/ad-ctr.yaml#")


def test_an_index_opened_without_knowledge_reads_the_current_generation(built_index: Path) -> None:
    assert KnowledgeIndex(built_index, MiniLMEmbedding()).count() > 0
    with pytest.raises(IndexUnavailable, match="interviewer index"):
        KnowledgeIndex(built_index.parent / "nothing-here", MiniLMEmbedding()).count()


# The tests below are about storage (damage, staleness, concurrency), not retrieval quality: they use
# the tiny HashEmbedding, so that each build takes seconds instead of half a minute.


@pytest.fixture(scope="module")
def small_index(kb: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index built with the tiny embedding; tests copy it (a path Chroma has not opened in this process)."""
    path = tmp_path_factory.mktemp("small") / "chroma"
    assert KnowledgeIndex(path, HashEmbedding()).ensure(kb) is True
    return path


def _copy(small_index: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "chroma"
    shutil.copytree(small_index, copy)
    return copy


def _database(path: Path) -> Path:
    [db] = path.glob("g-*/chroma.sqlite3")
    return db


def _generations(path: Path) -> list[str]:
    return sorted(p.name for p in path.glob("g-*"))


def _damage(db: Path, how: str) -> None:
    if how == "garbage":
        db.write_bytes(os.urandom(db.stat().st_size))
    elif how == "truncated":
        db.write_bytes(b"")
    elif how == "deleted":
        db.unlink()
    elif how == "pages overwritten":
        with db.open("r+b") as f:
            f.seek(3 * 4096)
            f.write(b"\xff" * 4 * 8192)


@pytest.mark.parametrize("how", ["garbage", "truncated", "deleted", "pages overwritten"])
def test_a_damaged_index_is_detected_on_open_and_rebuilt(
    kb: KnowledgeBase, small_index: Path, tmp_path: Path, how: str
) -> None:
    path = _copy(small_index, tmp_path)
    old = _generations(path)
    _damage(_database(path), how)
    index = KnowledgeIndex(path, HashEmbedding())
    assert not index.is_current(kb)
    assert index.ensure(kb) is True
    assert index.count() == len(list(entries(kb)))
    assert len(_generations(path)) == 1 and _generations(path) != old  # the damaged one is retired
    assert KnowledgeIndex(path, HashEmbedding()).ensure(kb) is False


def test_an_index_damaged_while_in_use_is_rebuilt_once_and_the_query_answers(
    kb: KnowledgeBase, small_index: Path, tmp_path: Path
) -> None:
    path = _copy(small_index, tmp_path)
    retriever = LazyRetriever(KnowledgeIndex(path, HashEmbedding()), kb)
    before = retriever.similar("negative downsampling of the rare clicks", "ad-ctr", "data", k=3)
    _damage(_database(path), "garbage")  # in place: the open connection reads the garbage
    after = retriever.similar("negative downsampling of the rare clicks", "ad-ctr", "data", k=3)
    assert [e.id for e in after] == [e.id for e in before]
    assert retriever.index.count() == len(list(entries(kb)))


def test_a_damaged_index_without_the_knowledge_to_rebuild_it_is_a_clear_error(
    small_index: Path, tmp_path: Path
) -> None:
    path = _copy(small_index, tmp_path)
    index = KnowledgeIndex(path, HashEmbedding())
    assert index.count() > 0
    _damage(_database(path), "garbage")
    with pytest.raises(IndexUnavailable, match="interviewer index --rebuild"):
        index.by_step("ad-ctr", "data")


def test_a_changed_embedding_makes_the_index_stale_and_the_old_generation_goes(
    kb: KnowledgeBase, small_index: Path, tmp_path: Path
) -> None:
    path = _copy(small_index, tmp_path)
    (path / "chroma.sqlite3").write_bytes(b"left by the old layout")
    (path / "interviewer-index.json").write_text("{}", encoding="utf-8")
    (path / "0c6c3a3e-1111-4222-8333-944455556666").mkdir()
    changed = KnowledgeIndex(path, HashEmbedding("another"))
    assert not changed.is_current(kb)
    assert changed.ensure(kb) is True
    assert json.loads((path / POINTER).read_text(encoding="utf-8"))["entries"] == len(list(entries(kb)))
    assert sorted(p.name for p in path.iterdir() if not p.name.startswith(".")) == [POINTER, *_generations(path)]
    assert len(_generations(path)) == 1


ENSURE_SCRIPT = """
from pathlib import Path
from interviewer.index import KnowledgeIndex
from interviewer.knowledge.loader import load_knowledge
from tests.store.servers import HashEmbedding
kb = load_knowledge(Path({knowledge!r}))
index = KnowledgeIndex(Path({path!r}), HashEmbedding())
wait()
built = index.ensure(kb)
print(built, index.count())
"""


def test_processes_starting_at_once_on_a_fresh_folder_build_it_once(tmp_path: Path) -> None:
    """Four processes call ``ensure`` on one empty folder in the same instant; the file lock lets one build.

    They all read a snapshot of the knowledge, so an edit of ``knowledge/`` meanwhile cannot split them.
    """
    snapshot = tmp_path / "knowledge"
    shutil.copytree(REPO_ROOT / "knowledge", snapshot)
    kb = load_knowledge(snapshot)
    path = tmp_path / "chroma"
    outputs = run_at_once(ENSURE_SCRIPT.format(knowledge=str(snapshot), path=str(path)), 4)
    n = len(list(entries(kb)))
    assert sorted(outputs) == sorted([f"True {n}"] + [f"False {n}"] * 3)
    assert len(_generations(path)) == 1
    assert KnowledgeIndex(path, HashEmbedding()).ensure(kb) is False
