"""The chat models over real HTTP: structured output, fallbacks, and translated errors."""

from __future__ import annotations

import json
import time

import pytest
from pydantic import BaseModel, ConfigDict

from advisor.config import load_settings
from advisor.errors import ConfigError, LLMError, LLMResponseError, LLMTimeout
from advisor.llm import (
    ChatModel,
    LangChainChatModel,
    OpenAIChatModel,
    Reply,
    ScriptedOpenAIServer,
    chat_model,
)
from advisor.llm.client import parse_json

from .conftest import MODEL, llm_settings

MESSAGES = [{"role": "system", "content": "You answer in JSON."},
            {"role": "user", "content": "Give x."}]


class Point(BaseModel):
    model_config = ConfigDict(extra="forbid")

    x: int
    label: str


GOOD = {"x": 3, "label": "three"}


def _model(server: ScriptedOpenAIServer, **overrides: object) -> OpenAIChatModel:
    return OpenAIChatModel(llm_settings(server, **overrides))


# ----------------------------------------------------------------------------- configuration


def test_no_endpoint_and_no_key_is_a_config_error_naming_the_variables(advisor_home) -> None:
    settings = load_settings(composer="llm")
    for cls in (OpenAIChatModel, LangChainChatModel):
        with pytest.raises(ConfigError) as caught:
            cls(settings)
        assert "ADVISOR_LLM_BASE_URL" in str(caught.value)
        assert "ADVISOR_LLM_API_KEY" in str(caught.value)


def test_a_local_server_needs_no_key(server: ScriptedOpenAIServer) -> None:
    server.add(Reply.json(GOOD))
    model = _model(server, llm_api_key=None)
    assert model.complete(MESSAGES, schema=Point) == GOOD
    assert server.chat_requests[0].headers["authorization"] == "Bearer not-needed"


def test_chat_model_picks_the_client_from_settings(server: ScriptedOpenAIServer) -> None:
    assert isinstance(chat_model(llm_settings(server)), OpenAIChatModel)
    langchain = chat_model(llm_settings(server, llm_client="langchain"))
    assert isinstance(langchain, LangChainChatModel)
    assert isinstance(langchain, ChatModel)
    assert langchain.name == MODEL


