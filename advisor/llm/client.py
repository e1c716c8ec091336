"""Chat models: a small protocol and its OpenAI-compatible implementations.

``OpenAIChatModel`` drives any OpenAI-compatible chat-completions endpoint with the ``openai``
SDK; ``LangChainChatModel`` does the same through LangChain's ``ChatOpenAI``. Both ask for
structured JSON output and return it parsed and validated. Base URLs:

    OpenAI          (no base URL; ADVISOR_LLM_API_KEY=sk-...)  or https://api.openai.com/v1
    Azure OpenAI    https://<resource>.openai.azure.com/openai/v1/   (ADVISOR_LLM_MODEL is the
                    deployment name; ADVISOR_LLM_API_KEY the resource key)
    vLLM            http://localhost:8000/v1
    Ollama          http://localhost:11434/v1
    llama.cpp       http://localhost:8080/v1

Nothing reaches the network unless an endpoint is configured: with neither
ADVISOR_LLM_BASE_URL nor ADVISOR_LLM_API_KEY the constructors raise ConfigError. Vendor
errors are translated here: timeouts to LLMTimeout, connection and HTTP errors to LLMError
(naming the setting to check), unparseable or off-schema output to LLMResponseError.
"""

from __future__ import annotations

import json
import re
from typing import Any, Protocol, cast, runtime_checkable
from urllib.parse import urlparse

import openai
from pydantic import BaseModel, ValidationError

from advisor.config import Settings
from advisor.errors import ConfigError, LLMError, LLMResponseError, LLMTimeout

__all__ = ["ChatModel", "LangChainChatModel", "OpenAIChatModel", "chat_model", "parse_json"]

Schema = dict[str, Any] | type[BaseModel]
Messages = list[dict[str, str]]

#: Sent when the endpoint needs no key (local vLLM, Ollama, llama.cpp servers).
_PLACEHOLDER_KEY = "not-needed"
_OPENAI_URL = "https://api.openai.com/v1"
_AZURE_HOSTS = (".openai.azure.com", ".services.ai.azure.com", ".cognitiveservices.azure.com")
_MODES = ("json_schema", "json_object", "prompt")
#: Length limits OpenAI's strict mode does not take; local servers decode by them, so the
#: answer schema keeps them and they are dropped only for OpenAI and Azure OpenAI.
_UNSUPPORTED_STRICT = ("maxLength", "minLength")
_FENCE = re.compile(r"^```[a-zA-Z0-9_-]*\s*\n?(.*?)\n?```$", re.DOTALL)
_THINK = re.compile(r"^\s*<think>.*?</think>\s*", re.DOTALL)


@runtime_checkable
class ChatModel(Protocol):
    """A chat model that answers with JSON matching a schema."""

    name: str

    def complete(self, messages: Messages, *, schema: Schema,
                 max_tokens: int | None = None) -> dict[str, Any]:
        """Send ``messages``; return the reply parsed and validated against ``schema``.

        ``max_tokens`` caps the reply (sized to the answer expected, so a weak model that
        loops inside a string fails fast instead of running to the server's limit).
        """
        ...


# ----------------------------------------------------------------------------- helpers


def _check_configured(settings: Settings) -> None:
    if settings.llm_base_url is None and settings.llm_api_key is None:
        raise ConfigError(
            "The LLM composer has no endpoint: set ADVISOR_LLM_BASE_URL (for example "
            "http://localhost:11434/v1 for Ollama) and/or ADVISOR_LLM_API_KEY (for "
            "api.openai.com), or set ADVISOR_COMPOSER=offline."
        )


def _is_azure(base_url: str) -> bool:
    host = urlparse(base_url).hostname or ""
    return host.endswith(_AZURE_HOSTS)


def _is_hosted(base_url: str) -> bool:
    """OpenAI or Azure OpenAI (strict schemas there take a subset of JSON Schema)."""
    return _is_azure(base_url) or (urlparse(base_url).hostname or "") == "api.openai.com"


