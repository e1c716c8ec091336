"""The HTTP API against the real app and a real Advisor: routes, auth, limits, error JSON."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from advisor.errors import (
    AdvisorError,
    ConfigError,
    CorpusError,
    InputError,
    LLMError,
    LLMTimeout,
    RetrievalError,
)
from advisor.service import Advisor
from tests.web.conftest import FOLLOW_UP, LOBBY, client_for, settings_for


@pytest.fixture(scope="module")
def client(web_home: Path, real_advisor: Advisor) -> Any:
    with client_for(settings_for(web_home), real_advisor) as c:
        yield c


def _verdicts(body: dict[str, Any]) -> dict[str, str]:
    return {p["policy"]: p["verdict"] for p in body["policies"]}


def test_ask_lobby_question_returns_the_answer_json(client: Any) -> None:
    response = client.post("/v1/ask", json={"question": LOBBY})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["question"] == LOBBY
    assert body["verdict"] == "prohibited"
    assert _verdicts(body)["azure-openai-coc"] == "prohibited"
    assert _verdicts(body)["eu-ai-act"] == "conditional"
    assert body["citations"], "an ask answer cites the clauses it rests on"
    for cite in body["citations"]:
        assert cite["verified"] is True
        assert cite["quote"].strip()
    assert any("identify or verify" in c["quote"].lower() for c in body["citations"])
    assert body["facts"]["jurisdiction"]["value"] == "eu"
    assert body["facts"]["jurisdiction"]["from"] == "European"
    assert body["guardrail"]["status"] in ("passed", "overridden", "degraded")
    assert body["trace_id"] and body["corpus_version"]


def test_check_has_verdicts_but_no_answer_or_citations(client: Any) -> None:
    response = client.post("/v1/check", json={"question": LOBBY, "as_of": "2025-06-01"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["as_of"] == "2025-06-01"
    assert _verdicts(body)["azure-openai-coc"] == "prohibited"
    assert _verdicts(body)["eu-ai-act"] == "conditional"
    assert body["answer"] == "" and body["citations"] == []


def test_as_of_before_article_5_applies_changes_the_eu_verdict(client: Any) -> None:
    body = client.post("/v1/check", json={"question": LOBBY, "as_of": "2024-12-01"}).json()
    assert _verdicts(body)["eu-ai-act"] == "not_applicable"


def test_history_carries_facts_into_a_follow_up(client: Any) -> None:
    first = client.post("/v1/check", json={"question": LOBBY}).json()
    history = [{"role": "user", "content": LOBBY},
               {"role": "assistant", "content": first["answer"]}]
    body = client.post("/v1/check", json={"question": FOLLOW_UP, "history": history}).json()
    assert body["facts"]["jurisdiction"]["value"] == "eu", "the EU fact is inherited"
    assert body["facts"]["camera"]["value"] == "body_worn"
    alone = client.post("/v1/check", json={"question": FOLLOW_UP}).json()
    assert alone["facts"]["jurisdiction"]["value"] != "eu"


def test_search_returns_ranked_passages(client: Any) -> None:
    response = client.get("/v1/search", params={"q": "real-time facial recognition mobile cameras",
                                                "k": 3})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["k"] == 3 and 1 <= len(body["results"]) <= 3
    first = body["results"][0]
    for key in ("chunk_id", "document", "title", "section", "kind", "text", "start", "end",
                "score"):
        assert key in first
    assert any("LE-2" in r["chunk_id"] for r in body["results"])


def test_search_filters_by_document(client: Any) -> None:
    docs = client.get("/v1/documents").json()["documents"]
    doc_id = next(d["id"] for d in docs if d["id"].startswith("eu-ai-act"))
    body = client.get("/v1/search", params={"q": "facial recognition", "document": doc_id}).json()
    assert body["results"] and {r["document"] for r in body["results"]} == {doc_id}


def test_search_k_out_of_range_is_422_with_error_json(client: Any) -> None:
    response = client.get("/v1/search", params={"q": "faces", "k": 500})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"
    assert "k" in response.json()["error"]["message"]


def test_documents_and_one_document(client: Any) -> None:
    response = client.get("/v1/documents")
    assert response.status_code == 200
    docs = response.json()["documents"]
    ids = {d["id"] for d in docs}
    assert any(i.startswith("azure-openai-coc") for i in ids)
    doc_id = sorted(ids)[0]
    one = client.get(f"/v1/documents/{doc_id}")
    assert one.status_code == 200
    assert one.json()["id"] == doc_id and one.json()["text"]


def test_unknown_document_is_404_json(client: Any) -> None:
    response = client.get("/v1/documents/no-such-document")
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "not_found"
    assert "no-such-document" in error["message"] and "/v1/documents" in error["message"]


def test_health(client: Any) -> None:
    response = client.get("/v1/health")
    assert response.status_code == 200
    assert response.json()["status"] in ("ok", "degraded")


def test_openapi_docs_list_every_route(client: Any) -> None:
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/v1/ask", "/v1/check", "/v1/search", "/v1/documents",
                 "/v1/documents/{document_id}", "/v1/health", "/v1/chat/completions",
                 "/v1/models"):
        assert path in paths, path


def test_docs_page_loads_swagger_ui_from_the_server_not_a_cdn(client: Any) -> None:
    page = client.get("/docs").text
    assert "/docs-assets/swagger-ui-bundle.js" in page and "/openapi.json" in page
    assert "cdn." not in page and "https://" not in page.split("<body>")[0]
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        response = client.get(f"/docs-assets/{asset}")
        assert response.status_code == 200 and len(response.content) > 10_000


def test_unknown_route_is_404_json(client: Any) -> None:
    response = client.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


# ----------------------------------------------------------------------------- input limits


def test_empty_question_is_422_saying_what_to_do(client: Any) -> None:
    response = client.post("/v1/ask", json={"question": "   "})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "input_error" and "empty" in error["message"]


def test_question_over_the_limit_is_422_naming_the_limit(web_home: Path,
                                                          real_advisor: Advisor) -> None:
    with client_for(settings_for(web_home, max_question_chars=50), real_advisor) as c:
        response = c.post("/v1/ask", json={"question": "x" * 51})
        assert response.status_code == 422
        message = response.json()["error"]["message"]
        assert "50" in message and "ADVISOR_MAX_QUESTION_CHARS" in message
        assert c.post("/v1/check", json={"question": "y" * 51}).status_code == 422
        assert c.post("/v1/check", json={"question": LOBBY[:50]}).status_code == 200


def test_body_over_the_limit_is_413_naming_the_limit(web_home: Path,
                                                      real_advisor: Advisor) -> None:
    with client_for(settings_for(web_home, max_body_bytes=2048), real_advisor) as c:
        history = [{"role": "user", "content": "z" * 1000}] * 3
        response = c.post("/v1/ask", json={"question": LOBBY, "history": history})
        assert response.status_code == 413
        error = response.json()["error"]
        assert error["code"] == "payload_too_large" and "2048" in error["message"]


def test_streamed_body_without_length_is_counted(web_home: Path,
                                                 real_advisor: Advisor) -> None:
    with client_for(settings_for(web_home, max_body_bytes=2048), real_advisor) as c:
        def chunks() -> Any:
            yield b'{"question": "'
            for _ in range(10):
                yield b"a" * 500
            yield b'"}'
        response = c.post("/v1/ask", content=chunks(),
                          headers={"content-type": "application/json"})
        assert response.status_code == 413
        assert "2048" in response.json()["error"]["message"]


@pytest.mark.parametrize("body", [
    {"question": LOBBY, "surprise": 1},
    {"question": LOBBY, "as_of": "not-a-date"},
    {"question": LOBBY, "history": [{"role": "robot", "content": "hi"}]},
    {},
])
def test_malformed_request_is_422_error_json(client: Any, body: dict[str, Any]) -> None:
    response = client.post("/v1/ask", json=body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_request" and "/docs" in error["message"]


def test_invalid_json_is_422_not_a_traceback(client: Any) -> None:
    response = client.post("/v1/ask", content=b"{not json",
                           headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert "Traceback" not in response.text


# ----------------------------------------------------------------------------- auth and CORS


def test_token_required_on_v1_routes_when_set(web_home: Path, real_advisor: Advisor) -> None:
    with client_for(settings_for(web_home, api_token="s3cret"), real_advisor) as c:
        for method, path, kwargs in (
            ("post", "/v1/ask", {"json": {"question": LOBBY}}),
            ("post", "/v1/check", {"json": {"question": LOBBY}}),
            ("get", "/v1/search", {"params": {"q": "faces"}}),
            ("get", "/v1/documents", {}),
            ("get", "/v1/models", {}),
            ("post", "/v1/chat/completions",
             {"json": {"model": "advisor", "messages": [{"role": "user", "content": LOBBY}]}}),
        ):
            missing = getattr(c, method)(path, **kwargs)
            assert missing.status_code == 401, path
            assert missing.json()["error"]["code"] == "unauthorized"
            assert "ADVISOR_API_TOKEN" in missing.json()["error"]["message"]
            assert missing.headers["www-authenticate"] == "Bearer"
            wrong = getattr(c, method)(path, headers={"Authorization": "Bearer nope"}, **kwargs)
            assert wrong.status_code == 401, path
        good = c.post("/v1/check", json={"question": LOBBY},
                      headers={"Authorization": "Bearer s3cret"})
        assert good.status_code == 200
        assert c.get("/v1/health").status_code == 200, "health stays open for probes"


def test_no_token_configured_means_open(client: Any) -> None:
    assert client.get("/v1/documents").status_code == 200


def test_cors_is_off_by_default(client: Any) -> None:
    response = client.options("/v1/ask", headers={
        "Origin": "https://app.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in response.headers


def test_cors_allows_only_configured_origins(web_home: Path, real_advisor: Advisor) -> None:
    settings = settings_for(web_home, cors_origins=["https://app.example"])
    with client_for(settings, real_advisor) as c:
        ok = c.options("/v1/ask", headers={
            "Origin": "https://app.example", "Access-Control-Request-Method": "POST"})
        assert ok.headers["access-control-allow-origin"] == "https://app.example"
        other = c.options("/v1/ask", headers={
            "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
        assert other.headers.get("access-control-allow-origin") != "https://evil.example"


# ----------------------------------------------------------------------------- error families


class _Failing:
    """An advisor whose every call raises ``error``: the error paths the real one rarely takes."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def _raise(self, *args: object, **kwargs: object) -> Any:
        raise self.error

    ask = check = search = documents = document = health = _raise


