"""Degraded, never down: a real Chroma server stops mid-session and answers keep coming."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from advisor.config import Settings
from advisor.service import Advisor

LOBBY = "Can a European agency use this on a fixed lobby camera?"
CHROMA = Path(sys.executable).with_name("chroma")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(port: int, proc: subprocess.Popen[bytes], seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"chroma run exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError("chroma run did not start listening in time")


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    if not CHROMA.exists():
        pytest.fail(f"the chroma binary is missing next to {sys.executable}")
    port = _free_port()
    log = (tmp_path / "chroma.log").open("wb")
    proc = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(tmp_path / "chroma-data"), "--host", "127.0.0.1",
         "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_for(port, proc)
        yield f"http://127.0.0.1:{port}", proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=20)
        log.close()


@pytest.mark.server
@pytest.mark.slow
def test_answers_survive_the_chroma_server_going_away(
    advisor_home: Path, chroma_server: tuple[str, subprocess.Popen[bytes]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, proc = chroma_server
    monkeypatch.setenv("ADVISOR_CHROMA_URL", url)
    advisor = Advisor(Settings())
    assert advisor.settings.chroma_url == url

    before = advisor.ask(LOBBY)
    assert before.guardrail.status == "passed", before.guardrail.notes
    assert any(c.kind == "article" for c in before.citations)  # hybrid results came back

    proc.terminate()
    proc.wait(timeout=20)

    after = advisor.ask(LOBBY)
    assert after.guardrail.status == "degraded"
    assert any("retrieval failed" in n for n in after.guardrail.notes)
    assert [(p.policy, p.verdict) for p in after.policies] == \
        [(p.policy, p.verdict) for p in before.policies]
    assert after.verdict == before.verdict == "prohibited"
    id1 = next(c for c in after.citations if c.chunk_id.endswith("-2024-05#ID-1"))
    assert id1.verified and "identify or verify" in id1.quote
    assert not any(c.kind == "article" for c in after.citations)  # no index, no hybrid hits
    assert advisor.health()["status"] == "degraded"
    assert after.trace_id != before.trace_id
    assert advisor.audit(after.trace_id)["guardrail_status"] == "degraded"


def test_a_malformed_corpus_file_does_not_take_answers_down(tmp_path: Path) -> None:
    import shutil

    from advisor.config import SHIPPED_CORPUS

    corpus = tmp_path / "corpus"
    shutil.copytree(SHIPPED_CORPUS, corpus)
    settings = Settings(home=tmp_path / "home", corpus=corpus)
    assert Advisor(settings).ask(LOBBY).verdict == "prohibited"  # builds the index

    (corpus / "articles" / "broken.md").write_text("---\nid: [unclosed\n---\nText.\n")
    advisor = Advisor(settings)
    answer = advisor.ask(LOBBY)
    assert answer.verdict == "prohibited"
    assert any(c.chunk_id.endswith("#ID-1") and c.verified for c in answer.citations)
    health = advisor.health()
    assert health["status"] == "degraded" and "broken.md" in health["corpus_error"]
