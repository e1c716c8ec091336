"""The audit log: every answer appended to SQLite, with what it rested on.

One row per answer: trace id, UTC time, question, history (and its sha256 digest), the
as-of date, facts, verdicts, cited chunk ids with the sha256 of each chunk's text, the
corpus version, composer and model, the guardrail outcome and the full answer JSON, and the
facts the user confirmed (``confirmed``: name -> value; a log written before the column
existed gains it, empty, when it is opened).

The log cannot vanish without a word:

- Rows form a hash chain: each row's ``row_hash`` is the sha256 of the previous row's hash
  and the row's own values, with a running ``seq``. :meth:`AuditLog.verify` (``advisor audit
  --verify``) recomputes it and names every edited or missing row.
- A head file (``audit.sqlite3.head``) remembers the last row written. At start the file is
  integrity-checked (``PRAGMA quick_check``) and compared with the head; a corrupt, truncated
  or emptied log is moved aside (``audit.sqlite3.corrupt-<time>``), never replaced in place,
  a new log starts, and :meth:`AuditLog.health` reports it until the process restarts.
- An answer that cannot be recorded is not served: ``append`` raises AuditError (HTTP 503,
  exit 2) after one attempt to move a broken file aside and write to a fresh log.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from advisor.errors import AuditError, ConfigError, InputError
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
#: The hash chain (added to logs written before it; their rows stay unchained).
_CHAIN_COLUMNS = (("seq", "INTEGER"), ("prev_hash", "TEXT"), ("row_hash", "TEXT"))
_NOT_HASHED = frozenset({"prev_hash", "row_hash"})

#: Seconds between integrity checks of the file from health() (a check reads the whole file).
_CHECK_EVERY = 5.0
_HEAD_BYTES = 160

log = logging.getLogger("advisor.audit")


def row_hash(prev_hash: str, values: Mapping[str, Any]) -> str:
    """The chain hash of a row: sha256 of the previous hash and the row's hashed values."""
    body = {k: v for k, v in values.items() if k not in _NOT_HASHED}
    return text_hash(prev_hash + "\n" + json.dumps(body, sort_keys=True, ensure_ascii=False))


