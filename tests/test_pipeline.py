"""The ask pipeline over real packs, the real fact extractor and real corpus chunks.

The index here is one that is down (RetrievalError), so the pipeline must still answer from
the corpus files; the Chroma-backed path is covered by tests/test_service.py.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import pytest

from advisor import pipeline
from advisor.audit import AuditLog
from advisor.compose import OfflineComposer
from advisor.config import SHIPPED_CORPUS, Settings
from advisor.errors import InputError, LLMError, RetrievalError
from advisor.rules import load_packs
from advisor.schema import ComposeRequest, Draft
from tests.test_compose import corpus_chunks

LOBBY = "Can a European agency use this on a fixed lobby camera?"
TODAY = dt.date(2026, 11, 26)


@cache
def _packs() -> tuple[object, ...]:
    return tuple(load_packs(SHIPPED_CORPUS, known_chunk_ids=set(corpus_chunks())))


def _down() -> pipeline.IndexLike:
    raise RetrievalError("the test index is down")


class _FailingLLM:
    name = "llm:broken"

    def compose(self, request: ComposeRequest) -> Draft:
        raise LLMError("the endpoint refused the connection")


def _deps(tmp_path: Path, composer: object | None = None, **settings: object) -> pipeline.Deps:
    offline = OfflineComposer()
    return pipeline.Deps(
        settings=Settings(home=tmp_path, **settings),  # type: ignore[arg-type]
        packs=_packs(), index=_down, composer=composer or offline,  # type: ignore[arg-type]
        offline=offline, audit=AuditLog(tmp_path / "audit.sqlite3"), today=lambda: TODAY,
        corpus_chunks=corpus_chunks, corpus_version=lambda: "files-v1",
    )


def test_lobby_answer_without_an_index_still_carries_the_deciding_clause(tmp_path: Path) -> None:
    answer = pipeline.ask(_deps(tmp_path), LOBBY)
    verdicts = {p.policy: p.verdict for p in answer.policies}
    assert answer.verdict == "prohibited"
    assert verdicts["azure-openai-coc"] == "prohibited"
    assert answer.guardrail.status == "degraded"
    assert any("the test index is down" in n for n in answer.guardrail.notes)
    first = answer.citations[0]
    assert first.chunk_id.endswith("#ID-1") and first.verified
    assert "identify or verify" in first.quote
    coc = next(p for p in answer.policies if p.policy == "azure-openai-coc")
    assert coc.fired[0].rule == "ID-1" and coc.fired[0].citations == (first.n,)
    assert answer.corpus_version == "files-v1" and answer.composer == "offline"
    assert answer.as_of == TODAY


def test_every_answer_is_audited_with_cited_chunk_hashes(tmp_path: Path) -> None:
    deps = _deps(tmp_path)
    answer = pipeline.ask(deps, LOBBY, history=[{"role": "user", "content": "We are Dutch."}])
    assert deps.audit is not None
    row = deps.audit.get(answer.trace_id)
    assert row["answer"] == answer.model_dump(mode="json")
    assert set(row["cited"]) == {c.chunk_id for c in answer.citations}
    assert all(isinstance(h, str) and len(h) == 64 for h in row["cited"].values())
    assert row["history"] == [{"role": "user", "content": "We are Dutch."}]


def test_check_gives_facts_and_verdicts_only(tmp_path: Path) -> None:
    answer = pipeline.check(_deps(tmp_path), LOBBY)
    assert answer.answer == "" and answer.citations == ()
    assert answer.composer == "none" and answer.verdict == "prohibited"
    assert answer.facts["jurisdiction"].value == "eu"
    assert answer.missing_facts and answer.assumptions


@pytest.mark.parametrize("question", ["", "   \n\t"])
def test_an_empty_question_is_refused(tmp_path: Path, question: str) -> None:
    with pytest.raises(InputError, match="empty"):
        pipeline.ask(_deps(tmp_path), question)


def test_an_overlong_question_is_refused_with_the_limit(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="the limit is 50"):
        pipeline.ask(_deps(tmp_path, max_question_chars=50), "x" * 51)
    assert pipeline.ask(_deps(tmp_path, max_question_chars=60), LOBBY).verdict == "prohibited"


def test_as_of_accepts_dates_and_iso_strings_and_refuses_anything_else(tmp_path: Path) -> None:
    deps = _deps(tmp_path)
    belgian = "Can Belgian police use live face recognition at a concert?"
    december = pipeline.check(deps, belgian, as_of="2024-12-01")
    march = pipeline.check(deps, belgian, as_of=dt.date(2025, 3, 1))
    assert december.as_of == dt.date(2024, 12, 1) and march.as_of == dt.date(2025, 3, 1)
    eu = {a: next(p.verdict for p in x.policies if p.policy == "eu-ai-act")
          for a, x in (("dec", december), ("mar", march))}
    assert eu == {"dec": "not_applicable", "mar": "prohibited"}
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        pipeline.check(deps, belgian, as_of="next tuesday")


def test_passages_follow_the_as_of_date(tmp_path: Path) -> None:
    answer = pipeline.ask(_deps(tmp_path), LOBBY, as_of="2024-03-01")
    cited = {c.chunk_id for c in answer.citations}
    assert "azure-openai-coc-2023#ID-1" in cited
    assert not any(c.startswith("azure-openai-coc-2024-05") for c in cited)


def test_a_failing_llm_falls_back_to_the_offline_answer_and_says_why(tmp_path: Path) -> None:
    answer = pipeline.ask(_deps(tmp_path, composer=_FailingLLM()), LOBBY)
    assert answer.composer == "offline"
    assert any("llm:broken composer failed" in n and "refused the connection" in n
               for n in answer.guardrail.notes)
    assert answer.verdict == "prohibited"


def test_out_of_scope_cites_nothing(tmp_path: Path) -> None:
    answer = pipeline.ask(_deps(tmp_path), "Who won the football world cup in 2018?")
    assert answer.verdict == "out_of_scope"
    assert answer.citations == () and "not about the policies" in answer.answer
