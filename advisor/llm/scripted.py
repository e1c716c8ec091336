"""A scripted OpenAI-compatible chat server on loopback, for tests and evaluators.

The LLM is the one component no test may reach, so tests talk to this instead: a real HTTP
server (stdlib ``ThreadingHTTPServer`` in a thread) that answers ``POST /v1/chat/completions``
with scripted replies, in order or from a callable that sees the request. A reply can be a
JSON content string, raw invalid text, an HTTP error with an OpenAI-style error body, or a
delay longer than the client's timeout. Every request is recorded.

    with ScriptedOpenAIServer([Reply.json({...}), Reply.error(500)]) as server:
        settings = load_settings(composer="llm", llm_base_url=server.base_url,
                                 llm_api_key="test")
        ...
        server.requests[0].body["messages"]
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

__all__ = ["RecordedRequest", "Reply", "ScriptedOpenAIServer", "faithful", "faithful_answer"]

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "invalid_api_key",
    403: "permission_denied",
    404: "not_found_error",
    422: "invalid_request_error",
    429: "rate_limit_exceeded",
}


@dataclass(frozen=True)
class RecordedRequest:
    """One request the server received: path, headers (lower-case names), parsed JSON body."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The chat messages of a chat-completions request."""
        messages = self.body.get("messages", [])
        return messages if isinstance(messages, list) else []

    def text(self) -> str:
        """All message contents joined, for assertions about what the model was shown."""
        return "\n".join(str(m.get("content", "")) for m in self.messages)


@dataclass(frozen=True)
class Reply:
    """One scripted response; build it with the class methods."""

    content: str | None = None
    status: int = 200
    error_message: str | None = None
    delay: float = 0.0
    finish_reason: str = "stop"
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, data: object, *, delay: float = 0.0) -> Reply:
        """A message whose content is ``data`` serialised as JSON."""
        return cls(content=json.dumps(data), delay=delay)

    @classmethod
    def text(cls, content: str, *, delay: float = 0.0, finish_reason: str = "stop") -> Reply:
        """A message with this raw content (use it for invalid JSON or prose)."""
        return cls(content=content, delay=delay, finish_reason=finish_reason)

    @classmethod
    def error(
        cls, status: int, message: str | None = None, *, headers: dict[str, str] | None = None
    ) -> Reply:
        """An HTTP error with an OpenAI-style error body (500, 429, 401, ...)."""
        default = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "error"
        return cls(status=status, error_message=message or default, headers=dict(headers or {}))

    @classmethod
    def slow(cls, seconds: float, data: object | None = None) -> Reply:
        """Wait ``seconds`` before answering (longer than the client timeout to force one)."""
        content = json.dumps(data) if data is not None else "{}"
        return cls(content=content, delay=seconds)


Script = Iterable[Reply] | Callable[[RecordedRequest], Reply]


class ScriptedOpenAIServer:
    """An OpenAI-compatible chat server on 127.0.0.1 that answers from a script."""

    def __init__(self, script: Script, *, model: str = "scripted-model") -> None:
        self.model = model
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._responder: Callable[[RecordedRequest], Reply] | None = None
        self._queue: list[Reply] = []
        if callable(script):
            self._responder = script
        else:
            self._queue = list(script)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    # -- lifecycle

    @property
    def base_url(self) -> str:
        """The base URL to give an OpenAI client (``http://127.0.0.1:<port>/v1``)."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def start(self) -> ScriptedOpenAIServer:
        """Start serving in a background thread."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                name="scripted-openai", daemon=True,
            )
            self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving, wake any delayed reply and release the port."""
        self._closing.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> ScriptedOpenAIServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- script

    def add(self, *replies: Reply) -> None:
        """Append replies to the script."""
        with self._lock:
            self._queue.extend(replies)

    @property
    def remaining(self) -> int:
        """How many queued replies have not been served yet."""
        with self._lock:
            return len(self._queue)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        """The recorded chat-completions requests, in order."""
        with self._lock:
            return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _next_reply(self, request: RecordedRequest) -> Reply:
        if self._responder is not None:
            return self._responder(request)
        with self._lock:
            if self._queue:
                return self._queue.pop(0)
        return Reply.error(500, "scripted server: the script has no more replies")

    def _wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; False when the server is closing."""
        return not self._closing.wait(seconds) if seconds > 0 else True


def _completion(model: str, content: str, finish_reason: str) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": content},
            "finish_reason": finish_reason,
            "logprobs": None,
        }],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }


