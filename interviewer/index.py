"""The Chroma index of the knowledge base, and retrieval by step, case and similarity.

The index is persistent, built on first use, and rebuilt only when the knowledge content
(or the embedding function) changed: a fingerprint of both is stored beside it.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import chromadb
from chromadb.api.types import Documents, EmbeddingFunction
from chromadb.config import Settings as ChromaSettings

from interviewer.knowledge.loader import KnowledgeBase
from interviewer.knowledge.models import Signal
from interviewer.steps import STEP_IDS

COLLECTION = "knowledge"
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


class KnowledgeIndex:
    """A persistent Chroma collection over the knowledge base."""

    def __init__(self, path: Path, embedding: EmbeddingFunction[Documents]) -> None:
        """Open (not build) the index stored in a folder."""
        self.path = path
        self.embedding = embedding
        self._client: Any = None
        self._collection: Any = None

    @property
    def _meta_path(self) -> Path:
        return self.path / "interviewer-index.json"

    def _fingerprint(self, kb: KnowledgeBase) -> str:
        return f"{kb.fingerprint}:{self.embedding.name()}:{json.dumps(self.embedding.get_config(), sort_keys=True)}"

    def is_current(self, kb: KnowledgeBase) -> bool:
        """Return whether the stored index was built from this content with this embedding."""
        try:
            meta = json.loads(self._meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return bool(meta.get("fingerprint") == self._fingerprint(kb))

    def _open(self) -> Any:
        if self._collection is None:
            self.path.mkdir(parents=True, exist_ok=True)
            self._client = chromadb.PersistentClient(
                path=str(self.path), settings=ChromaSettings(anonymized_telemetry=False)
            )
            self._collection = self._client.get_or_create_collection(
                COLLECTION, embedding_function=self.embedding, metadata={"hnsw:space": "cosine"}
            )
        return self._collection

    def ensure(self, kb: KnowledgeBase, *, rebuild: bool = False) -> bool:
        """Build the index if it is missing, stale or a rebuild is asked for; return whether it built."""
        if not rebuild and self.is_current(kb):
            return False
        self._collection = None
        self._client = None
        if self.path.exists():
            shutil.rmtree(self.path)
        collection = self._open()
        items = list(entries(kb))
        for start in range(0, len(items), 500):
            batch = items[start : start + 500]
            collection.add(
                ids=[e.id for e in batch],
                documents=[e.text for e in batch],
                metadatas=[
                    {"case_id": e.case_id, "step": e.step, "kind": e.kind, "source": e.source, "owner": e.owner}
                    for e in batch
                ],
            )
        meta = {"fingerprint": self._fingerprint(kb), "entries": len(items), "built_at": time.time()}
        self._meta_path.write_text(json.dumps(meta), encoding="utf-8")
        return True

    def count(self) -> int:
        """Return how many entries the index holds."""
        return int(self._open().count())

    def by_step(self, case_id: str, step: str, kind: str | None = None) -> list[Entry]:
        """Return every entry of one case and step (optionally of one kind)."""
        clauses: list[dict[str, Any]] = [{"case_id": case_id}, {"step": step}]
        if kind:
            clauses.append({"kind": kind})
        result = self._open().get(where={"$and": clauses})
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
        result = self._open().query(query_texts=[text], n_results=k, where=where)
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
        """Return the k entries most similar to a text, within a case and step if given."""
        self.ensure()
        return self.index.similar(text, case_id, step, k)