def _without(node: Any, keys: tuple[str, ...]) -> Any:
    """``node`` with ``keys`` removed at every level (length limits a strict server refuses)."""
    if isinstance(node, dict):
        return {k: _without(v, keys) for k, v in node.items() if k not in keys}
    if isinstance(node, list):
        return [_without(item, keys) for item in node]
    return node


def _schema_of(schema: Schema) -> dict[str, Any]:
    if isinstance(schema, dict):
        return schema
    return schema.model_json_schema()


def _schema_name(schema: Schema) -> str:
    if isinstance(schema, dict):
        raw = str(schema.get("title") or "answer")
    else:
        raw = schema.__name__
    return re.sub(r"[^a-zA-Z0-9_-]", "_", raw)[:64] or "answer"


def _is_strict(node: object) -> bool:
    """True when a JSON schema meets OpenAI's strict mode (closed objects, all required)."""
    if isinstance(node, list):
        return all(_is_strict(item) for item in node)
    if not isinstance(node, dict):
        return True
    if node.get("type") == "object" or "properties" in node:
        props = node.get("properties", {})
        if node.get("additionalProperties") is not False:
            return False
        if set(node.get("required", [])) != set(props):
            return False
    return all(_is_strict(value) for key, value in node.items() if key != "enum")


def _schema_instruction(schema: Schema) -> str:
    """The prompt text that asks for JSON matching ``schema`` (for servers without schemas)."""
    return ("Reply with one JSON object and nothing else (no prose, no code fence). "
            "It must match this JSON schema:\n" + json.dumps(_schema_of(schema), indent=1))


def parse_json(content: str | None, schema: Schema) -> dict[str, Any]:
    """Parse a model's reply as a JSON object and validate it against ``schema``.

    Tolerates what local models commonly wrap around JSON (a code fence, a leading
    ``<think>`` block, a sentence before the object); raises LLMResponseError otherwise.
    """
    if content is None or not content.strip():
        raise LLMResponseError("The LLM returned an empty message; check that ADVISOR_LLM_MODEL "
                               "supports JSON output, or use ADVISOR_COMPOSER=offline.")
    text = _THINK.sub("", content.strip())
    fenced = _FENCE.match(text.strip())
    if fenced:
        text = fenced.group(1)
    data = _loads_object(text)
    if data is None:
        raise LLMResponseError(
            f"The LLM did not return valid JSON (starts {content.strip()[:60]!r}); check that "
            "ADVISOR_LLM_MODEL can follow JSON instructions, or use ADVISOR_COMPOSER=offline."
        )
    return _validate(data, schema)


def _loads_object(text: str) -> dict[str, Any] | None:
    candidates = [text]
    first, last = text.find("{"), text.rfind("}")
    if 0 <= first < last:
        candidates.append(text[first:last + 1])
    for candidate in candidates:
        try:
            data = json.loads(candidate)
        except json.JSONDecodeError:
            continue
        if isinstance(data, dict):
            return data
    return None


def _validate(data: dict[str, Any], schema: Schema) -> dict[str, Any]:
    if not isinstance(schema, dict):
        try:
            return schema.model_validate(data).model_dump(mode="json", by_alias=True)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "(root)"
            raise LLMResponseError(
                f"The LLM's JSON does not match the answer schema ({exc.error_count()} "
                f"error(s), first at {where}: {first['msg']}); try a stronger "
                "ADVISOR_LLM_MODEL or ADVISOR_COMPOSER=offline."
            ) from exc
    import jsonschema  # a dependency of chromadb; only needed for dict schemas

    try:
        jsonschema.validate(data, schema)
    except jsonschema.ValidationError as exc:
        where = ".".join(str(p) for p in exc.absolute_path) or "(root)"
        raise LLMResponseError(
            f"The LLM's JSON does not match the answer schema (at {where}: {exc.message}); "
            "try a stronger ADVISOR_LLM_MODEL or ADVISOR_COMPOSER=offline."
        ) from exc
    return data


def _status_message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])[:200]
    return str(exc.message)[:200]


