"""AdvisorError families (and HTTP / validation errors) as ``{"error": {"code", "message"}}``."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from advisor.errors import (
    AdvisorError,
    AuditError,
    ConfigError,
    CorpusError,
    InputError,
    LLMError,
    LLMTimeout,
    RetrievalError,
)

log = logging.getLogger("advisor.api")

#: HTTP status per AdvisorError family, most specific first.
_STATUS: tuple[tuple[type[AdvisorError], int], ...] = (
    (InputError, 422),
    (LLMTimeout, 504),
    (LLMError, 502),
    (RetrievalError, 503),
    (AuditError, 503),
    (CorpusError, 503),
    (ConfigError, 500),
)

_HTTP_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 413: "payload_too_large", 415: "unsupported_media_type",
    422: "invalid_request", 429: "too_many_requests",
}


def error_response(status: int, code: str, message: str,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    """The one error body every route answers with."""
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status,
                        headers=headers)


def _status_of(exc: AdvisorError) -> int:
    for family, status in _STATUS:
        if isinstance(exc, family):
            return status
    return 500


def _handler_for(status: int):  # type: ignore[no-untyped-def]
    async def handle(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, AdvisorError)
        if status >= 500:
            log.warning("%s %s -> %s: %s", request.method, request.url.path, status, exc)
        return error_response(status, exc.code, str(exc))
    return handle


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    if exc.status_code == 404 and message == "Not Found":
        message = (f"no route {request.url.path}; the API lives under /v1 "
                   "(see /docs for the list of routes)")
    elif exc.status_code == 400 and message == "There was an error parsing the body":
        return error_response(422, "invalid_request",
                              "the request body is not valid JSON in UTF-8 (undecodable bytes "
                              "or broken syntax); send UTF-8 JSON as shown in /docs")
    elif exc.status_code == 405 and message == "Method Not Allowed":
        message = f"{request.method} is not allowed on {request.url.path}; see /docs"
    return error_response(exc.status_code, _HTTP_CODES.get(exc.status_code, "http_error"),
                          message, headers=getattr(exc, "headers", None))


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = []
    for err in exc.errors()[:5]:
        where = ".".join(str(part) for part in err.get("loc", ()) if part != "body") or "body"
        problems.append(f"{where}: {err.get('msg', 'invalid')}")
    message = "invalid request: " + "; ".join(problems) + " (see /docs for the request schema)"
    return error_response(422, "invalid_request", message)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal_error",
                          "the advisor hit an unexpected error; it has been logged. Try again, "
                          "and if it persists report it with the time of the request")


def install_error_handlers(app: FastAPI) -> None:
    """Register one handler per AdvisorError family, plus HTTP, validation and catch-all."""
    for family, status in _STATUS:
        app.add_exception_handler(family, _handler_for(status))
    app.add_exception_handler(AdvisorError, _handler_for(500))
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
