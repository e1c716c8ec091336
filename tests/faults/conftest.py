"""Fixtures of the fault suite: a real `chroma run` on loopback that tests can freeze."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMA = Path(sys.executable).with_name("chroma")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class ChromaServer:
    """A real Chroma server process; ``freeze`` is SIGSTOP (it hangs, it does not refuse)."""

    url: str
    proc: subprocess.Popen[bytes]

    def freeze(self) -> None:
        os.kill(self.proc.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.kill(self.proc.pid, signal.SIGCONT)


def start_chroma(data: Path, log_path: Path) -> ChromaServer:
    """Start ``chroma run`` on a free loopback port and wait until it listens."""
    if not CHROMA.exists():
        raise RuntimeError(f"the chroma binary is missing next to {sys.executable}")
    port = free_port()
    log = log_path.open("wb")
    proc = subprocess.Popen([str(CHROMA), "run", "--path", str(data), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    log.close()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"chroma run exited with {proc.returncode}; see {log_path}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return ChromaServer(f"http://127.0.0.1:{port}", proc)
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("chroma run did not start listening in time")


def stop_chroma(server: ChromaServer) -> None:
    if server.proc.poll() is None:
        server.thaw()
        server.proc.terminate()
        try:
            server.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait(timeout=20)


@pytest.fixture
def chroma(tmp_path: Path) -> Iterator[ChromaServer]:
    server = start_chroma(tmp_path / "chroma-data", tmp_path / "chroma.log")
    try:
        yield server
    finally:
        stop_chroma(server)
