"""The Advisor facade: builds the pipeline's dependencies from Settings, lazily.

Packs and the index load on first use; packs are checked against the chunk ids of the
corpus files (chunked, not embedded). ``ask``, ``check`` and ``search`` build the index on
first use when there is none. When the index fails, answers degrade instead of failing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from advisor import pipeline
from advisor.audit import AuditLog, text_hash
from advisor.compose import OfflineComposer
from advisor.config import Settings
from advisor.errors import AdvisorError, CorpusError, InputError, LLMError, RetrievalError
from advisor.schema import Answer, Chunk, Composer, ComposeRequest, Document, Draft, Facts, Passage

#: Facts the user confirms: fact name -> value (see advisor.facts.confirmed).
GivenFacts = Mapping[str, object]


class _UnavailableComposer:
    """Stands in for an LLM composer that could not be built; every call raises LLMError."""

    def __init__(self, reason: str):
        self.name = "llm"
        self.reason = reason

    def compose(self, request: ComposeRequest) -> Draft:
        """Raise the reason the LLM composer is unavailable."""
        raise LLMError(self.reason)


class Advisor:
    """The advisor's Python API: ask, check, search, documents, health, ingest, audit."""

    def __init__(self, settings: Settings | None = None, *, composer: Composer | None = None):
        self.settings = settings if settings is not None else Settings()
        self.today: Callable[[], dt.date] = dt.date.today
        self._composer_override = composer
        self._offline = OfflineComposer()
        self._lock = threading.RLock()
        self._documents: list[Document] | None = None
        self._chunks: dict[str, Chunk] | None = None
        self._packs: list[Any] | None = None
        self._index: Any = None
        self._composer: Composer | None = None
        self._audit: AuditLog | None = None
        self._corpus_error: str | None = None
        self._packs_error: str | None = None
        self._stamp: int | None = None  # the manifest's mtime when the corpus was read
        # The index is built outside the main lock, at most one build at a time, and after a
        # failed build the next one waits (doubling up to a minute) instead of one per request.
        self._index_lock = threading.Lock()
        self._index_error: RetrievalError | None = None
        self._index_retry_at = 0.0
        self._index_backoff = 0.0
        self._reader: pipeline.FactsReader | None = None

    # ------------------------------------------------------------------ lazy parts

    def _corpus_documents(self) -> list[Document]:
        with self._lock:
            if self._documents is None:
                from advisor.retrieval.documents import load_corpus

                try:
                    self._documents = load_corpus(Path(self.settings.corpus))
                except CorpusError as exc:
                    # A malformed file must not take answers down: the index keeps serving
                    # its last good build, and health() reports the file and line.
                    self._corpus_error = str(exc)
                    self._documents = []
            return self._documents

    def _corpus_chunks(self) -> Mapping[str, Chunk]:
        with self._lock:
            if self._chunks is None:
                from advisor.retrieval.chunking import chunk_document

                # The chunker's defaults are the index's, so split pieces share their ids.
                self._chunks = {c.chunk_id: c for d in self._corpus_documents()
                                for c in chunk_document(d)}
            return self._chunks

    def _corpus_version(self) -> str:
        digest = hashlib.sha256()
        for doc in sorted(self._corpus_documents(), key=lambda d: d.id):
            digest.update(f"{doc.id}\0{doc.content_hash}\n".encode())
        return digest.hexdigest()[:16]

    def _load_packs(self) -> list[Any]:
        """The corpus's packs; when one is invalid, the last good ones (checked at ingest)."""
        with self._lock:
            if self._packs is None:
                from advisor.errors import PackError
                from advisor.retrieval.index import packs_snapshot
                from advisor.rules import load_packs

                try:
                    self._packs = list(load_packs(self.settings.corpus,
                                                  known_chunk_ids=self._known_chunk_ids()))
                    self._packs_error = None
                except PackError as exc:
                    snapshot = packs_snapshot(self.settings)
                    if snapshot is None:
                        raise
                    self._packs = list(load_packs(snapshot))
                    self._packs_error = (f"{exc} (serving the packs validated at the last "
                                         "ingest; fix the file and run `advisor ingest`)")
            return self._packs

    def _reload_after_ingest(self) -> None:
        """Forget the corpus, packs and versions when an ingest switched the manifest."""
        from advisor.retrieval.index import manifest_stamp

        stamp = manifest_stamp(self.settings)
        if stamp == self._stamp:
            return
        with self._lock:
            if stamp != self._stamp:
                self._forget_corpus()
                self._stamp = stamp

    def _forget_corpus(self) -> None:
        with self._lock:
            self._documents = self._chunks = self._packs = None
            self._corpus_error = self._packs_error = None

    def _known_chunk_ids(self) -> set[str] | None:
        """Chunk ids the packs may cite: the corpus files', else the index's, else unchecked."""
        chunks = self._corpus_chunks()
        if chunks or self._corpus_error is None:
            return set(chunks)
        try:
            return set(self._open_index(wait=False).chunk_ids())
        except RetrievalError:
            return None

    def _open_index(self, wait: bool = True) -> Any:
        """The index, built from the corpus on first use; raises RetrievalError when down.

        ``wait=False`` never waits for a build another thread is running (health, check).
        """
        index = self._index
        if index is not None:
            return index
        self._raise_while_backing_off()
        if not self._index_lock.acquire(blocking=wait):
            raise RetrievalError("the index is being built (first use); answers use the corpus "
                                 "files until it is ready")
        try:
            if self._index is None:
                self._raise_while_backing_off()
                from advisor.retrieval.index import ensure_index

                try:
                    self._index = ensure_index(self.settings)
                except RetrievalError as exc:
                    self._index_backoff = min(60.0, max(1.0, self._index_backoff * 2))
                    self._index_retry_at = time.monotonic() + self._index_backoff
                    self._index_error = exc
                    raise
                self._index_error, self._index_backoff = None, 0.0
            return self._index
        finally:
            self._index_lock.release()

    def _raise_while_backing_off(self) -> None:
        error = self._index_error
        if error is not None and time.monotonic() < self._index_retry_at:
            wait = self._index_retry_at - time.monotonic()
            raise RetrievalError(f"{error} (the index build is retried in {wait:.0f} s)")

    def _composer_in_use(self) -> Composer:
        with self._lock:
            if self._composer is None:
                if self._composer_override is not None:
                    self._composer = self._composer_override
                elif self.settings.composer == "llm":
                    try:
                        from advisor.llm import LLMComposer

                        self._composer = LLMComposer.from_settings(self.settings)
                    except AdvisorError as exc:
                        self._composer = _UnavailableComposer(
                            f"the LLM composer is not usable: {exc}")
                else:
                    self._composer = self._offline
            return self._composer

    def _facts_reader(self) -> pipeline.FactsReader | None:
        """The LLM fact reader when ADVISOR_FACTS_READER is llm or both (never raises)."""
        with self._lock:
            if self._reader is None and self.settings.facts_reader != "rules":
                from advisor.llm.reader import fact_reader

                self._reader = fact_reader(self.settings)
            return self._reader

    def _audit_log(self) -> AuditLog:
        with self._lock:
            if self._audit is None:
                self._audit = AuditLog(self.settings.audit_db)
            return self._audit

    def _index_if_open(self) -> Any:
        """The index if it is open; never builds or waits (``check`` needs only its version)."""
        index = self._index
        if index is None:
            raise RetrievalError("the index is not open yet")
        return index

    def _deps(self, build_index: bool = True) -> pipeline.Deps:
        self._reload_after_ingest()
        return pipeline.Deps(
            settings=self.settings, packs=self._load_packs(),
            index=self._open_index if build_index else self._index_if_open,
            composer=self._composer_in_use(), offline=self._offline, audit=self._audit_log(),
            today=self.today, corpus_chunks=self._corpus_chunks,
            corpus_version=self._corpus_version, reader=self._facts_reader(),
        )

    # ------------------------------------------------------------------ questions

    def ask(self, question: str, history: Sequence[Mapping[str, str]] | None = None,
            as_of: dt.date | str | None = None, facts: GivenFacts | None = None) -> Answer:
        """Answer ``question``: verdicts per policy, cited passages, a checked explanation.

        ``facts`` are facts the user confirms, e.g. ``{"actor": "law_enforcement"}``: they
        beat anything read from the text (status ``confirmed``); a bad name or value is an
        InputError that lists the allowed ones.
        """
        _check_input(question, history)
        return pipeline.ask(self._deps(), question, history, as_of, facts)

    def check(self, question: str, history: Sequence[Mapping[str, str]] | None = None,
              as_of: dt.date | str | None = None, facts: GivenFacts | None = None) -> Answer:
        """Facts and verdicts only: no retrieval and no composer (``facts`` as in ``ask``)."""
        _check_input(question, history)
        return pipeline.check(self._deps(build_index=False), question, history, as_of, facts)

    def read_facts(self, question: str, history: Sequence[Mapping[str, str]] | None = None,
                   as_of: dt.date | str | None = None) -> Facts:
        """The facts the reader takes from the words alone: no verdicts, nothing audited."""
        _check_input(question, history)
        return pipeline.read(self._deps(build_index=False), question, history, as_of)

    def search(self, query: str, k: int = 5, document: str | None = None,
               as_of: dt.date | str | None = None) -> list[Passage]:
        """Hybrid search over the index (built on first use)."""
        if not isinstance(query, str) or not query.strip():
            raise InputError("the search query is empty: give a few words to search for")
        check_text(query, "the search query")
        if not 1 <= k <= 50:
            raise InputError(f"k must be between 1 and 50, not {k}")
        date = pipeline.parse_as_of(as_of)
        index = self._open_index()
        if document is not None and document not in {d["id"] for d in index.documents()}:
            raise InputError(f"no document {document!r} in the index: `advisor documents` "
                             "(or GET /v1/documents) lists the ids")
        return list(index.search(query.strip(), k=k, document=document, as_of=date))

    def as_retriever(self, **kwargs: Any) -> Any:
        """A LangChain BaseRetriever over this advisor's index."""
        from advisor.retrieval.langchain import AdvisorRetriever

        return AdvisorRetriever(advisor=self, **kwargs)

    # ------------------------------------------------------------------ corpus

    def documents(self) -> list[dict[str, Any]]:
        """The indexed documents' metadata (read from the corpus files if the index is down)."""
        try:
            return list(self._open_index(wait=False).documents())
        except RetrievalError:
            counts: dict[str, int] = {}
            for chunk in self._corpus_chunks().values():
                counts[chunk.document] = counts.get(chunk.document, 0) + 1
            return [{**_metadata(d), "chunks": counts.get(d.id, 0)}
                    for d in self._corpus_documents()]

    def document(self, document_id: str) -> dict[str, Any]:
        """One corpus document: its metadata and source text; InputError if unknown."""
        self._reload_after_ingest()
        for doc in self._corpus_documents():
            if doc.id == document_id:
                return {**_metadata(doc), "text": doc.text}
        found = self._indexed_document(document_id)
        if found is not None:
            return found
        raise InputError(f"no document {document_id!r} in {self.settings.corpus}; list the "
                         "ids with `advisor documents`")

    def _indexed_document(self, document_id: str) -> dict[str, Any] | None:
        """A document of an index built from another folder (``advisor ingest --corpus``)."""
        from advisor.retrieval.documents import load_document

        try:
            index = self._open_index(wait=False)
            root = Path(index.corpus)
            entry = next((d for d in index.documents() if d["id"] == document_id), None)
            same_folder = root == Path(self.settings.corpus).expanduser().resolve()
            if entry is None or not entry.get("path") or (same_folder
                                                          and self._corpus_error is None):
                return None
            doc = load_document(root / entry["path"], root)
        except (AdvisorError, OSError):
            return None
        return {**_metadata(doc), "text": doc.text}

    def ingest(self, corpus: str | Path | None = None, rebuild: bool = False,
               progress: bool = False, allow_empty: bool = False) -> Any:
        """Index ``corpus`` (default: the configured corpus) and return the ingest report."""
        from advisor.retrieval.index import ingest

        report = ingest(self.settings, corpus=Path(corpus) if corpus else None, rebuild=rebuild,
                        progress=progress, allow_empty=allow_empty)
        with self._lock:
            self._index = None
            self._forget_corpus()
        return report

    def health(self) -> dict[str, Any]:
        """Readiness: corpus, packs, index, audit log, disk and composer.

        ``status`` is ``ok``, ``degraded`` (answers still come, ``reasons`` say what is
        wrong) or ``error`` (answers cannot come: no valid packs).
        """
        self._reload_after_ingest()
        reasons: list[str] = []
        report: dict[str, Any] = {"status": "ok", "reasons": reasons,
                                  "corpus": str(self.settings.corpus)}
        try:
            report["documents"] = len(self._corpus_documents())
            report["packs"] = [getattr(p, "policy", getattr(p, "id", "?"))
                               for p in self._load_packs()]
            report["corpus_version"] = self._corpus_version()
        except AdvisorError as exc:
            report.update(status="error", corpus_error=str(exc))
            reasons.append(f"packs: {exc}")
        if self._corpus_error is not None:
            report["corpus_error"] = self._corpus_error
            reasons.append(f"corpus: {self._corpus_error}")
        if self._packs_error is not None:
            report["packs_error"] = self._packs_error
            reasons.append(f"packs: {self._packs_error}")
        try:
            index = self._open_index(wait=False)
            index.search("health check", k=1)  # reaches the vector store, not just the manifest
            report["index"] = "ok"
            report["index_version"] = index.corpus_version
            same_folder = (Path(index.corpus)
                           == Path(self.settings.corpus).expanduser().resolve())
            files = report.get("corpus_version")
            if same_folder and files and files != index.corpus_version:
                reasons.append(f"versions: the corpus files ({files}) differ from the index "
                               f"({index.corpus_version}); run `advisor ingest`")
        except AdvisorError as exc:
            report["index"] = f"unavailable: {exc}"
            reasons.append(f"index: {exc}")
        report["audit"] = self._audit_health()
        if report["audit"] != "ok":
            reasons.append(f"audit: {report['audit']}")
        free = report["disk_free_mb"] = self._free_mb()
        if free is not None and free < self.settings.min_free_mb:
            reasons.append(f"disk: {free} MB free in {self.settings.home}, "
                           f"under {self.settings.min_free_mb} MB (ADVISOR_MIN_FREE_MB); audit "
                           "writes will fail when it fills")
        if reasons and report["status"] == "ok":
            report["status"] = "degraded"
        report["vector_store"] = self.settings.chroma_url or "embedded"
        report["composer"] = self._composer_in_use().name
        return report

    def _audit_health(self) -> str:
        try:
            return self._audit_log().health()
        except AdvisorError as exc:
            return str(exc)

    def _free_mb(self) -> int | None:
        import shutil

        home = Path(self.settings.home)
        try:
            home.mkdir(parents=True, exist_ok=True)
            return int(shutil.disk_usage(home).free // (1024 * 1024))
        except OSError:
            return None

    # ------------------------------------------------------------------ audit

    def audit(self, trace_id: str) -> dict[str, Any]:
        """The audit record of ``trace_id``."""
        return self._audit_log().get(trace_id)

    def verify_audit(self) -> dict[str, Any]:
        """Check the audit log's hash chain: rows, and every edited or missing row."""
        log = self._audit_log()
        report = log.verify()
        if log.problem is not None:
            report["problems"].insert(0, log.problem)
            report["ok"] = False
        return report

    def replay(self, trace_id: str) -> dict[str, Any]:
        """Recompute a recorded answer on the current corpus; say whether it still holds."""
        record = self.audit(trace_id)
        result = pipeline.run(self._deps(), record["question"], record["history"],
                              record["as_of"], compose=record["composer"] != "none",
                              record=False, confirmed=record.get("confirmed") or None)
        now = result.answer
        then_verdicts: dict[str, str] = record["verdicts"]
        now_verdicts = {p.policy: p.verdict for p in now.policies}
        then_cited: dict[str, str | None] = record["cited"]
        now_cited = {c.chunk_id: (text_hash(result.chunk_texts[c.chunk_id])
                                  if c.chunk_id in result.chunk_texts else None)
                     for c in now.citations}
        changes = _changes(record, then_verdicts, now_verdicts, then_cited, now_cited, now)
        return {
            "trace_id": trace_id, "holds": not changes, "changes": changes,
            "question": record["question"], "as_of": record["as_of"],
            "confirmed": record.get("confirmed") or {},
            "verdict_then": record["overall"], "verdict_now": now.verdict,
            "verdicts_then": then_verdicts, "verdicts_now": now_verdicts,
            "cited_then": then_cited, "cited_now": now_cited,
            "corpus_version_then": record["corpus_version"],
            "corpus_version_now": now.corpus_version,
        }


#: Characters no question can carry: C0 controls but tab and newlines, DEL, C1 controls,
#: and lone UTF-16 surrogates (what undecodable bytes become in argv or a JSON escape).
_UNUSABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def check_text(text: object, what: str) -> None:
    """InputError naming the first character ``text`` cannot carry (see _UNUSABLE)."""
    if not isinstance(text, str):
        return
    bad = _UNUSABLE.search(text)
    if bad is not None:
        kind = ("a lone surrogate (half of an encoded character; the text was not valid "
                "UTF-8)" if "\ud800" <= bad.group() <= "\udfff" else "a control character")
        raise InputError(f"{what} contains {kind}, U+{ord(bad.group()):04X}, at position "
                         f"{bad.start() + 1}; remove it, or re-type the text as plain "
                         "UTF-8 text")


def _check_input(question: object, history: Sequence[Mapping[str, str]] | None) -> None:
    check_text(question, "the question")
    for number, turn in enumerate(history or (), 1):
        if isinstance(turn, Mapping):
            check_text(turn.get("content"), f"turn {number} of the history")


def _metadata(doc: Document) -> dict[str, Any]:
    data = doc.model_dump(mode="json", exclude={"text"})
    return data


def _changes(record: Mapping[str, Any], then_verdicts: Mapping[str, str],
             now_verdicts: Mapping[str, str], then_cited: Mapping[str, str | None],
             now_cited: Mapping[str, str | None], now: Answer) -> list[str]:
    changes: list[str] = []
    if record["overall"] != now.verdict:
        changes.append(f"overall verdict {record['overall']} -> {now.verdict}")
    for policy in sorted(set(then_verdicts) | set(now_verdicts)):
        if then_verdicts.get(policy) != now_verdicts.get(policy):
            changes.append(f"{policy}: {then_verdicts.get(policy)} -> {now_verdicts.get(policy)}")
    for chunk_id in sorted(set(then_cited) | set(now_cited)):
        if chunk_id not in now_cited:
            changes.append(f"{chunk_id} is no longer cited")
        elif chunk_id not in then_cited:
            changes.append(f"{chunk_id} is newly cited")
        elif then_cited[chunk_id] != now_cited[chunk_id]:
            changes.append(f"the text of {chunk_id} changed")
    return changes
