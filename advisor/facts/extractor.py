"""Question (+ earlier turns) -> Facts: deterministic, no LLM, never raises on a string.

Each turn is read into raw findings (value + the words that set it); later turns override
earlier ones fact by fact, then defaults and assumptions are applied once, on the merged view.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from advisor.facts import patterns as p
from advisor.facts.dates import find_date
from advisor.facts.gazetteer import AGENCIES, CITIES, COUNTRIES, EU_MEMBERS, EU_REGIONS
from advisor.schema import FACT_NAMES, Fact, Facts, Intent

__all__ = ["MAX_CHARS", "extract_facts"]

#: Work is capped: only the first MAX_CHARS characters of a turn are read.
MAX_CHARS = 4000
_MAX_TURNS = 20

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]")
_SPACES = re.compile(r"\s+")
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)


def _alternation(names: Iterable[str]) -> str:
    return "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))


_COUNTRY_RE = re.compile(r"(?<![\w.])(?:" + _alternation(COUNTRIES) + r")(?![\w])", re.I)
_US_RE = re.compile(r"(?<![\w.])(?:US|U\.S\.)(?![\w])")
_CITY_RE = re.compile(r"(?<![\w.])(?:" + _alternation(CITIES) + r")(?![\w])", re.I)
_REGION_RE = re.compile(r"(?<![\w.])(?:" + _alternation(EU_REGIONS) + r")(?![\w])", re.I)
_EU_AI_ACT = re.compile(r"\b(?:the\s+)?eu(?:'s)?\s+ai\s+act\b|\beuropean\s+(?:ai\s+act|union'?s?\s+"
                        r"ai\s+act|commission|parliament)", re.I)
_AGENCY_RE = re.compile(r"(?<![\w])(?:" + _alternation(AGENCIES) + r")(?![\w])", re.I)
_ICE_RE = re.compile(r"(?<![\w])ICE(?![\w])")
_UK_FORCE = re.compile(r"\b(?:uk|british|english|welsh|scottish|irish|local|regional|county|"
                       r"territorial)\s+(?:police\s+)?forces?\b", re.I)
_IN_PLACE = re.compile(r"\b(?:in|at|across|within)\s+(?:the\s+)?$", re.I)


@dataclass
class _Turn:
    """What one turn says: fact -> (value, words), plus the turn-level signals."""

    found: dict[str, tuple[str, str]] = field(default_factory=dict)
    actor_kind: str | None = None  # "federal" | "police" | "law_enforcement" | other actor value
    actor_words: str | None = None
    acting_for: bool = False
    agency_words: str | None = None
    region_words: str | None = None
    pronoun: str | None = None
    date: tuple[dt.date, str] | None = None
    purpose_from_cue: bool = False
    camera_or_face: bool = False
    mixed_place: str | None = None
    policies: list[str] = field(default_factory=list)
    intent: Intent | None = None
    domain: bool = False


def extract_facts(question: str, history: Sequence[Mapping[str, object]] | None = None,
                  as_of: dt.date | None = None, *, today: dt.date) -> Facts:
    """Read the facts a question (and earlier user turns) establishes; never raises on text."""
    turns: list[str] = []
    for turn in list(history or ())[-_MAX_TURNS:]:
        if isinstance(turn, Mapping) and turn.get("role") == "user":
            turns.append(_clean(turn.get("content")))
    current = _clean(question)
    scans = [_scan(text, is_current=False) for text in turns]
    latest = _scan(current, is_current=True)
    return _build(scans, latest, as_of, today)


# ----------------------------------------------------------------------------- reading


def _clean(text: object) -> str:
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    text = _HTML_COMMENT.sub(" ", text[:MAX_CHARS])  # invisible text carries no facts
    text = text.encode("utf-8", "replace").decode("utf-8", "replace")
    text = _CONTROL.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def _first(table: Sequence[tuple[re.Pattern[str], str]], text: str) -> tuple[str, str] | None:
    for pattern, value in table:
        match = pattern.search(text)
        if match:
            return value, match.group(0).strip()
    return None


def _scan(text: str, *, is_current: bool) -> _Turn:
    turn = _Turn()
    if not text:
        return turn
    for name, table in (("service", p.SERVICE), ("timing", p.TIMING), ("camera", p.CAMERA),
                        ("setting", p.SETTING), ("public_access", p.PUBLIC_ACCESS),
                        ("exception", p.EXCEPTION), ("authorisation", p.AUTHORISATION),
                        ("national_law", p.NATIONAL_LAW), ("minor", p.MINOR),
                        ("consent", p.CONSENT)):
        hit = _first(table, text)
        if hit is not None:
            turn.found[name] = hit
    if "exception" not in turn.found:
        custody = p.CUSTODY.search(text)
        if custody is not None:  # identifying a suspect already apprehended
            turn.found["exception"] = ("apprehended_suspect", custody.group(0).strip())
    pronoun = p.SERVICE_PRONOUN.search(text)
    turn.pronoun = pronoun.group(0) if pronoun else None
    _scan_purpose(text, turn)
    _scan_place(text, turn)
    _scan_actor(text, turn)
    mixed = p.MIXED_PLACE.search(text)
    turn.mixed_place = mixed.group(0) if mixed else None
    turn.date = find_date(text)
    turn.policies = [value for pattern, value in p.POLICIES if pattern.search(text)]
    place_only = set(turn.found) <= {"country", "service"}
    turn.domain = bool(p.DOMAIN.search(text)) or not place_only or turn.actor_kind is not None
    turn.intent = _intent(text, turn) if is_current else None
    return turn


def _scan_purpose(text: str, turn: _Turn) -> None:
    blocked = p.PURPOSE_BLOCK_ID.search(text)
    plates = p.PLATES.search(text)
    if plates and not p.FACE_WORDS.search(text):
        turn.found["purpose"] = ("non_biometric", plates.group(0))
        return
    for pattern, value in p.PURPOSE:
        match = pattern.search(text)
        if match is None:
            continue
        if value in ("identification", "verification") and blocked:
            continue
        if value == "verification" and p.FACE_ID.fullmatch(match.group(0).strip()) and (
                p.CAMERA_WORDS.search(text) or p.POLICE_WORDS.search(text)):
            value = "identification"  # "face id" on cameras or for police: who someone is
        if value == "emotion_inference" and not p.BIOMETRIC_CUE.search(text) and not (
                p.ATTENTION.search(match.group(0)) and p.PEOPLE.search(text)):
            turn.found["purpose"] = ("non_biometric", match.group(0).strip())
            return
        turn.found["purpose"] = (value, match.group(0).strip())
        return
    task = p.TEXT_TASK.search(text)
    if task is not None and not p.BIOMETRIC_ANY.search(text):
        turn.found["purpose"] = ("non_biometric", task.group(0).strip())
        return
    # "without identifying anyone" and nothing else: no purpose is assumed either.
    turn.camera_or_face = bool(p.CAMERA_OR_FACE.search(text)) and not blocked


def _scan_place(text: str, turn: _Turn) -> None:
    candidates: list[tuple[int, int, str, str]] = []  # (priority, position, code, words)
    masked = _EU_AI_ACT.sub(lambda m: " " * len(m.group(0)), text)
    for match in _COUNTRY_RE.finditer(masked):
        code = COUNTRIES[match.group(0).lower()]
        candidates.append((_place_priority(masked, match), match.start(), code, match.group(0)))
    for match in _US_RE.finditer(masked):
        candidates.append((_place_priority(masked, match), match.start(), "US", match.group(0)))
    for match in _CITY_RE.finditer(masked):
        code = CITIES[match.group(0).lower()]
        candidates.append((_place_priority(masked, match) + 1, match.start(), code, match.group(0)))
    for match in _AGENCY_RE.finditer(masked):
        _, code = AGENCIES[match.group(0).lower()]
        if code and code != "EU":
            candidates.append((3, match.start(), code, match.group(0)))
        elif code == "EU":
            turn.region_words = turn.region_words or match.group(0)
    if _ICE_RE.search(masked):
        candidates.append((3, 0, "US", "ICE"))
    if candidates:
        candidates.sort(key=lambda item: (-item[0], item[1]))
        _, _, code, words = candidates[0]
        turn.found["country"] = (code, words)
        return
    region = _REGION_RE.search(masked)
    if region:
        turn.region_words = region.group(0)


def _place_priority(text: str, match: re.Match[str]) -> int:
    # "in Germany" (where the use happens) outranks a nationality ("a German company").
    return 2 if _IN_PLACE.search(text[max(0, match.start() - 12):match.start()]) else 1


def _scan_actor(text: str, turn: _Turn) -> None:
    if _ICE_RE.search(text):
        turn.actor_kind, turn.actor_words = "federal", "ICE"
    masked = p.NOT_POLICE_OFFICER.sub(lambda m: " " * len(m.group(0)), text)
    best: tuple[int, int, str, str] | None = None
    rank = {"federal": 0, "police": 1, "law_enforcement": 2}
    for match in _AGENCY_RE.finditer(masked):
        kind, _ = AGENCIES[match.group(0).lower()]
        key = (rank[kind], -len(match.group(0)), kind, match.group(0))
        if best is None or key < best:
            best = key
    force = _UK_FORCE.search(masked)
    if force and (best is None or best[0] > 1):
        best = (1, 0, "police", force.group(0))
    if turn.actor_kind is None and best is not None:
        turn.actor_kind, turn.actor_words = best[2], best[3]
    if turn.actor_kind is not None:
        before = masked[:masked.lower().find(turn.actor_words.lower())] if turn.actor_words else ""
        turn.acting_for = bool(p.ACTING_FOR.search(before[-60:])) and bool(
            re.search(r"\b(?:integrator|contractor|vendor|supplier|company|firm|we|consultanc\w*|"
                      r"startup|partner)\b", masked, re.I))
        return
    hit = _first(p.ACTOR_OTHER, masked)
    if hit is not None:
        turn.actor_kind, turn.actor_words = hit
        return
    patrol = p.PATROL.search(masked)
    if patrol is not None:
        turn.actor_kind, turn.actor_words = "police", patrol.group(0)
        return
    agency = p.AGENCY_WORD.search(masked)
    turn.agency_words = agency.group(0) if agency else None


def _intent(text: str, turn: _Turn) -> Intent:
    # Pricing, recipes, weather or coding with nothing about faces, police or the policies,
    # and no question of what is permitted: not for this advisor, however it is phrased.
    if (p.OUT_OF_SCOPE.search(text) and not _strong_domain(text, turn)
            and not p.PERMISSION_WORDS.search(text)):
        return "out_of_scope"
    if p.INFORMATIONAL_STRONG.search(text):
        return "informational"
    if p.ASSESS.search(text):
        return "assess"
    if p.INFORMATIONAL_WEAK.search(text) and turn.domain:
        return "informational"
    return "assess"


def _strong_domain(text: str, turn: _Turn) -> bool:
    # Summarising or translating text is what the service is for, not a policy subject.
    purpose = turn.found.get("purpose")
    biometric = purpose is not None and purpose[0] != "non_biometric"
    return bool(biometric or turn.found.get("camera") or turn.actor_kind in (
        "federal", "police", "law_enforcement") or p.POLICY_WORDS.search(text))


# ----------------------------------------------------------------------------- merging


def _build(scans: list[_Turn], latest: _Turn, as_of: dt.date | None, today: dt.date) -> Facts:
    merged: dict[str, tuple[str, str]] = {}
    actor: tuple[str, str] | None = None
    acting_for = False
    agency_words = region_words = pronoun = mixed_place = None
    date: tuple[dt.date, str] | None = None
    camera_or_face = False
    policies: list[str] = []
    for turn in [*scans, latest]:
        merged.update(turn.found)
        if turn.actor_kind is not None:
            actor = (turn.actor_kind, turn.actor_words or "")
            acting_for = turn.acting_for
        agency_words = turn.agency_words or agency_words
        if turn.region_words:
            region_words = turn.region_words
            if "country" in merged and "country" not in turn.found:
                del merged["country"]  # "and in the EU?" replaces an earlier country
        elif "country" in turn.found:
            region_words = None
        pronoun = pronoun or turn.pronoun
        mixed_place = turn.mixed_place or mixed_place
        date = turn.date or date
        camera_or_face = camera_or_face or turn.camera_or_face
        policies.extend(x for x in turn.policies if x not in policies)

    facts: dict[str, Fact] = {}
    assumptions: list[str] = []
    for name, (value, words) in merged.items():
        facts[name] = _said(value, words)

    # Place -> jurisdiction.
    country = merged.get("country")
    if country is not None:
        code, words = country
        facts["jurisdiction"] = _said(_jurisdiction(code), words)
    elif region_words:
        facts["jurisdiction"] = _said("eu", region_words)

    # Actor: police-like bodies in the US are US police; acting "by or for" them counts.
    jurisdiction = facts.get("jurisdiction", Fact()).value
    if actor is not None:
        kind, words = actor
        value = _actor_value(kind, jurisdiction)
        facts["actor"] = _said(value, words)
        if kind == "police" and "jurisdiction" not in facts and _us_only(words):
            facts["jurisdiction"] = _said("us", words)
            facts["actor"] = _said("us_police", words)
        if kind == "federal" and "jurisdiction" not in facts:
            facts["jurisdiction"] = _said("us", words)
        if acting_for:
            assumptions.append(
                f"Someone acting for {words} is treated as {words} itself: the clauses cover"
                " use 'by or for' the police."
            )
    elif agency_words:
        facts["actor"] = _said("unknown", agency_words)

    intent: Intent = latest.intent or "assess"
    if intent == "assess" and not latest.domain and not any(t.domain for t in scans):
        intent = "out_of_scope"

    # Service: named, "this" = Azure OpenAI, or open (each service's pack checks it).
    if "service" not in facts:
        if pronoun:
            facts["service"] = Fact(value="azure_openai", assumed=True)
            assumptions.append(f"'{pronoun}' is taken to mean Azure OpenAI Service.")
        elif intent == "assess":
            assumptions.append("No service was named, so each service's policy is checked as if"
                               " the use ran on it (Azure OpenAI and Azure AI Face).")

    # Purpose: a camera with no stated purpose is taken to identify people.
    if "purpose" not in facts and camera_or_face and intent == "assess":
        facts["purpose"] = Fact(value="identification", assumed=True)
        assumptions.append("No purpose was stated for the camera, so identifying people by face"
                           " is assumed.")

    # Setting from the place when only the camera says it: body-worn on patrol is in the wild.
    if "public_access" not in facts and mixed_place:
        facts["public_access"] = _said("unknown", mixed_place)

    day = as_of
    as_of_source: str | None = None
    if day is None and date is not None:
        day, as_of_source = date
        if day.isoformat() != as_of_source:
            assumptions.append(f"'{as_of_source}' is read as {day.isoformat()}.")
    if day is None:
        day = today
    return Facts(
        **{name: facts[name] for name in FACT_NAMES if name in facts},
        as_of=day, as_of_source=as_of_source, intent=intent,
        policies_named=tuple(policies), assumptions=tuple(assumptions),
    )


def _said(value: str, words: str | None) -> Fact:
    """A fact set by the asker's words."""
    return Fact.model_validate({"value": value, "from": words})


def _jurisdiction(code: str) -> str:
    if code in EU_MEMBERS:
        return "eu"
    if code == "GB":
        return "uk"
    if code == "US":
        return "us"
    return "other"


def _actor_value(kind: str, jurisdiction: object) -> str:
    if kind == "federal":
        return "us_federal" if jurisdiction in ("us", "unknown") else "law_enforcement"
    if kind == "police":
        return "us_police" if jurisdiction == "us" else "law_enforcement"
    return kind


#: Names that, with no other place given, mean a US force ("police department" is US usage).
_US_BY_DEFAULT = frozenset({"police department", "police departments", "pd", "state police"})


def _us_only(words: str) -> bool:
    kind_country = AGENCIES.get(words.lower())
    return bool(kind_country and kind_country[1] == "US") or words.lower() in _US_BY_DEFAULT