def _chunks(model: str, content: str, finish_reason: str, usage: bool) -> list[dict[str, Any]]:
    """The SSE chunks of a streamed completion: role, content pieces, finish, usage."""
    cid = f"chatcmpl-{uuid.uuid4().hex[:12]}"
    created = int(time.time())

    def chunk(delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
        return {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish,
                             "logprobs": None}]}

    out = [chunk({"role": "assistant", "content": ""}, None)]
    step = 16
    out += [chunk({"content": content[i:i + step]}, None) for i in range(0, len(content), step)]
    out.append(chunk({}, finish_reason))
    if usage:
        out.append({"id": cid, "object": "chat.completion.chunk", "created": created,
                    "model": model, "choices": [],
                    "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}})
    return out


def _make_handler(server: ScriptedOpenAIServer) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return  # keep test output quiet

        def _headers(self) -> dict[str, str]:
            return {name.lower(): value for name, value in self.headers.items()}

        def do_GET(self) -> None:  # noqa: N802
            server._record(RecordedRequest("GET", self.path, self._headers(), {}))
            if self.path.rstrip("/").endswith("/models"):
                self._send_json(200, {"object": "list", "data": [
                    {"id": server.model, "object": "model", "created": 0, "owned_by": "test"}]})
            else:
                self._send_error(404, f"no route {self.path}")

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                body = {"_raw": raw.decode("utf-8", "replace")}
            request = RecordedRequest("POST", self.path, self._headers(),
                                      body if isinstance(body, dict) else {"_raw": body})
            server._record(request)
            if not self.path.rstrip("/").endswith("/chat/completions"):
                self._send_error(404, f"no route {self.path}")
                return
            reply = server._next_reply(request)
            if not server._wait(reply.delay):
                return
            try:
                self._answer(request, reply)
            except (BrokenPipeError, ConnectionResetError):
                return  # the client gave up (timeout); nothing to do

        def _answer(self, request: RecordedRequest, reply: Reply) -> None:
            if reply.status >= 400:
                self._send_error(reply.status, reply.error_message or "error", reply.headers)
                return
            model = str(request.body.get("model") or server.model)
            content = reply.content if reply.content is not None else ""
            if request.body.get("stream"):
                options = request.body.get("stream_options") or {}
                usage = bool(isinstance(options, dict) and options.get("include_usage"))
                self._send_stream(_chunks(model, content, reply.finish_reason, usage))
            else:
                self._send_json(reply.status, _completion(model, content, reply.finish_reason),
                                reply.headers)

        def _send_json(
            self, status: int, data: object, headers: dict[str, str] | None = None
        ) -> None:
            payload = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def _send_error(
            self, status: int, message: str, headers: dict[str, str] | None = None
        ) -> None:
            error_type = _ERROR_TYPES.get(status, "server_error")
            self._send_json(status, {"error": {"message": message, "type": error_type,
                                               "param": None, "code": error_type}}, headers)

        def _send_stream(self, chunks: list[dict[str, Any]]) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            self.end_headers()
            for item in chunks:
                self.wfile.write(f"data: {json.dumps(item)}\n\n".encode())
                self.wfile.flush()
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            self.close_connection = True

    return _Handler


# ----------------------------------------------------------------------------- a faithful model

_PASSAGE = re.compile(r'<passage id="(P\d+)" kind="(\w+)"[^\n]*>\n(.*?)\n</passage>', re.DOTALL)
_VERDICTS = re.compile(r'Its "verdicts" must be (\{.*?\})\.\s*$', re.MULTILINE)
_OVERALL = re.compile(r"^Overall verdict \(fixed\): (\w+)", re.MULTILINE)
_SENTENCE = re.compile(r"[^.!?\n]{20,}?[.!?](?=\s|$)")
# Sentences a careful model would not lift into an answer beside a prohibited verdict.
_PERMISSIVE = ("allowed", "permitted", "may be used", "can be used", "you may", "you can",
               "not prohibited", "fine", "acceptable", "no restriction", "go ahead", "free to use",
               "is ok")


def _quotable(body: str) -> str | None:
    """The first plain sentence of a passage body (heading lines skipped), verbatim."""
    for line in body.splitlines():
        if line.lstrip().startswith("#"):
            continue
        for match in _SENTENCE.finditer(line):
            sentence = match.group(0).strip().lstrip("-*> ").strip()
            if len(sentence) >= 20 and not any(w in sentence.lower() for w in _PERMISSIVE):
                return sentence[:220].rsplit(" ", 1)[0] if len(sentence) > 220 else sentence
    return None


def faithful_answer(request: RecordedRequest, *, max_citations: int = 4) -> dict[str, Any]:
    """The JSON a faithful model gives to an advisor prompt.

    It restates the fixed verdicts the prompt names, and cites up to ``max_citations``
    policy passages (kind terms or law) with their first plain sentence, verbatim. Tests
    take it and spoil one part (a verdict, a quote, a passage id) to exercise the guardrail.
    """
    text = request.text()
    found = _VERDICTS.search(text)
    verdicts: dict[str, str] = json.loads(found.group(1)) if found else {}
    overall_match = _OVERALL.search(text)
    overall = overall_match.group(1) if overall_match else "unknown"
    if overall == "out_of_scope":
        return {"verdicts": verdicts, "claims": [], "citations": [],
                "answer": "This question is outside the policies the advisor indexes."}
    lines = [f"Overall verdict: `{overall}`."]
    lines += [f"- {policy}: `{label}`." for policy, label in verdicts.items()]
    citations: list[dict[str, Any]] = []
    claims: list[dict[str, Any]] = []
    for pid, kind, body in _PASSAGE.findall(text):
        if kind not in ("terms", "law") or len(citations) >= max_citations:
            continue
        quote = _quotable(body)
        if quote is None:
            continue
        n = len(citations) + 1
        citations.append({"n": n, "passage_id": pid, "quote": quote})
        claim = f'Passage {pid} reads: "{quote}" [{n}]'
        claims.append({"text": claim, "citations": [n]})
        lines.append(claim)
    return {"verdicts": verdicts, "answer": "\n".join(lines), "claims": claims,
            "citations": citations}


def faithful(request: RecordedRequest) -> Reply:
    """A responder for ScriptedOpenAIServer that always answers faithfully."""
    return Reply.json(faithful_answer(request))
