"""Dependencies of the API routes: settings, the shared Advisor, and the bearer token."""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Protocol

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from advisor.config import Settings
from advisor.schema import Answer, Passage


class AdvisorLike(Protocol):
    """What the shells need from :class:`advisor.service.Advisor`."""

    def ask(self, question: str, history: list[dict[str, str]] | None = None,
            as_of: dt.date | None = None,
            facts: Mapping[str, object] | None = None) -> Answer:
        """A cited answer (``facts``: facts the user confirms)."""
        ...

    def check(self, question: str, history: list[dict[str, str]] | None = None,
              as_of: dt.date | None = None,
              facts: Mapping[str, object] | None = None) -> Answer:
        """Facts and verdicts only."""
        ...

    def search(self, query: str, k: int = 5, document: str | None = None,
               as_of: dt.date | None = None) -> list[Passage]:
        """Hybrid search."""
        ...

    def documents(self) -> Any:
        """The indexed documents."""
        ...

    def document(self, id: str) -> Any:
        """One indexed document."""
        ...

    def health(self) -> Any:
        """Component status."""
        ...


class AdvisorHolder:
    """Builds the Advisor once, on first use (building may index the corpus), thread-safe."""

    def __init__(self, factory: Callable[[], AdvisorLike]) -> None:
        self._factory = factory
        self._advisor: AdvisorLike | None = None
        self._lock = threading.Lock()

    def get(self) -> AdvisorLike:
        """The shared Advisor, built on the first call."""
        advisor = self._advisor
        if advisor is None:
            with self._lock:
                if self._advisor is None:
                    self._advisor = self._factory()
                advisor = self._advisor
        return advisor


def get_settings(request: Request) -> Settings:
    """The app's Settings."""
    settings: Settings = request.app.state.settings
    return settings


def get_advisor(request: Request) -> AdvisorLike:
    """The app's shared Advisor."""
    holder: AdvisorHolder = request.app.state.advisor
    return holder.get()


_bearer = HTTPBearer(auto_error=False, description="ADVISOR_API_TOKEN, when the server sets one")


def require_token(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """401 unless the request carries the configured bearer token (no-op when none is set)."""
    token = get_settings(request).api_token
    if token is None:
        return
    given = credentials.credentials if credentials is not None else ""
    if not secrets.compare_digest(given.encode(), token.encode()):
        reason = "is missing" if credentials is None else "is not the configured token"
        raise HTTPException(
            status_code=401,
            detail=f"the bearer token {reason}; send 'Authorization: Bearer <ADVISOR_API_TOKEN>'",
            headers={"WWW-Authenticate": "Bearer"},
        )


SettingsDep = Annotated[Settings, Depends(get_settings)]
AdvisorDep = Annotated[AdvisorLike, Depends(get_advisor)]
