"""The advisor's exceptions, split by who has to act.

    AdvisorError                 anything the advisor reports to a user
    ├── ConfigError              the operator: a setting or environment variable is wrong
    ├── CorpusError              the operator: a corpus file or policy pack is malformed
    │   └── PackError            a policy pack (rules.yaml) does not validate
    ├── InputError               the caller: a question, date or request is unusable
    ├── RetrievalError           the runtime: the index or a Chroma server failed
    ├── AuditError               the runtime: an answer could not be recorded (never served)
    └── LLMError                 the runtime: the chat endpoint failed or answered badly
        ├── LLMTimeout
        └── LLMResponseError

Every message says what to do next. Vendor exceptions are translated at the adapter
boundary (``raise RetrievalError(...) from exc``) and never reach the shells.
"""

from __future__ import annotations


class AdvisorError(Exception):
    """Base class of every error the advisor reports to a user."""

    code = "advisor_error"


class ConfigError(AdvisorError):
    """A setting or environment variable is missing or invalid."""

    code = "config_error"


class CorpusError(AdvisorError):
    """A corpus file cannot be read or parsed; names the file and line."""

    code = "corpus_error"

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None):
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        super().__init__(f"{where}{message}")
        self.path = path
        self.line = line


class PackError(CorpusError):
    """A policy pack does not validate."""

    code = "pack_error"


class InputError(AdvisorError):
    """The caller's input (question, date, request) is unusable."""

    code = "input_error"


class RetrievalError(AdvisorError):
    """The index or the Chroma server could not answer."""

    code = "retrieval_error"


class AuditError(AdvisorError):
    """An answer could not be written to the audit log, so it is not served."""

    code = "audit_unavailable"


class LLMError(AdvisorError):
    """The LLM endpoint failed or returned something unusable."""

    code = "llm_error"


class LLMTimeout(LLMError):
    """The LLM endpoint did not answer in time."""

    code = "llm_timeout"


class LLMResponseError(LLMError):
    """The LLM answered, but not with the structured output we asked for."""

    code = "llm_response_error"
