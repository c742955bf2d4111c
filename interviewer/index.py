"""The Chroma index of the knowledge base, and retrieval by step, case and similarity.

The index is derived data: built on first use, rebuilt when the knowledge content or the
embedding function changed, and checked every time it is opened (the collection opens and holds
exactly the entries it was built with), so a damaged copy is rebuilt instead of trusted.

It lives either in a folder (embedded Chroma, the default: ``KnowledgeIndex(path, embedding)``)
or on a Chroma server that several replicas share (``KnowledgeIndex.server(url, embedding)``).
Both name the collection after the fingerprint of content and embedding, use deterministic ids
and ``upsert``, so builders that run at once write the same rows and never drop what another
replica reads. In a folder, each build goes to a new generation sub-folder under a file lock, and
``current.json`` is switched to it atomically once it is complete::

    chroma/
      .lock            flock(2) held while checking and building
      current.json     {"generation": ..., "fingerprint": ..., "entries": ...}
      g-<digest>-<id>/ one Chroma PersistentClient folder
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from chromadb.api.types import Documents, EmbeddingFunction

from interviewer.index_storage import (
    Collection,
    FolderStorage,
    ServerStorage,
    Storage,
    Target,
    failure_reason,
    is_failure,
)
from interviewer.index_storage import (
    IndexUnavailable as IndexUnavailable,
)
from interviewer.knowledge.loader import KnowledgeBase
from interviewer.knowledge.models import Signal
from interviewer.steps import STEP_IDS

BATCH = 500
FRAMEWORK_ID = "_framework"
"""The case_id metadata of framework entries."""


@dataclass(frozen=True)
class Entry:
    """One retrievable piece of knowledge."""

    id: str
    text: str
    case_id: str
    step: str
    kind: str
    """prompt, fact, fact_question, signal, example, red_flag, curveball, notes or step."""
    source: str
    """Knowledge file and path the entry came from."""
    distance: float | None = None
    owner: str = ""
    """The signal, red flag or fact id the entry belongs to ('' for prompts, notes and steps)."""


def _signal_entries(prefix: str, case_id: str, step: str, signal: Signal, src: str) -> Iterator[Entry]:
    """Yield a signal (its meaning, or title and stronger answer) and one entry per example."""
    text = signal.meaning or f"{signal.title}. {signal.stronger_answer}"
    yield Entry(f"{prefix}:{signal.id}", text, case_id, step, "signal", src, owner=signal.id)
    for i, example in enumerate(signal.examples):
        yield Entry(
            f"{prefix}:{signal.id}:ex{i}", example, case_id, step, "example", f"{src}.examples[{i}]", None, signal.id
        )


def entries(kb: KnowledgeBase) -> Iterator[Entry]:
    """Yield every indexable entry of the knowledge base."""
    for i, step in enumerate(kb.framework.steps):
        src = f"knowledge/framework.yaml#steps[{i}]"
        yield Entry(f"fw:{step.id}", f"{step.title}. {step.goal} {step.hint}", FRAMEWORK_ID, step.id, "step", src)
        for s in step.signals:
            yield from _signal_entries(f"fw:{step.id}", FRAMEWORK_ID, step.id, s, f"{src}.signals.{s.id}")
    for case in kb.cases.values():
        src = kb.source(case.id)
        yield Entry(f"{case.id}:prompt", f"{case.title}. {case.prompt}", case.id, "", "prompt", f"{src}#prompt")
        yield Entry(f"{case.id}:notes", case.notes, case.id, "", "notes", f"{src}#notes")
        for fact in case.facts:
            where = f"{src}#facts.{fact.id}"
            text = f"{fact.topic}: {fact.content}"
            yield Entry(f"{case.id}:fact:{fact.id}", text, case.id, "requirements", "fact", where, owner=fact.id)
            for i, question in enumerate(fact.questions):
                ident = f"{case.id}:fact:{fact.id}:q{i}"
                yield Entry(ident, question, case.id, "requirements", "fact_question", where, owner=fact.id)
        for step_id in STEP_IDS:
            case_step = case.steps[step_id]
            for s in case_step.signals:
                yield from _signal_entries(
                    f"{case.id}:{step_id}", case.id, step_id, s, f"{src}#steps.{step_id}.signals.{s.id}"
                )
            for flag in case_step.red_flags:
                yield Entry(
                    f"{case.id}:{step_id}:flag:{flag.id}",
                    f"{flag.title}. {flag.why}",
                    case.id,
                    step_id,
                    "red_flag",
                    f"{src}#steps.{step_id}.red_flags.{flag.id}",
                    owner=flag.id,
                )
        for curveball in case.curveballs:
            yield Entry(
                f"{case.id}:curveball:{curveball.id}",
                curveball.message,
                case.id,
                curveball.step,
                "curveball",
                f"{src}#curveballs.{curveball.id}",
                owner=curveball.id,
            )


T = TypeVar("T")


class KnowledgeIndex:
    """A Chroma collection over the knowledge base, in a folder or on a server."""

    def __init__(
        self, path: Path | None, embedding: EmbeddingFunction[Documents], *, storage: Storage | None = None
    ) -> None:
        """Open (not build) the index kept in a folder, or in ``storage`` (then ``path`` is None)."""
        if storage is None:
            if path is None:
                raise ValueError("a KnowledgeIndex needs a folder or a storage")
            storage = FolderStorage(path, embedding)
        self.path = path
        self.embedding = embedding
        self.storage: Storage = storage
        self._lock = threading.RLock()
        self._collection: Collection | None = None
        self._kb: KnowledgeBase | None = None

    @classmethod
    def server(cls, url: str, embedding: EmbeddingFunction[Documents]) -> KnowledgeIndex:
        """Open (not build) the index on a Chroma server, e.g. ``http://chroma:8000``."""
        storage = ServerStorage(url, embedding)
        return cls(None, embedding, storage=storage)

    @property
    def where(self) -> str:
        """Words naming where the index lives, for messages."""
        return self.storage.where

    def target(self, kb: KnowledgeBase, items: Sequence[Entry] | None = None) -> Target:
        """Return the collection this content and embedding function must be found in."""
        config = json.dumps(self.embedding.get_config(), sort_keys=True)
        count = len(items) if items is not None else sum(1 for _ in entries(kb))
        return Target(f"{kb.fingerprint}:{self.embedding.name()}:{config}", count)

    def is_current(self, kb: KnowledgeBase) -> bool:
        """Return whether a complete index of this content with this embedding opens."""
        with self._lock:
            collection = self.storage.open(self.target(kb))
            if collection is not None:
                self._collection, self._kb = collection, kb
            return collection is not None

    def ensure(self, kb: KnowledgeBase, *, rebuild: bool = False) -> bool:
        """Build the index if it is missing, stale, damaged or a rebuild is asked for; return whether it built."""
        items = list(entries(kb))
        target = self.target(kb, items)
        with self._lock:
            self._kb = kb
            if not rebuild and (collection := self.storage.open(target)) is not None:
                self._collection = collection
                return False
            with self.storage.exclusive():
                # Another process may have built it while this one waited for the lock.
                if not rebuild and (collection := self.storage.open(target)) is not None:
                    self._collection = collection
                    return False
                self._collection = self.storage.build(target, lambda c: self._fill(c, items))
                return True

    def _fill(self, collection: Collection, items: Sequence[Entry]) -> None:
        """Upsert every entry (embedded here, so an embedding failure is not taken for storage damage)."""
        for start in range(0, len(items), BATCH):
            batch = items[start : start + BATCH]
            collection.upsert(
                ids=[e.id for e in batch],
                embeddings=self.embedding([e.text for e in batch]),
                documents=[e.text for e in batch],
                metadatas=[
                    {"case_id": e.case_id, "step": e.step, "kind": e.kind, "source": e.source, "owner": e.owner}
                    for e in batch
                ],
            )
        wanted = {e.id for e in items}
        extra = [i for i in collection.get(include=[])["ids"] if i not in wanted]
        if extra:
            collection.delete(ids=extra)

    def _current(self) -> Collection:
        with self._lock:
            if self._collection is None and self._kb is not None:
                self.ensure(self._kb)
            if self._collection is None:
                self._collection = self.storage.open_any()
            if self._collection is None:
                raise IndexUnavailable(f"no knowledge index in the {self.where}; build it with `interviewer index`")
            return self._collection

    def _read(self, action: Callable[[Collection], T]) -> T:
        """Run a read; if storage fails, reopen (rebuilding if damaged) once and retry, else raise clearly."""
        for attempt in (1, 2):
            try:
                return action(self._current())
            except IndexUnavailable:
                raise
            except BaseException as error:
                if not is_failure(error):
                    raise
                if attempt == 2:
                    raise IndexUnavailable(
                        f"the knowledge index in the {self.where} cannot be read even after a rebuild"
                        f" ({failure_reason(error)})"
                    ) from None
                with self._lock:
                    self._collection = None
                    if self._kb is None:
                        raise IndexUnavailable(
                            f"the knowledge index in the {self.where} cannot be read ({failure_reason(error)});"
                            " rebuild it with `interviewer index --rebuild`"
                        ) from None
        raise AssertionError("unreachable")

    def count(self) -> int:
        """Return how many entries the index holds."""
        return self._read(lambda c: int(c.count()))

    def by_step(self, case_id: str, step: str, kind: str | None = None) -> list[Entry]:
        """Return every entry of one case and step (optionally of one kind)."""
        clauses: list[dict[str, Any]] = [{"case_id": case_id}, {"step": step}]
        if kind:
            clauses.append({"kind": kind})
        result = self._read(lambda c: c.get(where={"$and": clauses}))
        return [
            _entry(i, d, m, None)
            for i, d, m in zip(result["ids"], result["documents"], result["metadatas"], strict=True)
        ]

    def similar(self, text: str, case_id: str | None = None, step: str | None = None, k: int = 5) -> list[Entry]:
        """Return the k entries most similar to a text, within a case and step if given."""
        clauses: list[dict[str, Any]] = []
        if case_id:
            clauses.append({"case_id": {"$in": [case_id, FRAMEWORK_ID]}})
        if step:
            clauses.append({"step": step})
        where = None if not clauses else clauses[0] if len(clauses) == 1 else {"$and": clauses}
        vector = self.embedding([text])
        result = self._read(lambda c: c.query(query_embeddings=vector, n_results=k, where=where))
        return [
            _entry(i, d, m, dist)
            for i, d, m, dist in zip(
                result["ids"][0],
                result["documents"][0],
                result["metadatas"][0],
                result["distances"][0],
                strict=True,
            )
        ]


