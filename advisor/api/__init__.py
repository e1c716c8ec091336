"""The HTTP server: the /v1 API, the OpenAI-compatible chat route and the Gradio chat at /.

``create_app(settings)`` builds one FastAPI app; ``serve(settings, host, port)`` runs it with
uvicorn in one process (``advisor serve``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from advisor.api import chat, routes
from advisor.api.auth import TokenGate
from advisor.api.deps import AdvisorHolder, AdvisorLike
from advisor.api.errors import install_error_handlers
from advisor.api.limits import BodyLimit
from advisor.config import Settings, load_settings

__all__ = ["create_app", "serve", "server_config"]

log = logging.getLogger("advisor.api")


def _default_factory(settings: Settings) -> Callable[[], AdvisorLike]:
    def build() -> AdvisorLike:
        from advisor.service import Advisor

        return Advisor(settings)
    return build


def create_app(
    settings: Settings | None = None,
    *,
    advisor: AdvisorLike | Callable[[], AdvisorLike] | None = None,
    ui: bool = True,
) -> FastAPI:
    """The app: /v1 API, /v1/chat/completions, OpenAPI at /docs and (``ui``) the chat at /.

    ``advisor`` is an Advisor or a factory for one; by default ``Advisor(settings)`` is built
    on the first request that needs it.
    """
    settings = settings or load_settings()
    if advisor is None:
        factory = _default_factory(settings)
    elif callable(advisor) and not hasattr(advisor, "ask"):
        factory = advisor
    else:
        built: AdvisorLike = advisor  # type: ignore[assignment]
        factory = lambda: built  # noqa: E731
    app = FastAPI(
        title="advisor",
        summary="Policy advisor for AI-service terms: rule-engine verdicts with cited passages.",
        version="0.1.0",
        docs_url=None,  # served below from local assets: the default loads Swagger UI from a CDN
        redoc_url=None,
    )
    _offline_docs(app)
    _spec_limits(app, settings)
    app.state.settings = settings
    app.state.advisor = AdvisorHolder(factory)
    install_error_handlers(app)
    app.include_router(routes.router, tags=["advisor"])
    app.include_router(routes.open_router, tags=["advisor"])
    app.include_router(chat.router)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes,
                       max_headers=settings.max_headers, body_timeout=settings.header_timeout)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )
    if ui:
        from advisor.ui import mount_ui

        mount_ui(app, app.state.advisor.get, settings)
    # Outermost: the token is checked before any body is read, on every route.
    app.add_middleware(TokenGate, token=settings.api_token)
    return app


#: What a question or turn may hold (see advisor.service.check_text), as spec regexes: no
#: C0/C1 control characters but tab and newlines; a question needs one character that is not
#: a space. (Lone surrogates are refused too; they are not Unicode text, so no regex says so.)
_TEXT = r"[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]"
_VISIBLE = r"[^\s\u0000-\u001f\u007f-\u009f]"


def _facts_schema() -> dict[str, Any]:
    """Confirmed facts as the API checks them: known names, their values, a country that lies
    in a confirmed jurisdiction (advisor.facts.confirmed). Countries are stated as ISO alpha-2
    codes; the API also takes alpha-3 codes and English names."""
    import pycountry

    from advisor.facts.confirmed import jurisdiction_of
    from advisor.schema import FACT_NAMES, FACT_VALUES

    codes = sorted(str(c.alpha_2) for c in pycountry.countries)
    properties: dict[str, Any] = {}
    for name in FACT_NAMES:
        if name == "country":
            properties[name] = {"type": "string", "enum": [*codes, "unknown"]}
            continue
        values = list(FACT_VALUES[name])
        options: list[dict[str, Any]] = [{"type": "string", "enum": values}]
        if "yes" in values:
            options.append({"type": "boolean"})
        properties[name] = {"anyOf": options} if len(options) > 1 else options[0]
    rules = [{"if": {"required": ["jurisdiction", "country"],
                     "properties": {"jurisdiction": {"const": place}}},
              "then": {"properties": {"country": {"enum": [
                  *(c for c in codes if jurisdiction_of(c) == place), "unknown"]}}}}
             for place in FACT_VALUES["jurisdiction"]]
    return {"type": "object", "properties": properties, "additionalProperties": False,
            "allOf": rules}


def _spec_limits(app: FastAPI, settings: Settings) -> None:
    """State the real limits in the OpenAPI spec: they come from Settings, not the models."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        spec = build()
        schemas = spec.get("components", {}).get("schemas", {})
        content = schemas.get("Turn", {}).get("properties", {}).get("content")
        if content is not None:
            content.update(pattern=f"^{_TEXT}*$")
        question = schemas.get("AskRequest", {}).get("properties", {}).get("question")
        if question is not None:
            question.update(minLength=1, maxLength=settings.max_question_chars,
                            pattern=f"^{_TEXT}*{_VISIBLE}{_TEXT}*$",
                            description=question.get("description", "") + " At least one "
                            "non-space character, at most ADVISOR_MAX_QUESTION_CHARS "
                            f"({settings.max_question_chars}) characters; no control "
                            "characters.")
        for model in ("AskRequest", "ChatCompletionRequest"):
            prop = schemas.get(model, {}).get("properties", {})
            if "facts" in prop:
                prop["facts"] = {**_facts_schema(), "description":
                                 prop["facts"].get("description", "")}
        search = spec.get("paths", {}).get("/v1/search", {}).get("get", {})
        for parameter in search.get("parameters", []):
            if parameter.get("name") == "q":
                parameter["schema"].update(minLength=1, maxLength=settings.max_question_chars,
                                           pattern=f"^{_TEXT}*{_VISIBLE}{_TEXT}*$")
            elif parameter.get("name") == "document":
                for option in parameter["schema"].get("anyOf", [parameter["schema"]]):
                    if option.get("type") == "string":
                        option.update(minLength=1)
        for path in spec.get("paths", {}).values():
            for operation in path.values():
                if isinstance(operation, dict) and "requestBody" in operation:
                    operation.setdefault("description", "")
                    operation["description"] += (f"\n\nBodies over {settings.max_body_bytes} "
                                                 "bytes get 413 (ADVISOR_MAX_BODY_BYTES).")
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]


