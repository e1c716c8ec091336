"""The vector store: Chroma (embedded PersistentClient or a server by URL), via langchain-chroma.

Every chromadb / langchain / transport exception is translated to RetrievalError here, with
a message that says what to check.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import numpy as np
from langchain_core.embeddings import Embeddings

from advisor.config import Settings
from advisor.errors import ConfigError, RetrievalError
from advisor.schema import Chunk

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection
    from langchain_chroma import Chroma

#: HNSW build settings. Vectors are unit length, so cosine is the natural space.
#: ef_construction 64 (Chroma's default is 100) trades a little graph quality for a faster
#: build; queries keep ef_search 100 (see benchmarks/retrieval.py for the measured effect).
COLLECTION_CONFIGURATION: dict[str, Any] = {"hnsw": {"space": "cosine", "ef_construction": 64}}

NO_START = 0
_SEGMENT_DIR = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
NO_END = 99991231


def date_key(value: dt.date | None, default: int) -> int:
    """A date as an int YYYYMMDD that Chroma ``where`` filters can compare."""
    return default if value is None else value.year * 10000 + value.month * 100 + value.day


def chunk_metadata(chunk: Chunk) -> dict[str, str | int]:
    """The Chroma metadata of a chunk: what ``where`` filters need, and nothing else.

    Every key is a row in Chroma's metadata table and costs ingest time (title, section,
    offsets, version and url took ~12% of Chroma's add time at 20,000 chunks); the full
    chunk lives in the generation's chunks.jsonl, which is what search returns.
    """
    return {
        "document": chunk.document, "kind": chunk.kind,
        "effective_date": date_key(chunk.effective_date, NO_START),
        "effective_to": date_key(chunk.effective_to, NO_END),
    }


def where_filter(document: str | None = None, kind: str | None = None,
                 as_of: dt.date | None = None) -> dict[str, Any] | None:
    """A Chroma ``where`` clause: document, kind, and effective_date <= as_of <= effective_to."""
    clauses: list[dict[str, Any]] = []
    if document is not None:
        clauses.append({"document": document})
    if kind is not None:
        clauses.append({"kind": kind})
    if as_of is not None:
        day = date_key(as_of, NO_START)
        clauses.append({"effective_date": {"$lte": day}})
        clauses.append({"effective_to": {"$gte": day}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


class Breaker:
    """A circuit breaker per Chroma location: after a failure, calls fail at once for a while.

    Closed: calls go through. A failure opens it for ``retry_after`` seconds, during which
    every call raises the remembered reason without touching Chroma. After that one call
    goes through (half-open); success closes the breaker, failure opens it again.
    """

    def __init__(self, location: str) -> None:
        self.location = location
        self._lock = threading.Lock()
        self._open_until = 0.0
        self._trial = False
        self.reason: str | None = None
        self.opened_at: float | None = None

    def before(self, retry_after: float) -> None:
        """Raise RetrievalError while open; let one trial call through once it may retry."""
        with self._lock:
            if self.reason is None:
                return
            now = time.monotonic()
            if now < self._open_until or self._trial:
                wait = max(0.0, self._open_until - now)
                raise RetrievalError(
                    f"{self.location} is not answering ({self.reason}); answers use the corpus "
                    f"files until it does (next try in {wait:.0f} s)")
            self._trial = True
            self._open_until = now + retry_after

    def failed(self, reason: str, retry_after: float) -> None:
        """Open (or keep open) the breaker with ``reason``."""
        with self._lock:
            now = time.monotonic()
            if self.reason is None:
                self.opened_at = now
            self.reason = reason
            self._trial = False
            self._open_until = now + retry_after

    def succeeded(self) -> None:
        """Close the breaker."""
        with self._lock:
            self.reason = None
            self.opened_at = None
            self._trial = False
            self._open_until = 0.0

    @property
    def is_open(self) -> bool:
        """True while a failure is remembered."""
        return self.reason is not None


_BREAKERS: dict[str, Breaker] = {}
_BREAKERS_LOCK = threading.Lock()


def breaker_for(location: str) -> Breaker:
    """The one breaker of ``location`` in this process."""
    with _BREAKERS_LOCK:
        return _BREAKERS.setdefault(location, Breaker(location))


def _is_outage(exc: BaseException) -> bool:
    """True for a transport failure (timeout, refused, reset): the server is not answering."""
    import httpx

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, (httpx.TransportError, TimeoutError, ConnectionError)):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class ChromaStore:
    """Named collections of chunk vectors in one Chroma client (embedded or server)."""

    def __init__(self, client: ClientAPI, embeddings: Embeddings, location: str, remedy: str,
                 retry_after: float = 15.0):
        self._client = client
        self.embeddings = embeddings
        self.location = location
        self._remedy = remedy
        self._collections: dict[str, Collection] = {}
        self._retry_after = retry_after
        self.breaker = breaker_for(location)
        self.path: Path | None = None  # the embedded store's folder

    @classmethod
    def open(cls, settings: Settings, embeddings: Embeddings) -> ChromaStore:
        """Connect to the server at ``settings.chroma_url``, or open the embedded store."""
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        if settings.chroma_url:
            host, port, ssl = _parse_url(settings.chroma_url)
            remedy = "start it or unset ADVISOR_CHROMA_URL"
            location = f"Chroma server at {settings.chroma_url}"
            breaker = breaker_for(location)
            breaker.before(settings.chroma_retry_after)
            try:
                # chromadb's client has no timeout and talks to the server while it is being
                # built: a bounded heartbeat first, so a hung server cannot hold us here.
                _heartbeat(settings, host, port, ssl)
                client = chromadb.HttpClient(host=host, port=port, ssl=ssl,
                                             settings=chroma_settings)
                _bound_client(client, settings)
            except Exception as exc:
                breaker.failed(_reason(exc), settings.chroma_retry_after)
                raise RetrievalError(f"{location} is unreachable ({_reason(exc)}): "
                                     f"{remedy}") from exc
            breaker.succeeded()
            return cls(client, embeddings, location, remedy, settings.chroma_retry_after)
        path = Path(settings.index_dir) / "chroma"
        location = f"the Chroma store in {path}"
        remedy = "check ADVISOR_HOME is writable, or run `advisor ingest --rebuild`"
        try:
            path.mkdir(parents=True, exist_ok=True)
            client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        except Exception as exc:
            raise RetrievalError(f"cannot open {location} ({_reason(exc)}): {remedy}") from exc
        store = cls(client, embeddings, location, remedy, settings.chroma_retry_after)
        store.path = path
        return store

    def prune_orphan_folders(self) -> int:
        """Embedded store: remove segment folders no live collection uses; return how many.

        Chroma's local store keeps a deleted collection's HNSW folder on disk, so every
        rebuild used to leave one behind. Called by ingest after a successful switch (under
        the ingest lock). A server store has its own disk: nothing to do here.
        """
        if self.path is None:
            return 0
        import shutil
        import sqlite3

        try:
            with contextlib.closing(sqlite3.connect(self.path / "chroma.sqlite3")) as conn:
                live = {str(row[0]) for row in conn.execute("SELECT id FROM segments")}
        except sqlite3.Error:
            return 0  # cannot tell what is live: remove nothing
        removed = 0
        for folder in self.path.iterdir():
            if folder.is_dir() and _SEGMENT_DIR.fullmatch(folder.name) and folder.name not in live:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        return removed

    @contextlib.contextmanager
    def _translate(self, action: str) -> Iterator[None]:
        self.breaker.before(self._retry_after)
        try:
            yield
        except RetrievalError:
            raise
        except Exception as exc:
            if _is_outage(exc):
                self.breaker.failed(_reason(exc), self._retry_after)
            raise RetrievalError(f"{self.location} failed to {action} ({_reason(exc)}): "
                                 f"{self._remedy}") from exc
        if self.breaker.is_open:
            self.breaker.succeeded()

    # ------------------------------------------------------------------ collections

    def names(self) -> list[str]:
        """Names of the collections in the store."""
        with self._translate("list collections"):
            return [str(getattr(c, "name", c)) for c in self._client.list_collections()]

    def create(self, name: str) -> None:
        """Create an empty collection ``name``, replacing a leftover of the same name."""
        self.delete(name)
        with self._translate(f"create collection {name}"):
            self._collections[name] = self._client.create_collection(
                name=name, embedding_function=None,
                configuration=COLLECTION_CONFIGURATION)  # type: ignore[arg-type]

    def delete(self, name: str) -> None:
        """Delete collection ``name`` if it exists."""
        self._collections.pop(name, None)
        if name not in self.names():
            return
        with self._translate(f"delete collection {name}"):
            self._client.delete_collection(name)

    def _collection(self, name: str) -> Collection:
        if name not in self._collections:
            with self._translate(f"open collection {name}"):
                try:
                    self._collections[name] = self._client.get_collection(
                        name=name, embedding_function=None)
                except Exception as exc:
                    if name not in self.names():
                        raise RetrievalError(
                            f"{self.location} has no collection {name}: run "
                            "`advisor ingest --rebuild` to index the corpus again") from exc
                    raise
        return self._collections[name]

    def vectorstore(self, name: str, text_of: Callable[[str], str]) -> Chroma:
        """Collection ``name`` as a LangChain vector store (same client, same embeddings).

        Chroma holds no chunk text (see :meth:`add`); search results get their
        ``page_content`` from ``text_of(chunk_id)``.
        """
        from langchain_chroma import Chroma

        class _TextFromIndex(Chroma):
            """A LangChain Chroma whose query results carry the index's chunk text."""

            def _Chroma__query_collection(self, *args: Any, **kwargs: Any) -> Any:
                results = super()._Chroma__query_collection(*args, **kwargs)  # type: ignore[misc]
                if isinstance(results, dict) and results.get("ids"):
                    results["documents"] = [[text_of(i) for i in ids] for ids in results["ids"]]
                return results

        with self._translate(f"open collection {name} for LangChain"):
            return _TextFromIndex(client=self._client, collection_name=name,
                                  embedding_function=self.embeddings,
                                  create_collection_if_not_exists=False)

    # ------------------------------------------------------------------ vectors

    def add(self, name: str, ids: Sequence[str], vectors: np.ndarray,
            metadatas: Sequence[dict[str, str | int]]) -> None:
        """Add vectors with their metadata, in batches the client accepts.

        No chunk text: the index keeps it in the generation's chunks.jsonl, and Chroma's
        embedded store full-text-indexes every document it is given (its schema cannot turn
        that off locally), which cost ~40% of ingest time for no reader.
        """
        collection = self._collection(name)
        with self._translate(f"add vectors to {name}"):
            batch = max(1, min(5000, self._client.get_max_batch_size()))
            for at in range(0, len(ids), batch):
                collection.add(ids=list(ids[at:at + batch]), embeddings=vectors[at:at + batch],
                               metadatas=list(metadatas[at:at + batch]))  # type: ignore[arg-type]

    def vectors(self, name: str, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors of ``ids`` (those present), read back without re-embedding."""
        collection = self._collection(name)
        found: dict[str, np.ndarray] = {}
        with self._translate(f"read vectors from {name}"):
            batch = max(1, min(5000, self._client.get_max_batch_size()))
            for at in range(0, len(ids), batch):
                got = collection.get(ids=list(ids[at:at + batch]), include=["embeddings"])
                embeddings = got.get("embeddings")
                if embeddings is None:
                    continue
                for chunk_id, vector in zip(got["ids"], embeddings, strict=True):
                    found[chunk_id] = np.asarray(vector, dtype=np.float32)
        return found

    def count(self, name: str) -> int:
        """Number of vectors in collection ``name``."""
        collection = self._collection(name)
        with self._translate(f"count {name}"):
            return int(collection.count())

    def query(self, name: str, vector: np.ndarray, n: int,
              where: dict[str, Any] | None = None) -> list[str]:
        """Ids of the ``n`` nearest vectors (within ``where``), nearest first."""
        return [chunk_id for chunk_id, _ in self.query_scored(name, vector, n, where)]

    def query_scored(self, name: str, vector: np.ndarray, n: int,
                     where: dict[str, Any] | None = None) -> list[tuple[str, float]]:
        """(id, cosine similarity) of the ``n`` nearest vectors within ``where``, nearest first."""
        collection = self._collection(name)
        with self._translate(f"query {name}"):
            got = collection.query(query_embeddings=vector.reshape(1, -1), n_results=n,
                                   where=where, include=["distances"])
        if not got["ids"]:
            return []
        distances = (got.get("distances") or [[]])[0]
        return [(str(i), 1.0 - float(d)) for i, d in zip(got["ids"][0], distances, strict=True)]


def _timeout(settings: Settings) -> Any:
    import httpx

    return httpx.Timeout(settings.chroma_read_timeout, connect=settings.chroma_connect_timeout)


def _heartbeat(settings: Settings, host: str, port: int, ssl: bool) -> None:
    """GET the server's heartbeat within the configured timeouts (raises on any failure)."""
    import httpx

    scheme = "https" if ssl else "http"
    response = httpx.get(f"{scheme}://{host}:{port}/api/v2/heartbeat", timeout=_timeout(settings))
    response.raise_for_status()


def _bound_client(client: Any, settings: Settings) -> None:
    """Give chromadb's HTTP session (built with ``timeout=None``) the configured timeouts."""
    session = getattr(getattr(client, "_server", None), "_session", None)
    if session is None:
        raise ConfigError("this chromadb version hides its HTTP session, so requests to the "
                          "Chroma server cannot be given a timeout; pin chromadb 1.x")
    session.timeout = _timeout(settings)


def _parse_url(url: str) -> tuple[str, int, bool]:
    parts = urlsplit(url if "://" in url else f"http://{url}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"ADVISOR_CHROMA_URL={url!r} is not a URL like http://127.0.0.1:8000")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 8000)
    except ValueError as exc:
        raise ConfigError(f"ADVISOR_CHROMA_URL={url!r} has a bad port: use http://host:port"
                          ) from exc
    return parts.hostname, port, parts.scheme == "https"


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__


__all__ = ["COLLECTION_CONFIGURATION", "Breaker", "ChromaStore", "breaker_for",
           "chunk_metadata", "date_key", "where_filter"]
