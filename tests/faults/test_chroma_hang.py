"""A hung Chroma server (SIGSTOP): answers degrade at once with the reason, then recover."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from advisor.config import SHIPPED_CORPUS, Settings
from advisor.service import Advisor
from tests.faults.conftest import ChromaServer

LOBBY = "Can a European agency use this on a fixed lobby camera?"


def _settings(home: Path, url: str) -> Settings:
    return Settings(home=home, corpus=SHIPPED_CORPUS, chroma_url=url, composer="offline",
                    chroma_connect_timeout=1.0, chroma_read_timeout=2.0,
                    chroma_retry_after=3.0)


@pytest.mark.server
@pytest.mark.slow
def test_a_hung_chroma_degrades_answers_within_the_timeout_and_then_at_once(
        tmp_path: Path, chroma: ChromaServer) -> None:
    advisor = Advisor(_settings(tmp_path / "home", chroma.url))
    assert advisor.ask(LOBBY).guardrail.status == "passed"

    chroma.freeze()
    started = time.monotonic()
    first = advisor.ask(LOBBY)
    first_took = time.monotonic() - started
    assert first.guardrail.status == "degraded"
    assert first.verdict == "prohibited"
    assert first_took < 8, first_took  # bounded by the read timeout, not forever
    note = " ".join(first.guardrail.notes)
    assert "timed out" in note or "not answering" in note, note

    started = time.monotonic()
    second = advisor.ask(LOBBY)
    assert time.monotonic() - started < 1.0  # the breaker is open: no wait at all
    assert second.guardrail.status == "degraded"
    assert any("not answering" in n for n in second.guardrail.notes), second.guardrail.notes

    started = time.monotonic()
    health = advisor.health()
    assert time.monotonic() - started < 1.0
    assert health["status"] == "degraded"
    assert "not answering" in health["index"]

    chroma.thaw()
    deadline = time.monotonic() + 20
    while advisor.ask(LOBBY).guardrail.status != "passed":
        assert time.monotonic() < deadline, "answers did not recover after Chroma came back"
        time.sleep(0.5)
    assert advisor.health()["status"] == "ok"


@pytest.mark.server
@pytest.mark.slow
def test_chroma_hung_at_start_backs_off_instead_of_rebuilding_per_request(
        tmp_path: Path, chroma: ChromaServer) -> None:
    chroma.freeze()
    advisor = Advisor(_settings(tmp_path / "home", chroma.url))
    started = time.monotonic()
    assert advisor.ask(LOBBY).guardrail.status == "degraded"
    assert time.monotonic() - started < 8
    timings = []
    for _ in range(5):
        started = time.monotonic()
        answer = advisor.check(LOBBY)
        timings.append(time.monotonic() - started)
        assert answer.verdict == "prohibited"
    assert max(timings) < 0.5, timings  # no index build retried per request
