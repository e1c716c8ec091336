"""The LLM composer over real HTTP, and what the guardrail makes of its drafts."""

from __future__ import annotations

import pytest

from advisor import guardrail
from advisor.compose import OfflineComposer
from advisor.errors import LLMError, LLMResponseError, LLMTimeout
from advisor.llm import (
    LangChainChatModel,
    LLMComposer,
    OpenAIChatModel,
    Reply,
    ScriptedOpenAIServer,
    faithful,
    faithful_answer,
)
from advisor.schema import Composer, ComposeRequest, Draft, Guardrail

from . import cases
from .conftest import MODEL, llm_settings


def _composer(server: ScriptedOpenAIServer, **overrides: object) -> LLMComposer:
    return LLMComposer(OpenAIChatModel(llm_settings(server, **overrides)))


def _review(draft: Draft, request: ComposeRequest) -> tuple[Draft, Guardrail]:
    return guardrail.review(draft, request.verdicts, request.passages,
                            lambda: OfflineComposer().compose(request))


def _spoiled(server: ScriptedOpenAIServer, spoil) -> None:  # type: ignore[no-untyped-def]
    """Answer faithfully, then let ``spoil`` change the JSON before it is sent."""
    def respond(request):  # type: ignore[no-untyped-def]
        data = faithful_answer(request)
        spoil(data)
        return Reply.json(data)

    server._responder = respond


def test_it_is_a_composer_named_after_the_model(server: ScriptedOpenAIServer) -> None:
    composer: Composer = _composer(server)  # mypy checks it meets the protocol
    assert callable(composer.compose)
    assert composer.name == f"llm:{MODEL}"
    assert LLMComposer.from_settings(llm_settings(server)).name == f"llm:{MODEL}"
    assert isinstance(LLMComposer.from_settings(llm_settings(server, llm_client="langchain"))
                      .chat_model, LangChainChatModel)


def test_the_request_carries_the_verdicts_and_the_passages(server: ScriptedOpenAIServer) -> None:
    server._responder = faithful
    _composer(server).compose(cases.request())
    (sent,) = server.chat_requests
    text = sent.text()
    for verdict in cases.VERDICTS:
        assert f"- {verdict.policy} (" in text and f"): {verdict.verdict}" in text
    for passage in cases.PASSAGES:
        assert passage.text in text
    schema = sent.body["response_format"]["json_schema"]["schema"]
    assert set(schema["$defs"]["Verdicts"]["required"]) == {"azure-openai-coc", "eu-ai-act"}


def test_a_faithful_answer_maps_to_a_draft_with_unverified_citations(
    server: ScriptedOpenAIServer,
) -> None:
    server._responder = faithful
    draft = _composer(server).compose(cases.request())
    assert draft.composer == f"llm:{MODEL}"
    assert draft.verdicts == {"azure-openai-coc": "prohibited", "eu-ai-act": "conditional"}
    # Policy passages only (P1..P3): the faithful model never cites the news article.
    assert [c.chunk_id for c in draft.citations] == [p.chunk_id for p in cases.PASSAGES[:3]]
    for citation, passage in zip(draft.citations, cases.PASSAGES, strict=False):
        assert citation.verified is False
        assert (citation.document, citation.title, citation.kind, citation.url) == (
            passage.document, passage.title, passage.kind, passage.url)
        assert citation.quote in passage.text
    assert [c.citations for c in draft.claims] == [(1,), (2,), (3,)]
    assert "[1]" in draft.answer


def test_a_good_answer_passes_the_guardrail_with_verified_offsets(
    server: ScriptedOpenAIServer,
) -> None:
    server._responder = faithful
    request = cases.request()
    served, checked = _review(_composer(server).compose(request), request)
    assert checked.status == "passed", checked.notes
    assert served.composer == f"llm:{MODEL}"
    assert len(served.citations) == 3
    for citation in served.citations:
        assert citation.verified is True
        assert cases.DOCUMENT[citation.start:citation.end] == citation.quote


@pytest.mark.parametrize("pid", ["[P2]", "p2", "2", "coc-test#LE-2"])
def test_passage_ids_are_read_leniently(server: ScriptedOpenAIServer, pid: str) -> None:
    def spoil(data):  # type: ignore[no-untyped-def]
        data["citations"][1]["passage_id"] = pid

    _spoiled(server, spoil)
    draft = _composer(server).compose(cases.request())
    assert draft.citations[1].chunk_id == "coc-test#LE-2"


