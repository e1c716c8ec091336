"""Request and response bodies of the HTTP API (requests forbid unknown keys)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from advisor.schema import Passage


class Turn(BaseModel):
    """One earlier turn of the conversation."""

    model_config = ConfigDict(extra="forbid")

    role: Literal["user", "assistant", "system"]
    content: str


class AskRequest(BaseModel):
    """Body of POST /v1/ask and POST /v1/check."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{
            "question": "Can a European agency use this on a fixed lobby camera?",
            "history": [], "as_of": "2025-06-01",
            "facts": {"actor": "law_enforcement", "timing": "real_time", "public_access": "yes"},
        }]},
    )

    question: str = Field(description="The question; follow-ups inherit facts from history.")
    history: list[Turn] = Field(default_factory=list, max_length=100,
                                description="Earlier turns, oldest first.")
    as_of: dt.date | None = Field(default=None, description="Judge as of this date (YYYY-MM-DD).")
    facts: dict[str, str | bool] = Field(
        default_factory=dict, max_length=32,
        description="Facts the user confirms, fact name -> value (e.g. {\"actor\": "
                    "\"law_enforcement\"}); they beat anything read from the question. "
                    "Values are the fact vocabulary's; country is an ISO alpha-2 code. An "
                    "unknown name or value is a 422 that lists the allowed ones.")


class SearchResponse(BaseModel):
    """Body of GET /v1/search."""

    query: str
    k: int
    results: list[Passage]


class DocumentList(BaseModel):
    """Body of GET /v1/documents."""

    documents: list[dict[str, Any]]


class ErrorDetail(BaseModel):
    """What went wrong, and what to do about it."""

    code: str
    message: str


class ErrorBody(BaseModel):
    """Every error response: ``{"error": {"code", "message"}}``."""

    error: ErrorDetail


# ----------------------------------------------------------------------------- OpenAI format


class ChatMessage(BaseModel):
    """An OpenAI chat message; content may be a string or a list of content parts."""

    # OpenAI clients send fields we do not use (name, tool_calls, ...): ignored, not refused.
    model_config = ConfigDict(extra="ignore")

    role: str
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        """The message's text, with content parts joined."""
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "\n".join(str(part.get("text", "")) for part in self.content
                         if part.get("type") in ("text", "input_text"))


class ChatExtension(BaseModel):
    """The advisor's own fields in a chat-completions body (``"advisor": {...}``)."""

    model_config = ConfigDict(extra="forbid")

    facts: dict[str, str | bool] = Field(
        default_factory=dict, max_length=32,
        description="Facts the user confirms, as in POST /v1/ask.")


class ChatCompletionRequest(BaseModel):
    """Body of POST /v1/chat/completions (the OpenAI chat format)."""

    # Unlike our own routes this one ignores unknown keys: OpenAI clients and LangChain send
    # sampling parameters (temperature, n, stream_options, ...) that mean nothing here.
    model_config = ConfigDict(extra="ignore")

    model: str = "advisor"
    messages: list[ChatMessage] = Field(min_length=1, max_length=200)
    stream: bool = False
    as_of: dt.date | None = Field(
        default=None, description="Extension: judge as of this date (pass via extra_body).")
    advisor: ChatExtension | None = Field(
        default=None, description="Extension (pass via extra_body): {\"facts\": {name: value}},"
                                  " facts the user confirms for this question.")


class ModelCard(BaseModel):
    """One entry of GET /v1/models."""

    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str = "advisor"


class ModelList(BaseModel):
    """Body of GET /v1/models."""

    object: Literal["list"] = "list"
    data: list[ModelCard]