_JSON_COLUMNS = ("history", "facts", "verdicts", "cited", "guardrail_notes", "answer",
                 "confirmed")


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
        self.head_path = self.path.with_name(self.path.name + ".head")
        self._lock = threading.Lock()
        self.problem: str | None = None  # what went wrong with the file, for health()
        self._checked_at = -_CHECK_EVERY
        self._write_error: str | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            trouble = self._trouble()
            if trouble is not None:
                self._move_aside(trouble)
            self._conn = self._open()
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(f"cannot open the audit log at {self.path}: {exc}; check that "
                              "ADVISOR_HOME points at a writable directory") from exc

    def _open(self) -> sqlite3.Connection:
        # One connection per log, shared by threads under the lock: opening one per
        # answer cost about a quarter of a /v1/check request.
        conn = sqlite3.connect(self.path, timeout=10, check_same_thread=False)
        # WAL: appends do not block readers, and a commit needs no fsync of the main file.
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        with conn:
            conn.execute(_SCHEMA)
            have = {row[1] for row in conn.execute("PRAGMA table_info(answers)")}
            for name, kind in _CHAIN_COLUMNS:
                if name not in have:
                    conn.execute(f"ALTER TABLE answers ADD COLUMN {name} {kind}")
            _migrate(conn)
            # The chain's tail is read on every append: by index, not by a scan of the log.
            conn.execute("CREATE INDEX IF NOT EXISTS answers_seq ON answers (seq)")
        return conn

    def _trouble(self) -> str | None:
        """Why the file on disk cannot be trusted (corrupt, or shorter than the head), or None."""
        head = self._read_head()
        if not self.path.exists():
            return (f"the audit log is missing but its head names {head['seq']} rows"
                    if head else None)
        try:
            conn = sqlite3.connect(self.path, timeout=10)
            try:
                check = conn.execute("PRAGMA quick_check").fetchone()[0]
                if check != "ok":
                    return f"it fails the integrity check ({str(check).splitlines()[0]})"
                if head:
                    tables = {r[0] for r in conn.execute(
                        "SELECT name FROM sqlite_master WHERE type = 'table'")}
                    found = conn.execute("SELECT row_hash FROM answers WHERE seq = ?",
                                         (head["seq"],)).fetchone() if "answers" in tables else None
                    if found is None or found[0] != head["hash"]:
                        return (f"it has lost rows: it held {head['seq']} rows, and row "
                                f"{head['seq']} is no longer there as written")
            finally:
                conn.close()
        except sqlite3.DatabaseError as exc:
            return f"it is not a readable SQLite file ({exc})"
        return None

    def _move_aside(self, why: str) -> None:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        if self.path.exists():
            os.replace(self.path, aside)
        for suffix in ("-wal", "-shm"):
            extra = self.path.with_name(self.path.name + suffix)
            if extra.exists():
                os.replace(extra, aside.with_name(aside.name + suffix))
        head = self.head_path
        if head.exists():
            os.replace(head, aside.with_name(aside.name + ".head"))
        self.problem = (f"the audit log at {self.path} could not be trusted: {why}; it was "
                        f"moved aside to {aside.name} and a new log started. Keep the old "
                        "file for the record; restart the server once it is saved")
        log.error("%s", self.problem)

    def _read_head(self) -> dict[str, Any] | None:
        try:
            head = json.loads(self.head_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return head if isinstance(head, dict) and "seq" in head and "hash" in head else None

    def _write_head(self, seq: int, digest: str) -> None:
        # Written in place at a fixed width (a rename per answer cost ~2 ms); a torn write
        # only makes the head unreadable, which skips one start-up comparison.
        data = json.dumps({"seq": seq, "hash": digest}).encode().ljust(_HEAD_BYTES)
        descriptor = os.open(self.head_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                current = json.loads(os.pread(descriptor, _HEAD_BYTES, 0) or b"null")
            except ValueError:
                current = None
            if isinstance(current, dict) and int(current.get("seq", 0)) >= seq:
                return  # another process sharing the log wrote a later row
            os.pwrite(descriptor, data, 0)
        finally:
            os.close(descriptor)

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
        values: dict[str, Any] = {
            "trace_id": trace_id,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "question": answer.question,
            "history": json.dumps([dict(t) for t in history], ensure_ascii=False),
            "history_digest": history_digest(history),
            "as_of": answer.as_of.isoformat(),
            "facts": json.dumps(data["facts"], ensure_ascii=False),
            "verdicts": json.dumps({p.policy: p.verdict for p in answer.policies}),
            "overall": answer.verdict,
            "cited": json.dumps(cited),
            "corpus_version": answer.corpus_version,
            "composer": answer.composer,
            "model": model,
            "guardrail_status": answer.guardrail.status,
            "guardrail_notes": json.dumps(list(answer.guardrail.notes), ensure_ascii=False),
            "answer": json.dumps(data, ensure_ascii=False),
            "confirmed": json.dumps(confirmed_facts(answer), ensure_ascii=False, default=str),
        }
        try:
            self._insert(values)
        except sqlite3.DatabaseError as exc:
            # A file damaged under us: move it aside once, and record in a fresh log.
            self._recover(exc)
            try:
                self._insert(values)
            except sqlite3.DatabaseError as again:
                self._write_error = str(again)
                raise AuditError(f"cannot write the audit log at {self.path}: {again}; the "
                                 "answer is not served unaudited. Check the disk and "
                                 "ADVISOR_HOME") from again
        return trace_id

    def _insert(self, values: dict[str, Any]) -> None:
        try:
            with self._lock:
                conn = self._conn
                conn.execute("BEGIN IMMEDIATE")  # the chain's tail, across processes too
                try:
                    last = conn.execute("SELECT seq, row_hash FROM answers WHERE seq IS NOT NULL"
                                        " ORDER BY seq DESC LIMIT 1").fetchone()
                    seq = (int(last[0]) + 1) if last is not None else 1
                    prev = str(last[1]) if last is not None else ""
                    chained = {**values, "seq": seq, "prev_hash": prev}
                    chained["row_hash"] = row_hash(prev, chained)
                    names = ",".join(chained)
                    conn.execute(f"INSERT INTO answers ({names}) VALUES "
                                 f"({','.join('?' * len(chained))})", tuple(chained.values()))
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK") if conn.in_transaction else None
                    raise
                self._write_error = None
                with contextlib.suppress(OSError):
                    self._write_head(seq, chained["row_hash"])
        except (sqlite3.OperationalError, sqlite3.IntegrityError, sqlite3.InterfaceError,
                sqlite3.ProgrammingError, OSError) as exc:
            # Full disk, read-only file, locked: the file is sound, so it is never moved.
            self._write_error = str(exc)
            raise AuditError(f"cannot write the audit log at {self.path}: {exc}; the answer "
                             "is not served unaudited. Check the disk space and the "
                             "permissions of ADVISOR_HOME, then try again") from exc

    def _recover(self, exc: sqlite3.DatabaseError) -> None:
        with self._lock:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            try:
                trouble = self._trouble()
                if trouble is not None:
                    self._move_aside(trouble)
                self._conn = self._open()
            except (OSError, sqlite3.Error) as again:
                self._write_error = str(again)
                raise AuditError(f"cannot write the audit log at {self.path}: {exc}, and a "
                                 f"fresh log could not be started ({again}); the answer is "
                                 "not served unaudited. Check the disk and ADVISOR_HOME"
                                 ) from again

    def health(self) -> str:
        """``ok``, or what is wrong: a file moved aside, a failed write, no write access.

        Checks the file's integrity from disk first: a log damaged under a running server
        (writes may still land in the WAL) is moved aside here, and a new one started.
        """
        now = time.monotonic()
        if self.problem is None and now - self._checked_at >= _CHECK_EVERY:
            self._checked_at = now  # quick_check reads the whole file: not on every poll
            trouble = self._trouble()
            if trouble is not None:
                with self._lock:
                    with contextlib.suppress(sqlite3.Error):
                        self._conn.close()
                    try:
                        self._move_aside(trouble)
                        self._conn = self._open()
                    except (OSError, sqlite3.Error) as exc:
                        self._write_error = str(exc)
        if self.problem is not None:
            return self.problem
        if self._write_error is not None:
            return (f"cannot write the audit log at {self.path}: {self._write_error}; answers "
                    "are refused (503) until it can be written")
        try:
            with self._lock:
                self._conn.execute("BEGIN IMMEDIATE")  # takes the write lock, writes nothing
                self._conn.execute("ROLLBACK")
        except sqlite3.Error as exc:
            return f"cannot write the audit log at {self.path}: {exc}"
        if not os.access(self.path, os.W_OK):
            return f"cannot write the audit log at {self.path}: permission denied"
        return "ok"

    def verify(self) -> dict[str, Any]:
        """Recompute the hash chain: rows checked, rows before the chain, and every problem."""
        problems: list[str] = []
        with self._connect() as conn:
            cursor = conn.execute("SELECT * FROM answers ORDER BY rowid")
            names = [d[0] for d in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor]
        unchained = 0
        prev_hash, prev_seq = "", 0
        for row in rows:
            if row["row_hash"] is None:
                if prev_seq:
                    problems.append(f"row {row['trace_id']}: its chain hash was removed (edited)")
                else:
                    unchained += 1
                continue
            seq = int(row["seq"])
            if seq != prev_seq + 1 or row["prev_hash"] != prev_hash:
                missing = seq - prev_seq - 1
                what = (f"{missing} row(s) missing before it" if missing > 0
                        else "it does not follow the row before it")
                problems.append(f"row {row['trace_id']} (seq {seq}): {what}")
            if row_hash(str(row["prev_hash"]), row) != row["row_hash"]:
                problems.append(f"row {row['trace_id']} (seq {seq}): edited after it was "
                                "written (its hash does not match its values)")
            prev_hash, prev_seq = str(row["row_hash"]), seq
        head = self._read_head()
        if head is not None and int(head["seq"]) > prev_seq:
            problems.append(f"{int(head['seq']) - prev_seq} row(s) missing at the end: the "
                            f"last row written was seq {head['seq']}")
        return {"path": str(self.path), "rows": len(rows), "unchained": unchained,
                "problems": problems, "ok": not problems}

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