@pytest.mark.parametrize(("error", "status", "code"), [
    (InputError("the date 2999-01-01 is in the future; give a past date"), 422, "input_error"),
    (RetrievalError("the index is missing; run `advisor ingest`"), 503, "retrieval_error"),
    (CorpusError("front matter does not parse", path="corpus/x.md", line=3), 503,
     "corpus_error"),
    (LLMError("the endpoint answered 500; check ADVISOR_LLM_BASE_URL"), 502, "llm_error"),
    (LLMTimeout("no answer in 30 s; raise ADVISOR_LLM_TIMEOUT"), 504, "llm_timeout"),
    (ConfigError("ADVISOR_CHROMA_URL is not a URL; fix it"), 500, "config_error"),
    (AdvisorError("something the advisor reports"), 500, "advisor_error"),
])
def test_each_error_family_maps_to_status_and_json(
    web_home: Path, error: Exception, status: int, code: str,
) -> None:
    with client_for(settings_for(web_home), _Failing(error)) as c:
        response = c.post("/v1/ask", json={"question": LOBBY})
    assert response.status_code == status
    assert response.json() == {"error": {"code": code, "message": str(error)}}


def test_unexpected_exception_is_generic_500_without_traceback(web_home: Path) -> None:
    failing = _Failing(RuntimeError("secret internal detail at 0xdeadbeef"))
    with client_for(settings_for(web_home), failing, raise_server_exceptions=False) as c:
        response = c.post("/v1/check", json={"question": LOBBY})
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == "internal_error"
    assert "secret internal detail" not in response.text and "Traceback" not in response.text


