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
