"""The OpenAI-compatible surface: POST /v1/chat/completions and GET /v1/models.

The last user message is the question and earlier user/assistant turns are its history;
the answer's text is the message content, and the structured answer rides along in the
extra top-level field ``advisor`` (the answer JSON). Facts the user confirms go in the
request's extension field ``"advisor": {"facts": {...}}`` (``extra_body`` in the openai
package). Streaming sends the finished answer
as SSE chunks (the engine answers at once; there is nothing to stream token by token).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Response
from fastapi.responses import StreamingResponse

from advisor.api.deps import AdvisorDep, SettingsDep, require_token
from advisor.api.limits import check_question
from advisor.api.models import ChatCompletionRequest, ErrorBody, ModelCard, ModelList
from advisor.errors import InputError
from advisor.memo import VERDICT_WORDS
from advisor.schema import Answer

MODEL_ID = "advisor"
_CREATED = int(time.time())

router = APIRouter(
    prefix="/v1", dependencies=[Depends(require_token)], tags=["openai"],
    responses={code: {"model": ErrorBody} for code in (401, 404, 413, 422, 500)},
)


def _split(body: ChatCompletionRequest) -> tuple[str, list[dict[str, str]]]:
    """The question (last user message) and the history before it."""
    turns = [(m.role, m.text()) for m in body.messages if m.role in ("user", "assistant")]
    if not turns or turns[-1][0] != "user":
        raise InputError("the last chat message must come from the user and hold the question")
    history = [{"role": role, "content": text} for role, text in turns[:-1]]
    return turns[-1][1], history


def chat_text(answer: Answer) -> str:
    """The answer as chat Markdown: verdicts first, the answer, then numbered sources."""
    lines: list[str] = []
    if answer.policies:
        per = "; ".join(f"{p.policy}: {VERDICT_WORDS.get(p.verdict, p.verdict)}"
                        for p in answer.policies)
        lines.append(f"**Verdict: {VERDICT_WORDS.get(answer.verdict, answer.verdict)}** ({per})")
        lines.append("")
    lines.append(answer.answer.strip())
    if answer.citations:
        lines += ["", "Sources:"]
        for cite in answer.citations:
            where = f"{cite.title}, {cite.section}" if cite.section else cite.title
            lines.append(f'[{cite.n}] {where}: "{cite.quote.strip()}"')
    return "\n".join(lines).strip()


def _completion(answer: Answer, text: str) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{answer.trace_id or int(time.time() * 1000)}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL_ID,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                     "finish_reason": "stop", "logprobs": None}],
        "advisor": answer.model_dump(mode="json"),
    }


def _pieces(text: str, size: int = 120) -> Iterator[str]:
    """Split ``text`` into stream pieces at line or word boundaries (nothing lost)."""
    start = 0
    while start < len(text):
        end = min(start + size, len(text))
        if end < len(text):
            cut = max(text.rfind("\n", start, end), text.rfind(" ", start, end))
            if cut > start:
                end = cut + 1
        yield text[start:end]
        start = end


def _stream(answer: Answer, text: str) -> Iterator[str]:
    base = {"id": f"chatcmpl-{answer.trace_id or int(time.time() * 1000)}",
            "object": "chat.completion.chunk", "created": int(time.time()), "model": MODEL_ID}

    def event(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        chunk = {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish,
                                      "logprobs": None}], **extra}
        return f"data: {json.dumps(chunk)}\n\n"

    yield event({"role": "assistant", "content": ""})
    for piece in _pieces(text):
        yield event({"content": piece})
    yield event({}, "stop", advisor=answer.model_dump(mode="json"))
    yield "data: [DONE]\n\n"


@router.post("/chat/completions", summary="OpenAI-compatible chat (model 'advisor')")
def chat_completions(body: ChatCompletionRequest, advisor: AdvisorDep,
                     settings: SettingsDep) -> Response:
    """Answer the last user message in the OpenAI chat format, streamed or not."""
    if body.model != MODEL_ID:
        raise HTTPException(status_code=404,
                            detail=f"model '{body.model}' does not exist here; use '{MODEL_ID}'")
    question, history = _split(body)
    question = check_question(question, settings.max_question_chars)
    facts = body.advisor.facts if body.advisor is not None else None
    answer = advisor.ask(question, history=history, as_of=body.as_of, facts=facts or None)
    text = chat_text(answer)
    if body.stream:
        return StreamingResponse(_stream(answer, text), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache"})
    return Response(json.dumps(_completion(answer, text)), media_type="application/json")


@router.get("/models", response_model=ModelList, summary="The models this server offers")
def models() -> ModelList:
    """The one model: ``advisor``."""
    return ModelList(data=[ModelCard(id=MODEL_ID, created=_CREATED)])
