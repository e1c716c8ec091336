"""Honest health (disk, audit, packs) and `advisor audit --verify` from the command line."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from advisor.cli import main
from advisor.config import SHIPPED_CORPUS, Settings
from advisor.service import Advisor

LOBBY = "Can a European agency use this on a fixed lobby camera?"


def test_health_is_degraded_with_a_reason_when_the_disk_is_nearly_full(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", corpus=SHIPPED_CORPUS,
                        min_free_mb=10**9)  # more than any disk has free
    advisor = Advisor(settings)
    advisor.ask(LOBBY)
    health = advisor.health()
    assert health["status"] == "degraded"
    assert any(r.startswith("disk:") and "ADVISOR_MIN_FREE_MB" in r for r in health["reasons"])
    assert health["index"] == "ok" and health["audit"] == "ok"


def test_a_healthy_advisor_reports_ok_with_no_reasons(tmp_path: Path) -> None:
    advisor = Advisor(Settings(home=tmp_path / "home", corpus=SHIPPED_CORPUS, min_free_mb=0))
    advisor.ask(LOBBY)
    health = advisor.health()
    assert (health["status"], health["reasons"]) == ("ok", [])
    assert health["corpus_version"] == health["index_version"]


def test_audit_verify_exits_0_on_an_intact_log_and_1_naming_an_edited_row(
        advisor_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", LOBBY, "--json"]) == 0
    assert main(["check", "Can a US police department use it on body cameras?", "--json"]) == 0
    capsys.readouterr()
    assert main(["audit", "--verify"]) == 0
    assert "intact" in capsys.readouterr().out
    with sqlite3.connect(advisor_home / "audit.sqlite3") as conn:
        first = conn.execute("SELECT trace_id FROM answers ORDER BY rowid LIMIT 1").fetchone()[0]
        conn.execute("UPDATE answers SET overall = 'not_prohibited' WHERE trace_id = ?", (first,))
    assert main(["audit", "--verify"]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert first in out and "edited" in out
