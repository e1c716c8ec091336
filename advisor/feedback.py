"""Chat feedback (thumbs up/down with an optional comment), stored in SQLite under ADVISOR_HOME.

The eval engineer reads the thumbs-down items (``FeedbackStore(...).list(rating=-1)``) to
draft new eval cases; each item keeps the full answer JSON it was given on.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from advisor.errors import ConfigError, InputError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at  TEXT    NOT NULL,
    trace_id    TEXT    NOT NULL,
    question    TEXT    NOT NULL,
    rating      INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    comment     TEXT    NOT NULL DEFAULT '',
    answer_json TEXT    NOT NULL,
    history     TEXT    NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS feedback_rating ON feedback (rating);
"""

#: Longest comment kept; longer comments are refused with a message saying so.
MAX_COMMENT_CHARS = 4000


@dataclass(frozen=True)
class FeedbackItem:
    """One stored rating of one answer."""

    id: int
    created_at: dt.datetime
    trace_id: str
    question: str
    rating: int
    comment: str
    answer: dict[str, Any]
    history: list[dict[str, str]]  # the turns before the question, to replay a follow-up


class FeedbackStore:
    """Thumbs up/down on answers, in one SQLite file (``Settings.feedback_db``)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as db:
                db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(
                f"cannot open the feedback store {self.path}: {exc}; "
                "check that ADVISOR_HOME points at a writable directory"
            ) from exc

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10)
        try:
            with db:
                yield db
        finally:
            db.close()

    def add(
        self,
        trace_id: str,
        question: str,
        rating: int,
        comment: str | None,
        answer_json: dict[str, Any] | str,
        history: list[dict[str, str]] | None = None,
    ) -> int:
        """Store one rating (+1 or -1) of the answer ``trace_id``; return the row id.

        ``history`` holds the turns before the question, so a follow-up can be replayed.
        """
        if rating not in (1, -1):
            raise InputError(f"rating must be +1 (thumbs up) or -1 (thumbs down), not {rating!r}")
        comment = (comment or "").strip()
        if len(comment) > MAX_COMMENT_CHARS:
            raise InputError(
                f"the comment has {len(comment)} characters; shorten it to at most "
                f"{MAX_COMMENT_CHARS}"
            )
        if not question.strip():
            raise InputError("feedback needs the question it rates; ask a question first")
        payload = answer_json if isinstance(answer_json, str) else json.dumps(answer_json)
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self._lock:
            try:
                with self._connect() as db:
                    cursor = db.execute(
                        "INSERT INTO feedback (created_at, trace_id, question, rating, comment,"
                        " answer_json, history) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (now, trace_id, question, rating, comment, payload,
                         json.dumps(history or [])),
                    )
            except sqlite3.Error as exc:
                raise ConfigError(
                    f"cannot write feedback to {self.path}: {exc}; check disk space and "
                    "permissions of ADVISOR_HOME"
                ) from exc
        return int(cursor.lastrowid or 0)

    def list(self, rating: int | None = None) -> list[FeedbackItem]:
        """Stored feedback, oldest first; only one rating (+1 or -1) when given."""
        if rating not in (None, 1, -1):
            raise InputError(f"rating must be +1, -1 or None, not {rating!r}")
        query = ("SELECT id, created_at, trace_id, question, rating, comment, answer_json,"
                 " history FROM feedback")
        params: tuple[int, ...] = ()
        if rating is not None:
            query += " WHERE rating = ?"
            params = (rating,)
        with self._connect() as db:
            rows = db.execute(query + " ORDER BY id", params).fetchall()
        return [
            FeedbackItem(
                id=row[0], created_at=dt.datetime.fromisoformat(row[1]), trace_id=row[2],
                question=row[3], rating=row[4], comment=row[5], answer=json.loads(row[6]),
                history=json.loads(row[7]),
            )
            for row in rows
        ]
