"""Checks behind the new-user trial fixes that the case table cannot express (absences)."""

from __future__ import annotations

import pytest

from advisor.facts import extract_facts
from advisor.rules import Pack, evaluate, overall
from tests.rules.caselib import TODAY


@pytest.mark.parametrize("question", [
    "Greek police want Azure AI Face to search live CCTV at the port for an abducted toddler,"
    " with a prosecutor's warrant.",
    "Can Luxembourg police identify fans entering a stadium with the Face API?",
    "Could Slovenian police use Azure Face to spot people on tram platforms?",
])
def test_police_identification_without_custody_gets_no_apprehended_conditions(
        question: str, packs: list[Pack]) -> None:
    facts = extract_facts(question, today=TODAY)
    face = {v.policy: v for v in evaluate(facts, packs)}["azure-ai-face"]
    assert face.verdict in ("conditional", "prohibited")
    assert "FACE-GOV-1" not in {hit.rule for hit in face.fired}
    text = " ".join(face.conditions).lower()
    assert "apprehended" not in text and "minor" not in text, text


@pytest.mark.parametrize("question", [
    "good morning! what are you?",
    "tell me a joke about lawyers",
    "What's the weather like in Lisbon?",
])
def test_out_of_scope_every_pack_not_applicable_with_reason(
        question: str, packs: list[Pack]) -> None:
    facts = extract_facts(question, today=TODAY)
    verdicts = evaluate(facts, packs)
    assert facts.intent == "out_of_scope" and overall(facts, verdicts) == "out_of_scope"
    for verdict in verdicts:
        assert verdict.verdict == "not_applicable"
        assert "not about a use this policy governs" in verdict.reason
        assert not verdict.fired and not verdict.missing_facts and not verdict.conditions


def test_informational_with_nothing_assessable_is_not_conditional(packs: list[Pack]) -> None:
    facts = extract_facts("Explain the Limited Access policy in a few sentences.", today=TODAY)
    assert facts.intent == "informational"
    for verdict in evaluate(facts, packs):
        assert verdict.verdict == "not_applicable" and verdict.reason
        assert not verdict.fired and not verdict.conditions


def test_informational_with_facts_is_still_assessed(packs: list[Pack]) -> None:
    facts = extract_facts("What does the code of conduct say about US police using Azure OpenAI"
                          " for facial recognition?", today=TODAY)
    assert facts.intent == "informational"
    coc = {v.policy: v for v in evaluate(facts, packs)}["azure-openai-coc"]
    assert coc.verdict == "prohibited"


@pytest.mark.parametrize("question", [
    "Can a Dutch agency use Azure OpenAI to draft press releases?",
    "We'd like AOAI to categorise incoming invoices, any problems?",
    "Can our firm in Spain use Azure OpenAI to review contracts?",
])
def test_plain_text_tasks_are_not_prohibited(question: str, packs: list[Pack]) -> None:
    facts = extract_facts(question, today=TODAY)
    assert facts.value("purpose") == "non_biometric"
    verdicts = evaluate(facts, packs)
    assert overall(facts, verdicts) == "not_prohibited"
    assert not any(v.verdict == "conditional" for v in verdicts)
