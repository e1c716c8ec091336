"""The questions the chat asks back: open, assumed or conflicting facts, with answers in words.

``open_questions(answer)`` turns the engine's missing facts, the assumed facts and the
conflicting ones into questions with one-click choices; ``value_words`` says a fact value
in plain words; ``fact_choices`` lists every value of a fact for the facts panel.
"""

from __future__ import annotations

from dataclasses import dataclass

import pycountry

from advisor.schema import FACT_NAMES, FACT_VALUES, Answer, Fact

__all__ = ["FACT_LABELS", "Question", "fact_choices", "open_questions", "value_words"]

FACT_LABELS: dict[str, str] = {
    "service": "Service", "actor": "Who uses it", "country": "Country",
    "jurisdiction": "Jurisdiction", "purpose": "Purpose", "timing": "Timing",
    "camera": "Camera", "setting": "Setting", "public_access": "Open to the public",
    "exception": "Article 5 exception", "authorisation": "Authorisation",
    "national_law": "National law in place", "minor": "Minor involved", "consent": "Consent",
}

#: Fact value -> plain words, per fact (a value not listed reads as itself, '_' as ' ').
_WORDS: dict[str, dict[str, str]] = {
    "service": {"azure_openai": "Azure OpenAI", "azure_ai_face": "Azure AI Face",
                "other": "another service"},
    "actor": {"us_police": "US police department", "us_federal": "US federal agency",
              "law_enforcement": "law enforcement", "government_non_le":
              "other public body (not law enforcement)", "private": "private company",
              "education": "school or university", "employer": "employer"},
    "jurisdiction": {"eu": "EU member state", "us": "United States", "uk": "United Kingdom",
                     "other": "elsewhere"},
    "purpose": {"identification": "identifying people", "verification":
                "verifying a claimed identity (1:1)", "detection_or_redaction":
                "detecting or blurring faces", "emotion_inference": "inferring emotions",
                "categorisation": "categorising people by biometrics", "scraping":
                "scraping face images", "social_scoring": "social scoring", "surveillance":
                "ongoing surveillance", "non_biometric": "nothing biometric",
                "attribute_inference": "age, gender or other face attributes"},
    "timing": {"real_time": "live (real time)", "post": "later, on recorded footage"},
    "camera": {"body_worn": "body-worn", "dash": "dash-mounted", "other_mobile":
               "another mobile camera", "fixed": "fixed", "none": "no camera"},
    "setting": {"controlled": "controlled, supervised place", "uncontrolled":
                "open, in the wild"},
    "public_access": {"yes": "Yes, open to the public", "no": "No, not open to the public"},
    "exception": {"victim_search": "searching for a specific victim or missing person",
                  "imminent_threat": "a specific, imminent threat to life or of terror",
                  "serious_crime_suspect": "locating a suspect of a listed serious crime",
                  "apprehended_suspect": "identifying a suspect already in custody",
                  "medical_or_safety": "a medical or safety reason (AI Act Art. 5(1)(f))",
                  "none": "none of these"},
}
_YES_NO = {"yes": "Yes", "no": "No"}


