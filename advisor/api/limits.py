"""Request limits: body size (413) and question length (422), both naming the limit."""

from __future__ import annotations

import asyncio
import json
from typing import Any

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

    def __init__(self, app: ASGIApp, max_bytes: int, prefix: str = "/",
                 max_headers: int = 100, body_timeout: float = 10.0) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.prefix = prefix
        self.max_headers = max_headers
        self.body_timeout = body_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the header count and declared length, then count the bytes as they arrive."""
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        if len(scope.get("headers", ())) > self.max_headers:
            await _send_error(send, 431, "request_header_fields_too_large",
                              f"the request has {len(scope['headers'])} headers, over the limit "
                              f"of {self.max_headers}; send fewer")
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
            try:
                message = await asyncio.wait_for(receive(), self.body_timeout)
            except TimeoutError:
                await _send_error(send, 408, "request_timeout",
                                  f"the request body did not arrive within {self.body_timeout:g}"
                                  " s; send it at once")
                return
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


async def _send_error(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


def guarded_protocol(header_timeout: float) -> type[Any]:
    """uvicorn's HTTP/1.1 protocol, closing a connection whose request head is too slow.

    uvicorn bounds idle keep-alive connections but not a client that sends its headers a
    byte at a time; this closes the connection when no request head has arrived within
    ``header_timeout`` seconds of connecting or of the previous response.
    """
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class GuardedH11(H11Protocol):
        def connection_made(self, transport: Any) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm_head_deadline()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._arm_head_deadline()

        def _arm_head_deadline(self) -> None:
            armed = self.cycle
            self.loop.call_later(header_timeout, self._head_overdue, armed)

        def _head_overdue(self, armed: Any) -> None:
            idle = armed is None or armed.response_complete
            if self.cycle is armed and idle and not self.transport.is_closing():
                self.transport.close()

    return GuardedH11


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