def _translate(exc: openai.OpenAIError, *, base_url: str, timeout: float) -> LLMError:
    """Map an openai SDK exception to the advisor's LLMError family."""
    if isinstance(exc, openai.APITimeoutError):
        return LLMTimeout(
            f"The LLM endpoint {base_url} did not answer within {timeout:g}s; raise "
            "ADVISOR_LLM_TIMEOUT, check the server at ADVISOR_LLM_BASE_URL, or use "
            "ADVISOR_COMPOSER=offline."
        )
    if isinstance(exc, openai.APIConnectionError):
        return LLMError(
            f"Could not reach the LLM endpoint {base_url}; check ADVISOR_LLM_BASE_URL (it "
            "should end in /v1) and that the server is running."
        )
    if isinstance(exc, openai.APIStatusError):
        code, detail = exc.status_code, _status_message(exc)
        if code in (401, 403):
            hint = "check ADVISOR_LLM_API_KEY"
        elif code == 404:
            hint = ("check ADVISOR_LLM_MODEL (for Azure OpenAI: the deployment name) and "
                    "ADVISOR_LLM_BASE_URL (it should end in /v1)")
        elif code == 429:
            hint = ("the endpoint is rate limiting or out of quota; wait and retry, raise the "
                    "quota, or raise ADVISOR_LLM_MAX_RETRIES")
        elif code >= 500:
            hint = "the server behind ADVISOR_LLM_BASE_URL failed; try again later"
        else:
            hint = ("check that ADVISOR_LLM_MODEL exists on ADVISOR_LLM_BASE_URL and accepts "
                    "chat completions with JSON output")
        return LLMError(f"The LLM endpoint answered HTTP {code} ({detail}); {hint}.")
    return LLMError(f"The LLM call failed ({type(exc).__name__}: {exc}); check "
                    "ADVISOR_LLM_BASE_URL, ADVISOR_LLM_API_KEY and ADVISOR_LLM_MODEL.")


def _with_instruction(messages: Messages, schema: Schema) -> Messages:
    """Put the schema into the system message (json_object and prompt-only modes)."""
    instruction = _schema_instruction(schema)
    out = [dict(m) for m in messages]
    if out and out[0].get("role") == "system":
        out[0]["content"] = f"{out[0]['content']}\n\n{instruction}"
    else:
        out.insert(0, {"role": "system", "content": instruction})
    return out


# ----------------------------------------------------------------------------- openai SDK


class OpenAIChatModel:
    """A ChatModel over any OpenAI-compatible chat-completions endpoint (openai SDK)."""

    def __init__(self, settings: Settings) -> None:
        _check_configured(settings)
        self.name = settings.llm_model
        self.base_url = settings.llm_base_url or _OPENAI_URL
        self.timeout = settings.llm_timeout
        self.mode: str = settings.llm_structured_output
        key = settings.llm_api_key or _PLACEHOLDER_KEY
        headers = {"api-key": key} if _is_azure(self.base_url) and settings.llm_api_key else None
        self._client = openai.OpenAI(
            base_url=self.base_url, api_key=key, timeout=settings.llm_timeout,
            max_retries=settings.llm_max_retries, default_headers=headers,
        )

    def complete(self, messages: Messages, *, schema: Schema,
                 max_tokens: int | None = None) -> dict[str, Any]:
        """Send ``messages``; return the reply parsed and validated against ``schema``."""
        modes = _MODES if self.mode == "auto" else (self.mode,)
        for i, mode in enumerate(modes):
            try:
                content = self._create(messages, schema, mode, max_tokens)
            except (openai.BadRequestError, openai.UnprocessableEntityError) as exc:
                if i + 1 < len(modes):
                    continue  # the server does not take this response_format; try the next
                raise _translate(exc, base_url=self.base_url, timeout=self.timeout) from exc
            except openai.OpenAIError as exc:
                raise _translate(exc, base_url=self.base_url, timeout=self.timeout) from exc
            if self.mode == "auto":
                self.mode = mode  # remember what the server accepted
            return parse_json(content, schema)
        raise AssertionError("unreachable: the mode loop returns or raises")

    def _create(self, messages: Messages, schema: Schema, mode: str,
                max_tokens: int | None) -> str | None:
        kwargs: dict[str, Any] = {}
        if max_tokens is not None:
            kwargs["max_tokens"] = max_tokens
        if mode == "json_schema":
            spec = _schema_of(schema)
            strict = _is_strict(spec)
            if strict and _is_hosted(self.base_url):
                spec = _without(spec, _UNSUPPORTED_STRICT)
            kwargs["response_format"] = {"type": "json_schema", "json_schema": {
                "name": _schema_name(schema), "schema": spec, "strict": strict}}
            sent = messages
        else:
            if mode == "json_object":
                kwargs["response_format"] = {"type": "json_object"}
            sent = _with_instruction(messages, schema)
        response = self._client.chat.completions.create(
            model=self.name, messages=cast(Any, sent), temperature=0, **kwargs,
        )
        if not response.choices:
            raise LLMResponseError("The LLM returned no choices; check ADVISOR_LLM_MODEL.")
        choice = response.choices[0]
        if choice.finish_reason == "length":
            raise LLMResponseError("The LLM's answer was cut off at its token limit; use a model "
                                   "with a longer output limit in ADVISOR_LLM_MODEL.")
        if choice.message.refusal:
            raise LLMResponseError(f"The LLM refused to answer ({choice.message.refusal[:120]}); "
                                   "use ADVISOR_COMPOSER=offline for this question.")
        return choice.message.content


