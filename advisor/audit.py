"""The audit log: every answer appended to SQLite, with what it rested on.

One row per answer: trace id, UTC time, question, history (and its sha256 digest), the
as-of date, facts, verdicts, cited chunk ids with the sha256 of each chunk's text, the
corpus version, composer and model, the guardrail outcome and the full answer JSON, and the
facts the user confirmed (``confirmed``: name -> value; a log written before the column
existed gains it, empty, when it is opened).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from advisor.errors import ConfigError, InputError
from advisor.schema import Answer

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    trace_id TEXT PRIMARY KEY,
    created TEXT NOT NULL,
    question TEXT NOT NULL,
    history TEXT NOT NULL,
    history_digest TEXT NOT NULL,
    as_of TEXT NOT NULL,
    facts TEXT NOT NULL,
    verdicts TEXT NOT NULL,
    overall TEXT NOT NULL,
    cited TEXT NOT NULL,
    corpus_version TEXT NOT NULL,
    composer TEXT NOT NULL,
    model TEXT,
    guardrail_status TEXT NOT NULL,
    guardrail_notes TEXT NOT NULL,
    answer TEXT NOT NULL,
    confirmed TEXT NOT NULL DEFAULT '{}'
)
"""
_JSON_COLUMNS = ("history", "facts", "verdicts", "cited", "guardrail_notes", "answer",
                 "confirmed")
_COLUMNS = ("trace_id", "created", "question", "history", "history_digest", "as_of", "facts",
            "verdicts", "overall", "cited", "corpus_version", "composer", "model",
            "guardrail_status", "guardrail_notes", "answer", "confirmed")


def _migrate(conn: sqlite3.Connection) -> None:
    """Add the columns a log written by an older version lacks (additive only)."""
    have = {row[1] for row in conn.execute("PRAGMA table_info(answers)")}
    if "confirmed" not in have:
        conn.execute("ALTER TABLE answers ADD COLUMN confirmed TEXT NOT NULL DEFAULT '{}'")


def confirmed_facts(answer: Answer) -> dict[str, object]:
    """The facts of ``answer`` the user confirmed: name -> value."""
    return {name: fact.value for name, fact in answer.facts.items()
            if fact.status == "confirmed"}


def new_trace_id() -> str:
    """A fresh trace id (uuid4, hex)."""
    return uuid.uuid4().hex


def text_hash(text: str) -> str:
    """The sha256 hex digest of ``text`` (UTF-8)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def history_digest(history: Sequence[Mapping[str, str]]) -> str:
    """The sha256 of the history turns, as canonical JSON."""
    return text_hash(json.dumps([dict(t) for t in history], sort_keys=True, ensure_ascii=False))


class AuditLog:
    """An append-only SQLite log of answers; safe to share between threads."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # One connection per log, shared by threads under the lock: opening one per
            # answer cost about a quarter of a /v1/check request.
            self._conn = sqlite3.connect(self.path, timeout=10, check_same_thread=False)
            # WAL: appends do not block readers, and a commit needs no fsync of the main file.
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            with self._conn:
                self._conn.execute(_SCHEMA)
                _migrate(self._conn)
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(f"cannot open the audit log at {self.path}: {exc}; check that "
                              "ADVISOR_HOME points at a writable directory") from exc

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """The shared connection, held under the lock; commits on success."""
        with self._lock, self._conn:
            yield self._conn

    def close(self) -> None:
        """Close the connection (the log is unusable afterwards)."""
        with self._lock:
            self._conn.close()

    def append(
        self,
        answer: Answer,
        *,
        history: Sequence[Mapping[str, str]] = (),
        chunk_texts: Mapping[str, str] | None = None,
    ) -> str:
        """Record ``answer`` (its trace id is used, or a new one made); return the trace id."""
        trace_id = answer.trace_id or new_trace_id()
        texts = chunk_texts or {}
        cited: dict[str, str | None] = {}
        for citation in answer.citations:
            text = texts.get(citation.chunk_id)
            cited[citation.chunk_id] = text_hash(text) if text is not None else None
        model = answer.composer.split(":", 1)[1] if answer.composer.startswith("llm:") else None
        data = answer.model_copy(update={"trace_id": trace_id}).model_dump(mode="json")
        row = (
            trace_id, dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), answer.question,
            json.dumps([dict(t) for t in history], ensure_ascii=False), history_digest(history),
            answer.as_of.isoformat(), json.dumps(data["facts"], ensure_ascii=False),
            json.dumps({p.policy: p.verdict for p in answer.policies}), answer.verdict,
            json.dumps(cited), answer.corpus_version, answer.composer, model,
            answer.guardrail.status, json.dumps(list(answer.guardrail.notes), ensure_ascii=False),
            json.dumps(data, ensure_ascii=False),
            json.dumps(confirmed_facts(answer), ensure_ascii=False, default=str),
        )
        try:
            with self._connect() as conn:
                conn.execute(f"INSERT INTO answers ({', '.join(_COLUMNS)}) "
                             f"VALUES ({','.join('?' * len(row))})", row)
        except sqlite3.Error as exc:
            raise ConfigError(f"cannot write the audit log at {self.path}: {exc}; check the "
                              "disk and the permissions of ADVISOR_HOME") from exc
        return trace_id

    def get(self, trace_id: str) -> dict[str, Any]:
        """The recorded row of ``trace_id``, JSON columns decoded; InputError if unknown."""
        try:
            with self._connect() as conn:
                cursor = conn.execute("SELECT * FROM answers WHERE trace_id = ?", (trace_id,))
                names = [d[0] for d in cursor.description]
                found = cursor.fetchone()
                row = dict(zip(names, found, strict=True)) if found is not None else None
        except sqlite3.Error as exc:
            raise ConfigError(f"cannot read the audit log at {self.path}: {exc}") from exc
        if row is None:
            raise InputError(f"no answer with trace id {trace_id!r} in the audit log at "
                             f"{self.path}; copy the trace_id from an answer's JSON")
        record = dict(row)
        for column in _JSON_COLUMNS:
            record[column] = json.loads(record[column])
        return record

    def count(self) -> int:
        """How many answers the log holds."""
        with self._connect() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM answers").fetchone()[0])
