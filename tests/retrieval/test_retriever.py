"""The LangChain retriever, alone and inside an LCEL chain."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from langchain_core.documents import Document as LCDocument
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import RunnableLambda, RunnablePassthrough

from advisor.config import Settings
from advisor.errors import ConfigError
from advisor.retrieval.index import Index, ingest
from advisor.retrieval.langchain import AdvisorRetriever
from tests.retrieval.test_index import write_corpus


@pytest.fixture
def settings(tmp_path: Path, advisor_home: Path) -> Settings:
    settings = Settings(home=advisor_home, corpus=write_corpus(tmp_path / "corpus"))
    ingest(settings, progress=False)
    return settings


def test_retriever_returns_langchain_documents(settings: Settings) -> None:
    retriever = AdvisorRetriever(index=Index.open(settings), k=2)

    docs = retriever.invoke("real-time facial recognition on body-worn cameras")

    assert isinstance(retriever, BaseRetriever)
    assert len(docs) == 2 and all(isinstance(d, LCDocument) for d in docs)
    top = docs[0]
    assert top.metadata["chunk_id"] == "coc#LE-2" and top.id == "coc#LE-2"
    passage = Index.open(settings).get(["coc#LE-2"])[0]
    assert top.page_content == passage.text
    assert {k: top.metadata[k] for k in ("document", "kind", "start", "end", "version")} == {
        "document": "coc", "kind": "terms", "start": passage.start, "end": passage.end,
        "version": "2024-05-01"}
    assert top.metadata["score"] > docs[1].metadata["score"] > 0


def test_retriever_fields_filter(settings: Settings) -> None:
    index = Index.open(settings)

    by_doc = AdvisorRetriever(index=index, k=5, document="act").invoke("rules")
    before_law = AdvisorRetriever(index=index, k=10, as_of=dt.date(2024, 6, 1)).invoke(
        "emotion inference workplace")
    articles = AdvisorRetriever(index=index, k=5, kind="article").invoke("police")

    assert {d.metadata["document"] for d in by_doc} == {"act"}
    assert "act" not in {d.metadata["document"] for d in before_law}
    assert [d.metadata["chunk_id"] for d in articles] == ["story#what-happened"]


def test_retriever_in_an_lcel_chain(settings: Settings) -> None:
    retriever = AdvisorRetriever.from_settings(settings, k=1)
    prompt = ChatPromptTemplate.from_template("Context:\n{context}\n\nQuestion: {question}")

    def join(docs: list[LCDocument]) -> str:
        return "\n".join(f"[{d.metadata['chunk_id']}] {d.page_content}" for d in docs)

    chain = ({"context": retriever | RunnableLambda(join), "question": RunnablePassthrough()}
             | prompt | RunnableLambda(lambda value: value.to_string()))
    text = chain.invoke("Is emotion inference in the workplace allowed?")

    assert "[act#article-5] ## Article 5: Prohibited practices" in text
    assert text.rstrip().endswith("Question: Is emotion inference in the workplace allowed?")
    assert chain.batch(["social scoring by authorities"])[0].count("[act#article-6]") == 1


def test_retriever_over_an_advisor(settings: Settings) -> None:
    from advisor import Advisor

    retriever = Advisor(settings).as_retriever(k=1)

    docs = retriever.invoke("social scoring by public authorities")

    assert [d.metadata["chunk_id"] for d in docs] == ["act#article-6"]


def test_retriever_without_a_source_says_how_to_build_one() -> None:
    with pytest.raises(ConfigError, match="as_retriever"):
        AdvisorRetriever().invoke("anything")
