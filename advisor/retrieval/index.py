"""The index: atomic, incremental ingest into Chroma + BM25 generations, and hybrid search.

Layout of ``settings.index_dir``::

    manifest.json        the generation now serving (replaced atomically: temp + os.replace)
    index-id             a random id naming this index's collections (shared Chroma servers)
    g<N>/chunks.jsonl    the chunks of generation N, one JSON object a line, in row order
    g<N>/bm25/           the BM25 state of generation N
    chroma/              the embedded Chroma store (unless ADVISOR_CHROMA_URL is set)

An ingest parses and chunks every document first (a CorpusError aborts before anything is
touched), builds generation N+1 beside N (copying the stored vectors of unchanged chunks,
embedding only new or changed ones), then switches the manifest, then deletes generation N.
A crash before the switch leaves generation N serving; nothing changed means no new
generation at all.

Search fuses a dense ranking (Chroma) and a BM25 ranking by z-score fusion (see FUSION).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import math
import os
import re
import secrets
import shutil
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from advisor.config import Settings
from advisor.errors import CorpusError, InputError, RetrievalError
from advisor.retrieval.embeddings import WordLlamaEmbeddings, embed_array, make_embeddings
from advisor.retrieval.lexical import LexicalIndex, token_counts
from advisor.retrieval.store import (
    NO_END,
    NO_START,
    ChromaStore,
    chunk_metadata,
    date_key,
    where_filter,
)
from advisor.schema import Chunk, Document, IngestReport, Passage

MANIFEST_FORMAT = 1

#: Reciprocal rank fusion constant (Cormack et al. 2009): score = sum 1 / (RRF_K + rank).
#: Kept for comparison (``fusion="rrf"``); the served fusion is z-score (below).
RRF_K = 60

#: Z-score fusion: each ranking's top-n scores (cosine, BM25) are standardised over that
#: list; a candidate missing from one list takes that list's lowest z; fused = DENSE_WEIGHT *
#: z_dense + z_bm25, shifted so the weakest possible candidate scores 1. Unlike RRF it keeps
#: how far apart the scores are, so a broad section that is merely second in both lists no
#: longer beats a clause that is a clear first in one. Measured (benchmarks/retrieval.py,
#: benchmarks/contractnli.py): labelled MRR@10 0.806 (RRF) -> 0.844 (z, dense 0.7);
#: ContractNLI evidence recall 0.770 -> 0.790 (with the chunker's 800-char pieces).
DENSE_WEIGHT = 0.7


#: Passage windows: search ranks the windows (chunking.passage_windows) of its best
#: max(2k, WINDOW_CHUNKS) chunks, each scored by BM25 and dense over its own text plus its
#: chunk's fused score at WINDOW_PARENT_WEIGHT (the sentence's context), z-scored. Measured
#: through the ingest path (2,500-char budget, windows of 150): parent weight 0.5 -> PolicyQA
#: dev 0.613, ContractNLI evidence recall 0.865, labelled MRR@10 0.843; 1.0 -> 0.610, 0.865,
#: 0.868 (served: the labelled questions need the clause's context). In-script, 0 -> 0.611 /
#: 0.851. One passage a chunk (its best window, or its windows merged) cost PolicyQA 0.526.
#: WINDOW_CHUNKS 20 instead of 40 (less work a query): labelled MRR@10 0.844, hit@5 0.955.
#: Windows of 100: parent weight 1.0 -> 0.630 / 0.895 / MRR 0.851; 1.5 -> 0.622 / 0.890 / 0.855.
WINDOW_CHUNKS = 40
WINDOW_PARENT_WEIGHT = 1.0


#: Tie-breaking weight on the fused score by document kind. Policy text (terms, law) is what
#: verdicts rest on, so at equal relevance it must outrank press coverage. Fused scores near
#: the top are about 4 to 6 (see DENSE_WEIGHT), so 0.95 costs an article about a quarter of
#: a standard deviation: enough to put it below policy text that says the same thing under
#: a longer heading, while a clearly better article still wins.
KIND_WEIGHT: dict[str, float] = {"terms": 1.0, "law": 1.0, "document": 1.0, "article": 0.95}

#: Texts embedded (and added to Chroma) per step during ingest; Chroma's per-call overhead
#: favours large adds (its client caps a batch at about 5,400 rows).
EMBED_BATCH = 4096

#: Below this share of the collection a filter is pushed into Chroma as ``where``; above it
#: the dense query over-fetches unfiltered and the in-memory mask filters, because Chroma's
#: metadata pre-filter costs time in proportion to the rows that match.
_WHERE_BELOW = 0.2

#: Up to this many rows passing a filter, the dense side scores them exactly from their
#: stored vectors (reading a vector back costs ~30 microseconds).
_EXACT_UP_TO = 512

_COLLECTION = re.compile(r"^chunks_g(\d+)_([0-9a-f]+)$")


# ----------------------------------------------------------------------------- manifest


def _manifest_path(settings: Settings) -> Path:
    return Path(settings.index_dir) / "manifest.json"


def _read_manifest(settings: Settings) -> dict[str, Any] | None:
    path = _manifest_path(settings)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise RetrievalError(f"the index manifest {path} is unreadable ({exc}): run "
                             "`advisor ingest --rebuild`") from exc
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        raise RetrievalError(f"the index manifest {path} has an unknown format: run "
                             "`advisor ingest --rebuild`")
    return data


def _write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the new one, never half."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _index_id(index_dir: Path) -> str:
    """This index's random id (created once), so collections never clash on a shared server."""
    path = index_dir / "index-id"
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        _write_atomically(path, secrets.token_hex(4))
        return path.read_text(encoding="utf-8").strip()


