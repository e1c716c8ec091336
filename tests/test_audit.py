"""The audit log: rows hold what an answer rested on, and read back as they were written."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from advisor.audit import AuditLog, history_digest, text_hash
from advisor.errors import InputError
from advisor.schema import Answer, Citation, Fact, Guardrail, PolicyVerdict


def _answer(trace_id: str = "") -> Answer:
    citation = Citation(n=1, chunk_id="doc#ID-1", document="doc", title="Doc", section="ID-1",
                        kind="terms", quote="must not", start=10, end=18, verified=True)
    return Answer(
        question="Can a European agency use this on a fixed lobby camera?",
        as_of=dt.date(2026, 11, 26), verdict="prohibited",
        policies=(PolicyVerdict(policy="azure-openai-coc", title="CoC", verdict="prohibited"),
                  PolicyVerdict(policy="eu-ai-act", title="AI Act", verdict="conditional")),
        answer="**Overall verdict: prohibited.** [1]", citations=(citation,),
        facts={"actor": Fact(value="law_enforcement", source="agency")},
        guardrail=Guardrail(status="passed", notes=("n1",)), composer="llm:gpt-test",
        corpus_version="abc123", trace_id=trace_id,
    )


def test_append_records_every_field_and_get_reads_it_back(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "a" / "audit.sqlite3")
    history = [{"role": "user", "content": "We are a Dutch agency."}]
    trace = log.append(_answer(), history=history, chunk_texts={"doc#ID-1": "clause text"})
    assert len(trace) == 32 and int(trace, 16) >= 0
    row = log.get(trace)
    assert row["question"].startswith("Can a European agency")
    assert row["history"] == history and row["history_digest"] == history_digest(history)
    assert row["as_of"] == "2026-11-26"
    assert row["verdicts"] == {"azure-openai-coc": "prohibited", "eu-ai-act": "conditional"}
    assert row["overall"] == "prohibited"
    assert row["cited"] == {"doc#ID-1": text_hash("clause text")}
    assert row["facts"] == {"actor": {"value": "law_enforcement", "from": "agency",
                                      "assumed": False, "status": "stated", "turn": None,
                                      "candidates": []}}
    assert row["confirmed"] == {}
    assert (row["composer"], row["model"]) == ("llm:gpt-test", "gpt-test")
    assert (row["guardrail_status"], row["guardrail_notes"]) == ("passed", ["n1"])
    assert row["answer"]["trace_id"] == trace and row["answer"]["verdict"] == "prohibited"
    assert row["corpus_version"] == "abc123"
    created = dt.datetime.fromisoformat(row["created"])
    assert created.tzinfo is not None and created.utcoffset() == dt.timedelta(0)


def test_the_answers_own_trace_id_is_kept_and_rows_accumulate(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.sqlite3")
    assert log.append(_answer("f" * 32)) == "f" * 32
    log.append(_answer())
    assert log.count() == 2
    assert AuditLog(tmp_path / "audit.sqlite3").count() == 2  # persisted, schema reused
    with sqlite3.connect(tmp_path / "audit.sqlite3") as conn:
        assert conn.execute("SELECT model FROM answers LIMIT 1").fetchone() == ("gpt-test",)


def test_an_unknown_trace_id_says_where_to_find_one(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.sqlite3")
    with pytest.raises(InputError, match="copy the trace_id"):
        log.get("nope")


def test_history_digest_depends_on_the_turns() -> None:
    one = history_digest([{"role": "user", "content": "a"}])
    assert one != history_digest([{"role": "user", "content": "b"}])
    assert history_digest([]) == text_hash("[]")


# ----------------------------------------------------------------------------- faults


def _fill(path: Path, n: int) -> AuditLog:
    log = AuditLog(path)
    for _ in range(n):
        log.append(_answer(), history=[{"role": "user", "content": "earlier"}])
    return log


def test_rows_form_a_hash_chain_that_verifies(tmp_path: Path) -> None:
    log = _fill(tmp_path / "audit.sqlite3", 5)
    report = log.verify()
    assert report["rows"] == 5 and report["problems"] == []


def test_verify_reports_an_edited_row_and_a_deleted_one(tmp_path: Path) -> None:
    path = tmp_path / "audit.sqlite3"
    _fill(path, 6).close()
    with sqlite3.connect(path) as conn:
        ids = [r[0] for r in conn.execute("SELECT trace_id FROM answers ORDER BY rowid")]
        conn.execute("UPDATE answers SET overall = 'not_prohibited' WHERE trace_id = ?", (ids[1],))
        conn.execute("DELETE FROM answers WHERE trace_id = ?", (ids[3],))
    problems = AuditLog(path).verify()["problems"]
    assert any(ids[1] in p and "edited" in p for p in problems), problems
    assert any(ids[4] in p and "missing" in p for p in problems), problems


def test_a_corrupt_log_is_moved_aside_and_reported_never_replaced_silently(
        tmp_path: Path) -> None:
    path = tmp_path / "audit.sqlite3"
    _fill(path, 50).close()
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.truncate(size // 2)
    log = AuditLog(path)
    aside = [p for p in tmp_path.glob("audit.sqlite3.corrupt-*")
             if not p.name.endswith((".head", "-wal", "-shm"))]
    assert len(aside) == 1 and aside[0].stat().st_size == size // 2
    assert "moved aside" in log.health() and aside[0].name in log.health()
    log.append(_answer())
    assert log.count() == 1


def test_a_log_emptied_behind_our_back_is_noticed_at_start(tmp_path: Path) -> None:
    path = tmp_path / "audit.sqlite3"
    _fill(path, 3).close()
    path.write_bytes(b"")
    for extra in tmp_path.glob("audit.sqlite3-*"):
        extra.unlink()
    log = AuditLog(path)
    assert "3 rows" in log.health() and "moved aside" in log.health()


def test_a_log_that_cannot_be_written_raises_audit_error(tmp_path: Path) -> None:
    from advisor.errors import AuditError

    path = tmp_path / "audit.sqlite3"
    log = _fill(path, 1)
    log._conn.execute("PRAGMA query_only = ON")  # every write now fails, as on a full disk
    with pytest.raises(AuditError, match="not served unaudited"):
        log.append(_answer())
    assert "cannot write" in log.health()


def test_confirmed_facts_are_stored_with_the_answer(tmp_path: Path) -> None:
    answer = _answer().model_copy(update={"facts": {
        "actor": Fact(value="law_enforcement", source="confirmed by the user", status="confirmed"),
        "public_access": Fact(value="yes", source="confirmed by the user", status="confirmed"),
        "camera": Fact(value="fixed", source="fixed"),
    }})
    log = AuditLog(tmp_path / "audit.sqlite3")
    row = log.get(log.append(answer))
    assert row["confirmed"] == {"actor": "law_enforcement", "public_access": "yes"}


_OLD_SCHEMA = """
CREATE TABLE answers (
    trace_id TEXT PRIMARY KEY, created TEXT NOT NULL, question TEXT NOT NULL,
    history TEXT NOT NULL, history_digest TEXT NOT NULL, as_of TEXT NOT NULL,
    facts TEXT NOT NULL, verdicts TEXT NOT NULL, overall TEXT NOT NULL, cited TEXT NOT NULL,
    corpus_version TEXT NOT NULL, composer TEXT NOT NULL, model TEXT,
    guardrail_status TEXT NOT NULL, guardrail_notes TEXT NOT NULL, answer TEXT NOT NULL
)
"""


def test_a_log_written_before_confirmed_facts_is_migrated_and_keeps_its_rows(
        tmp_path: Path) -> None:
    path = tmp_path / "audit.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute(_OLD_SCHEMA)
        conn.execute("INSERT INTO answers VALUES ('old', '2026-01-01T00:00:00+00:00', 'q', '[]',"
                     " 'd', '2026-01-01', '{}', '{}', 'prohibited', '{}', 'v', 'offline', NULL,"
                     " 'passed', '[]', '{}')")
    conn.close()
    log = AuditLog(path)
    assert log.get("old")["confirmed"] == {}
    confirmed = _answer().model_copy(update={"facts": {
        "timing": Fact(value="real_time", source="confirmed by the user", status="confirmed")}})
    assert log.get(log.append(confirmed))["confirmed"] == {"timing": "real_time"}
    assert log.count() == 2
