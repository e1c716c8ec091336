"""advisor: a policy advisor for AI-service terms.

Deterministic verdicts from policy packs, cited passages with verified quotes, and an
optional LLM composer that can explain a verdict but never change it.
"""

from advisor.config import Settings
from advisor.errors import (
    AdvisorError,
    ConfigError,
    CorpusError,
    InputError,
    LLMError,
    PackError,
    RetrievalError,
)
from advisor.schema import Answer, Citation, Facts, Passage, PolicyVerdict
from advisor.service import Advisor

__all__ = [
    "Advisor",
    "AdvisorError",
    "Answer",
    "Citation",
    "ConfigError",
    "CorpusError",
    "Facts",
    "InputError",
    "LLMError",
    "PackError",
    "Passage",
    "PolicyVerdict",
    "RetrievalError",
    "Settings",
]