def _collection_name(generation: int, index_id: str) -> str:
    return f"chunks_g{generation}_{index_id}"


def _embeddings_id(settings: Settings) -> str:
    """Which embedding space the vectors live in; a change forces a full re-embed."""
    if settings.embeddings == "wordllama":
        return "wordllama"
    return f"openai:{settings.embeddings_base_url or 'api.openai.com'}:{settings.embeddings_model}"


def corpus_version(documents: Sequence[Document]) -> str:
    """The hash of the documents' content hashes (the same as Advisor's corpus version)."""
    digest = hashlib.sha256()
    for doc in sorted(documents, key=lambda d: d.id):
        digest.update(f"{doc.id}\0{doc.content_hash}\n".encode())
    return digest.hexdigest()[:16]


def _text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def index_text(chunk: Chunk) -> str:
    """What is embedded and BM25-indexed for a chunk: its document title, then its text.

    The title is a contextual header: a clause such as "LE-2: mobile cameras" exists in two
    documents (Azure OpenAI, Azure AI Face), and a question names the service, not the
    clause. On the labelled questions this lifts hybrid MRR@10 from 0.78 to 0.81.
    """
    return f"{chunk.title}\n{chunk.text}"


def _document_entry(doc: Document, chunks: list[Chunk]) -> dict[str, Any]:
    signature = hashlib.sha256()
    for chunk in chunks:
        signature.update(json.dumps(chunk.model_dump(mode="json"), sort_keys=True).encode())
    meta = doc.model_dump(mode="json", exclude={"text"})
    return {
        "hash": signature.hexdigest()[:24], "content_hash": doc.content_hash, "path": doc.path,
        "chunks": {chunk.chunk_id: _text_hash(index_text(chunk)) for chunk in chunks},
        "meta": meta,
    }