def _entry(ident: str, text: str, meta: Any, distance: float | None) -> Entry:
    return Entry(
        ident,
        text,
        str(meta["case_id"]),
        str(meta["step"]),
        str(meta["kind"]),
        str(meta["source"]),
        distance,
        str(meta.get("owner", "")),
    )


class LazyRetriever:
    """Retrieval that builds (or refreshes) the index on first use, not at start-up."""

    def __init__(self, index: KnowledgeIndex, kb: KnowledgeBase) -> None:
        """Wrap an index and the knowledge it must reflect."""
        self.index = index
        self.kb = kb
        self._ready = False

    def ensure(self) -> bool:
        """Build the index if needed; return whether it was built now."""
        built = False
        if not self._ready:
            built = self.index.ensure(self.kb)
            self._ready = True
        return built

    def similar(self, text: str, case_id: str | None = None, step: str | None = None, k: int = 5) -> list[Entry]:
        """Return the k entries most similar to a text, within a case and step if given.

        An index that cannot be used answers nothing (and says why in the log) rather than stopping
        the interview: retrieval only orders hints, and the index is derived data.
        """
        try:
            self.ensure()
            return self.index.similar(text, case_id, step, k)
        except IndexUnavailable as error:
            logging.getLogger(__name__).warning("knowledge retrieval is off for this call: %s", error)
            return []
