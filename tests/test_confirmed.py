"""Confirmed facts: validation against the vocabulary, and what applying them re-derives."""

from __future__ import annotations

import datetime as dt

import pytest

from advisor.errors import InputError
from advisor.facts import extract_facts
from advisor.facts.confirmed import (
    CONFIRMED_SOURCE,
    apply_confirmed,
    jurisdiction_of,
    parse_confirmed,
)
from advisor.schema import FACT_NAMES, FACT_VALUES, Facts

TODAY = dt.date(2026, 11, 26)
LOBBY = "Can a European agency use this on a fixed lobby camera?"


def _read(question: str) -> Facts:
    return extract_facts(question, None, None, today=TODAY)


@pytest.mark.parametrize("name", [n for n in FACT_NAMES if n != "country"])
def test_every_value_of_every_fact_is_accepted(name: str) -> None:
    for value in FACT_VALUES[name]:
        assert parse_confirmed({name: value}) == {name: value}


@pytest.mark.parametrize(("given", "expected"), [
    ({"public_access": True, "consent": False}, {"public_access": "yes", "consent": "no"}),
    ({"actor": "Law Enforcement", "timing": "real-time"},
     {"actor": "law_enforcement", "timing": "real_time"}),
    ({"country": "de"}, {"country": "DE"}),
    ({"country": "NLD"}, {"country": "NL"}),
    ({"country": "Belgium"}, {"country": "BE"}),
    ({"country": "unknown"}, {"country": "unknown"}),
    (None, {}),
])
def test_values_are_normalised(given: dict[str, object] | None,
                               expected: dict[str, str]) -> None:
    assert parse_confirmed(given) == expected


@pytest.mark.parametrize(("given", "says"), [
    ({"place": "lobby"}, "unknown fact 'place'; the facts are: " + ", ".join(FACT_NAMES)),
    ({"purpose": "face_id"}, "use one of: " + ", ".join(FACT_VALUES["purpose"])),
    ({"timing": 1}, "use one of: real_time, post, unknown"),
    ({"actor": True}, "use one of: us_police"),
    ({"country": "Atlantis"}, "ISO 3166-1 alpha-2 code such as DE"),
    ({"country": ""}, "ISO 3166-1 alpha-2"),
    ({"as_of": "2025-01-01"}, "as_of is not a fact here"),
])
def test_a_bad_name_or_value_lists_what_is_allowed(given: dict[str, object], says: str) -> None:
    with pytest.raises(InputError) as info:
        parse_confirmed(given)
    assert says in str(info.value)


def test_confirmed_facts_beat_the_words_and_say_so() -> None:
    read = _read(LOBBY)
    assert read.camera.value == "fixed"
    facts = apply_confirmed(read, {"camera": "dash", "public_access": "yes"})
    for name, value in (("camera", "dash"), ("public_access", "yes")):
        fact = getattr(facts, name)
        assert (fact.value, fact.status, fact.source) == (value, "confirmed", CONFIRMED_SOURCE)
    assert facts.jurisdiction == read.jurisdiction


def test_a_confirmed_country_sets_the_jurisdiction_and_a_us_only_actor_follows() -> None:
    read = _read("Can a US police department use this on a fixed lobby camera?")
    assert (read.actor.value, read.jurisdiction.value) == ("us_police", "us")
    facts = apply_confirmed(read, {"country": "IE"})
    assert facts.jurisdiction.value == "eu" and facts.jurisdiction.status == "inferred"
    assert facts.actor.value == "law_enforcement", "no US police department in Ireland"
    assert facts.actor.status == "inferred"
    kept = apply_confirmed(read, {"country": "IE", "actor": "us_police"})
    assert kept.actor.value == "us_police", "a confirmed actor is never re-derived"


def test_a_confirmed_jurisdiction_clears_a_country_elsewhere() -> None:
    read = _read("Can German police use this on a fixed lobby camera?")
    assert read.country.value == "DE"
    facts = apply_confirmed(read, {"jurisdiction": "uk"})
    assert facts.country.value == "unknown" and facts.jurisdiction.value == "uk"
    same = apply_confirmed(read, {"jurisdiction": "eu"})
    assert same.country.value == "DE"
    with pytest.raises(InputError, match="country DE lies in jurisdiction 'eu'"):
        apply_confirmed(read, {"country": "DE", "jurisdiction": "us"})


def test_a_confirmation_settles_only_its_own_assumption() -> None:
    read = _read(LOBBY)
    assert len(read.assumptions) == 2
    purpose = apply_confirmed(read, {"purpose": "detection_or_redaction"})
    assert [a for a in purpose.assumptions if "purpose" in a] == []
    assert any("Azure OpenAI" in a for a in purpose.assumptions)
    # The purpose assumption mentions the camera, but is about the purpose: it stays.
    camera = apply_confirmed(read, {"camera": "body_worn"})
    assert camera.assumptions == read.assumptions
    both = apply_confirmed(read, {"service": "azure_openai", "purpose": "identification"})
    assert both.assumptions == ()


def test_unknown_reopens_a_fact_the_words_seemed_to_settle() -> None:
    facts = apply_confirmed(_read(LOBBY), {"camera": "unknown"})
    assert facts.camera.value == "unknown" and facts.camera.status == "confirmed"


@pytest.mark.parametrize(("code", "expected"), [
    ("DE", "eu"), ("fr", "eu"), ("GB", "uk"), ("US", "us"), ("CH", "other"), ("NO", "other"),
])
def test_jurisdiction_of(code: str, expected: str) -> None:
    assert jurisdiction_of(code) == expected
