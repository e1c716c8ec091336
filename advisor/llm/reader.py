"""The optional LLM fact reader: the model reads the question, the rule reader keeps it honest.

``ADVISOR_FACTS_READER`` chooses who reads the facts:

    rules   the deterministic rule reader alone (default; no model call)
    llm     the model's reading, fact by fact; the rule reader's value where the model says
            nothing, and the whole rule reading when the model fails
    both    the union: a fact either reader sets is kept; where the two disagree the fact
            is ``conflicting`` (value "unknown", both readings in ``candidates``) so the
            engine reports both outcomes and the user is asked. Never resolved toward the
            less restrictive verdict.

The model answers with a small JSON object: per fact a name, a value from the fact
vocabulary (``FACT_VALUES``) and the exact words of the question or an earlier user turn
it rests on. A value whose words are not found there (compared after Unicode, case and
spacing normalisation) is dropped, as is a value outside the vocabulary. A fact the user
confirmed is never touched. Timeouts, HTTP errors and unusable output fall back to the rule
reading with a note in the answer's guardrail notes.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, JsonValue

from advisor.config import Settings
from advisor.errors import AdvisorError, LLMError
from advisor.llm.client import ChatModel, chat_model
from advisor.schema import FACT_VALUES, Fact, FactCandidate, Facts

__all__ = ["LLMFactReader", "ModelFacts", "fact_reader", "merge_facts", "read_prompt"]

Mode = Literal["llm", "both"]
History = Sequence[Mapping[str, str]]

#: The facts the model reads: every fact with a closed vocabulary (``country`` is derived).
READ_FACTS: tuple[str, ...] = tuple(FACT_VALUES)
#: Facts that show a question is about the indexed policies (an "out of scope" rule reading
#: is reopened when the model finds one of these, with words, in the question).
_DOMAIN_FACTS = ("service", "purpose", "camera", "timing")
_MAX_FACTS = len(READ_FACTS)
#: Output cap: about 25 tokens per fact, plus the wrapper.
MAX_TOKENS = 40 + 25 * _MAX_FACTS

_GLOSS: dict[str, str] = {
    "service": "azure_openai (Azure OpenAI, GPT), azure_ai_face (Azure AI Face, Face API), other",
    "actor": "us_police (US state or local police, sheriff), us_federal (FBI, ICE, DHS), "
             "law_enforcement (police outside the US), government_non_le, private (a company), "
             "education, employer",
    "jurisdiction": "where it is used: us, eu (an EU country or city), uk, other",
    "purpose": "identification (who is this person), verification (1:1 match), "
               "detection_or_redaction (find or blur faces), emotion_inference, categorisation "
               "(race, religion, politics from faces), scraping (collect face images), "
               "social_scoring, surveillance, attribute_inference (age, gender), "
               "non_biometric (text work, no faces)",
    "timing": "real_time (live), post (recorded footage, later)",
    "camera": "body_worn, dash, other_mobile (drone, handheld), fixed (CCTV), none",
    "setting": "controlled (booking room, office), uncontrolled (street, public events)",
    "public_access": "yes (open to the public), no",
    "exception": "victim_search (missing person, victim), imminent_threat (terror threat), "
                 "serious_crime_suspect, apprehended_suspect (already in custody), "
                 "medical_or_safety (emotion recognition at work or school for a stated "
                 "medical or safety reason), none",
    "authorisation": "yes (a judge or authority approved), no",
    "national_law": "yes (a national law allows it), no",
    "minor": "yes (children involved), no",
    "consent": "yes (people opted in), no",
}

SYSTEM = (
    "You read one question about using an AI service and list the facts it states. "
    "Only facts the text states; leave out anything not said. For each fact give its name, "
    "one value from the list, and \"words\": the shortest phrase copied exactly from the text "
    "that states it, in the text's own language.\n"
    "Facts and values:\n"
    + "\n".join(f"- {name}: {gloss}" for name, gloss in _GLOSS.items())
    + '\nReply with JSON only: {"facts": [{"name": ..., "value": ..., "words": ...}]}'
)

_EXAMPLE_Q = "Can Berlin police run live face matching from a drone at a protest?"
_EXAMPLE_A = {"facts": [
    {"name": "actor", "value": "law_enforcement", "words": "Berlin police"},
    {"name": "jurisdiction", "value": "eu", "words": "Berlin"},
    {"name": "timing", "value": "real_time", "words": "live"},
    {"name": "purpose", "value": "identification", "words": "face matching"},
    {"name": "camera", "value": "other_mobile", "words": "drone"},
    {"name": "public_access", "value": "yes", "words": "protest"},
]}


class _Found(BaseModel):
    """One fact as the model gives it (values are checked after parsing, not rejected here)."""

    model_config = ConfigDict(extra="ignore")

    name: str
    value: str
    words: str


def _one_of_each(schema: dict[str, JsonValue]) -> None:
    """Send one object shape per fact, so a decoding server pairs each name with its values."""
    shapes: list[JsonValue] = [{
        "type": "object", "additionalProperties": False,
        "required": ["name", "value", "words"],
        "properties": {"name": {"type": "string", "enum": [name]},
                       "value": {"type": "string",
                                 "enum": [v for v in FACT_VALUES[name] if v != "unknown"]},
                       "words": {"type": "string", "maxLength": 80}},
    } for name in READ_FACTS]
    schema["properties"] = {"facts": {"type": "array", "maxItems": _MAX_FACTS,
                                      "items": {"anyOf": shapes}}}
    schema["required"] = ["facts"]
    schema["additionalProperties"] = False
    schema.pop("$defs", None)


class _Reading(BaseModel):
    """The model's whole answer (parsed leniently: each value is checked after parsing)."""

    model_config = ConfigDict(extra="ignore", json_schema_extra=_one_of_each)

    facts: list[_Found]


