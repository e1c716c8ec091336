"""Fixtures for the LLM tests: a scripted OpenAI-compatible server on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from advisor.config import Settings, load_settings
from advisor.llm import ScriptedOpenAIServer

MODEL = "scripted-model"


@pytest.fixture
def server() -> Iterator[ScriptedOpenAIServer]:
    """A scripted server with an empty script; tests add replies or set a responder."""
    with ScriptedOpenAIServer([], model=MODEL) as scripted:
        yield scripted


def llm_settings(server: ScriptedOpenAIServer, **overrides: object) -> Settings:
    """Settings that point the LLM composer at ``server`` with short timeouts, no retries."""
    values: dict[str, object] = {
        "composer": "llm", "llm_base_url": server.base_url, "llm_api_key": "test",
        "llm_model": MODEL, "llm_timeout": 1.0, "llm_max_retries": 0,
    }
    values.update(overrides)
    return load_settings(**values)
