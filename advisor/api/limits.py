"""Request limits: body size (413) and question length (422), both naming the limit."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from advisor.errors import InputError


def _body(limit: int) -> bytes:
    message = (f"the request body is larger than the limit of {limit} bytes; send a shorter "
               "question or history (the limit is ADVISOR_MAX_BODY_BYTES)")
    return json.dumps({"error": {"code": "payload_too_large", "message": message}}).encode()


class BodyLimit:
    """ASGI middleware: refuse bodies over ``max_bytes`` with 413, declared or streamed.

    Every route: the API's and the chat's (Gradio's queue takes the same small questions).
    """

    def __init__(self, app: ASGIApp, max_bytes: int, prefix: str = "/") -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the declared length, then count the bytes as they arrive."""
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > self.max_bytes:
                    await self._refuse(send)
                    return
        # Read the (small, bounded) body up front so an over-long one never reaches a route.
        chunks: list[bytes] = []
        received = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            received += len(body)
            if received > self.max_bytes:
                await self._refuse(send)
                return
            chunks.append(body)
            more = message.get("more_body", False)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        body = _body(self.max_bytes)
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


def check_question(question: str, max_chars: int) -> str:
    """The question, stripped; InputError when empty or longer than ``max_chars``."""
    text = question.strip()
    if not text:
        raise InputError("the question is empty; ask about a use of an AI service, e.g. "
                         "'Can a European agency use this on a fixed lobby camera?'")
    if len(text) > max_chars:
        raise InputError(f"the question has {len(text)} characters, over the limit of "
                         f"{max_chars}; shorten it (the limit is ADVISOR_MAX_QUESTION_CHARS)")
    return text
