"""The optional LLM composer over any OpenAI-compatible chat endpoint.

``LLMComposer(chat_model)`` turns a ComposeRequest into a Draft; ``OpenAIChatModel`` and
``LangChainChatModel`` drive the endpoint; ``ScriptedOpenAIServer`` stands in for it in tests
and evals. Only this package imports the openai and langchain-openai SDKs.

Configuration (environment, prefix ``ADVISOR_``)::

    ADVISOR_COMPOSER=llm
    ADVISOR_LLM_BASE_URL=http://localhost:11434/v1      # Ollama; vLLM :8000/v1, llama.cpp :8080/v1
    ADVISOR_LLM_BASE_URL=https://<resource>.openai.azure.com/openai/v1/   # Azure OpenAI
    ADVISOR_LLM_API_KEY=...                              # OpenAI / Azure; local servers need none
    ADVISOR_LLM_MODEL=gpt-4o-mini                        # Azure: the deployment name
    ADVISOR_LLM_TIMEOUT=30  ADVISOR_LLM_MAX_RETRIES=1
    ADVISOR_LLM_STRUCTURED_OUTPUT=auto   # json_schema, then json_object, then prompt-only
    ADVISOR_LLM_CLIENT=openai            # or langchain (ChatOpenAI)

    ADVISOR_FACTS_READER=both            # the model reads facts too (llm.reader)
    ADVISOR_LLM_MAX_PASSAGES=12          # fewer for a small local model
Whatever the model says, the guardrail keeps the engine's verdicts; any LLMError makes the
pipeline serve the offline answer with the reason in ``guardrail.notes``.
"""

from advisor.llm.client import ChatModel, LangChainChatModel, OpenAIChatModel, chat_model
from advisor.llm.composer import LLMComposer
from advisor.llm.prompts import build_prompt
from advisor.llm.reader import LLMFactReader, fact_reader, merge_facts
from advisor.llm.scripted import (
    RecordedRequest,
    Reply,
    ScriptedOpenAIServer,
    faithful,
    faithful_answer,
)

__all__ = [
    "ChatModel",
    "LLMComposer",
    "LLMFactReader",
    "LangChainChatModel",
    "OpenAIChatModel",
    "RecordedRequest",
    "Reply",
    "ScriptedOpenAIServer",
    "build_prompt",
    "chat_model",
    "fact_reader",
    "faithful",
    "faithful_answer",
    "merge_facts",
]
