import shutil
from pathlib import Path

import numpy as np

from interviewer.embedding import MiniLMEmbedding
from interviewer.index import KnowledgeIndex, entries
from interviewer.knowledge.loader import KnowledgeBase


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


def test_a_stale_index_is_rebuilt(kb: KnowledgeBase, built_index: Path, tmp_path: Path) -> None:
    copy = tmp_path / "chroma"
    shutil.copytree(built_index, copy)
    meta = copy / "interviewer-index.json"
    meta.write_text(meta.read_text(encoding="utf-8").replace(kb.fingerprint, "stale"), encoding="utf-8")
    assert not KnowledgeIndex(copy, MiniLMEmbedding()).is_current(kb)
