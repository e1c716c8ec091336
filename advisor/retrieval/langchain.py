"""The LangChain retriever: the advisor's hybrid search as a ``BaseRetriever``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

from advisor.config import Settings
from advisor.errors import ConfigError
from advisor.schema import Passage


def passage_document(passage: Passage) -> LCDocument:
    """A passage as a LangChain Document: the chunk text, and every passage field as metadata."""
    metadata = passage.model_dump(mode="json", exclude={"text"})
    return LCDocument(page_content=passage.text, metadata=metadata, id=passage.chunk_id)


class AdvisorRetriever(BaseRetriever):
    """Hybrid retrieval (Chroma + BM25) over the advisor's index, for LangChain chains.

    Give it an ``advisor`` (``advisor.Advisor``, searched through its ``search``) or an
    ``index`` (``advisor.retrieval.index.Index``); ``from_settings`` opens the index.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    advisor: Any = None
    index: Any = None
    k: int = Field(default=5, ge=1, le=50)
    document: str | None = None
    kind: str | None = None
    as_of: dt.date | None = None

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: Any) -> AdvisorRetriever:
        """A retriever over the index of ``settings`` (built from the corpus if missing)."""
        from advisor.retrieval.index import ensure_index

        return cls(index=ensure_index(settings), **kwargs)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[LCDocument]:
        if self.index is not None:
            passages = self.index.search(query, k=self.k, document=self.document,
                                         kind=self.kind, as_of=self.as_of)
        elif self.advisor is not None:
            passages = self.advisor.search(query, k=self.k, document=self.document,
                                           as_of=self.as_of)
            if self.kind is not None:
                passages = [p for p in passages if p.kind == self.kind]
        else:
            raise ConfigError("AdvisorRetriever needs an advisor or an index: use "
                              "Advisor().as_retriever() or AdvisorRetriever.from_settings(...)")
        return [passage_document(p) for p in passages]


__all__ = ["AdvisorRetriever", "passage_document"]
