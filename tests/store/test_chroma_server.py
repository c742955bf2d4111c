"""The knowledge index on a real Chroma server (``chroma run``, started by the tests).

These tests are about where the index is stored and how replicas share it, not about the embedding,
so they use the tiny :class:`HashEmbedding` (a build takes seconds instead of half a minute); each
test salts it to get a collection of its own on the one shared server. ``INTERVIEWER_SKIP_SERVERS=1``
skips them explicitly.
"""

from __future__ import annotations

import threading

import chromadb
import pytest

from interviewer.index import IndexUnavailable, KnowledgeIndex, entries
from interviewer.index_storage import COLLECTION_PREFIX
from interviewer.knowledge.loader import KnowledgeBase
from tests.store.servers import LOOPBACK, ChromaServer, HashEmbedding, free_port

pytestmark = pytest.mark.block_network(allowed_hosts=LOOPBACK)


def _collections(server: ChromaServer) -> dict[str, int]:
    host, port = server.url.removeprefix("http://").split(":")
    client = chromadb.HttpClient(host=host, port=int(port))
    return {c.name: c.count() for c in client.list_collections()}


def test_an_index_built_on_the_server_answers_and_is_not_rebuilt(
    kb: KnowledgeBase, chroma_server: ChromaServer
) -> None:
    index = KnowledgeIndex.server(chroma_server.url, HashEmbedding("answers"))
    assert not index.is_current(kb)
    assert index.ensure(kb) is True
    assert index.count() == len(list(entries(kb)))
    hits = index.similar("negative downsampling of the rare clicks", "ad-ctr", "data", k=3)
    assert hits and all(h.case_id in ("ad-ctr", "_framework") and h.step == "data" for h in hits)
    assert {e.owner for e in index.by_step("ad-ctr", "data", kind="signal")} == {
        s.id for s in kb.case("ad-ctr").steps["data"].signals
    }
    again = KnowledgeIndex.server(chroma_server.url, HashEmbedding("answers"))  # another replica
    assert again.is_current(kb) and again.ensure(kb) is False
    assert again.similar("negative downsampling of the rare clicks", "ad-ctr", "data", k=3) == hits


def test_replicas_building_at_once_end_with_one_complete_collection(
    kb: KnowledgeBase, chroma_server: ChromaServer
) -> None:
    replicas = [KnowledgeIndex.server(chroma_server.url, HashEmbedding("at-once")) for _ in range(3)]
    barrier = threading.Barrier(len(replicas))
    errors: list[BaseException] = []

    def build(index: KnowledgeIndex) -> None:
        try:
            barrier.wait()
            index.ensure(kb)
        except BaseException as error:  # collected: an exception in a thread would pass silently
            errors.append(error)

    threads = [threading.Thread(target=build, args=(r,)) for r in replicas]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    target = replicas[0].target(kb)
    assert _collections(chroma_server)[target.name] == len(list(entries(kb)))
    assert all(r.count() == target.entries for r in replicas)
    assert KnowledgeIndex.server(chroma_server.url, HashEmbedding("at-once")).ensure(kb) is False


def test_a_rebuild_on_the_server_never_drops_what_another_replica_reads(
    kb: KnowledgeBase, chroma_server: ChromaServer
) -> None:
    reader = KnowledgeIndex.server(chroma_server.url, HashEmbedding("rebuild"))
    reader.ensure(kb)
    before = reader.similar("calibrated probabilities for the auction", "ad-ctr", k=4)
    assert KnowledgeIndex.server(chroma_server.url, HashEmbedding("rebuild")).ensure(kb, rebuild=True) is True
    assert reader.similar("calibrated probabilities for the auction", "ad-ctr", k=4) == before
    names = [n for n in _collections(chroma_server) if n == reader.target(kb).name]
    assert len(names) == 1


def test_a_changed_embedding_gets_its_own_collection_beside_the_old(
    kb: KnowledgeBase, chroma_server: ChromaServer
) -> None:
    old = KnowledgeIndex.server(chroma_server.url, HashEmbedding("version-1"))
    old.ensure(kb)
    new = KnowledgeIndex.server(chroma_server.url, HashEmbedding("version-2"))
    assert not new.is_current(kb) and new.ensure(kb) is True
    names = set(_collections(chroma_server))
    assert {old.target(kb).name, new.target(kb).name} <= names
    assert all(n.startswith(COLLECTION_PREFIX) for n in names)
    assert old.count() == new.count()  # the old replica still reads its own


def test_an_unreachable_server_is_a_clear_error(kb: KnowledgeBase) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(IndexUnavailable, match=f"Chroma server {url}"):
        KnowledgeIndex.server(url, HashEmbedding()).ensure(kb)
    with pytest.raises(ValueError, match="http://host:8000"):
        KnowledgeIndex.server("chroma:8000", HashEmbedding())