@contextlib.contextmanager
def _ingest_lock(index_dir: Path) -> Iterator[None]:
    """One ingest at a time per index directory (other processes wait)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / "ingest.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# ----------------------------------------------------------------------------- ingest


def ingest(settings: Settings, corpus: Path | None = None, rebuild: bool = False,
           progress: bool = True, *, embeddings: Embeddings | None = None,
           allow_empty: bool = False) -> IngestReport:
    """Index ``corpus`` (default ``settings.corpus``): incremental and atomic (module doc).

    Refused before anything is touched: a corpus with no documents (unless ``allow_empty``)
    and a policy pack that does not validate against the corpus's clause ids (PackError
    naming file and line). The validated packs are kept beside the generation they were
    checked against (``g<N>/packs``), so a server can fall back to them.
    """
    from advisor.retrieval.chunking import chunk_document
    from advisor.retrieval.documents import load_corpus

    started = time.perf_counter()
    root = Path(corpus if corpus is not None else settings.corpus).expanduser().resolve()
    # Parse and chunk everything before touching the index: a CorpusError aborts here.
    documents = load_corpus(root)
    if not documents and not allow_empty:
        raise CorpusError("no documents found: the folder holds no .md, .txt, .html or .pdf "
                          "file. Check the path, or pass --allow-empty to empty the index on "
                          "purpose", path=str(root))
    chunked = [(doc, chunk_document(doc)) for doc in documents]
    entries = {doc.id: _document_entry(doc, chunks) for doc, chunks in chunked}
    version = corpus_version(documents)
    packs = _validated_packs(root, {c.chunk_id for _, chunks in chunked for c in chunks})
    embedder = embeddings if embeddings is not None else make_embeddings(settings)
    index_dir = Path(settings.index_dir)

    with _ingest_lock(index_dir):
        old = _read_manifest_quietly(settings)
        store = ChromaStore.open(settings, embedder)
        index_id = _index_id(index_dir)
        same_space = old is not None and old.get("embeddings") == _embeddings_id(settings)
        if (not rebuild and old is not None and same_space
                and {d: e["hash"] for d, e in old["documents"].items()}
                == {d: e["hash"] for d, e in entries.items()}
                and (index_dir / f"g{old['generation']}").is_dir()
                and old["collection"] in store.names()):
            if (old.get("corpus") != str(root) or old.get("corpus_version") != version
                    or old.get("packs") != _packs_digest(packs)):
                _save_packs(index_dir / f"g{old['generation']}", packs)
                _write_atomically(_manifest_path(settings), json.dumps(
                    {**old, "corpus": str(root), "corpus_version": version,
                     "packs": _packs_digest(packs)}, indent=1))
            return IngestReport(
                unchanged=len(entries), chunks=sum(len(c) for _, c in chunked),
                seconds=round(time.perf_counter() - started, 3),
                generation=int(old["generation"]), corpus_version=version, corpus=str(root),
            )
        reuse_from = old if (old is not None and same_space and not rebuild) else None
        report = _build_generation(settings, store, index_id, old, reuse_from, chunked,
                                   entries, version, root, progress, packs)
    return report.model_copy(update={"seconds": round(time.perf_counter() - started, 3)})


def _validated_packs(root: Path, chunk_ids: set[str]) -> dict[str, str]:
    """``{relative path: text}`` of every pack under ``root``; PackError when one is invalid."""
    from advisor.rules import load_packs

    load_packs(root, known_chunk_ids=chunk_ids)
    return {path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
            for path in sorted(root.glob("*/rules.yaml"))}


def _packs_digest(packs: dict[str, str]) -> str:
    digest = hashlib.sha256()
    for name, text in sorted(packs.items()):
        digest.update(f"{name}\0{text}\0".encode())
    return digest.hexdigest()[:16]


def _save_packs(gen_dir: Path, packs: dict[str, str]) -> None:
    """Keep the validated packs with the generation (replacing what was there)."""
    folder = gen_dir / "packs"
    shutil.rmtree(folder, ignore_errors=True)
    for name, text in packs.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def packs_snapshot(settings: Settings) -> Path | None:
    """The folder of packs validated with the serving generation, if there is one."""
    manifest = _read_manifest_quietly(settings)
    if manifest is None:
        return None
    folder = Path(settings.index_dir) / f"g{manifest['generation']}" / "packs"
    return folder if folder.is_dir() else None


def _read_manifest_quietly(settings: Settings) -> dict[str, Any] | None:
    """The serving manifest, or None when it is missing or unreadable (ingest starts over)."""
    try:
        return _read_manifest(settings)
    except RetrievalError:
        return None


def _build_generation(settings: Settings, store: ChromaStore, index_id: str,
                      old: dict[str, Any] | None, reuse_from: dict[str, Any] | None,
                      chunked: list[tuple[Document, list[Chunk]]],
                      entries: dict[str, dict[str, Any]], version: str, root: Path,
                      progress: bool, packs: dict[str, str]) -> IngestReport:
    index_dir = Path(settings.index_dir)
    old_generation = int(old["generation"]) if old is not None else 0
    generation = max([old_generation, *_generations_on_disk(index_dir)]) + 1
    name = _collection_name(generation, index_id)
    gen_dir = index_dir / f"g{generation}"
    _remove_strays(store, index_dir, index_id, keep=old)

    chunks = [chunk for _, chunks in chunked for chunk in chunks]
    old_hashes: dict[str, str] = {}
    if reuse_from is not None:
        for entry in reuse_from["documents"].values():
            old_hashes.update(entry["chunks"])
    reusable = [c.chunk_id for c in chunks
                if old_hashes.get(c.chunk_id) == _text_hash(index_text(c))]
    try:
        store.create(name)
        copied = (store.vectors(reuse_from["collection"], reusable)
                  if reusable and reuse_from is not None else {})
        by_id = {c.chunk_id: c for c in chunks}
        if copied:
            ids = list(copied)
            store.add(name, ids, np.stack([copied[i] for i in ids]),
                      [chunk_metadata(by_id[i]) for i in ids])
        fresh = [c for c in chunks if c.chunk_id not in copied]
        _embed_into(store, name, fresh, progress)
        gen_dir.mkdir(parents=True, exist_ok=True)
        with open(gen_dir / "chunks.jsonl", "w", encoding="utf-8") as handle:
            for chunk in chunks:
                handle.write(json.dumps(chunk.model_dump(mode="json")) + "\n")
        LexicalIndex.build([index_text(c) for c in chunks]).save(gen_dir / "bm25")
        _save_packs(gen_dir, packs)
        manifest = {
            "format": MANIFEST_FORMAT, "generation": generation, "collection": name,
            "index_id": index_id, "corpus": str(root), "corpus_version": version,
            "embeddings": _embeddings_id(settings), "chunks": len(chunks),
            "packs": _packs_digest(packs),
            "built": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "documents": entries,
        }
        # The switch: from here on generation N+1 serves.
        _write_atomically(_manifest_path(settings), json.dumps(manifest, indent=1))
    except BaseException:
        with contextlib.suppress(Exception):
            store.delete(name)
        shutil.rmtree(gen_dir, ignore_errors=True)
        raise
    if old is not None:
        with contextlib.suppress(Exception):  # a leftover is removed by the next ingest
            store.delete(old["collection"])
        shutil.rmtree(index_dir / f"g{old_generation}", ignore_errors=True)
    with contextlib.suppress(OSError):
        store.prune_orphan_folders()

    before = reuse_from["documents"] if reuse_from is not None else (
        old["documents"] if old is not None else {})
    added = sum(1 for d in entries if d not in before)
    updated = sum(1 for d, e in entries.items() if d in before and before[d]["hash"] != e["hash"])
    return IngestReport(
        added=added, updated=updated, removed=sum(1 for d in before if d not in entries),
        unchanged=len(entries) - added - updated, chunks=len(chunks),
        embedded=len(chunks) - len(copied), generation=generation, corpus_version=version,
        corpus=str(root), changed=True,
    )


def _embed_into(store: ChromaStore, name: str, chunks: list[Chunk], progress: bool) -> None:
    if not chunks:
        return
    bar = _progress(progress)
    with bar:
        task = bar.add_task("embedding chunks", total=len(chunks))
        for at in range(0, len(chunks), EMBED_BATCH):
            batch = chunks[at:at + EMBED_BATCH]
            vectors = embed_array(store.embeddings, [index_text(c) for c in batch])
            if vectors.shape[0] != len(batch):
                raise RetrievalError(f"the embeddings model returned {vectors.shape[0]} vectors "
                                     f"for {len(batch)} texts: check the embeddings endpoint")
            store.add(name, [c.chunk_id for c in batch], vectors,
                      [chunk_metadata(c) for c in batch])
            bar.advance(task, len(batch))


def _progress(enabled: bool) -> Any:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    return Progress("[progress.description]{task.description}", BarColumn(),
                    MofNCompleteColumn(), TimeRemainingColumn(),
                    console=Console(stderr=True), disable=not enabled, transient=False)


def _generations_on_disk(index_dir: Path) -> list[int]:
    found = []
    if index_dir.is_dir():
        for path in index_dir.iterdir():
            if path.is_dir() and re.fullmatch(r"g\d+", path.name):
                found.append(int(path.name[1:]))
    return found


def _remove_strays(store: ChromaStore, index_dir: Path, index_id: str,
                   keep: dict[str, Any] | None) -> None:
    """Delete generations a crashed ingest left behind (never the one serving)."""
    keep_name = keep["collection"] if keep is not None else None
    keep_gen = int(keep["generation"]) if keep is not None else None
    for name in store.names():
        match = _COLLECTION.match(name)
        if match and match.group(2) == index_id and name != keep_name:
            store.delete(name)
    for generation in _generations_on_disk(index_dir):
        if generation != keep_gen:
            shutil.rmtree(index_dir / f"g{generation}", ignore_errors=True)


def ensure_index(settings: Settings, *, embeddings: Embeddings | None = None) -> Index:
    """Open the index, building it from ``settings.corpus`` first, or bringing it up to date.

    When the index was built from ``settings.corpus`` an incremental ingest runs first (a few
    milliseconds when nothing changed), so an edited corpus or a changed chunker never leaves
    stale chunks serving. An index built from another folder (``ingest --corpus DIR``) is left
    as it is. A malformed corpus file keeps the last good index serving.
    """
    manifest = _read_manifest(settings)
    root = str(Path(settings.corpus).expanduser().resolve())
    if manifest is None:
        ingest(settings, progress=False, embeddings=embeddings)
    elif manifest.get("corpus") == root:
        try:
            ingest(settings, progress=False, embeddings=embeddings)
        except CorpusError:
            pass  # the last good index keeps serving; Advisor.health() names the bad file
    return Index.open(settings, embeddings=embeddings)


# ----------------------------------------------------------------------------- index


@dataclass(frozen=True)
class _Windows:
    """A chunk's passage windows: offsets into its text, their words, their vectors."""

    spans: list[tuple[int, int]]
    counts: list[Counter[str]]
    vectors: np.ndarray | None


