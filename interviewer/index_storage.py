"""Where the knowledge index is stored: a folder of generations under a file lock, or a Chroma server.

Both storages open a collection only after checking it is the complete build of a target (the
fingerprint of content and embedding, and the number of entries), and build a target in a way that
never drops what another process or replica is reading. See :mod:`interviewer.index` for the layout.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import chromadb
from chromadb.api.types import Documents, EmbeddingFunction
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import NotFoundError

COLLECTION_PREFIX = "knowledge-"
POINTER = "current.json"
LOCK = ".lock"

Collection = Any
"""A chromadb ``Collection`` (chromadb's own classes are only partly typed)."""
_LEGACY = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
"""Segment folders of the old layout, where the index folder itself was the Chroma folder."""


class IndexUnavailable(RuntimeError):
    """The knowledge index cannot be opened, built or queried; the message says where and what to do."""


def is_failure(error: BaseException) -> bool:
    """Return whether an error from Chroma is one to handle (its Rust panics are BaseExceptions)."""
    return isinstance(error, Exception) or type(error).__name__ == "PanicException"


def failure_reason(error: BaseException) -> str:
    """Return an error as one short line for a message."""
    return " ".join(str(error).split())[:300] or type(error).__name__


@dataclass(frozen=True)
class Target:
    """The collection one knowledge base and embedding must be found in."""

    fingerprint: str
    entries: int

    @property
    def name(self) -> str:
        """Return the collection name: fixed per content and embedding."""
        return COLLECTION_PREFIX + hashlib.sha256(self.fingerprint.encode()).hexdigest()[:24]

    @property
    def metadata(self) -> dict[str, Any]:
        """Return the metadata a collection is created with, checked when it is opened."""
        return {"hnsw:space": "cosine", "fingerprint": self.fingerprint, "entries": self.entries}

    def verify(self, collection: Collection) -> Collection | None:
        """Return the collection if it is this target's and complete, else None."""
        meta = collection.metadata or {}
        if meta.get("fingerprint") != self.fingerprint or meta.get("entries") != self.entries:
            return None
        return collection if int(collection.count()) == self.entries else None


class Storage(Protocol):
    """Where the collections live: a folder or a server."""

    where: str
    """Words naming the place, for messages."""

    def open(self, target: Target) -> Collection | None:
        """Return the target's collection if it exists and is complete, else None."""
        ...

    def open_any(self) -> Collection | None:
        """Return the last complete collection without knowing the content (None if there is none)."""
        ...

    def exclusive(self) -> contextlib.AbstractContextManager[None]:
        """Hold the lock under which a missing collection is built."""
        ...

    def build(self, target: Target, fill: Callable[[Collection], None]) -> Collection:
        """Build (or complete) the target's collection with ``fill`` and return it."""
        ...


class FolderStorage:
    """Embedded Chroma in a folder: generations built under a file lock, switched atomically."""

    def __init__(self, path: Path, embedding: EmbeddingFunction[Documents]) -> None:
        """Use a folder (created when needed)."""
        self.path = path
        self.embedding = embedding
        self.where = f"folder {path}"
        self._clients: dict[str, Any] = {}

    def _pointer(self) -> dict[str, Any]:
        try:
            value = json.loads((self.path / POINTER).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return value if isinstance(value, dict) else {}

    def _client(self, generation: str) -> Any:
        client = self._clients.get(generation)
        if client is None:
            client = chromadb.PersistentClient(
                path=str(self.path / generation), settings=ChromaSettings(anonymized_telemetry=False)
            )
            self._clients[generation] = client
        return client

    def _open_generation(self, pointer: dict[str, Any], target: Target) -> Collection | None:
        generation = str(pointer.get("generation", ""))
        if not generation.startswith("g-") or not (self.path / generation).is_dir():
            return None
        try:
            collection = self._client(generation).get_collection(target.name, embedding_function=self.embedding)
            return target.verify(collection)
        except BaseException as error:
            if not is_failure(error):
                raise
            # Damaged or half-deleted: the caller rebuilds into a new generation.
            self._clients.pop(generation, None)
            return None

    def open(self, target: Target) -> Collection | None:
        """Return the current generation's collection if it is the target's and complete."""
        pointer = self._pointer()
        if pointer.get("fingerprint") != target.fingerprint or pointer.get("entries") != target.entries:
            return None
        return self._open_generation(pointer, target)

    def open_any(self) -> Collection | None:
        """Return the current generation's collection, whatever content it was built from."""
        pointer = self._pointer()
        if not isinstance(pointer.get("fingerprint"), str) or not isinstance(pointer.get("entries"), int):
            return None
        return self._open_generation(pointer, Target(pointer["fingerprint"], pointer["entries"]))

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold an exclusive flock on the folder's lock file (released if the process dies)."""
        self.path.mkdir(parents=True, exist_ok=True)
        with (self.path / LOCK).open("a") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def build(self, target: Target, fill: Callable[[Collection], None]) -> Collection:
        """Build a new generation, point ``current.json`` at it, then retire the others (lock held)."""
        generation = f"g-{target.name.removeprefix(COLLECTION_PREFIX)[:12]}-{uuid.uuid4().hex[:8]}"
        try:
            collection = self._client(generation).create_collection(
                target.name, metadata=target.metadata, embedding_function=self.embedding
            )
            fill(collection)
            complete = target.verify(collection) is not None
        except BaseException as error:
            if not is_failure(error):
                raise
            raise IndexUnavailable(
                f"cannot build the knowledge index in {self.path} ({failure_reason(error)})"
            ) from None
        if not complete:
            raise IndexUnavailable(f"the knowledge index built in {self.path / generation} is incomplete")
        pointer = {"generation": generation, "fingerprint": target.fingerprint, "entries": target.entries}
        staged = self.path / f"{POINTER}.{uuid.uuid4().hex[:8]}"
        staged.write_text(json.dumps(pointer), encoding="utf-8")
        os.replace(staged, self.path / POINTER)
        self._retire(keep=generation)
        return collection

    def _retire(self, keep: str) -> None:
        """Delete the generations (and old-layout files) nothing will open again; the lock is held."""
        for child in self.path.iterdir():
            if child.name == keep or child.name in (POINTER, LOCK):
                continue
            old = child.name.startswith("g-") or _LEGACY.match(child.name) or child.name.startswith(POINTER)
            if child.is_dir() and old:
                self._clients.pop(child.name, None)
                shutil.rmtree(child, ignore_errors=True)
            elif child.is_file() and (old or child.name.startswith("chroma.sqlite3") or child.suffix == ".json"):
                child.unlink(missing_ok=True)


class ServerStorage:
    """A Chroma server shared by replicas: nothing is ever dropped; builders upsert the same rows."""

    def __init__(self, url: str, embedding: EmbeddingFunction[Documents]) -> None:
        """Use the server at ``http(s)://host[:port]`` (port 8000 by default)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"a Chroma server URL looks like http://host:8000, got {url!r}")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 8000)
        except ValueError:
            raise ValueError(f"a Chroma server URL looks like http://host:8000, got {url!r}") from None
        self.host, self.port, self.ssl = parts.hostname, port, parts.scheme == "https"
        self.embedding = embedding
        self.where = f"Chroma server {parts.scheme}://{self.host}:{port}"
        self._client: Any = None

    def _connect(self) -> Any:
        if self._client is None:
            try:
                self._client = chromadb.HttpClient(
                    host=self.host, port=self.port, ssl=self.ssl, settings=ChromaSettings(anonymized_telemetry=False)
                )
            except Exception as error:
                raise IndexUnavailable(f"cannot reach the {self.where} ({failure_reason(error)})") from None
        return self._client

    def open(self, target: Target) -> Collection | None:
        """Return the target's collection if it exists and is complete."""
        try:
            collection = self._connect().get_collection(target.name, embedding_function=self.embedding)
            return target.verify(collection)
        except NotFoundError:
            return None
        except IndexUnavailable:
            raise
        except Exception as error:
            self._client = None
            raise IndexUnavailable(
                f"cannot read the knowledge index on the {self.where} ({failure_reason(error)})"
            ) from None

    def open_any(self) -> Collection | None:
        """Return None: on a shared server only the content's own fingerprint names its collection."""
        return None

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold nothing: builders on several hosts write identical rows, so they may overlap."""
        yield

    def build(self, target: Target, fill: Callable[[Collection], None]) -> Collection:
        """Create the collection if needed and upsert every entry; drop rows that do not belong."""
        client = self._connect()
        try:
            try:
                collection = client.get_or_create_collection(
                    target.name, metadata=target.metadata, embedding_function=self.embedding
                )
            except Exception:  # another replica created it in the same instant
                collection = client.get_collection(target.name, embedding_function=self.embedding)
            fill(collection)
            complete = target.verify(collection)
        except IndexUnavailable:
            raise
        except Exception as error:
            raise IndexUnavailable(
                f"cannot build the knowledge index on the {self.where} ({failure_reason(error)})"
            ) from None
        if complete is None:
            raise IndexUnavailable(f"the knowledge index built on the {self.where} is incomplete")
        return complete
