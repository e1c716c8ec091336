"""The Advisor facade: builds the pipeline's dependencies from Settings, lazily.

Packs and the index load on first use; packs are checked against the chunk ids of the
corpus files (chunked, not embedded). ``ask``, ``check`` and ``search`` build the index on
first use when there is none. When the index fails, answers degrade instead of failing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
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
        with self._lock:
            if self._packs is None:
                from advisor.rules import load_packs

                self._packs = list(load_packs(self.settings.corpus,
                                              known_chunk_ids=self._known_chunk_ids()))
            return self._packs

    def _known_chunk_ids(self) -> set[str] | None:
        """Chunk ids the packs may cite: the corpus files', else the index's, else unchecked."""
        chunks = self._corpus_chunks()
        if chunks or self._corpus_error is None:
            return set(chunks)
        try:
            return set(self._open_index().chunk_ids())
        except RetrievalError:
            return None

    def _open_index(self) -> Any:
        """The index, built from the corpus on first use; raises RetrievalError when down."""
        with self._lock:
            if self._index is None:
                from advisor.retrieval.index import ensure_index

                self._index = ensure_index(self.settings)
            return self._index

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

    def _deps(self) -> pipeline.Deps:
        return pipeline.Deps(
            settings=self.settings, packs=self._load_packs(), index=self._open_index,
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
        return pipeline.ask(self._deps(), question, history, as_of, facts)

    def check(self, question: str, history: Sequence[Mapping[str, str]] | None = None,
              as_of: dt.date | str | None = None, facts: GivenFacts | None = None) -> Answer:
        """Facts and verdicts only: no retrieval and no composer (``facts`` as in ``ask``)."""
        return pipeline.check(self._deps(), question, history, as_of, facts)

    def read_facts(self, question: str, history: Sequence[Mapping[str, str]] | None = None,
                   as_of: dt.date | str | None = None) -> Facts:
        """The facts the reader takes from the words alone: no verdicts, nothing audited."""
        return pipeline.read(self._deps(), question, history, as_of)

    def search(self, query: str, k: int = 5, document: str | None = None,
               as_of: dt.date | str | None = None) -> list[Passage]:
        """Hybrid search over the index (built on first use)."""
        if not isinstance(query, str) or not query.strip():
            raise InputError("the search query is empty: give a few words to search for")
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
            return list(self._open_index().documents())
        except RetrievalError:
            counts: dict[str, int] = {}
            for chunk in self._corpus_chunks().values():
                counts[chunk.document] = counts.get(chunk.document, 0) + 1
            return [{**_metadata(d), "chunks": counts.get(d.id, 0)}
                    for d in self._corpus_documents()]

    def document(self, document_id: str) -> dict[str, Any]:
        """One corpus document: its metadata and source text; InputError if unknown."""
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
            index = self._open_index()
            root = Path(index.corpus)
            entry = next((d for d in index.documents() if d["id"] == document_id), None)
            if entry is None or not entry.get("path") or root == Path(self.settings.corpus):
                return None
            doc = load_document(root / entry["path"], root)
        except (AdvisorError, OSError):
            return None
        return {**_metadata(doc), "text": doc.text}

    def ingest(self, corpus: str | Path | None = None, rebuild: bool = False,
               progress: bool = False) -> Any:
        """Index ``corpus`` (default: the configured corpus) and return the ingest report."""
        from advisor.retrieval.index import ingest

        report = ingest(self.settings, corpus=Path(corpus) if corpus else None, rebuild=rebuild,
                        progress=progress)
        with self._lock:
            self._index = None
        return report

    def health(self) -> dict[str, Any]:
        """Readiness: corpus, packs, index and composer, each with its status."""
        report: dict[str, Any] = {"status": "ok", "corpus": str(self.settings.corpus)}
        try:
            report["documents"] = len(self._corpus_documents())
            report["packs"] = [getattr(p, "policy", getattr(p, "id", "?"))
                               for p in self._load_packs()]
            report["corpus_version"] = self._corpus_version()
        except AdvisorError as exc:
            report.update(status="error", corpus_error=str(exc))
        if self._corpus_error is not None:
            report.update(status="degraded", corpus_error=self._corpus_error)
        try:
            index = self._open_index()
            index.search("health check", k=1)  # reaches the vector store, not just the manifest
            report["index"] = "ok"
            report["index_version"] = index.corpus_version
        except AdvisorError as exc:
            report["index"] = f"unavailable: {exc}"
            if report["status"] == "ok":
                report["status"] = "degraded"
        report["vector_store"] = self.settings.chroma_url or "embedded"
        report["composer"] = self._composer_in_use().name
        return report

    # ------------------------------------------------------------------ audit

    def audit(self, trace_id: str) -> dict[str, Any]:
        """The audit record of ``trace_id``."""
        return self._audit_log().get(trace_id)

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