#: Chunks whose windows are kept in memory (about 5 KB each); the cache empties when full.
_WINDOW_CACHE = 20_000


class _Generation:
    """The in-memory state of one generation: manifest, chunk rows, BM25 and filter arrays."""

    def __init__(self, manifest: dict[str, Any], rows: list[dict[str, Any]],
                 lexical: LexicalIndex):
        self.manifest = manifest
        self.rows = rows
        self.lexical = lexical
        self.collection = str(manifest["collection"])
        self.row_of = {row["chunk_id"]: i for i, row in enumerate(rows)}
        self.doc_codes = {d: i for i, d in enumerate(sorted({r["document"] for r in rows}))}
        self.kind_codes = {k: i for i, k in enumerate(sorted({r["kind"] for r in rows}))}
        self.doc = np.array([self.doc_codes[r["document"]] for r in rows], dtype=np.int32)
        self.kind = np.array([self.kind_codes[r["kind"]] for r in rows], dtype=np.int32)
        self.start = np.array([_day(r["effective_date"], NO_START) for r in rows], dtype=np.int64)
        self.end = np.array([_day(r["effective_to"], NO_END) for r in rows], dtype=np.int64)
        self.weight = np.array([KIND_WEIGHT.get(r["kind"], 1.0) for r in rows])
        self._windows: dict[int, _Windows] = {}

    @classmethod
    def load(cls, settings: Settings, manifest: dict[str, Any], store: ChromaStore
             ) -> _Generation:
        gen_dir = Path(settings.index_dir) / f"g{manifest['generation']}"
        try:
            with open(gen_dir / "chunks.jsonl", encoding="utf-8") as handle:
                rows = [json.loads(line) for line in handle]
        except (OSError, ValueError) as exc:
            raise RetrievalError(f"the chunks of index generation {manifest['generation']} are "
                                 f"unreadable ({exc}): run `advisor ingest --rebuild`") from exc
        lexical = LexicalIndex.load(gen_dir / "bm25")
        if store.count(str(manifest["collection"])) != len(rows):
            raise RetrievalError(f"{store.location} does not hold the {len(rows)} vectors of "
                                 f"index generation {manifest['generation']}: run "
                                 "`advisor ingest --rebuild`")
        return cls(manifest, rows, lexical)

    def mask(self, document: str | None, kind: str | None, day: int | None) -> np.ndarray | None:
        if document is None and kind is None and day is None:
            return None
        mask = np.ones(len(self.rows), dtype=bool)
        if document is not None:
            code = self.doc_codes.get(document)
            mask &= (self.doc == code) if code is not None else False
        if kind is not None:
            code = self.kind_codes.get(kind)
            mask &= (self.kind == code) if code is not None else False
        if day is not None:
            mask &= (self.start <= day) & (day <= self.end)
        return mask

    def windows(self, row: int, embeddings: WordLlamaEmbeddings | None) -> _Windows:
        """The passage windows of chunk ``row`` with their words and vectors (cached)."""
        found = self._windows.get(row)
        if found is None or (embeddings is not None and found.vectors is None):
            from advisor.retrieval.chunking import passage_windows

            data = self.rows[row]
            spans = passage_windows(data["text"])
            texts = [f"{data['title']}\n{data['text'][start:end]}" for start, end in spans]
            found = _Windows(spans, [token_counts(t) for t in texts],
                             embeddings.embed_array(texts) if embeddings is not None else None)
            if len(self._windows) >= _WINDOW_CACHE:
                self._windows.clear()
            self._windows[row] = found
        return found

    def passage(self, row: int, score: float) -> Passage:
        data = self.rows[row]
        return Passage(
            chunk_id=data["chunk_id"], document=data["document"], title=data["title"],
            section=data["section"], kind=data["kind"], text=data["text"], start=data["start"],
            end=data["end"], score=score, version=data.get("version"),
            effective_date=data.get("effective_date"), url=data.get("url"),
            provenance=data.get("provenance", "user"), publisher=data.get("publisher"),
            bears_on=tuple(data.get("bears_on", ())),
        )


