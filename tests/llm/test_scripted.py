"""The scripted server speaks enough of the OpenAI chat API for the real openai client."""

from __future__ import annotations

import json

import httpx
import openai
import pytest

from advisor.llm import Reply, ScriptedOpenAIServer

from .conftest import MODEL


def _client(server: ScriptedOpenAIServer, **kwargs: object) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.base_url, api_key="test", max_retries=0,
                         **kwargs)  # type: ignore[arg-type]


def test_base_url_is_loopback_v1(server: ScriptedOpenAIServer) -> None:
    assert server.base_url.startswith("http://127.0.0.1:")
    assert server.base_url.endswith("/v1")


def test_replies_come_in_order_and_requests_are_recorded(server: ScriptedOpenAIServer) -> None:
    server.add(Reply.json({"a": 1}), Reply.text("second"))
    client = _client(server)
    first = client.chat.completions.create(model="m1", messages=[{"role": "user", "content": "x"}])
    second = client.chat.completions.create(model="m2",
                                            messages=[{"role": "user", "content": "y"}])
    assert json.loads(first.choices[0].message.content or "") == {"a": 1}
    assert second.choices[0].message.content == "second"
    assert first.model == "m1"
    assert [r.body["model"] for r in server.chat_requests] == ["m1", "m2"]
    assert server.chat_requests[1].text() == "y"
    assert server.chat_requests[0].headers["authorization"] == "Bearer test"
    assert server.remaining == 0


def test_a_callable_script_sees_the_request() -> None:
    def echo(request):  # type: ignore[no-untyped-def]
        return Reply.text(request.messages[-1]["content"].upper())

    with ScriptedOpenAIServer(echo) as server:
        reply = _client(server).chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "shout"}])
    assert reply.choices[0].message.content == "SHOUT"


def test_streaming_sends_server_sent_events(server: ScriptedOpenAIServer) -> None:
    content = json.dumps({"answer": "a fairly long answer split over several chunks"})
    server.add(Reply.text(content))
    stream = _client(server).chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "x"}], stream=True,
        stream_options={"include_usage": True})
    pieces, finish, usage = [], None, None
    for chunk in stream:
        if chunk.usage is not None:
            usage = chunk.usage
        for choice in chunk.choices:
            pieces.append(choice.delta.content or "")
            finish = choice.finish_reason or finish
    assert "".join(pieces) == content
    assert len([p for p in pieces if p]) > 1
    assert finish == "stop"
    assert usage is not None


@pytest.mark.parametrize(("status", "exc_type"), [
    (500, openai.InternalServerError), (429, openai.RateLimitError),
    (401, openai.AuthenticationError),
])
def test_error_replies_have_openai_error_bodies(
    server: ScriptedOpenAIServer, status: int, exc_type: type[openai.APIStatusError]
) -> None:
    server.add(Reply.error(status, "scripted failure"))
    with pytest.raises(exc_type) as caught:
        _client(server).chat.completions.create(model=MODEL,
                                                messages=[{"role": "user", "content": "x"}])
    assert caught.value.status_code == status
    assert isinstance(caught.value.body, dict)
    assert caught.value.body["message"] == "scripted failure"


def test_a_delay_longer_than_the_timeout_times_the_client_out(
    server: ScriptedOpenAIServer,
) -> None:
    server.add(Reply.slow(5.0, {"late": True}))
    with pytest.raises(openai.APITimeoutError):
        _client(server, timeout=0.3).chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "x"}])


def test_an_exhausted_script_fails_loudly(server: ScriptedOpenAIServer) -> None:
    with pytest.raises(openai.InternalServerError, match="no more replies"):
        _client(server).chat.completions.create(model=MODEL,
                                                messages=[{"role": "user", "content": "x"}])


def test_models_route_and_unknown_routes(server: ScriptedOpenAIServer) -> None:
    models = httpx.get(f"{server.base_url}/models").json()
    assert [m["id"] for m in models["data"]] == [MODEL]
    missing = httpx.post(f"{server.base_url}/embeddings", json={})
    assert missing.status_code == 404
    assert server.remaining == 0  # an unknown route consumes no scripted reply


def test_close_releases_a_delayed_reply_quickly() -> None:
    import time

    server = ScriptedOpenAIServer([Reply.slow(30.0)]).start()
    client = _client(server, timeout=0.2)
    with pytest.raises(openai.APITimeoutError):
        client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "x"}])
    began = time.monotonic()
    server.close()
    assert time.monotonic() - began < 2.0
