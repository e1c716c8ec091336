"""Hostile input: lone surrogates, invalid UTF-8, control characters, dates that are numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from advisor.api import create_app
from advisor.cli import main
from advisor.config import SHIPPED_CORPUS, Settings
from advisor.service import Advisor

LOBBY = "Can a European agency use this on a fixed lobby camera?"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    home = tmp_path_factory.mktemp("bad-input")
    settings = Settings(home=home, corpus=SHIPPED_CORPUS, composer="offline", api_token=None)
    return TestClient(create_app(settings, advisor=Advisor(settings), ui=False))


@pytest.mark.parametrize("question", [
    "Can a European agency use this\ud800 on a lobby camera?",
    "Can a European agency use this\x00 on a lobby camera?",
    "Can a European agency \x1b[31muse this on a lobby camera?",
], ids=["lone-surrogate", "nul", "escape"])
@pytest.mark.parametrize("route", ["/v1/ask", "/v1/check"])
def test_unusable_characters_get_422_naming_the_character(
        client: TestClient, route: str, question: str) -> None:
    body = json.dumps({"question": question})  # \ud800 travels as a JSON escape
    response = client.post(route, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    assert "U+" in response.json()["error"]["message"]


def test_a_lone_surrogate_in_history_gets_422(client: TestClient) -> None:
    body = json.dumps({"question": LOBBY, "history": [{"role": "user", "content": "x\udfff"}]})
    response = client.post("/v1/check", content=body,
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 422, response.text


def test_invalid_utf8_gets_422(client: TestClient) -> None:
    response = client.post("/v1/ask", content=b'{"question": "Can \xff\xfe agencies use it?"}',
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 422, response.text


@pytest.mark.parametrize("as_of", [0, 20250601, "0", True, "2025-13-01"])
def test_as_of_must_be_a_yyyy_mm_dd_string(client: TestClient, as_of: object) -> None:
    response = client.post("/v1/check", json={"question": LOBBY, "as_of": as_of})
    assert response.status_code == 422, (as_of, response.text)


def test_the_openapi_spec_states_the_real_limits(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    question = spec["components"]["schemas"]["AskRequest"]["properties"]["question"]
    assert question["minLength"] == 1 and question["maxLength"] == 2000
    as_of = spec["components"]["schemas"]["AskRequest"]["properties"]["as_of"]
    assert "date" in json.dumps(as_of) and "integer" not in json.dumps(as_of)


def test_the_cli_refuses_a_lone_surrogate_with_exit_2(
        advisor_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "Can agencies use this\udcff camera?"]) == 2
    err = capsys.readouterr().err
    assert "U+DCFF" in err and "Traceback" not in err
