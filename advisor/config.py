"""Settings: the one place that reads the environment (prefix ``ADVISOR_``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The corpus shipped inside the repository (``corpus/`` beside the package).
SHIPPED_CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def _default_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "advisor"


class Settings(BaseSettings):
    """Every setting of the advisor; read once from the environment and passed in."""

    model_config = SettingsConfigDict(env_prefix="ADVISOR_", extra="ignore", frozen=True)

    home: Path = Field(default_factory=_default_home, description="Data directory.")
    corpus: Path = Field(default=SHIPPED_CORPUS, description="Corpus folder to index.")

    # Vector store: embedded Chroma in ``home`` unless a server URL is given.
    chroma_url: str | None = Field(default=None, description="http://host:port of a Chroma server.")
    # A Chroma server that stops answering must not hold requests: every call is bounded by
    # these timeouts, and after a failure calls fail at once for ``chroma_retry_after``
    # seconds (the circuit breaker) before one call tries again.
    chroma_connect_timeout: float = Field(default=2.0, gt=0)
    chroma_read_timeout: float = Field(default=10.0, gt=0)
    chroma_retry_after: float = Field(default=15.0, gt=0)

    # Embeddings: the bundled WordLlama model, or an OpenAI-compatible endpoint.
    embeddings: Literal["wordllama", "openai"] = "wordllama"
    embeddings_model: str = "text-embedding-3-small"
    embeddings_base_url: str | None = None
    embeddings_api_key: str | None = None

    # Composer: offline (default, deterministic) or an OpenAI-compatible chat endpoint.
    composer: Literal["offline", "llm"] = "offline"
    llm_base_url: str | None = None
    llm_api_key: str | None = None
    llm_model: str = "gpt-4o-mini"
    llm_timeout: float = Field(default=30.0, gt=0)
    llm_max_retries: int = Field(default=1, ge=0, le=5)
    # How to ask for JSON: "auto" tries json_schema, then json_object, then the schema in the
    # prompt alone, remembering what the server accepted (older llama.cpp / Ollama builds).
    llm_structured_output: Literal["auto", "json_schema", "json_object", "prompt"] = "auto"
    # Which client drives the endpoint: the openai SDK, or LangChain's ChatOpenAI over it.
    llm_client: Literal["openai", "langchain"] = "openai"
    # Passages shown to the LLM composer (deciding clauses first); a small local model with a
    # short context answers better with fewer.
    llm_max_passages: int = Field(default=12, ge=1, le=50)
    # Who reads the facts: the rule reader (default), the LLM (rule reader where it is silent
    # or fails), or both (where they disagree the fact is left open and asked).
    facts_reader: Literal["rules", "llm", "both"] = "rules"

    # Retrieval.
    top_k: int = Field(default=6, ge=1, le=50)

    # API server.
    api_token: str | None = Field(default=None, description="Bearer token for /v1 routes.")
    cors_origins: list[str] = Field(default_factory=list)
    max_question_chars: int = Field(default=2000, ge=10)
    max_body_bytes: int = Field(default=64_000, ge=1024)
    # Hostile clients: a request head or body that takes longer than this is dropped (408),
    # and a request with more headers than this gets 431 (header bytes: uvicorn's h11 limit).
    header_timeout: float = Field(default=10.0, gt=0)
    max_headers: int = Field(default=100, ge=10)
    # Below this much free space in ``home`` health reports degraded (audit writes would fail).
    min_free_mb: int = Field(default=100, ge=0)
    # Memos exported from the chat: kept under ``home``/memos, the newest this many.
    memo_keep: int = Field(default=200, ge=1)

    @field_validator("chroma_url", "llm_base_url", "embeddings_base_url", "llm_api_key",
                     "api_token", "embeddings_api_key", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @property
    def index_dir(self) -> Path:
        """Where the Chroma index, BM25 state and manifest live."""
        return self.home / "index"

    @property
    def audit_db(self) -> Path:
        """The SQLite audit log."""
        return self.home / "audit.sqlite3"

    @property
    def feedback_db(self) -> Path:
        """Where chat feedback (thumbs up/down) is stored."""
        return self.home / "feedback.sqlite3"


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment, with explicit overrides on top."""
    return Settings(**overrides)  # type: ignore[arg-type]
