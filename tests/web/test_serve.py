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


# ----------------------------------------------------------------------------- hostile clients


def _serve_config_app(tmp_path: Path) -> tuple[object, str]:
    import threading

    import uvicorn

    from advisor.api import create_app, server_config
    from tests.web.conftest import settings_for

    settings = settings_for(tmp_path, header_timeout=1.0, max_headers=50)
    app = create_app(settings, advisor=lambda: None, ui=False)
    port = free_port()
    server = uvicorn.Server(server_config(app, settings, "127.0.0.1", port))
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def test_the_server_refuses_huge_and_numerous_headers_and_drops_slow_clients(
        tmp_path: Path) -> None:
    import socket

    server, base = _serve_config_app(tmp_path)
    try:
        many = {f"x-h{i}": "v" for i in range(200)}
        response = httpx.get(f"{base}/docs", headers=many, timeout=10)
        assert response.status_code == 431
        assert "headers" in response.json()["error"]["message"]
        try:  # refused with 400, or the connection dropped while the client still sends
            huge = httpx.get(f"{base}/docs", headers={"x-big": "a" * 1_000_000}, timeout=10)
            assert huge.status_code in (400, 431)
        except httpx.TransportError:
            pass
        assert httpx.get(f"{base}/docs", headers={"x-big": "a" * 8_000}, timeout=10
                         ).status_code == 200  # an ordinary large header still passes
        port = int(base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"GET /docs HTTP/1.1\r\nHost: x\r\n")  # and never the rest
            started = time.monotonic()
            assert sock.recv(1024) == b""  # the server closed the connection
            assert time.monotonic() - started < 5
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                         b"\r\nContent-Length: 100\r\n\r\n{\"question\":")  # a body that stalls
            started = time.monotonic()
            reply = sock.recv(4096)
            assert reply.startswith(b"HTTP/1.1 408"), reply[:80]
            assert time.monotonic() - started < 5
    finally:
        server.should_exit = True  # type: ignore[attr-defined]
