"""The guardrail: every check fails a draft that breaks it, and passes one that does not."""

from __future__ import annotations

import pytest

from advisor.compose import compose_offline
from advisor.config import SHIPPED_CORPUS
from advisor.guardrail import review
from advisor.retrieval.documents import load_corpus
from advisor.schema import Citation, Claim, Draft, Guardrail, PolicyVerdict
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


# ----------------------------------------------------------------------------- an LLM's words

def _us_verdicts() -> tuple[PolicyVerdict, ...]:
    """The lobby verdicts with the EU AI Act out of reach (a use in the United States)."""
    coc, face, act = lobby_request().verdicts
    return coc, face, act.model_copy(update={
        "verdict": "not_applicable", "conditions": (), "missing_facts": (),
        "reason": "the use is in the United States"})


def _review_words(draft: Draft, verdicts: tuple[PolicyVerdict, ...] | None = None
                  ) -> tuple[Draft, Guardrail]:
    request = lobby_request()
    return review(draft, verdicts or request.verdicts, request.passages, _offline,
                  said=[request.question])


def _failed(outcome: Guardrail, words: str) -> bool:
    return outcome.status == "overridden" and any(words in n for n in outcome.notes)


def test_a_real_models_does_not_prohibit_beside_a_prohibited_verdict_is_overridden() -> None:
    said = ("The Azure OpenAI code of conduct does not prohibit the use of Azure OpenAI for "
            "facial recognition")
    served, outcome = _review_words(_llm_draft(answer=f"{said} [1]."))
    assert _failed(outcome, "says azure-openai-coc allows it, but its verdict is prohibited")
    assert served.composer == "offline" and said not in served.answer


@pytest.mark.parametrize("said", [
    "Le code de conduite d'Azure OpenAI n'interdit pas l'identification [1].",
    "Der Verhaltenskodex verbietet die Identifizierung nicht [1].",
    "Nothing in the code of conduct stops the agency [1].",
    "Under the code of conduct this is not banned [1].",
])
def test_negated_bans_in_any_language_are_overridden(said: str) -> None:
    _, outcome = _review_words(_llm_draft(answer=said))
    assert _failed(outcome, "azure-openai-coc allows it")


def test_the_same_words_agreeing_with_the_verdict_pass() -> None:
    draft = _llm_draft(answer="The Azure OpenAI code of conduct prohibits identification by "
                              "face (ID-1) [1]. Under the EU AI Act it would be prohibited if "
                              "the lobby were open to the public.")
    _, outcome = _review_words(draft)
    assert outcome.status == "passed", outcome.notes


def test_a_draft_with_zero_citations_for_a_prohibited_verdict_is_overridden() -> None:
    draft = _llm_draft(answer="The Azure OpenAI code of conduct prohibits this use.",
                       citations=(), claims=())
    served, outcome = _review_words(draft)
    assert _failed(outcome, f"cites none of the clauses that decide azure-openai-coc "
                            f"(prohibited): {COC}#ID-1")
    assert served.composer == "offline"


def test_a_citation_of_a_near_miss_alone_does_not_ground_a_prohibited_verdict() -> None:
    text = passages(f"{COC}#LE-2")[0].text
    le2 = _citation(1, f"{COC}#LE-2", text[text.index(" ") + 1:][:60].strip())
    draft = _llm_draft(answer="The code of conduct prohibits this use [1].", citations=(le2,),
                       claims=(Claim(text="prohibits [1]", citations=(1,)),))
    _, outcome = _review_words(draft)
    assert _failed(outcome, "cites none of the clauses that decide azure-openai-coc")
    assert not any("dropped" in n for n in outcome.notes)  # the LE-2 citation itself is good


@pytest.mark.parametrize("placeholder", ["[passages P1, P2, ...]", "[1, 2, ...]", "TODO",
                                         "<insert>"])
def test_placeholder_text_is_overridden(placeholder: str) -> None:
    draft = _llm_draft(answer=f"Identification is barred by ID-1 [1] {placeholder}.")
    served, outcome = _review_words(draft)
    assert _failed(outcome, f"placeholder text left in the draft: {placeholder!r}")
    assert placeholder not in served.answer


def test_the_eu_ai_act_does_not_allow_about_a_us_case_is_overridden() -> None:
    draft = _llm_draft(
        verdicts={v.policy: v.verdict for v in _us_verdicts()},
        answer="Identification is barred by ID-1 [1]. The EU AI Act does not allow any "
               "identification.")
    _, outcome = _review_words(draft, _us_verdicts())
    assert _failed(outcome, "says eu-ai-act bars it, but its verdict is not_applicable")
    fine = draft.model_copy(update={"answer": "Identification is barred by ID-1 [1]. The EU "
                                              "AI Act does not apply to a use in the US."})
    assert _review_words(fine, _us_verdicts())[1].status == "passed"


def test_a_quotation_of_the_passage_is_not_the_drafts_stance_but_an_invented_one_is() -> None:
    clause = passages(f"{COC}#ID-1")[0].text
    quote = 'must not be used to "identify or verify"'
    assert quote in clause
    ok = _llm_draft(answer=f'The code of conduct says Azure OpenAI “{quote}” [1].')
    assert _review_words(ok)[1].status == "passed"
    bad = _llm_draft(answer='The code of conduct says it is “not prohibited for lobbies” [1].')
    assert _failed(_review_words(bad)[1], "azure-openai-coc allows it")


def test_the_offline_composer_is_not_read_for_stance() -> None:
    # Its wording is fixed and tested (tests/test_compose.py); the words checks are for models.
    draft = _offline().model_copy(update={"answer": _offline().answer + "\nTODO"})
    served, outcome = _review_words(draft)
    assert outcome.status == "passed" and served.answer.endswith("TODO")
