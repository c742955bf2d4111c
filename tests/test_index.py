from pathlib import Path

from interviewer.embedding import HashingEmbedding, hash_embed
from interviewer.index import KnowledgeIndex, entries
from interviewer.knowledge.loader import KnowledgeBase


def test_hashing_embedding_is_deterministic_and_normalised() -> None:
    a = hash_embed("negative downsampling for rare clicks")
    assert a == hash_embed("negative downsampling for rare clicks")
    assert abs(sum(x * x for x in a) - 1.0) < 1e-9
    assert HashingEmbedding.build_from_config(HashingEmbedding().get_config()).dims == 512


def test_index_builds_offline_and_retrieves(kb: KnowledgeBase, tmp_path: Path) -> None:
    index = KnowledgeIndex(tmp_path / "chroma", HashingEmbedding())
    assert index.ensure(kb) is True
    assert index.count() == len(list(entries(kb)))
    assert index.ensure(kb) is False  # unchanged content: no rebuild
    assert KnowledgeIndex(tmp_path / "chroma", HashingEmbedding()).is_current(kb)
    data = index.by_step("ad-ctr", "data", kind="signal")
    assert {e.id.split(":")[-1] for e in data} == {s.id for s in kb.case("ad-ctr").steps["data"].signals}
    hits = index.similar("we downsample negatives and correct the probabilities", "ad-ctr", "data", k=3)
    assert hits[0].id == "ad-ctr:data:negative-downsampling"
    assert hits[0].source.startswith("knowledge/cases/ad-ctr.yaml#")
