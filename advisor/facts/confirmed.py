"""Facts the user confirms: validated against the fact vocabulary, then applied over the reading.

    confirmed = parse_confirmed({"actor": "law_enforcement", "public_access": "yes"})
    facts = apply_confirmed(extract_facts(...), confirmed)

A confirmed fact has status ``confirmed`` and source "confirmed by the user", and beats
whatever the question's words set. What depends on it is derived again (a confirmed country
sets the jurisdiction; a changed jurisdiction re-reads a US-only actor), and an assumption
the confirmation settles is dropped. ``as_of`` is not a fact here: it stays its own parameter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pycountry

from advisor.errors import InputError
from advisor.facts.places import jurisdiction
from advisor.schema import FACT_NAMES, FACT_VALUES, Fact, Facts

__all__ = ["CONFIRMED_SOURCE", "apply_confirmed", "jurisdiction_of", "parse_confirmed"]

#: The ``from`` of every fact the user confirmed.
CONFIRMED_SOURCE = "confirmed by the user"

_US_ONLY = {"us_police", "us_federal"}  # actor values that only exist in the United States


def parse_confirmed(facts: Mapping[str, object] | None) -> dict[str, str]:
    """Confirmed facts checked and normalised; InputError naming the allowed names or values.

    Values are the fact vocabulary's (``FACT_VALUES``); ``country`` is an ISO 3166-1 alpha-2
    code (a country's alpha-3 code or English name is accepted and normalised); a yes/no fact
    also takes True/False. "unknown" reopens a fact the question seemed to settle.
    """
    if facts is None:
        return {}
    if not isinstance(facts, Mapping):
        raise InputError("facts must be a mapping of fact name to value, e.g. "
                         "{'actor': 'law_enforcement', 'public_access': 'yes'}")
    out: dict[str, str] = {}
    for name, value in facts.items():
        if name == "as_of":
            raise InputError("as_of is not a fact here: pass the date as its own as_of "
                             "parameter (--as-of, \"as_of\")")
        if name not in FACT_NAMES:
            raise InputError(f"unknown fact {name!r}; the facts are: {', '.join(FACT_NAMES)}")
        out[str(name)] = _value(str(name), value)
    return out


def _value(name: str, value: object) -> str:
    if name == "country":
        return _country(value)
    allowed = FACT_VALUES[name]
    if isinstance(value, bool) and "yes" in allowed:
        return "yes" if value else "no"
    text = value.strip().lower().replace("-", "_").replace(" ", "_") \
        if isinstance(value, str) else None
    if text not in allowed:
        raise InputError(f"{value!r} is not a value of fact {name!r}; use one of: "
                         f"{', '.join(allowed)}")
    return text


def _country(value: object) -> str:
    if isinstance(value, str) and value.strip().lower() == "unknown":
        return "unknown"
    found = None
    if isinstance(value, str) and value.strip():
        try:
            found = pycountry.countries.lookup(value.strip())
        except LookupError:
            found = None
    if found is None:
        raise InputError(f"{value!r} is not a country; give an ISO 3166-1 alpha-2 code such "
                         "as DE, FR, NL, GB or US (or 'unknown')")
    return str(found.alpha_2)


def jurisdiction_of(country: str) -> str:
    """The jurisdiction of an ISO alpha-2 country code: eu, uk, us or other."""
    return jurisdiction(country.upper())


def _confirmed(value: str) -> Fact:
    return Fact.model_validate({"value": value, "from": CONFIRMED_SOURCE, "status": "confirmed"})


def _inferred(value: str, words: str) -> Fact:
    return Fact.model_validate({"value": value, "from": words, "status": "inferred"})


def apply_confirmed(facts: Facts, confirmed: Mapping[str, object]) -> Facts:
    """``facts`` with the confirmed ones set, their dependants derived again, assumptions settled.

    - country -> jurisdiction (unless the jurisdiction is confirmed too; a mismatch is an error);
    - a confirmed jurisdiction clears a country read from the text that lies elsewhere;
    - a US-only actor value (US police, US federal agency) becomes law enforcement when the
      jurisdiction is no longer the US; the reverse is left to the question (never guessed);
    - an assumption is dropped when a confirmation settles it: it is the assumed fact's own
      ``from`` text, or the first fact it names is the confirmed one, or (naming none) it
      quotes the words the confirmed fact was read from.
    """
    values = parse_confirmed(confirmed)
    if not values:
        return facts
    update: dict[str, Fact] = {name: _confirmed(value) for name, value in values.items()}
    country, jurisdiction = values.get("country"), values.get("jurisdiction")
    if country not in (None, "unknown"):
        derived = jurisdiction_of(str(country))
        if jurisdiction is None:
            update["jurisdiction"] = _inferred(derived, f"country {country}, {CONFIRMED_SOURCE}")
        elif jurisdiction != derived:
            raise InputError(f"country {country} lies in jurisdiction {derived!r}, but "
                             f"jurisdiction {jurisdiction!r} was confirmed: give one of them, "
                             "or both consistently")
    elif jurisdiction is not None and country is None:
        read = facts.value("country")
        if isinstance(read, str) and read != "unknown" and jurisdiction_of(read) != jurisdiction:
            update["country"] = Fact()
    new_jurisdiction = (update.get("jurisdiction") or facts.jurisdiction).value
    actor = facts.actor
    if ("actor" not in values and actor.value in _US_ONLY
            and new_jurisdiction not in ("us", "unknown")):
        update["actor"] = _inferred("law_enforcement", actor.source or "law enforcement")
    assumptions = tuple(a for a in facts.assumptions
                        if not any(_settles(a, name, getattr(facts, name)) for name in values))
    return facts.model_copy(update={**update, "assumptions": assumptions})


def _settles(assumption: str, name: str, fact: Fact) -> bool:
    """Whether confirming ``name`` settles ``assumption`` (see ``apply_confirmed``)."""
    if fact.status == "assumed" and fact.source and assumption == fact.source:
        return True
    subject = _subject(assumption)
    if subject is not None:
        return subject == name
    words = fact.source if fact.status != "confirmed" else None
    return bool(words and len(words) >= 4
                and re.search(rf"(?<!\w){re.escape(words)}(?!\w)", assumption, re.I))


def _subject(assumption: str) -> str | None:
    """The fact an assumption is about: the first fact it names ("No purpose ... camera")."""
    found: list[tuple[int, str]] = []
    for name in FACT_NAMES:
        match = re.search(rf"(?<!\w){re.escape(name.replace('_', ' '))}(?!\w)", assumption, re.I)
        if match is not None:
            found.append((match.start(), name))
    return min(found)[1] if found else None
