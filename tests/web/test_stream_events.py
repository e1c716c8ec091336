"""Streaming chat completions send few, large events: the answer exists before the first one."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from advisor.service import Advisor
from tests.web.conftest import LOBBY, client_for


def test_a_streamed_answer_takes_a_handful_of_events_and_loses_nothing(
        real_advisor: Advisor) -> None:
    client: TestClient = client_for(real_advisor.settings, real_advisor)
    whole = client.post("/v1/chat/completions", json={
        "messages": [{"role": "user", "content": LOBBY}]}).json()
    text = whole["choices"][0]["message"]["content"]
    with client.stream("POST", "/v1/chat/completions", json={
            "messages": [{"role": "user", "content": LOBBY}], "stream": True}) as response:
        events = [line for line in response.iter_lines() if line.startswith("data: ")]

    pieces = [json.loads(e[6:])["choices"][0]["delta"].get("content", "")
              for e in events if e != "data: [DONE]"]
    assert "".join(pieces) == text
    assert len(events) <= 3 + len(text) // 1500 + 1, len(events)
