"""`advisor serve` runs the one-process server: chat at /, API at /v1, OpenAPI at /docs."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.web.conftest import LOBBY, free_port


def test_advisor_serve_answers_on_all_three_surfaces(advisor_home: Path) -> None:
    port = free_port()
    env = {**os.environ, "ADVISOR_HOME": str(advisor_home), "GRADIO_ANALYTICS_ENABLED": "False"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "advisor", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            try:
                if httpx.get(f"{base}/v1/health", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "advisor serve did not come up in 180 s"
            time.sleep(0.5)
        page = httpx.get(f"{base}/", timeout=30)
        assert page.status_code == 200 and "<html" in page.text.lower()
        assert httpx.get(f"{base}/docs", timeout=30).status_code == 200
        answer = httpx.post(f"{base}/v1/check", json={"question": LOBBY}, timeout=60).json()
        assert answer["verdict"] == "prohibited"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
