"""The OpenAI-compatible route, driven by the real openai package against uvicorn on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from advisor.api import create_app
from advisor.service import Advisor
from tests.web.conftest import FOLLOW_UP, LOBBY, serve_in_thread, settings_for


@pytest.fixture(scope="module")
def base_url(web_home: Path, real_advisor: Advisor) -> Iterator[str]:
    app = create_app(settings_for(web_home), advisor=real_advisor, ui=False)
    with serve_in_thread(app) as url:
        yield url


@pytest.fixture(scope="module")
def secured_url(web_home: Path, real_advisor: Advisor) -> Iterator[str]:
    app = create_app(settings_for(web_home, api_token="tok-123"), advisor=real_advisor, ui=False)
    with serve_in_thread(app) as url:
        yield url


def _client(base_url: str, api_key: str = "unused") -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{base_url}/v1", api_key=api_key, max_retries=0, timeout=60)


def _verdicts(advisor_json: dict[str, Any]) -> dict[str, str]:
    return {p["policy"]: p["verdict"] for p in advisor_json["policies"]}


def test_non_streaming_completion_carries_the_answer(base_url: str) -> None:
    completion = _client(base_url).chat.completions.create(
        model="advisor", messages=[{"role": "user", "content": LOBBY}])
    text = completion.choices[0].message.content or ""
    assert completion.model == "advisor"
    assert completion.choices[0].finish_reason == "stop"
    assert text.startswith("**Verdict: Prohibited**")
    assert "azure-openai-coc: Prohibited" in text and "eu-ai-act: Conditional" in text
    extra = completion.model_extra or {}
    advisor_json = extra["advisor"]
    assert advisor_json["question"] == LOBBY
    assert _verdicts(advisor_json)["eu-ai-act"] == "conditional"
    first_quote = advisor_json["citations"][0]["quote"].strip()
    assert f'[1] {advisor_json["citations"][0]["title"]}' in text and first_quote in text


def test_streaming_completion_joins_to_the_same_text(base_url: str) -> None:
    client = _client(base_url)
    whole = client.chat.completions.create(
        model="advisor", messages=[{"role": "user", "content": LOBBY}])
    stream = client.chat.completions.create(
        model="advisor", messages=[{"role": "user", "content": LOBBY}], stream=True)
    pieces, finishes, advisor_json = [], [], None
    chunks = 0
    for chunk in stream:
        chunks += 1
        delta = chunk.choices[0].delta
        if delta.content:
            pieces.append(delta.content)
        if chunk.choices[0].finish_reason:
            finishes.append(chunk.choices[0].finish_reason)
            advisor_json = (chunk.model_extra or {}).get("advisor")
    assert chunks > 3, "the answer arrives in several chunks"
    assert "".join(pieces) == whole.choices[0].message.content
    assert finishes == ["stop"]
    assert advisor_json is not None and advisor_json["verdict"] == "prohibited"


def test_stream_ends_with_done_sentinel(base_url: str) -> None:
    with httpx.stream("POST", f"{base_url}/v1/chat/completions", timeout=60, json={
            "model": "advisor", "stream": True,
            "messages": [{"role": "user", "content": LOBBY}]}) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        events = [line for line in response.iter_lines() if line.startswith("data: ")]
    assert events[-1] == "data: [DONE]"
    first = json.loads(events[0][len("data: "):])
    assert first["object"] == "chat.completion.chunk"
    assert first["choices"][0]["delta"]["role"] == "assistant"


def test_earlier_turns_are_history(base_url: str) -> None:
    client = _client(base_url)
    first = client.chat.completions.create(
        model="advisor", messages=[{"role": "user", "content": LOBBY}])
    follow = client.chat.completions.create(model="advisor", messages=[
        {"role": "system", "content": "You are a careful assistant."},
        {"role": "user", "content": LOBBY},
        {"role": "assistant", "content": first.choices[0].message.content or ""},
        {"role": "user", "content": [{"type": "text", "text": FOLLOW_UP}]},
    ])
    facts = (follow.model_extra or {})["advisor"]["facts"]
    assert (follow.model_extra or {})["advisor"]["question"] == FOLLOW_UP
    assert facts["camera"]["value"] == "body_worn"
    assert facts["jurisdiction"]["value"] == "eu", "facts from the earlier turn are inherited"


def test_as_of_extension_via_extra_body(base_url: str) -> None:
    completion = _client(base_url).chat.completions.create(
        model="advisor", messages=[{"role": "user", "content": LOBBY}],
        extra_body={"as_of": "2024-12-01"})
    advisor_json = (completion.model_extra or {})["advisor"]
    assert advisor_json["as_of"] == "2024-12-01"
    assert _verdicts(advisor_json)["eu-ai-act"] == "not_applicable"


def test_models_lists_advisor(base_url: str) -> None:
    models = _client(base_url).models.list()
    assert [m.id for m in models.data] == ["advisor"]


def test_unknown_model_is_404(base_url: str) -> None:
    with pytest.raises(openai.NotFoundError) as info:
        _client(base_url).chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": LOBBY}])
    assert "use 'advisor'" in str(info.value)


def test_last_message_must_be_the_users(base_url: str) -> None:
    with pytest.raises(openai.UnprocessableEntityError) as info:
        _client(base_url).chat.completions.create(
            model="advisor", messages=[{"role": "user", "content": LOBBY},
                                       {"role": "assistant", "content": "..."}])
    assert "last chat message" in str(info.value)


def test_bearer_token_via_api_key(secured_url: str) -> None:
    with pytest.raises(openai.AuthenticationError):
        _client(secured_url, api_key="wrong").models.list()
    completion = _client(secured_url, api_key="tok-123").chat.completions.create(
        model="advisor", messages=[{"role": "user", "content": LOBBY}])
    assert (completion.model_extra or {})["advisor"]["verdict"] == "prohibited"


def test_langchain_chat_openai_uses_the_advisor(base_url: str) -> None:
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    model = ChatOpenAI(model="advisor", base_url=f"{base_url}/v1", api_key=SecretStr("unused"),
                       max_retries=0, timeout=60)
    reply = model.invoke(LOBBY)
    assert isinstance(reply.content, str) and reply.content.startswith("**Verdict: Prohibited**")
    streamed = "".join(str(chunk.content) for chunk in model.stream(LOBBY))
    assert streamed == reply.content


def test_confirmed_facts_via_the_advisor_extension(base_url: str) -> None:
    completion = _client(base_url).chat.completions.create(
        model="advisor", messages=[{"role": "user", "content": LOBBY}],
        extra_body={"advisor": {"facts": {"actor": "law_enforcement", "timing": "real_time",
                                          "public_access": "yes"}}})
    advisor_json = (completion.model_extra or {})["advisor"]
    assert _verdicts(advisor_json)["eu-ai-act"] == "prohibited"
    assert advisor_json["facts"]["actor"]["status"] == "confirmed"
    assert "eu-ai-act-art5#5-1-h" in {c["chunk_id"] for c in advisor_json["citations"]}


def test_a_bad_fact_in_the_extension_is_422(base_url: str) -> None:
    with pytest.raises(openai.UnprocessableEntityError) as info:
        _client(base_url).chat.completions.create(
            model="advisor", messages=[{"role": "user", "content": LOBBY}],
            extra_body={"advisor": {"facts": {"timing": "soon"}}})
    assert "use one of: real_time, post, unknown" in str(info.value)
    with pytest.raises(openai.UnprocessableEntityError) as info:
        _client(base_url).chat.completions.create(
            model="advisor", messages=[{"role": "user", "content": LOBBY}],
            extra_body={"advisor": {"fact": {"timing": "post"}}})
    assert "advisor.fact" in str(info.value)
