"""The guardrail: every check fails a draft that breaks it, and passes one that does not."""

from __future__ import annotations

from advisor.compose import compose_offline
from advisor.config import SHIPPED_CORPUS
from advisor.guardrail import review
from advisor.retrieval.documents import load_corpus
from advisor.schema import Citation, Claim, Draft
from tests.test_compose import COC, lobby_request, passages


def _offline() -> Draft:
    return compose_offline(lobby_request())


def _citation(n: int, chunk_id: str, quote: str, kind: str = "terms") -> Citation:
    return Citation(n=n, chunk_id=chunk_id, document=chunk_id.split("#")[0], title="t",
                    section="s", kind=kind, quote=quote, start=0, end=0,  # type: ignore[arg-type]
                    verified=False)


def _llm_draft(**update: object) -> Draft:
    request = lobby_request()
    base = Draft(
        verdicts={v.policy: v.verdict for v in request.verdicts},
        answer="Identification through Azure OpenAI is barred by ID-1 [1].",
        citations=(_citation(1, f"{COC}#ID-1", "must not be used to \"identify or verify\""),),
        claims=(Claim(text="Identification is barred by ID-1 [1].", citations=(1,)),),
        composer="llm:test-model",
    )
    return base.model_copy(update=update)


def _review(draft: Draft) -> tuple[Draft, object]:
    request = lobby_request()
    return review(draft, request.verdicts, request.passages, _offline)


def test_a_correct_draft_passes_with_quote_offsets_in_the_document() -> None:
    served, outcome = _review(_llm_draft())
    assert outcome.status == "passed" and served.composer == "llm:test-model"  # type: ignore[attr-defined]
    citation = served.citations[0]
    chunk = passages(f"{COC}#ID-1")[0]
    assert citation.verified
    assert chunk.start <= citation.start < citation.end <= chunk.end
    doc = next(d for d in load_corpus(SHIPPED_CORPUS) if d.id == chunk.document)
    assert doc.text[citation.start:citation.end] == 'must not be used to "identify or verify"'


def test_whitespace_differences_still_verify_and_map_back_to_the_original() -> None:
    quote = "must not   be used\nto \"identify or verify\""
    served, outcome = _review(_llm_draft(citations=(_citation(1, f"{COC}#ID-1", quote),)))
    assert outcome.status == "passed"  # type: ignore[attr-defined]
    c = served.citations[0]
    assert c.end - c.start == len('must not be used to "identify or verify"')


def test_a_changed_verdict_serves_the_offline_answer() -> None:
    draft = _llm_draft(verdicts={"azure-openai-coc": "not_prohibited",
                                 "azure-ai-face": "not_applicable", "eu-ai-act": "conditional"})
    served, outcome = _review(draft)
    assert outcome.status == "overridden"  # type: ignore[attr-defined]
    assert served == _review(_offline())[0]
    assert any("azure-openai-coc (draft not_prohibited, engine prohibited)" in n
               for n in outcome.notes)  # type: ignore[attr-defined]


def test_a_citation_outside_the_passages_is_dropped_with_a_note() -> None:
    extra = _citation(2, "eu-ai-act-art5#5-1-e", "untargeted scraping")
    draft = _llm_draft(citations=(*_llm_draft().citations, extra),
                       answer="Identification is barred by ID-1 [1]. See also [2].")
    served, outcome = _review(draft)
    assert outcome.status == "passed"  # type: ignore[attr-defined]
    assert [c.n for c in served.citations] == [1]
    assert "[2]" not in served.answer
    assert any("[2] dropped" in n and "not among the retrieved" in n
               for n in outcome.notes)  # type: ignore[attr-defined]


def test_an_invented_quote_is_dropped_and_its_lone_claim_downgrades_the_answer() -> None:
    draft = _llm_draft(citations=(_citation(1, f"{COC}#ID-1", "identification is fine abroad"),))
    served, outcome = _review(draft)
    assert outcome.status == "overridden"  # type: ignore[attr-defined]
    assert served.composer == "offline"
    notes = " ".join(outcome.notes)  # type: ignore[attr-defined]
    assert "quote is not verbatim" in notes and "lost its only citation" in notes


def test_permission_beside_a_prohibited_verdict_is_overridden() -> None:
    draft = _llm_draft(answer="A fixed lobby camera is allowed outside the US [1].")
    served, outcome = _review(draft)
    assert outcome.status == "overridden"  # type: ignore[attr-defined]
    assert "is allowed" not in served.answer
    assert any("grants permission" in n for n in outcome.notes)  # type: ignore[attr-defined]


def test_a_verdict_resting_on_articles_alone_is_overridden() -> None:
    article = "dmr-news-2024-05-06#new-restrictions-on-mobile-and-global-law-enforcement-usage:2"
    draft = _llm_draft(
        citations=(_citation(1, article, "stationary cameras within confined settings",
                             "article"),),
        rule_citations={"azure-openai-coc/ID-1": (1,)},
    )
    served, outcome = _review(draft)
    assert outcome.status == "overridden"  # type: ignore[attr-defined]
    assert any("azure-openai-coc/ID-1 rests on press articles alone" in n
               for n in outcome.notes)  # type: ignore[attr-defined]
    assert served.rule_citations["azure-openai-coc/ID-1"] == (1,)
    assert served.citations[0].chunk_id == f"{COC}#ID-1"


def test_an_offline_draft_that_fails_falls_back_to_the_bare_verdicts() -> None:
    request = lobby_request()
    broken = _offline().model_copy(update={"answer": "Everything is allowed."})
    served, outcome = review(broken, request.verdicts, request.passages, None)
    assert outcome.status == "overridden"
    assert served.citations == () and "the verdicts stand" in served.answer
    assert "Code of conduct for Azure OpenAI Service: prohibited" in served.answer
