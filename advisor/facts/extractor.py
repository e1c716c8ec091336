"""Question (+ earlier turns) -> Facts: the reader's steps in order; never raises on a string.

    text -> language -> mentions (every match, with its span) -> scope -> reading per turn
         -> resolve (one value and a status per fact, conflicts left open)

Each step is its own module; this one only cleans the text and calls them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import lru_cache

from advisor.facts import language, mentions, places, scope, vocab
from advisor.facts.dates import find_date, find_shift, says_present
from advisor.facts.reading import Reading, read_turn
from advisor.facts.resolve import Turn, resolve
from advisor.facts.uses import split_uses
from advisor.schema import Fact, Facts

__all__ = ["MAX_CHARS", "extract_facts", "extract_uses"]

#: Work is capped: only the first MAX_CHARS characters of a turn are read.
MAX_CHARS = 4000
_MAX_TURNS = 20
#: Facts that, named in a new turn, make it a question of its own rather than a follow-up.
_OWN_USE = 3

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]")
_SPACES = re.compile(r"\s+")
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)


def extract_facts(question: str, history: Sequence[Mapping[str, object]] | None = None,
                  as_of: dt.date | None = None, *, today: dt.date) -> Facts:
    """Read the facts a question (and earlier user turns) establishes; never raises on text."""
    return _extract(question, history, as_of, today, None)[0]


def _extract(question: str, history: Sequence[Mapping[str, object]] | None,
             as_of: dt.date | None, today: dt.date,
             detected: language.Detected | None) -> tuple[Facts, Reading]:
    earlier = _user_turns(history)
    current = _clean(question)
    if detected is None:
        detected = language.detect(current)
    turns: list[Turn] = []
    context: frozenset[str] = frozenset()
    for number, text in enumerate(earlier, start=1):
        reading, cues = _read_earlier(text, context)
        context |= cues
        turns.append(Turn(reading, number))
    also = _conversation_language(earlier) if len(current) < _SHORT_FOLLOWUP else None
    reading, cues = _read(current, is_current=True, context=context, detected=detected,
                          also=also)
    own = _self_contained(reading, cues) if turns else False
    if own and context:  # a new question of its own: read without the earlier turns' cues
        reading, cues = _read(current, is_current=True, context=frozenset(),
                              detected=detected, also=also)
    turns.append(Turn(reading, len(earlier) + 1, self_contained=own))
    return resolve(turns, as_of, today, notices=_notices(detected),
                   unsupported=not detected.supported, language=detected), reading


def extract_uses(question: str, history: Sequence[Mapping[str, object]] | None = None,
                 as_of: dt.date | None = None, *,
                 today: dt.date) -> list[tuple[str, Facts]]:
    """One (words, Facts) per use the question lists ("(1) ..., (2) ...") or per practice it
    states beside scraping faces, else just one."""
    cleaned = _clean(question)
    parts = split_uses(cleaned)
    if len(parts) < 2:
        facts, reading = _extract(question, history, as_of, today, None)
        return _practice_uses(cleaned, facts, reading)
    # the language of the whole question: a short item alone is easily misdetected
    detected = language.detect(cleaned)
    uses = [(item, _extract(text, history, as_of, today, detected)[0]) for item, text in parts]
    # who, where and which service, said once for all uses ("(1) ... with Azure OpenAI,
    # (2) later the same bodycams"): a use that does not say its own takes the question's;
    # one that says nothing of it also takes what the question leads to assuming ("... All
    # with this.": Azure OpenAI)
    whole = _extract(question, history, as_of, today, detected)[0]
    shared = {name: getattr(whole, name) for name in _SHARED
              if getattr(whole, name).status in ("stated", "inferred", "assumed")}
    return [(item, facts.model_copy(update={
        name: fact for name, fact in shared.items()
        if _weaker(getattr(facts, name).status, fact.status)})) for item, facts in uses]


def _weaker(own: str, whole: str) -> bool:
    """A use's own fact gives way to the whole question's: it says nothing, or it only
    assumes where the question states or infers."""
    return own == "unknown" or own == "assumed" and whole != "assumed"


#: Facts a listed use takes from the whole question when it does not state them itself.
_SHARED = ("service", "actor", "country", "jurisdiction")


def _practice_uses(words: str, facts: Facts, reading: Reading) -> list[tuple[str, Facts]]:
    """Scraping faces and what is done with them, in one question: a use per practice."""
    chosen = facts.purpose
    if len(reading.practices) < 2 or chosen.status not in ("stated", "inherited"):
        return [(words, facts)]
    return [(said.words, facts.model_copy(update={"purpose": Fact.model_validate(
        {"value": said.value, "from": said.words, "status": chosen.status,
         "turn": chosen.turn})})) for said in reading.practices]


# ----------------------------------------------------------------------------- steps


def _user_turns(history: Sequence[Mapping[str, object]] | None) -> list[str]:
    turns: list[str] = []
    for turn in list(history or ())[-_MAX_TURNS:]:
        if isinstance(turn, Mapping) and turn.get("role") == "user":
            turns.append(_clean(turn.get("content")))
    return turns


def _clean(text: object) -> str:
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    text = _HTML_COMMENT.sub(" ", text[:MAX_CHARS])  # invisible text carries no facts
    text = text.encode("utf-8", "replace").decode("utf-8", "replace")
    text = _CONTROL.sub(" ", text)
    text = text.translate(places.SAME_LETTERS)  # "Timișoara" as GeoNames writes it, "Timişoara"
    return _SPACES.sub(" ", text).strip()


def _vocabularies(detected: language.Detected, also: str | None = None,
                  plain: bool = False) -> list[vocab.Vocabulary]:
    return [vocab.load(code, plain=plain and code != "en") for code in _codes(detected, also)]


def _codes(detected: language.Detected, also: str | None) -> list[str]:
    # English always (service names, "GPT-4", English words in any question), then the
    # question's own language, or the nearest supported one when its own has no vocabulary;
    # ``also``: the conversation's language, for a follow-up too short to tell its own;
    # ``plain``: the text has not a single accent ("na zywo"), so those languages' words are
    # read as typed without them.
    codes = ["en"]
    other = detected.code if detected.supported else detected.nearest
    if other and other != "en":
        codes.append(other)
    if also and also not in codes:
        codes.append(also)
    if not detected.supported and vocab.has_pronouns(detected.code):
        codes.append(detected.code)  # its words for "this service" and its place names
    return codes


def _unaccented_too(text: str, found: tuple[mentions.Mention, ...],
                    detected: language.Detected, also: str | None) -> tuple[mentions.Mention, ...]:
    """Add the words typed without their accents in a question that has some ("la policia",
    "en temps reel" beside "caméras"): the accent-free vocabulary on the text without accents
    (same length, so the spans hold), for the places nothing was read as written."""
    folded = vocab.unmarked(text)
    if len(folded) != len(text):
        return found
    langs = [code for code in _codes(detected, also) if code != "en"]
    typed = {w.lower() for w in _ASCII_WORD.findall(text)}
    if not any(typed & _accent_dropped(lang) for lang in langs):
        return found  # no word the vocabulary writes with an accent is typed without one
    plain = [vocab.load(lang, plain=True) for lang in langs]  # compiled only when needed
    # a reading needs one word typed without its accents that is no word of its own as
    # typed ("piste" is a word, not "pisté"; "nombre" is not "nombré")
    dropped = frozenset().union(*(_accent_dropped(lang) for lang in langs))
    extra = [replace(m, words=text[m.start:m.end]) for m in mentions.find(folded, plain)
             if not any(o.kind == m.kind and o.name == m.name and o.overlaps(m) for o in found)
             and (m.kind == "place" or dropped.intersection(
                 w.lower() for w in _ASCII_WORD.findall(text[m.start:m.end])))]
    if not extra:
        return found
    return tuple(sorted((*found, *extra), key=lambda m: (m.start, -m.end)))


_ASCII_WORD = re.compile(r"(?<![^\W\d_])[A-Za-z]+(?![^\W\d_])")
_VOCAB_WORD = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=64)
def _accent_dropped(lang: str) -> frozenset[str]:
    """The words of a language's vocabulary files (words, forms, names) that carry an accent,
    as typed without it ("policia", "reel", "citta"): the ones worth a second look."""
    import json

    from advisor.facts.datafile import read_yaml

    texts: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, str):
            texts.append(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                walk(key)
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    own = vocab.VOCAB_DIR / f"{lang}.yaml"
    data = read_yaml(own) or {} if own.exists() else {}
    walk(data.get("facts"))
    walk(data.get("cues"))
    places = vocab.VOCAB_DIR / "places" / f"{lang}.yaml"
    if places.exists():
        walk(read_yaml(places))
    forms = vocab.VOCAB_DIR / "forms" / f"{lang}.json"
    if forms.exists():
        walk(json.loads(forms.read_text(encoding="utf-8")))
    words = {w.lower() for text in texts for w in _VOCAB_WORD.findall(text)}
    clashes: set[str] = set()
    if forms.exists():
        clashes = set(json.loads(forms.read_text(encoding="utf-8")).get("clashes", ()))
    # a folded word that is itself a word of the vocabulary ("des", "que") or of the language
    # ("piste", "nombre": the forms file's clashes) is read as written
    return frozenset(vocab.unmarked(w) for w in words
                     if not w.isascii() and len(w) >= 3) - words - clashes


#: Characters: a follow-up shorter than this ("E in Svizzera?") is also read in the language of
#: the conversation, since a few words tell too little about their own language.
_SHORT_FOLLOWUP = 80


def _conversation_language(earlier: Sequence[str]) -> str | None:
    """The supported language of the latest earlier turn long enough to tell one."""
    for text in reversed(earlier):
        if len(text) >= _SHORT_FOLLOWUP:
            return _turn_language(text)
    return None


@lru_cache(maxsize=256)
def _turn_language(text: str) -> str | None:
    # (an earlier turn comes back with every later one, as in _read_earlier)
    found = language.detect(text)
    return found.code if found.supported else found.nearest


def _read(text: str, *, is_current: bool, context: frozenset[str],
          detected: language.Detected | None = None,
          also: str | None = None) -> tuple[Reading, frozenset[str]]:
    if detected is None:
        detected = language.detect(text)
    vocabularies = _vocabularies(detected, also, plain=text.isascii())
    found = mentions.find(text, vocabularies)
    if not text.isascii():
        found = _unaccented_too(text, found, detected, also)
    marked = scope.mark(text, found, vocabularies)
    reading = read_turn(text, marked, is_current=is_current, context_cues=context)
    reading.date = find_date(text)
    if reading.date is None:
        reading.present = says_present(text)
        reading.shift = find_shift(text)
    cues = frozenset(m.name for m in marked if m.kind == "cue" and m.scope == "use")
    return reading, cues


@lru_cache(maxsize=256)
def _read_earlier(text: str, context: frozenset[str]) -> tuple[Reading, frozenset[str]]:
    # A chat sends the whole conversation with every turn: an earlier turn is read once.
    return _read(text, is_current=False, context=context)


def _self_contained(reading: Reading, cues: frozenset[str]) -> bool:
    """A new question of its own: it says so ("separate question: ..."), or it is not worded
    as a follow-up and names its own use."""
    if "new_question" in cues:
        return True
    if "followup" in cues or "own_question" not in cues:
        return False
    named = [
        reading.actor_kind is not None or reading.agency_words is not None,
        "purpose" in reading.found or reading.camera_or_face,
        "country" in reading.found or reading.region_words is not None,
        bool({"setting", "public_access", "camera"} & set(reading.found)),
        "service" in reading.found or reading.pronoun is not None,
    ]
    return sum(named) >= _OWN_USE


def _notices(detected: language.Detected) -> list[str]:
    if detected.supported:
        return []
    nearest = language.NAMES.get(detected.nearest or "en", "English")
    read_as = "English" if nearest == "English" else f"English and {nearest}"
    return [f"The question reads as {detected.name}, which the reader has no vocabulary for:"
            f" read as {read_as}; facts may be missed: confirm them."]
