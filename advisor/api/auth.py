"""One token for the whole server: the /v1 API, the OpenAI route and every route of the chat.

With ``ADVISOR_API_TOKEN`` set, every request must carry either ``Authorization: Bearer
<token>`` or the session cookie that ``POST /login`` sets (HttpOnly, SameSite=Strict). The
cookie holds an HMAC of the token, never the token, so it stops working when the token
changes. Only ``/v1/health`` and the login form itself are open. A browser asking for a page
without a session is sent to ``/login``; anything else gets a 401 that says what to send.

Gradio's upload route is refused whether or not a token is set: no feature of the chat
uploads files.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Receive, Scope, Send

COOKIE = "advisor_session"

#: Paths anyone may reach: liveness, and the login form.
OPEN_PATHS = frozenset({"/v1/health", "/login"})

#: Gradio's upload route (mounted at /): refused, uploads are off.
UPLOAD_PATHS = ("/gradio_api/upload", "/upload")

_LOGIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Policy Advisor: sign in</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;max-width:26rem;margin:4rem auto;padding:0 1rem}}
input{{width:100%;padding:.5rem;margin:.5rem 0;box-sizing:border-box}}
.error{{color:#b00020}}</style></head>
<body><h1>Policy Advisor</h1><p>This server asks for its access token
(ADVISOR_API_TOKEN).</p>{error}
<form method="post" action="/login"><label for="token">Access token</label>
<input id="token" name="token" type="password" autocomplete="current-password" autofocus>
<input type="submit" value="Sign in"></form></body></html>
"""


def session_value(token: str) -> str:
    """The cookie value for ``token``: an HMAC, so the cookie never carries the token."""
    return hmac.new(token.encode(), b"advisor-session-v1", hashlib.sha256).hexdigest()


def _json(status: int, code: str, message: str,
          extra: list[tuple[bytes, bytes]] | None = None) -> tuple[int, list[tuple[bytes, bytes]],
                                                                    bytes]:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    headers = [(b"content-type", b"application/json"),
               (b"content-length", str(len(body)).encode()), *(extra or [])]
    return status, headers, body


class TokenGate:
    """ASGI middleware: the token on every route (see the module docstring)."""

    def __init__(self, app: ASGIApp, token: str | None, max_form_bytes: int = 4096) -> None:
        self.app = app
        self.token = token
        self.cookie = session_value(token) if token else ""
        self.max_form_bytes = max_form_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse uploads, serve /login, and check the token on everything else."""
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if self.token is None:
            if path == "/login":
                await _respond(send, 303, [(b"location", b"/"), (b"content-length", b"0")], b"")
                return
            await self._pass(scope, receive, send)
            return
        if path == "/login" and scope["type"] == "http":
            await self._login(scope, receive, send)
            return
        if path in OPEN_PATHS or self._authorised(scope):
            await self._pass(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        headers = dict(scope.get("headers", ()))
        wants_page = scope.get("method") == "GET" and b"text/html" in headers.get(b"accept", b"")
        if wants_page:
            await _respond(send, 303, [(b"location", b"/login"), (b"content-length", b"0")], b"")
            return
        await _respond(send, *_json(
            401, "unauthorized", "this server needs its token: send 'Authorization: Bearer "
            "<ADVISOR_API_TOKEN>', or sign in at /login for the chat",
            [(b"www-authenticate", b"Bearer")]))

    async def _pass(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].rstrip("/").endswith(UPLOAD_PATHS):
            await _respond(send, *_json(
                403, "forbidden", "uploads are off: no feature of the advisor's chat takes "
                "files; paste the question as text"))
            return
        await self.app(scope, receive, send)

    def _authorised(self, scope: Scope) -> bool:
        assert self.token is not None
        for name, value in scope.get("headers", ()):
            if name == b"authorization":
                scheme, _, given = value.decode("latin-1").partition(" ")
                if scheme.lower() == "bearer" and secrets.compare_digest(
                        given.strip().encode(), self.token.encode()):
                    return True
            elif name == b"cookie":
                for part in value.decode("latin-1").split(";"):
                    key, _, given = part.strip().partition("=")
                    if key == COOKIE and secrets.compare_digest(given.encode(),
                                                                self.cookie.encode()):
                        return True
        return False

    async def _login(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("method") != "POST":
            await _page(send, 200, "")
            return
        body = b""
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > self.max_form_bytes:
                await _respond(send, *_json(413, "payload_too_large",
                                            "the login form is larger than a token can be"))
                return
            more = message.get("more_body", False)
        given = parse_qs(body.decode("utf-8", "replace")).get("token", [""])[0]
        assert self.token is not None
        if not secrets.compare_digest(given.encode(), self.token.encode()):
            await _page(send, 401, '<p class="error">That is not this server\'s token; '
                                   "check ADVISOR_API_TOKEN and try again.</p>")
            return
        secure = "; Secure" if scope.get("scheme") == "https" else ""
        cookie = f"{COOKIE}={self.cookie}; Path=/; HttpOnly; SameSite=Strict{secure}"
        await _respond(send, 303, [(b"location", b"/"), (b"set-cookie", cookie.encode()),
                                   (b"content-length", b"0")], b"")


async def _page(send: Send, status: int, error: str) -> None:
    body = _LOGIN_PAGE.format(error=error if error else "").encode()
    await _respond(send, status, [(b"content-type", b"text/html; charset=utf-8"),
                                  (b"content-length", str(len(body)).encode()),
                                  (b"cache-control", b"no-store")], body)


async def _respond(send: Send, status: int, headers: list[tuple[bytes, bytes]],
                   body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


__all__ = ["COOKIE", "TokenGate", "session_value"]