# ----------------------------------------------------------------------------- LangChain


class LangChainChatModel:
    """A ChatModel over LangChain's ``ChatOpenAI`` (same endpoints, same settings)."""

    def __init__(self, settings: Settings) -> None:
        _check_configured(settings)
        from langchain_openai import ChatOpenAI  # LangChain is optional on this path

        self.name = settings.llm_model
        self.base_url = settings.llm_base_url or _OPENAI_URL
        self.timeout = settings.llm_timeout
        self.method = ("json_mode" if settings.llm_structured_output in ("json_object", "prompt")
                       else "json_schema")
        key = settings.llm_api_key or _PLACEHOLDER_KEY
        headers = {"api-key": key} if _is_azure(self.base_url) and settings.llm_api_key else None
        self._llm = ChatOpenAI(
            model=settings.llm_model, base_url=self.base_url, api_key=cast(Any, key),
            timeout=settings.llm_timeout, max_retries=settings.llm_max_retries,
            temperature=0, default_headers=headers,
        )

    def complete(self, messages: Messages, *, schema: Schema,
                 max_tokens: int | None = None) -> dict[str, Any]:
        """Send ``messages``; return the reply parsed and validated against ``schema``."""
        from langchain_core.exceptions import OutputParserException

        spec = dict(_schema_of(schema))
        spec.setdefault("title", _schema_name(schema))
        sent = messages if self.method == "json_schema" else _with_instruction(messages, schema)
        strict = (_is_strict(spec) or None) if self.method == "json_schema" else None
        llm = (self._llm if max_tokens is None
               else self._llm.model_copy(update={"max_tokens": max_tokens}))
        runnable = llm.with_structured_output(spec, method=cast(Any, self.method),
                                              strict=strict)
        try:
            data = runnable.invoke([(m["role"], m["content"]) for m in sent])
        except openai.OpenAIError as exc:
            raise _translate(exc, base_url=self.base_url, timeout=self.timeout) from exc
        except (OutputParserException, json.JSONDecodeError, ValueError) as exc:
            raise LLMResponseError(
                "The LLM did not return valid JSON through LangChain; check that "
                "ADVISOR_LLM_MODEL can produce structured output, or use "
                "ADVISOR_COMPOSER=offline."
            ) from exc
        if not isinstance(data, dict):
            raise LLMResponseError("The LLM's structured output was not a JSON object; try a "
                                   "stronger ADVISOR_LLM_MODEL or ADVISOR_COMPOSER=offline.")
        return _validate(data, schema)


def chat_model(settings: Settings) -> ChatModel:
    """The chat model the settings ask for (``ADVISOR_LLM_CLIENT``: openai or langchain)."""
    if settings.llm_client == "langchain":
        return LangChainChatModel(settings)
    return OpenAIChatModel(settings)
