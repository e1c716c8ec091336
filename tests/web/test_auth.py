"""One token for the whole server: /v1, the OpenAI route, and every route of the Gradio chat."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from advisor.api import create_app
from advisor.service import Advisor
from tests.web.conftest import settings_for
from tests.web.test_browser import browser  # noqa: F401, F811 (the Chromium fixture)

TOKEN = "s3cret-token-for-tests"

#: Every kind of route the server has: API, OpenAI, docs, and Gradio's own (config, info,
#: queue, upload, file, the page itself).
GUARDED = [
    ("POST", "/v1/ask", {"json": {"question": "Can a European agency use this?"}}),
    ("POST", "/v1/check", {"json": {"question": "Can a European agency use this?"}}),
    ("GET", "/v1/documents", {}),
    ("GET", "/v1/models", {}),
    ("POST", "/v1/chat/completions", {"json": {"messages": [{"role": "user", "content": "hi"}]}}),
    ("GET", "/openapi.json", {}),
    ("GET", "/config", {}),
    ("GET", "/gradio_api/info", {}),
    ("POST", "/gradio_api/queue/join", {"json": {"data": ["hi", None, None], "fn_index": 0,
                                                  "session_hash": "abc"}}),
    ("GET", "/gradio_api/queue/data?session_hash=abc", {}),
    ("POST", "/gradio_api/upload", {"files": {"files": ("a.txt", b"hello", "text/plain")}}),
    ("GET", "/gradio_api/file=/etc/hostname", {}),
]


@pytest.fixture(scope="module")
def guarded(real_advisor: Advisor) -> TestClient:
    settings = real_advisor.settings.model_copy(update={"api_token": TOKEN})
    app = create_app(settings, advisor=real_advisor, ui=True)
    return TestClient(app, follow_redirects=False)


@pytest.mark.parametrize(("method", "path", "kwargs"), GUARDED,
                         ids=[f"{m} {p}" for m, p, _ in GUARDED])
def test_every_route_refuses_a_request_without_the_token(
        guarded: TestClient, method: str, path: str, kwargs: dict[str, object]) -> None:
    response = guarded.request(method, path, **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 401, (path, response.status_code, response.text[:200])
    assert "ADVISOR_API_TOKEN" in response.json()["error"]["message"]


def test_the_chat_page_sends_a_browser_to_the_login_form(guarded: TestClient) -> None:
    response = guarded.get("/", headers={"Accept": "text/html"})
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
    form = guarded.get("/login")
    assert form.status_code == 200
    assert 'type="password"' in form.text


def test_a_wrong_token_at_login_is_refused_and_sets_no_cookie(guarded: TestClient) -> None:
    response = guarded.post("/login", data={"token": "wrong"})
    assert response.status_code == 401
    assert "set-cookie" not in response.headers


def test_login_sets_an_httponly_samesite_cookie_that_opens_the_chat(
        tmp_path: Path) -> None:
    app = create_app(settings_for(tmp_path, api_token=TOKEN), advisor=lambda: None, ui=True)
    client = TestClient(app, follow_redirects=False)
    response = client.post("/login", data={"token": TOKEN})
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    assert TOKEN not in cookie  # the cookie is derived from the token, not the token itself
    assert client.get("/config").status_code == 200
    assert client.get("/", headers={"Accept": "text/html"}).status_code == 200


def test_the_bearer_token_opens_every_route_and_health_needs_none(guarded: TestClient) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert guarded.get("/config", headers=auth).status_code == 200
    assert guarded.get("/openapi.json", headers=auth).status_code == 200
    assert guarded.get("/v1/health").status_code == 200


def test_uploads_are_off_even_with_the_token(guarded: TestClient) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    response = guarded.post("/gradio_api/upload", headers=auth,
                            files={"files": ("a.txt", b"hello", "text/plain")})
    assert response.status_code == 403
    assert "upload" in response.json()["error"]["message"]


def test_the_body_limit_applies_to_gradio_routes_too(tmp_path: Path) -> None:
    app = create_app(settings_for(tmp_path), advisor=lambda: None, ui=True)
    client = TestClient(app)
    big = b"x" * 200_000
    response = client.post("/gradio_api/queue/join", content=big,
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert "64000 bytes" in response.json()["error"]["message"]


@pytest.mark.browser
def test_a_browser_signs_in_then_asks_through_the_chat(
        advisor_home: Path, browser: Any) -> None:  # noqa: F811
    from advisor.config import load_settings
    from tests.web.conftest import LOBBY, serve_in_thread
    from tests.web.test_browser import _Page

    settings = load_settings(api_token=TOKEN)
    with serve_in_thread(create_app(settings)) as url:
        page = _Page(browser, url)
        try:
            page.page.goto(url + "/")
            page.page.wait_for_selector('input[type="password"]', timeout=30_000)
            page.page.fill("#token", "not-the-token")
            page.page.click('input[type="submit"]')
            page.page.wait_for_selector("text=not this server's token", timeout=30_000)
            page.page.fill("#token", TOKEN)
            page.page.click('input[type="submit"]')
            page.page.wait_for_selector("#adv-question textarea", timeout=60_000)
            turn = page.ask(LOBBY, 1)
            assert "rohibited" in turn.inner_text()
            assert page.external == []
        finally:
            page.context.close()