# ----------------------------------------------------------------------------- prompt


def read_prompt(question: str, history: History = ()) -> list[dict[str, str]]:
    """The messages that ask the model to read ``question`` (and earlier user turns)."""
    turns = [t["content"] for t in history if t.get("role") == "user"]
    text = question if not turns else (
        "Earlier messages:\n" + "\n".join(f"- {t}" for t in turns) + f"\nQuestion: {question}")
    return [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": _EXAMPLE_Q},
        {"role": "assistant", "content": json.dumps(_EXAMPLE_A)},
        {"role": "user", "content": text},
    ]


# ----------------------------------------------------------------------------- reading

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                         "\u201e": '"', "\u00ab": '"', "\u00bb": '"', "\u2013": "-",
                         "\u2014": "-", "\u00a0": " "})
_SPACE = re.compile(r"\s+")
_EDGE = re.compile(r"^[\W_]+|[\W_]+$")


def normalise(text: str) -> str:
    """Text as compared for "the words are in the question": NFKC, case, quotes, spacing."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    return _SPACE.sub(" ", text).strip()


def _words(words: str) -> str:
    return _EDGE.sub("", normalise(words))


@dataclass(frozen=True)
class ModelFacts:
    """What the model read, checked: fact name -> Fact (words verified), and the notes."""

    facts: Mapping[str, Fact]
    notes: tuple[str, ...] = ()


def _locate(words: str, question: str, turns: Sequence[str]) -> int | None:
    """0 when ``words`` are in the question, n for the n-th earlier user turn, else None."""
    if len(words) < 2 or not any(ch.isalnum() for ch in words):
        return None
    if words in normalise(question):
        return 0
    for n in range(len(turns), 0, -1):
        if words in normalise(turns[n - 1]):
            return n
    return None


def check_reading(data: Mapping[str, object], question: str, history: History = ()) -> ModelFacts:
    """Keep the model's values that are in the vocabulary and rest on words the user wrote."""
    reading = _Reading.model_validate(data)
    turns = [t["content"] for t in history if t.get("role") == "user"]
    notes: list[str] = []
    found: dict[str, list[Fact]] = {}
    for item in reading.facts:
        name, value = item.name.strip(), item.value.strip()
        if name not in FACT_VALUES:
            notes.append(f"llm reader: dropped an unknown fact name {name!r}")
            continue
        if value == "unknown":
            continue
        if value not in FACT_VALUES[name]:
            notes.append(f"llm reader: dropped {name}={value!r}, not a value of {name}")
            continue
        where = _locate(_words(item.words), question, turns)
        if where is None:
            notes.append(f"llm reader: dropped {name}={value}: its words {item.words[:60]!r} "
                         "are not in the question")
            continue
        if where == 0:
            fact = Fact.model_validate({"value": value, "from": item.words.strip()})
        else:
            fact = Fact.model_validate({"value": value, "from": item.words.strip(),
                                        "status": "inherited", "turn": where})
        if all(f.value != value for f in found.get(name, [])):
            found.setdefault(name, []).append(fact)
    facts: dict[str, Fact] = {}
    for name, readings in found.items():
        if len(readings) == 1:
            facts[name] = readings[0]
        else:  # the model itself read two values: leave the fact open
            facts[name] = _conflict(readings)
    return ModelFacts(facts=facts, notes=tuple(notes))


