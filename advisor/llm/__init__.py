"""The optional LLM composer over any OpenAI-compatible chat endpoint.

``LLMComposer(chat_model)`` turns a ComposeRequest into a Draft; ``OpenAIChatModel`` and
``LangChainChatModel`` drive the endpoint; ``ScriptedOpenAIServer`` stands in for it in tests
and evals. Only this package imports the openai and langchain-openai SDKs.
"""

from advisor.llm.client import ChatModel, LangChainChatModel, OpenAIChatModel, chat_model
from advisor.llm.composer import LLMComposer
from advisor.llm.prompts import build_prompt
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
    "LangChainChatModel",
    "OpenAIChatModel",
    "RecordedRequest",
    "Reply",
    "ScriptedOpenAIServer",
    "build_prompt",
    "chat_model",
    "faithful",
    "faithful_answer",
]
