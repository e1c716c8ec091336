"""Fixtures for the web shells: a real Advisor over the shipped corpus, apps, a live server."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from advisor.api import create_app
from advisor.config import SHIPPED_CORPUS, Settings
from advisor.service import Advisor

LOBBY = "Can a European agency use this on a fixed lobby camera?"
FOLLOW_UP = "what about a body-worn camera on patrol?"


def settings_for(home: Path, **overrides: Any) -> Settings:
    """Settings for a test, independent of the environment the tests run in."""
    values: dict[str, Any] = {"home": home, "corpus": SHIPPED_CORPUS, "composer": "offline",
                              "api_token": None, "cors_origins": []}
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(scope="session")
def web_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("web-home")


@pytest.fixture(scope="session")
def real_advisor(web_home: Path) -> Advisor:
    """One real Advisor (embedded Chroma, BM25, packs, offline composer) for the web tests."""
    return Advisor(settings_for(web_home))


@pytest.fixture(scope="session")
def lobby_answer(real_advisor: Advisor) -> Any:
    return real_advisor.ask(LOBBY)


def client_for(settings: Settings, advisor: Any, *, ui: bool = False,
               raise_server_exceptions: bool = True) -> TestClient:
    """A TestClient over the real app built from ``settings`` and ``advisor``."""
    app = create_app(settings, advisor=advisor, ui=ui)
    return TestClient(app, raise_server_exceptions=raise_server_exceptions)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve_in_thread(app: FastAPI, timeout: float = 60.0) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port; yield its base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                            access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"uvicorn did not start on port {port}")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


INJECTED = Path(__file__).parent / "data" / "injected-article.md"


@pytest.fixture(scope="session")
def injected_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped corpus plus an article whose title, heading and text carry HTML and script."""
    root = tmp_path_factory.mktemp("injected") / "corpus"
    shutil.copytree(SHIPPED_CORPUS, root)
    shutil.copy(INJECTED, root / "articles" / INJECTED.name)
    return root


@pytest.fixture(scope="session")
def injected_advisor(tmp_path_factory: pytest.TempPathFactory, injected_corpus: Path) -> Advisor:
    home = tmp_path_factory.mktemp("injected-home")
    return Advisor(settings_for(home, corpus=injected_corpus))