def _candidates(fact: Fact) -> list[FactCandidate]:
    if fact.status == "conflicting":
        return list(fact.candidates)
    return [FactCandidate.model_validate({"value": fact.value, "from": fact.source})]


def _conflict(readings: Sequence[Fact]) -> Fact:
    candidates: list[FactCandidate] = []
    for fact in readings:
        for candidate in _candidates(fact):
            if all(c.value != candidate.value for c in candidates):
                candidates.append(candidate)
    return Fact(value="unknown", status="conflicting", candidates=tuple(candidates))


def _has_value(fact: Fact) -> bool:
    return fact.status == "conflicting" or fact.value not in ("unknown", None)


def merge_facts(rules: Facts, model: Mapping[str, Fact], mode: Mode) -> Facts:
    """Combine the rule reading with the model's checked reading (see the module docstring).

    A confirmed fact is kept as it is. ``llm``: the model's fact where it has one, else the
    rule reader's. ``both``: where the two readings differ (an assumption counts as a
    reading) the fact is conflicting, with every candidate kept.
    """
    update: dict[str, object] = {}
    for name, fact in model.items():
        ours: Fact = getattr(rules, name)
        if ours.status == "confirmed" or not _has_value(fact):
            continue
        if mode == "llm" or not _has_value(ours):
            update[name] = fact
        elif {c.value for c in _candidates(ours)} != {c.value for c in _candidates(fact)}:
            update[name] = _conflict([ours, fact])
        elif ours.status == "assumed":
            update[name] = fact  # the same value, now resting on the question's own words
    if rules.intent == "out_of_scope" and any(
            model.get(name) is not None and _has_value(model[name]) for name in _DOMAIN_FACTS):
        update["intent"] = "assess"
    return rules.model_copy(update=update)


# ----------------------------------------------------------------------------- the reader


class LLMFactReader:
    """Reads facts with a chat model and merges them with the rule reader's (never raises)."""

    def __init__(self, model: ChatModel | None, mode: Mode, *, unavailable: str | None = None):
        self.model = model
        self.mode: Mode = mode
        self.unavailable = unavailable
        self.name = f"llm:{model.name}" if model is not None else "llm"

    @classmethod
    def from_settings(cls, settings: Settings) -> LLMFactReader:
        """The reader the settings ask for (``ADVISOR_FACTS_READER`` llm or both)."""
        mode: Mode = "both" if settings.facts_reader == "both" else "llm"
        try:
            return cls(chat_model(settings), mode)
        except AdvisorError as exc:
            return cls(None, mode, unavailable=str(exc))

    def read_model(self, question: str, history: History = ()) -> ModelFacts:
        """The model's checked reading; raises LLMError when the model fails."""
        if self.model is None:
            raise LLMError(self.unavailable or "the LLM fact reader has no endpoint")
        data = self.model.complete(read_prompt(question, history), schema=_Reading,
                                   max_tokens=MAX_TOKENS)
        try:
            return check_reading(data, question, history)
        except (ValueError, TypeError) as exc:
            raise LLMError(f"the LLM's facts could not be read ({exc})") from exc

    def read(self, question: str, history: History, facts: Facts
             ) -> tuple[Facts, tuple[str, ...], bool]:
        """Merge the model's reading into ``facts``; the notes; True when it fell back."""
        try:
            reading = self.read_model(question, history)
        except LLMError as exc:
            return facts, (f"the {self.name} fact reader failed ({exc}); the facts are the rule "
                           "reader's",), True
        merged = merge_facts(facts, reading.facts, self.mode)
        notes = list(reading.notes)
        conflicting = [name for name in READ_FACTS
                       if getattr(merged, name).status == "conflicting"
                       and getattr(facts, name).status != "conflicting"]
        if conflicting:
            notes.append(f"the {self.name} fact reader and the rule reader disagree on "
                         + ", ".join(conflicting) + ": left open")
        if merged.intent != facts.intent:
            notes.append(f"the {self.name} fact reader found facts of the indexed policies; "
                         "the question is assessed")
        return merged, tuple(notes), False


def fact_reader(settings: Settings) -> LLMFactReader | None:
    """The fact reader ``ADVISOR_FACTS_READER`` asks for; None for the rule reader alone."""
    if settings.facts_reader == "rules":
        return None
    return LLMFactReader.from_settings(settings)
