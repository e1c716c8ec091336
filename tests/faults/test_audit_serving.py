"""The audit log under faults while serving: never a 500, never an unrecorded answer."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from fastapi.testclient import TestClient

from advisor.api import create_app
from advisor.config import SHIPPED_CORPUS, Settings
from advisor.service import Advisor

LOBBY = "Can a European agency use this on a fixed lobby camera?"


def _serving(tmp_path: Path) -> tuple[Advisor, TestClient]:
    settings = Settings(home=tmp_path / "home", corpus=SHIPPED_CORPUS, composer="offline",
                        api_token=None)
    advisor = Advisor(settings)
    return advisor, TestClient(create_app(settings, advisor=advisor, ui=False),
                               raise_server_exceptions=False)


def test_a_log_truncated_while_serving_is_moved_aside_and_answers_stay_recorded(
        tmp_path: Path) -> None:
    advisor, client = _serving(tmp_path)
    for _ in range(40):
        assert client.post("/v1/check", json={"question": LOBBY}).status_code == 200
    audit = tmp_path / "home" / "audit.sqlite3"
    advisor._audit_log()._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    with open(audit, "r+b") as handle:
        handle.truncate(audit.stat().st_size // 2)
    replies = [client.post("/v1/check", json={"question": LOBBY}) for _ in range(20)]
    codes = Counter(r.status_code for r in replies)
    assert set(codes) <= {200, 503}, codes
    for reply in replies:
        if reply.status_code == 503:
            assert reply.json()["error"]["code"] == "audit_unavailable"
        else:
            assert advisor.audit(reply.json()["trace_id"])["question"] == LOBBY  # recorded
    health = client.get("/v1/health").json()
    assert health["status"] == "degraded" and "moved aside" in health["audit"]
    assert list((tmp_path / "home").glob("audit.sqlite3.corrupt-*"))


def test_an_unwritable_log_refuses_answers_with_503_and_health_says_why(
        tmp_path: Path) -> None:
    advisor, client = _serving(tmp_path)
    assert client.post("/v1/check", json={"question": LOBBY}).status_code == 200
    advisor._audit_log()._conn.execute("PRAGMA query_only = ON")  # as a full disk would
    reply = client.post("/v1/ask", json={"question": LOBBY})
    assert reply.status_code == 503
    assert reply.json()["error"]["code"] == "audit_unavailable"
    assert "not served unaudited" in reply.json()["error"]["message"]
    health = client.get("/v1/health").json()
    assert health["status"] == "degraded"
    assert any(reason.startswith("audit: cannot write") for reason in health["reasons"])