class Index:
    """The serving index: hybrid search over Chroma + BM25, chunks by id.

    It follows the manifest: when another process (``advisor ingest``) switches to a new
    generation, the next call loads it, so a long-running server never reads a deleted one.
    """

    def __init__(self, settings: Settings, store: ChromaStore, generation: _Generation,
                 stamp: int):
        self._settings = settings
        self._store = store
        self._gen = generation
        self._stamp = stamp
        self._lock = threading.Lock()
        self._last_query: tuple[str, np.ndarray] | None = None

    @classmethod
    def open(cls, settings: Settings, *, embeddings: Embeddings | None = None) -> Index:
        """Open the generation the manifest names; RetrievalError when there is none."""
        stamp = _manifest_stamp(settings)
        manifest = _read_manifest(settings)
        if manifest is None:
            raise RetrievalError(f"no index in {settings.index_dir}: run `advisor ingest` to "
                                 "build it")
        _check_space(settings, manifest)
        embedder = embeddings if embeddings is not None else make_embeddings(settings)
        store = ChromaStore.open(settings, embedder)
        return cls(settings, store, _Generation.load(settings, manifest, store), stamp)

    def _current(self) -> _Generation:
        """The generation serving now (reloaded when the manifest changed on disk)."""
        stamp = _manifest_stamp(self._settings)
        if stamp == self._stamp:
            return self._gen
        with self._lock:
            if stamp != self._stamp:
                manifest = _read_manifest(self._settings)
                if manifest is None:
                    raise RetrievalError(f"the index in {self._settings.index_dir} was removed: "
                                         "run `advisor ingest`")
                if manifest["generation"] != self._gen.manifest["generation"]:
                    _check_space(self._settings, manifest)
                    self._gen = _Generation.load(self._settings, manifest, self._store)
                else:
                    self._gen.manifest = manifest
                self._stamp = stamp
            return self._gen

    # ------------------------------------------------------------------ facts

    @property
    def corpus_version(self) -> str:
        """The hash of the indexed documents' content hashes."""
        return str(self._current().manifest["corpus_version"])

    @property
    def generation(self) -> int:
        """The generation number serving."""
        return int(self._current().manifest["generation"])

    @property
    def collection(self) -> str:
        """The name of the Chroma collection serving this generation."""
        return self._current().collection

    @property
    def store(self) -> ChromaStore:
        """The Chroma store adapter this index reads from."""
        return self._store

    @property
    def corpus(self) -> str:
        """The corpus root this generation was built from."""
        return str(self._current().manifest["corpus"])

    def chunk_ids(self) -> set[str]:
        """Every chunk id in the index."""
        return set(self._current().row_of)

    def documents(self) -> list[dict[str, Any]]:
        """Indexed documents: id, title, kind, version, effective_date, source_url, chunks."""
        out = []
        for doc_id, entry in sorted(self._current().manifest["documents"].items()):
            meta = entry["meta"]
            out.append({
                "id": doc_id, "title": meta.get("title"), "kind": meta.get("kind"),
                "version": meta.get("version"), "effective_date": meta.get("effective_date"),
                "effective_to": meta.get("effective_to"), "source_url": meta.get("source_url"),
                "publisher": meta.get("publisher"), "policy": meta.get("policy"),
                "provenance": meta.get("provenance", "user"),
                "path": entry.get("path"), "chunks": len(entry["chunks"]),
            })
        return out

    def vectorstore(self) -> Any:
        """The serving collection as a LangChain ``Chroma`` vector store (text from the index)."""
        gen = self._current()
        return self._store.vectorstore(gen.collection,
                                       lambda chunk_id: gen.rows[gen.row_of[chunk_id]]["text"])

    # ------------------------------------------------------------------ lookups

    def get(self, chunk_ids: Sequence[str]) -> list[Passage]:
        """Passages by chunk id, in the order asked; unknown ids are skipped (score 0)."""
        gen = self._current()
        return [gen.passage(gen.row_of[cid], 0.0) for cid in chunk_ids if cid in gen.row_of]

    def search(self, query: str, k: int = 5, document: str | None = None,
               kind: str | None = None, as_of: dt.date | str | None = None,
               windows: bool = True) -> list[Passage]:
        """Hybrid search: the best passage windows of the best chunks, filtered by document,
        kind and as-of.

        Chunks are ranked by dense + BM25 z-score fusion (DENSE_WEIGHT); the passages are
        windows of whole sentences inside them (see _windows), best first. A passage keeps its
        chunk's id; its text, start and end are the window's, and two windows of one chunk
        are two passages. ``windows=False`` returns the best whole chunks instead (what an
        answer is composed from: a clause read whole).
        """
        if k < 1:
            raise InputError(f"k must be at least 1, not {k}")
        day = _as_of(as_of)
        gen = self._current()
        if not gen.rows or not query.strip():
            return []
        mask = gen.mask(document, kind, day)
        if mask is not None and not mask.any():
            return []
        n = max(4 * k, 20)
        dense = self._dense(gen, query, n, mask, document, kind, day)
        lexical = gen.lexical.top_scored(query, n, mask, expand=True)
        fused = _fuse([(dense, DENSE_WEIGHT), (lexical, 1.0)])
        scored = sorted(((score * gen.weight[row], row) for row, score in fused.items()),
                        key=lambda item: (-item[0], item[1]))
        if not windows:
            return [gen.passage(row, round(float(score), 6)) for score, row in scored[:k]]
        return self._windows(gen, query, scored[:max(2 * k, WINDOW_CHUNKS)], k)

    def dense_search(self, query: str, k: int = 5) -> list[Passage]:
        """Dense-only ranking (for benchmarks and diagnosis); score = 1 / rank."""
        gen = self._current()
        rows = self._dense(gen, query, k, None, None, None, None)
        return [gen.passage(row, 1.0 / rank) for rank, (row, _) in enumerate(rows, 1)]

    def lexical_search(self, query: str, k: int = 5) -> list[Passage]:
        """BM25-only ranking (for benchmarks and diagnosis); score = 1 / rank."""
        gen = self._current()
        return [gen.passage(row, 1.0 / rank)
                for rank, row in enumerate(gen.lexical.top(query, k, expand=True), 1)]

    # ------------------------------------------------------------------ internals

    def _dense(self, gen: _Generation, query: str, n: int, mask: np.ndarray | None,
               document: str | None, kind: str | None, day: int | None
               ) -> list[tuple[int, float]]:
        """(row, cosine) of the ``n`` nearest rows within ``mask``, nearest first."""
        vector = self._query_vector(query)
        total = len(gen.rows)
        if mask is None:
            got = self._store.query_scored(gen.collection, vector, min(n, total))
            return [(gen.row_of[i], sim) for i, sim in got if i in gen.row_of]
        allowed = int(mask.sum())
        share = allowed / total
        if allowed <= _EXACT_UP_TO:
            # Few rows pass: score them exactly, which beats Chroma's metadata pre-filter
            # (that scans the collection's metadata: ~80 ms at 100,000 chunks).
            candidates = [gen.rows[row]["chunk_id"] for row in np.flatnonzero(mask)]
            stored = self._store.vectors(gen.collection, candidates)
            present = [cid for cid in candidates if cid in stored]
            if not present:
                return []
            scores = np.stack([stored[cid] for cid in present]) @ vector
            order = np.argsort(-scores, kind="stable")[:n]
            return [(gen.row_of[present[i]], float(scores[i])) for i in order]
        if share >= _WHERE_BELOW:
            fetch = min(total, math.ceil(n / share * 1.5))
            rows = [(gen.row_of[i], sim) for i, sim
                    in self._store.query_scored(gen.collection, vector, fetch)
                    if i in gen.row_of]
            kept = [(row, sim) for row, sim in rows if mask[row]][:n]
            if len(kept) >= min(n, allowed):
                return kept
        as_of = _date_of(day) if day is not None else None
        got = self._store.query_scored(gen.collection, vector, min(n, allowed),
                                       where=where_filter(document, kind, as_of))
        return [(gen.row_of[i], sim) for i, sim in got
                if i in gen.row_of and mask[gen.row_of[i]]]

    def _windows(self, gen: _Generation, query: str, chunks: list[tuple[float, int]], k: int
                 ) -> list[Passage]:
        """The ``k`` best passage windows inside the ranked ``chunks`` ((score, row), best first).

        Each window (chunking.passage_windows) is scored like a chunk, dense (when the
        embeddings are the bundled model) and BM25 with the index's word rarity, plus its
        chunk's fused score at WINDOW_PARENT_WEIGHT; the three are z-scored over the windows.
        """
        spans: list[tuple[int, int, int]] = []  # (chunk row, start, end) in the chunk's text
        counts: list[Counter[str]] = []
        vectors = []
        embeddings = self._store.embeddings
        model = embeddings if isinstance(embeddings, WordLlamaEmbeddings) else None
        for _, row in chunks:
            windows = gen.windows(row, model)
            spans.extend((row, start, end) for start, end in windows.spans)
            counts.extend(windows.counts)
            if windows.vectors is not None:
                vectors.append(windows.vectors)
        if not spans:
            return []
        parent = {row: score for score, row in chunks}
        total = _z(gen.lexical.window_scores(query, counts))
        total += WINDOW_PARENT_WEIGHT * _z(np.array([parent[row] for row, _, _ in spans]))
        if vectors:
            total += DENSE_WEIGHT * _z(np.concatenate(vectors) @ self._query_vector(query))
        total = total - total.min() + 1.0  # every score >= 1, then the kind's tie-break
        total *= np.array([gen.weight[row] for row, _, _ in spans])
        order = sorted(range(len(spans)), key=lambda i: (-total[i], i))[:k]
        passages = []
        for i in order:
            row, start, end = spans[i]
            whole = gen.passage(row, round(float(total[i]), 6))
            passages.append(whole.model_copy(update={
                "text": whole.text[start:end], "start": whole.start + start,
                "end": whole.start + end}))
        return passages

    def _query_vector(self, query: str) -> np.ndarray:
        """The query's vector; the last one is kept (chunks and windows score the same query)."""
        last = self._last_query
        if last is not None and last[0] == query:
            return last[1]
        embeddings = self._store.embeddings
        if isinstance(embeddings, WordLlamaEmbeddings):
            vector = embeddings.embed_array([query])[0]
        else:
            try:
                vector = np.asarray(embeddings.embed_query(query), dtype=np.float32)
            except RetrievalError:
                raise
            except Exception as exc:
                raise RetrievalError(f"the embeddings model failed on the query: {exc}") from exc
        self._last_query = (query, vector)
        return vector