def _offline_docs(app: FastAPI) -> None:
    """Swagger UI at /docs from the swagger-ui-bundle package, so /docs works offline."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.responses import HTMLResponse
    from fastapi.staticfiles import StaticFiles
    from swagger_ui_bundle import swagger_ui_path

    app.mount("/docs-assets", StaticFiles(directory=swagger_ui_path), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json", title="advisor API",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/docs-assets/favicon-32x32.png",
        )


def serve(settings: Settings | None = None, host: str = "127.0.0.1", port: int = 7860) -> None:
    """Run the app with uvicorn in one process until interrupted."""
    import uvicorn

    settings = settings or load_settings()
    app = create_app(settings)
    log.info("building the advisor (indexes the corpus on first use)")
    app.state.advisor.get()
    uvicorn.Server(server_config(app, settings, host, port)).run()


def server_config(app: FastAPI, settings: Settings, host: str, port: int) -> Any:
    """uvicorn's Config with limits against hostile clients.

    Header bytes per request (h11_max_incomplete_event_size, 16 KiB: larger gets 400), idle
    keep-alive connections closed after 5 s, at most 200 connections at once (more get 503),
    and a slow request head dropped after ``header_timeout`` (see ``guarded_protocol``).
    """
    import uvicorn

    from advisor.api.limits import guarded_protocol

    return uvicorn.Config(
        app, host=host, port=port, log_level="info", access_log=False,
        http=guarded_protocol(settings.header_timeout), h11_max_incomplete_event_size=16 * 1024,
        timeout_keep_alive=5, limit_concurrency=200,
    )