def value_words(name: str, value: object) -> str:
    """A fact value in plain words ("law_enforcement" -> "law enforcement")."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    text = str(value)
    if text == "unknown":
        return "not known"
    if name == "country":
        country = pycountry.countries.get(alpha_2=text)
        return f"{country.name} ({text})" if country is not None else text
    words = _WORDS.get(name, _YES_NO if "yes" in FACT_VALUES.get(name, ()) else {})
    return words.get(text, text.replace("_", " "))


def fact_choices(name: str) -> list[tuple[str, str]]:
    """Every value of fact ``name`` as (words, value), "not known" last (the facts panel)."""
    if name == "country":
        values = sorted(((c.name, c.alpha_2) for c in pycountry.countries), key=lambda x: x[0])
        return [(f"{words} ({code})", code) for words, code in values] + [("not known",
                                                                          "unknown")]
    return [(value_words(name, v), v) for v in FACT_VALUES.get(name, ()) if v != "unknown"] + \
        [("not known", "unknown")]


@dataclass(frozen=True)
class Question:
    """A fact to ask about: the words of the question, why, and the one-click choices."""

    fact: str
    ask: str
    why: str  # "open", "assumed" or "conflicting"
    choices: tuple[tuple[str, str], ...]  # (words, value)
    hint: str = ""  # what each answer would do, or what was assumed


def _ordered(name: str, values: set[str]) -> list[str]:
    return [v for v in FACT_VALUES.get(name, ()) if v in values]


def _plausible(name: str, values: list[str], facts: dict[str, Fact]) -> list[str]:
    # A European agency is not a US police department: US-only actors only where the use
    # may be in the United States.
    where = facts.get("jurisdiction", Fact()).value
    if name == "actor" and where not in ("us", "unknown", None):
        return [v for v in values if v not in ("us_police", "us_federal")]
    return values


def _readings(fact: Fact) -> list[str]:
    return [str(c.value) for c in fact.candidates if c.value not in (None, "unknown")]


def _disagree(name: str, fact: Fact) -> str:
    readings = " / ".join(f"{value_words(name, c.value)} (\u201c{c.source}\u201d)"
                          for c in fact.candidates)
    return f"Your words disagree: {readings}"


_ORDER = ("prohibited", "conditional", "not_prohibited", "not_applicable")


def _outcomes(name: str, policy: str, per: dict[str, str], values: list[str]) -> str:
    """'eu-ai-act: conditional if law enforcement; not prohibited if private company, ...'."""
    grouped: dict[str, list[str]] = {}
    for value in values:
        if value in per:
            grouped.setdefault(per[value], []).append(value_words(name, value))
    parts = [f"{verdict.replace('_', ' ')} if {', '.join(words)}"
             for verdict, words in sorted(grouped.items(), key=lambda kv: _ORDER.index(kv[0]))]
    return f"{policy}: " + ", ".join(parts) if policy else ", ".join(parts)


def open_questions(answer: Answer | None) -> list[Question]:
    """The facts a verdict turns on that the user can settle: open, assumed, conflicting."""
    if answer is None:
        return []
    facts = dict(answer.facts)
    out: list[Question] = []
    seen: set[str] = set()
    asks: dict[str, str] = {}
    outcomes: dict[str, dict[str, dict[str, str]]] = {}  # fact -> policy -> value -> verdict
    for missing in answer.missing_facts:
        asks.setdefault(missing.fact, missing.ask)
        outcomes.setdefault(missing.fact, {}).setdefault(missing.policy or "", {}).update(
            missing.outcomes)
    for name, ask in asks.items():
        fact = facts.get(name, Fact())
        if fact.status == "confirmed":
            continue
        offered = {v for per in outcomes[name].values() for v in per}
        values = _plausible(name, _ordered(name, offered), facts)
        if not values:
            continue
        hint = "; ".join(_outcomes(name, policy, per, values)
                         for policy, per in outcomes[name].items())
        why = "open"
        if fact.status == "conflicting":  # open because the words disagree: show both readings
            why, read = "conflicting", _readings(fact)
            values = [v for v in read if v in values] + [v for v in values if v not in read]
            hint = f"{_disagree(name, fact)}. {hint}"
        out.append(Question(name, ask, why, tuple((value_words(name, v), v) for v in values),
                            hint))
        seen.add(name)
    for name in FACT_NAMES:
        known = facts.get(name)
        if known is None or name in seen or known.status not in ("assumed", "conflicting"):
            continue
        fact = known
        label = FACT_LABELS.get(name, name).lower()
        values = [v for v in FACT_VALUES.get(name, ()) if v != "unknown"]
        if fact.status == "assumed":
            ask = (f"The {label} was assumed to be {value_words(name, fact.value)}. "
                   "Is that right?")
            hint = fact.source or ""
            first = [str(fact.value)] if fact.value in values else []
            values = first + [v for v in values if v not in first]
        else:
            read = _readings(fact)
            ask = f"Your words disagree on the {label}: which is it?"
            hint = _disagree(name, fact)
            values = [v for v in read if v in values] + [v for v in values if v not in read]
        values = _plausible(name, values, facts)
        out.append(Question(name, ask, fact.status, tuple((value_words(name, v), v)
                                                          for v in values), hint))
    return out