def test_a_key_alone_means_api_openai_com_whatever_openai_env_says(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # must not leak in
    model = OpenAIChatModel(load_settings(llm_api_key="sk-test"))
    assert str(model._client.base_url) == "https://api.openai.com/v1/"
    assert model._client.api_key == "sk-test"


def test_azure_endpoints_also_get_the_api_key_header() -> None:
    settings = load_settings(llm_base_url="https://contoso.openai.azure.com/openai/v1/",
                             llm_api_key="azure-key", llm_model="my-deployment")
    model = OpenAIChatModel(settings)
    assert model._client.default_headers["api-key"] == "azure-key"
    assert str(model._client.base_url) == "https://contoso.openai.azure.com/openai/v1/"
    plain = OpenAIChatModel(load_settings(llm_base_url="http://localhost:8000/v1",
                                          llm_api_key="k"))
    assert "api-key" not in plain._client.default_headers


# ----------------------------------------------------------------------------- structured output


def test_good_json_is_parsed_and_the_request_asks_for_the_schema(
    server: ScriptedOpenAIServer,
) -> None:
    server.add(Reply.json(GOOD))
    model = _model(server)
    assert model.complete(MESSAGES, schema=Point) == GOOD
    body = server.chat_requests[0].body
    assert body["model"] == MODEL
    assert body["messages"] == MESSAGES
    assert body["temperature"] == 0
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["name"] == "Point"
    assert fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["schema"]["required"] == ["x", "label"]


def test_a_dict_schema_is_validated_with_json_schema(server: ScriptedOpenAIServer) -> None:
    schema = {"type": "object", "properties": {"x": {"type": "integer"}}, "required": ["x"]}
    server.add(Reply.json({"x": 1}), Reply.json({"x": "one"}))
    model = _model(server)
    assert model.complete(MESSAGES, schema=schema) == {"x": 1}
    assert server.chat_requests[0].body["response_format"]["json_schema"]["strict"] is False
    with pytest.raises(LLMResponseError, match="at x"):
        model.complete(MESSAGES, schema=schema)


def test_a_server_without_json_schema_falls_back_to_json_object(
    server: ScriptedOpenAIServer,
) -> None:
    server.add(Reply.error(400, "response_format type json_schema is not supported"),
               Reply.json(GOOD), Reply.json(GOOD))
    model = _model(server)
    assert model.complete(MESSAGES, schema=Point) == GOOD
    first, second = server.chat_requests
    assert first.body["response_format"]["type"] == "json_schema"
    assert second.body["response_format"] == {"type": "json_object"}
    system = second.messages[0]["content"]
    assert system.startswith("You answer in JSON.")
    assert '"label"' in system and "JSON schema" in system  # the schema rides in the prompt
    # The model remembers what worked: the next call goes straight to json_object.
    assert model.complete(MESSAGES, schema=Point) == GOOD
    assert server.chat_requests[2].body["response_format"] == {"type": "json_object"}


def test_prompt_mode_sends_no_response_format(server: ScriptedOpenAIServer) -> None:
    server.add(Reply.text("Sure! Here it is:\n" + json.dumps(GOOD)))
    model = _model(server, llm_structured_output="prompt")
    assert model.complete(MESSAGES, schema=Point) == GOOD
    assert "response_format" not in server.chat_requests[0].body


def test_a_fixed_mode_does_not_fall_back(server: ScriptedOpenAIServer) -> None:
    server.add(Reply.error(400, "unsupported response_format"))
    with pytest.raises(LLMError, match="HTTP 400"):
        _model(server, llm_structured_output="json_schema").complete(MESSAGES, schema=Point)
    assert len(server.chat_requests) == 1


@pytest.mark.parametrize("content", [
    "```json\n" + json.dumps(GOOD) + "\n```",
    "<think>the user wants x</think>\n" + json.dumps(GOOD),
    "  " + json.dumps(GOOD) + "\n",
])
def test_common_wrappers_around_json_are_tolerated(content: str) -> None:
    assert parse_json(content, Point) == GOOD


@pytest.mark.parametrize("content", ["", "not json at all", "{\"x\": 3, \"label\": ", "[1, 2]"])
def test_invalid_json_is_a_response_error(content: str) -> None:
    with pytest.raises(LLMResponseError):
        parse_json(content, Point)


def test_invalid_json_over_http_is_a_response_error(server: ScriptedOpenAIServer) -> None:
    server.add(Reply.text("I cannot answer that in JSON, sorry."))
    with pytest.raises(LLMResponseError, match="valid JSON"):
        _model(server).complete(MESSAGES, schema=Point)


def test_schema_mismatch_is_a_response_error(server: ScriptedOpenAIServer) -> None:
    server.add(Reply.json({"x": "three", "label": "three"}))
    with pytest.raises(LLMResponseError, match="does not match the answer schema"):
        _model(server).complete(MESSAGES, schema=Point)


def test_a_truncated_answer_is_a_response_error(server: ScriptedOpenAIServer) -> None:
    server.add(Reply.text('{"x": 3, "lab', finish_reason="length"))
    with pytest.raises(LLMResponseError, match="cut off"):
        _model(server).complete(MESSAGES, schema=Point)


# ----------------------------------------------------------------------------- errors


@pytest.mark.parametrize(("status", "setting"), [
    (500, "ADVISOR_LLM_BASE_URL"), (503, "ADVISOR_LLM_BASE_URL"),
    (429, "ADVISOR_LLM_MAX_RETRIES"), (401, "ADVISOR_LLM_API_KEY"),
    (403, "ADVISOR_LLM_API_KEY"), (404, "ADVISOR_LLM_MODEL"),
])
def test_http_errors_become_llm_errors_naming_the_setting(
    server: ScriptedOpenAIServer, status: int, setting: str
) -> None:
    server.add(Reply.error(status, "scripted failure"))
    with pytest.raises(LLMError) as caught:
        _model(server).complete(MESSAGES, schema=Point)
    assert type(caught.value) is LLMError
    message = str(caught.value)
    assert f"HTTP {status}" in message
    assert "scripted failure" in message
    assert setting in message
    assert caught.value.__cause__ is not None  # translated with `raise ... from exc`


def test_a_timeout_is_llm_timeout(server: ScriptedOpenAIServer) -> None:
    server.add(Reply.slow(5.0, GOOD))
    began = time.monotonic()
    with pytest.raises(LLMTimeout) as caught:
        _model(server, llm_timeout=0.3).complete(MESSAGES, schema=Point)
    assert time.monotonic() - began < 3.0
    assert "ADVISOR_LLM_TIMEOUT" in str(caught.value)


def test_an_unreachable_endpoint_names_the_base_url_setting() -> None:
    probe = ScriptedOpenAIServer([])
    url = probe.base_url
    probe.close()  # the port is free again: nothing listens there
    model = OpenAIChatModel(load_settings(llm_base_url=url, llm_max_retries=0, llm_timeout=1))
    with pytest.raises(LLMError, match="ADVISOR_LLM_BASE_URL") as caught:
        model.complete(MESSAGES, schema=Point)
    assert not isinstance(caught.value, LLMTimeout)


def test_retries_follow_the_setting(server: ScriptedOpenAIServer) -> None:
    fast = {"retry-after-ms": "10"}  # keep the SDK's back-off short
    server.add(Reply.error(500, "flaky", headers=fast), Reply.error(429, "busy", headers=fast),
               Reply.json(GOOD))
    assert _model(server, llm_max_retries=2).complete(MESSAGES, schema=Point) == GOOD
    assert len(server.chat_requests) == 3


# ----------------------------------------------------------------------------- LangChain


def test_langchain_model_returns_validated_json(server: ScriptedOpenAIServer) -> None:
    server.add(Reply.json(GOOD))
    model = LangChainChatModel(llm_settings(server))
    assert model.complete(MESSAGES, schema=Point) == GOOD
    body = server.chat_requests[0].body
    assert body["model"] == MODEL
    assert body["response_format"]["type"] == "json_schema"
    assert [m["content"] for m in body["messages"]] == [m["content"] for m in MESSAGES]


def test_langchain_json_mode_puts_the_schema_in_the_prompt(server: ScriptedOpenAIServer) -> None:
    server.add(Reply.json(GOOD))
    model = LangChainChatModel(llm_settings(server, llm_structured_output="json_object"))
    assert model.complete(MESSAGES, schema=Point) == GOOD
    body = server.chat_requests[0].body
    assert body["response_format"] == {"type": "json_object"}
    assert "JSON schema" in body["messages"][0]["content"]


def test_langchain_errors_are_translated(server: ScriptedOpenAIServer) -> None:
    server.add(Reply.text("no json here"), Reply.json({"x": 1}), Reply.error(500, "down"),
               Reply.error(401, "bad key"), Reply.slow(5.0, GOOD))
    model = LangChainChatModel(llm_settings(server, llm_timeout=0.3))
    with pytest.raises(LLMResponseError):
        model.complete(MESSAGES, schema=Point)
    with pytest.raises(LLMResponseError, match="answer schema"):
        model.complete(MESSAGES, schema=Point)
    with pytest.raises(LLMError, match="HTTP 500"):
        model.complete(MESSAGES, schema=Point)
    with pytest.raises(LLMError, match="ADVISOR_LLM_API_KEY"):
        model.complete(MESSAGES, schema=Point)
    with pytest.raises(LLMTimeout):
        model.complete(MESSAGES, schema=Point)
