"""The /v1 routes over the Advisor: ask, check, search, documents, health."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Response
from fastapi.encoders import jsonable_encoder

from advisor.api.deps import AdvisorDep, SettingsDep, require_token
from advisor.api.limits import check_question
from advisor.api.models import AskRequest, DocumentList, ErrorBody, SearchResponse
from advisor.errors import InputError
from advisor.schema import Answer

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (401, 413, 422, 500, 502, 503)
}

router = APIRouter(prefix="/v1", dependencies=[Depends(require_token)], responses=_ERRORS)
open_router = APIRouter(prefix="/v1")


def _json(answer: Answer) -> Response:
    # Serialised once by pydantic; returning a Response skips FastAPI's re-validation.
    return Response(answer.model_dump_json(), media_type="application/json")


def _history(body: AskRequest) -> list[dict[str, str]]:
    return [{"role": turn.role, "content": turn.content} for turn in body.history]


@router.post("/ask", response_model=Answer, summary="A cited answer with verdicts and facts")
def ask(body: AskRequest, advisor: AdvisorDep, settings: SettingsDep) -> Response:
    """Answer a question: per-policy verdicts, cited passages with verified quotes, facts."""
    question = check_question(body.question, settings.max_question_chars)
    return _json(advisor.ask(question, history=_history(body), as_of=body.as_of,
                             facts=body.facts or None))


@router.post("/check", response_model=Answer, summary="Facts and verdicts only (no retrieval)")
def check(body: AskRequest, advisor: AdvisorDep, settings: SettingsDep) -> Response:
    """Facts and rule-engine verdicts only: no retrieval, no composer."""
    question = check_question(body.question, settings.max_question_chars)
    return _json(advisor.check(question, history=_history(body), as_of=body.as_of,
                               facts=body.facts or None))


@router.get("/search", response_model=SearchResponse, summary="Hybrid search over passages")
def search(
    advisor: AdvisorDep,
    settings: SettingsDep,
    q: Annotated[str, Query(description="What to search for.")],
    k: Annotated[int, Query(ge=1, le=50, description="How many passages.")] = 5,
    document: Annotated[str | None, Query(description="Only this document id.")] = None,
    as_of: Annotated[dt.date | None, Query(description="Only text in force then.")] = None,
) -> Response:
    """Passages ranked by hybrid (dense + BM25) retrieval."""
    query = check_question(q, settings.max_question_chars)
    passages = advisor.search(query, k=k, document=document, as_of=as_of)
    body = SearchResponse(query=query, k=k, results=list(passages))
    return Response(body.model_dump_json(), media_type="application/json")


@router.get("/documents", response_model=DocumentList, summary="The indexed documents")
def documents(advisor: AdvisorDep) -> dict[str, Any]:
    """Every indexed document with its metadata."""
    return {"documents": jsonable_encoder(list(advisor.documents()))}


@router.get("/documents/{document_id}", summary="One indexed document",
            responses={404: {"model": ErrorBody}})
def document(document_id: str, advisor: AdvisorDep) -> Any:
    """One document's metadata and text; 404 when the id is not indexed."""
    # Advisor.document raises InputError for an id it does not know: here that is a 404.
    try:
        found = advisor.document(document_id)
    except (InputError, LookupError):
        found = None
    if found is None:
        raise HTTPException(
            status_code=404,
            detail=f"no document '{document_id}' in the corpus; GET /v1/documents lists the ids",
        )
    return jsonable_encoder(found)


@open_router.get("/health", summary="Liveness and component status (no token needed)")
def health(advisor: AdvisorDep) -> Any:
    """Component status of the advisor (index, composer, corpus version)."""
    return jsonable_encoder(advisor.health())