def test_a_wrong_verdict_is_overridden_and_the_note_names_the_policy(
    server: ScriptedOpenAIServer,
) -> None:
    def spoil(data):  # type: ignore[no-untyped-def]
        data["verdicts"]["azure-openai-coc"] = "not_prohibited"

    _spoiled(server, spoil)
    request = cases.request()
    draft = _composer(server).compose(request)
    assert draft.verdicts["azure-openai-coc"] == "not_prohibited"  # the composer does not judge
    served, checked = _review(draft, request)
    assert checked.status == "overridden"
    assert served.composer == "offline"
    assert served.verdicts == {"azure-openai-coc": "prohibited", "eu-ai-act": "conditional"}
    assert any("azure-openai-coc" in note and "not_prohibited" in note for note in checked.notes)


def test_a_fabricated_quote_is_dropped_and_noted(server: ScriptedOpenAIServer) -> None:
    def spoil(data):  # type: ignore[no-untyped-def]
        data["citations"][1]["quote"] = "Police may freely use fixed cameras anywhere"
        data["claims"][1]["citations"] = [1, 2]  # the claim keeps another citation

    _spoiled(server, spoil)
    request = cases.request()
    served, checked = _review(_composer(server).compose(request), request)
    assert checked.status == "passed"
    assert [c.n for c in served.citations] == [1, 3]
    assert "[2]" not in served.answer
    assert any("[2]" in note and "not verbatim" in note for note in checked.notes)


def test_a_fabricated_sole_citation_downgrades_its_claim(server: ScriptedOpenAIServer) -> None:
    def spoil(data):  # type: ignore[no-untyped-def]
        data["citations"][0]["quote"] = "Identification is acceptable at fixed cameras."

    _spoiled(server, spoil)
    request = cases.request()
    served, checked = _review(_composer(server).compose(request), request)
    assert checked.status == "overridden"
    assert served.composer == "offline"
    assert any("not verbatim" in note for note in checked.notes)
    assert any("lost its only citation" in note for note in checked.notes)


def test_a_citation_of_an_unknown_passage_is_dropped_and_its_claim_downgraded(
    server: ScriptedOpenAIServer,
) -> None:
    def spoil(data):  # type: ignore[no-untyped-def]
        data["citations"][2]["passage_id"] = "P99"

    _spoiled(server, spoil)
    request = cases.request()
    draft = _composer(server).compose(request)
    assert draft.citations[2].chunk_id == "P99"  # passed on for the guardrail to judge
    served, checked = _review(draft, request)
    assert checked.status == "overridden"
    assert served.composer == "offline"
    assert any("[3]" in note and "P99" in note for note in checked.notes)
    assert any("lost its only citation" in note for note in checked.notes)


def test_claims_citing_missing_numbers_are_noted(server: ScriptedOpenAIServer) -> None:
    def spoil(data):  # type: ignore[no-untyped-def]
        data["claims"][0]["citations"] = [1, 7]
        data["answer"] += " See also [8]."

    _spoiled(server, spoil)
    draft = _composer(server).compose(cases.request())
    assert any("claims cite [7]" in note for note in draft.notes)
    assert any("answer has markers [8]" in note for note in draft.notes)
    assert not any("[1]" in note for note in draft.notes)


def test_an_out_of_scope_request_gives_an_uncited_draft(server: ScriptedOpenAIServer) -> None:
    server._responder = faithful
    request = cases.request(verdicts=(), overall="out_of_scope", passages=())
    served, checked = _review(_composer(server).compose(request), request)
    assert checked.status == "passed"
    assert served.citations == () and served.verdicts == {}
    assert "outside" in served.answer


@pytest.mark.parametrize(("reply", "error"), [
    (Reply.text("Certainly! The use is prohibited."), LLMResponseError),
    (Reply.json({"verdicts": {"azure-openai-coc": "prohibited"}, "answer": "x", "claims": [],
                 "citations": []}), LLMResponseError),  # a policy missing
    (Reply.slow(5.0), LLMTimeout),
    (Reply.error(500, "boom"), LLMError),
    (Reply.error(429, "slow down"), LLMError),
])
def test_failures_raise_llm_errors(
    server: ScriptedOpenAIServer, reply: Reply, error: type[LLMError]
) -> None:
    server.add(reply)
    with pytest.raises(error):
        _composer(server, llm_timeout=0.3).compose(cases.request())


def test_the_langchain_path_composes_the_same_draft(server: ScriptedOpenAIServer) -> None:
    server._responder = faithful
    request = cases.request()
    plain = _composer(server).compose(request)
    chain = LLMComposer(LangChainChatModel(llm_settings(server))).compose(request)
    assert chain == plain
    served, checked = _review(chain, request)
    assert checked.status == "passed"
    assert server.chat_requests[0].text() == server.chat_requests[1].text()