def _fuse(rankings: Sequence[tuple[list[tuple[int, float]], float]]) -> dict[int, float]:
    """Z-score fusion of scored rankings (see DENSE_WEIGHT); every fused score is >= 1."""
    candidates = {row for ranking, _ in rankings for row, _ in ranking}
    fused = dict.fromkeys(candidates, 1.0)
    for ranking, weight in rankings:
        if not ranking:
            continue
        values = np.array([score for _, score in ranking], dtype=np.float64)
        spread = float(values.std()) or 1.0
        z = (values - values.mean()) / spread
        floor = float(z.min())
        got = {row: float(value) for (row, _), value in zip(ranking, z, strict=True)}
        for row in candidates:
            fused[row] += weight * (got.get(row, floor) - floor)
    return fused


def manifest_stamp(settings: Settings) -> int:
    """The serving manifest's mtime (ns), 0 when there is none: changes with every switch."""
    return _manifest_stamp(settings)


def _z(values: np.ndarray) -> np.ndarray:
    """Standard scores of ``values`` (all zeros when they do not vary)."""
    values = np.asarray(values, dtype=np.float64)
    spread = float(values.std())
    return (values - values.mean()) / spread if spread else np.zeros_like(values)


def _manifest_stamp(settings: Settings) -> int:
    try:
        return _manifest_path(settings).stat().st_mtime_ns
    except FileNotFoundError:
        return 0


def _check_space(settings: Settings, manifest: dict[str, Any]) -> None:
    if manifest.get("embeddings") != _embeddings_id(settings):
        raise RetrievalError(
            f"the index was built with {manifest.get('embeddings')} embeddings but the "
            f"settings ask for {_embeddings_id(settings)}: run `advisor ingest --rebuild`")


def _day(value: str | None, default: int) -> int:
    return default if not value else date_key(dt.date.fromisoformat(value), default)


def _date_of(day: int) -> dt.date:
    return dt.date(day // 10000, day // 100 % 100, day % 100)


def _as_of(value: dt.date | str | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError as exc:
            raise InputError(f"as_of {value!r} is not a date: use YYYY-MM-DD") from exc
    return date_key(value, NO_START)


__all__ = ["DENSE_WEIGHT", "KIND_WEIGHT", "RRF_K", "Index", "corpus_version",
           "ensure_index", "ingest", "manifest_stamp", "packs_snapshot"]