def test_search_passes_as_of_through(client: Any) -> None:
    body = client.get("/v1/search", params={"q": "identify or verify", "as_of": "2023-01-01"})
    assert body.status_code == 200, body.text
    for passage in body.json()["results"]:
        effective = passage.get("effective_date")
        assert effective is None or dt.date.fromisoformat(effective) <= dt.date(2023, 1, 1)


CONFIRMED = {"actor": "law_enforcement", "timing": "real_time", "public_access": "yes"}


@pytest.mark.parametrize("route", ["/v1/ask", "/v1/check"])
def test_confirmed_facts_move_the_eu_verdict_to_prohibited(client: Any, route: str) -> None:
    plain = client.post(route, json={"question": LOBBY}).json()
    assert _verdicts(plain)["eu-ai-act"] == "conditional"
    response = client.post(route, json={"question": LOBBY, "facts": CONFIRMED})
    assert response.status_code == 200, response.text
    body = response.json()
    assert _verdicts(body)["eu-ai-act"] == "prohibited"
    eu = next(p for p in body["policies"] if p["policy"] == "eu-ai-act")
    assert [hit["rule"] for hit in eu["fired"]] == ["5-1-h"]
    for name, value in CONFIRMED.items():
        assert body["facts"][name] == {"value": value, "from": "confirmed by the user",
                                       "assumed": False, "status": "confirmed", "turn": None,
                                       "candidates": []}
    assert body["facts"]["camera"]["status"] == "stated", "unconfirmed facts still read"
    if route == "/v1/ask":
        cited = {c["chunk_id"] for c in body["citations"]}
        assert "eu-ai-act-art5#5-1-h" in cited


@pytest.mark.parametrize(("facts", "says"), [
    ({"actr": "law_enforcement"}, "the facts are: service, actor"),
    ({"actor": "cop"}, "use one of: us_police, us_federal, law_enforcement"),
    ({"public_access": "maybe"}, "use one of: yes, no, unknown"),
    ({"country": "Atlantis"}, "ISO 3166-1 alpha-2"),
    ({"as_of": "2025-01-01"}, "its own as_of"),
])
def test_a_bad_fact_name_or_value_is_422_listing_the_allowed_ones(
        client: Any, facts: dict[str, str], says: str) -> None:
    for route in ("/v1/ask", "/v1/check"):
        response = client.post(route, json={"question": LOBBY, "facts": facts})
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["code"] == "input_error" and says in error["message"]


def test_a_confirmed_country_sets_the_jurisdiction(client: Any) -> None:
    body = client.post("/v1/check", json={
        "question": "Can UK officers use this for live face matching on body-worn cameras?",
        "facts": {"country": "fr"}}).json()
    assert body["facts"]["country"]["value"] == "FR"
    assert body["facts"]["jurisdiction"]["value"] == "eu"
    assert body["facts"]["jurisdiction"]["status"] == "inferred"
    assert _verdicts(body)["eu-ai-act"] != "not_applicable"