def test_fired_rules_are_tied_to_their_citations(server: ScriptedOpenAIServer) -> None:
    def spoil(data):  # type: ignore[no-untyped-def]
        data["claims"].append({"text": "ID-1 bars identification for every customer [3].",
                               "citations": [3]})

    _spoiled(server, spoil)
    draft = _composer(server).compose(cases.request())
    # Its clause (cited as [1]) and the claim that names ID-1 ([3]); LE-2 did not fire.
    assert draft.rule_citations == {"azure-openai-coc/ID-1": (1, 3)}


def test_a_rule_resting_on_a_news_article_alone_is_overridden(
    server: ScriptedOpenAIServer,
) -> None:
    def spoil(data):  # type: ignore[no-untyped-def]
        quote = "Reporters wrote that stationary cameras in confined settings seemed to get leeway"
        data["citations"] = [{"n": 1, "passage_id": "P4", "quote": quote}]
        data["claims"] = [{"text": "ID-1 applies, as the press reported [1].", "citations": [1]}]
        data["answer"] = "Overall: `prohibited`. ID-1 applies, as the press reported [1]."

    _spoiled(server, spoil)
    request = cases.request()
    draft = _composer(server).compose(request)
    assert draft.rule_citations == {"azure-openai-coc/ID-1": (1,)}
    served, checked = _review(draft, request)
    assert checked.status == "overridden"
    assert served.composer == "offline"
    assert any("azure-openai-coc/ID-1" in n and "press articles alone" in n
               for n in checked.notes)


def test_the_small_answer_shape_is_numbered_by_position_with_claims_from_markers(
    server: ScriptedOpenAIServer,
) -> None:
    def respond(request):  # type: ignore[no-untyped-def]
        full = faithful_answer(request)
        small = {"verdicts": full["verdicts"],
                 "answer": "ID-1 bars it [1]. LE-2 would apply to a mobile camera [2]. "
                           "Nothing else.",
                 "citations": [{"passage_id": c["passage_id"], "quote": c["quote"]}
                               for c in full["citations"][:2]]}
        return Reply.json(small)

    server._responder = respond
    request = cases.request()
    draft = _composer(server).compose(request)
    assert [c.n for c in draft.citations] == [1, 2]
    assert [(c.text, c.citations) for c in draft.claims] == [
        ("ID-1 bars it [1].", (1,)), ("LE-2 would apply to a mobile camera [2].", (2,))]
    assert server.chat_requests[0].body["max_tokens"] > 0
    schema = server.chat_requests[0].body["response_format"]["json_schema"]["schema"]
    assert "claims" not in schema["properties"]
    served, checked = _review(draft, request)
    assert checked.status == "passed", checked.notes


def test_a_fabricated_quote_under_a_derived_claim_downgrades_it(
    server: ScriptedOpenAIServer,
) -> None:
    server.add(Reply.json({
        "verdicts": {"azure-openai-coc": "prohibited", "eu-ai-act": "conditional"},
        "answer": "The code of conduct bars identification [1].",
        "citations": [{"passage_id": "P1", "quote": "identification is fine in lobbies"}]}))
    request = cases.request()
    served, checked = _review(_composer(server).compose(request), request)
    assert checked.status == "overridden" and served.composer == "offline"
    assert any("lost its only citation" in n for n in checked.notes)


def test_a_quote_copied_with_a_slip_is_replaced_by_the_passages_words(
    server: ScriptedOpenAIServer,
) -> None:
    exact = "Police must not run real-time facial recognition on mobile cameras"
    assert exact in cases.LE2
    slipped = exact.replace("facial", "facal").replace("Police", "police")
    server.add(Reply.json({
        "verdicts": {"azure-openai-coc": "prohibited", "eu-ai-act": "conditional"},
        "answer": "ID-1 bars it [1]. LE-2 is about mobile cameras [2].",
        "citations": [{"passage_id": "P1", "quote": "must not use the service to identify"},
                      {"passage_id": "P2", "quote": slipped}]}))
    request = cases.request()
    draft = _composer(server).compose(request)
    assert draft.citations[1].quote == exact
    assert any("quote [2] differed" in n for n in draft.notes)
    served, checked = _review(draft, request)
    assert checked.status == "passed" and served.citations[1].verified


def test_a_quote_that_is_not_close_is_left_for_the_guardrail_to_drop(
    server: ScriptedOpenAIServer,
) -> None:
    invented = "Police may run facial recognition on fixed cameras in lobbies"
    server.add(Reply.json({
        "verdicts": {"azure-openai-coc": "prohibited", "eu-ai-act": "conditional"},
        "answer": "ID-1 bars it [1].", "citations": [{"passage_id": "P2", "quote": invented}]}))
    draft = _composer(server).compose(cases.request())
    assert draft.citations[0].quote == invented
    assert not any("differed" in n for n in draft.notes)
