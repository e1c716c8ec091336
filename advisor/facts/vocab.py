"""The reader's vocabulary: per-language YAML data files compiled into match patterns.

``vocab/<lang>.yaml`` holds the words for each fact value (``facts``), the signals that are
not facts (``cues``), the words that take a mention out of scope (``scope``) and masks
(phrases inside which a word is not a mention: "data protection officer" is no police
officer). ``vocab/places/<lang>.yaml`` holds the place and agency names babel lacks.

An entry gives ``patterns`` (regular expressions, as English does) or ``words`` (phrases of
lemmas: each word matches any inflected form listed for it in ``vocab/forms/<lang>.json``,
which ``python -m advisor.facts.forms`` writes from simplemma's dictionaries, so no
dictionary is loaded at run time; a word ending (or starting) in ``*`` matches any ending
(or beginning), for compounds).
"""

from __future__ import annotations

import gc
import json
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Protocol

from advisor.facts.datafile import read_yaml
from advisor.facts.gate import Held, Infixes, infixes, prefixes, runs, starts, union
from advisor.facts.places import place_entries

__all__ = ["NEAR_MIN", "VOCAB_DIR", "Entry", "LazyPattern", "Matcher", "PartsIndex", "Vocabulary",
           "load", "near_words", "phrase_pattern", "rank"]

VOCAB_DIR = Path(__file__).parent / "vocab"


class Matcher(Protocol):
    """What the reader asks of an entry's pattern: a compiled one or a LazyPattern."""

    @property
    def pattern(self) -> str:
        """The pattern as written."""

    def match(self, string: str, pos: int = 0,
              endpos: int = sys.maxsize) -> re.Match[str] | None:
        """A match at ``pos`` (re.Pattern.match)."""

    def search(self, string: str, pos: int = 0,
               endpos: int = sys.maxsize) -> re.Match[str] | None:
        """The first match (re.Pattern.search)."""

    def finditer(self, string: str, pos: int = 0,
                 endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        """Every match (re.Pattern.finditer)."""


class LazyPattern:
    """A vocabulary pattern compiled on its first use. A question tries only the few parts
    its words open (see advisor.facts.gate), so compiling all of a vocabulary's thousands
    at load cost half of a cold start for nothing. A bad pattern is still found before
    release: tests/facts/test_gate.py scans every part of every language."""

    __slots__ = ("_regex", "flags", "pattern", "where")

    def __init__(self, pattern: str, where: str, flags: int = re.IGNORECASE) -> None:
        self.pattern = pattern
        self.where = where
        self.flags = flags
        self._regex: re.Pattern[str] | None = None

    @property
    def regex(self) -> re.Pattern[str]:
        """The compiled pattern (compiled now if it was not yet)."""
        if self._regex is None:
            self._regex = _compile(self.pattern, self.where, self.flags)
        return self._regex

    def match(self, string: str, pos: int = 0,
              endpos: int = sys.maxsize) -> re.Match[str] | None:
        """A match at ``pos`` (re.Pattern.match)."""
        return self.regex.match(string, pos, endpos)

    def search(self, string: str, pos: int = 0,
               endpos: int = sys.maxsize) -> re.Match[str] | None:
        """The first match (re.Pattern.search)."""
        return self.regex.search(string, pos, endpos)

    def finditer(self, string: str, pos: int = 0,
                 endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        """Every match (re.Pattern.finditer)."""
        return self.regex.finditer(string, pos, endpos)


@dataclass(frozen=True)
class Entry:
    """One pattern: every match is a mention of ``name`` = ``value`` (``rank``: its order)."""

    kind: str  # "fact" | "cue" | "place" | "agency" | "mask" | "scope"
    name: str  # fact name, cue name, mask target or scope kind
    value: str
    rank: int
    regex: Matcher  # the name list's pattern; for other entries, their first part's
    detail: str = ""  # an agency's country code
    #: For name lists (places, agencies): lower-case words -> (value, rank, detail).
    lookup: Mapping[str, tuple[str, int, str]] | None = None
    #: The entry's patterns one by one, each with the word prefixes one of which the text
    #: must contain for it to match (None: always scanned); ``regex`` joins them all.
    parts: tuple[tuple[frozenset[str] | None, Matcher], ...] = ()
    #: Name lists (case-insensitive places and agencies) are matched by look-up, not regex.
    names: bool = False
    #: Proper names (GeoNames cities): read only capitalised, never by a near spelling, and
    #: at the start of a sentence only when marked "big" ("Nice weather" is no city).
    proper: bool = False
    #: Proper names read in lower case too, right after a word for "in"/"from" ("in gent").
    lower: bool = False


@dataclass(frozen=True)
class Vocabulary:
    """The compiled entries of one language."""

    lang: str
    entries: tuple[Entry, ...]
    scope: Mapping[str, tuple[re.Pattern[str], ...]]

    def scope_patterns(self, kind: str) -> tuple[re.Pattern[str], ...]:
        """The patterns of one scope kind (empty when the language has none)."""
        return self.scope.get(kind, ())

    @cached_property
    def scope_gates(self) -> Mapping[str, frozenset[str] | None]:
        """Scope kind -> the word starts one of its matches must open with (None: any)."""
        return {kind: union(prefixes(p.pattern) for p in patterns)
                for kind, patterns in self.scope.items()}

    @cached_property
    def scope_opened(self) -> dict[str, tuple[str, ...]]:
        """Filled as questions are read (never changes what is read): word start
        (gate.word_heads) -> the scope kinds whose gate holds one of its prefixes."""
        return {}

    @cached_property
    def index(self) -> PartsIndex:
        """Every part of every entry numbered in vocabulary order, filed by its gate."""
        where: list[tuple[int, int]] = []
        regexes: list[Matcher] = []
        by_head: dict[str, list[int]] = {}
        by_run: dict[str, list[int]] = {}
        by_held: dict[str, list[int]] = {}
        always: list[int] = []
        for e, entry in enumerate(self.entries):
            for p, (gate, regex) in enumerate(entry.parts or ((None, entry.regex),)):
                pid = len(where)
                where.append((e, p))
                regexes.append(regex)
                if (gate is None or isinstance(gate, Held)) and entry.lookup is None:
                    # lookarounds before a word boundary: tried where a word starts so
                    gate = starts(regex.pattern) or gate
                if gate is None or gate is ANCHORED:
                    always.append(pid)
                elif isinstance(gate, (Infixes, Held)):
                    index = by_run if isinstance(gate, Infixes) else by_held
                    for letters in gate:
                        index.setdefault(letters, []).append(pid)
                else:  # "in" opens wherever "in pub" does: a part is filed once per word
                    for letters in gate:
                        if not any(letters[:n] in gate for n in range(1, len(letters))):
                            by_head.setdefault(letters, []).append(pid)
        # every shorter start of a gate too (no parts): a word's prefixes are looked up
        # from the shortest, and the look-up stops at the first that opens no gate
        heads: dict[str, tuple[int, ...]] = {
            head[:n]: () for head in by_head for n in range(1, len(head))}
        heads.update((head, tuple(pids)) for head, pids in by_head.items())
        return PartsIndex(tuple(where), tuple(regexes), heads,
                          {run: tuple(pids) for run, pids in by_run.items()},
                          {run: tuple(pids) for run, pids in by_held.items()}, tuple(always))


@dataclass(frozen=True)
class PartsIndex:
    """A vocabulary's parts (an entry's patterns one by one), numbered in vocabulary order."""

    where: tuple[tuple[int, int], ...]  # part number -> (entry, part of the entry)
    regexes: tuple[Matcher, ...]  # part number -> its pattern
    #: word start (gate.word_heads) -> the parts a match of which may start there; also
    #: every shorter start of a gate, with no parts of its own
    by_head: Mapping[str, tuple[int, ...]]
    #: letters -> the parts with a stem starting so, tried where a word holding them starts
    by_run: Mapping[str, tuple[int, ...]]
    #: letters -> the parts every match of which holds them, scanned whole when the text does
    by_held: Mapping[str, tuple[int, ...]]
    always: tuple[int, ...]  # parts scanned whole on every text (no gate, or anchored)
    #: Filled as questions are read (never changes what is read): word start -> the parts
    #: filed under any of its prefixes, in the order the prefixes are looked up; part ->
    #: its compiled pattern's match (a LazyPattern compiled on its first use, as before).
    opens: dict[str, tuple[int, ...]] = field(default_factory=dict, compare=False, repr=False)
    matches: list[Callable[[str, int], re.Match[str] | None] | None] = field(
        default_factory=list, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.matches.extend([None] * len(self.regexes))

    def opening(self, head: str) -> tuple[int, ...]:
        """The parts a match of which may start at a word starting ``head``: those filed
        under each prefix of it, shortest first, up to the first prefix no gate starts with."""
        found = self.opens.get(head)
        if found is None:
            pids: list[int] = []
            for n in range(1, len(head) + 1):
                filed = self.by_head.get(head[:n])
                if filed is None:
                    break
                pids += filed
            found = tuple(pids)
            if len(self.opens) >= _MAX_OPENS:
                self.opens.clear()
            self.opens[head] = found
        return found

    def matcher(self, pid: int) -> Callable[[str, int], re.Match[str] | None]:
        """Part ``pid``'s match (re.Pattern.match), without the LazyPattern call around it."""
        found = self.matches[pid]
        if found is None:
            regex = self.regexes[pid]
            found = regex.regex.match if isinstance(regex, LazyPattern) else regex.match
            self.matches[pid] = found
        return found


_MAX_OPENS = 50_000  # word starts remembered per vocabulary


@lru_cache(maxsize=64)
def _forms(lang: str) -> Mapping[str, tuple[str, ...]]:
    path = VOCAB_DIR / "forms" / f"{lang}.json"
    if not path.exists():
        return {}
    raw: dict[str, dict[str, list[str]]] = json.loads(path.read_text(encoding="utf-8"))
    return {word: tuple(forms) for word, forms in raw["forms"].items()}


def _word(word: str, forms: Mapping[str, tuple[str, ...]]) -> str:
    if word.startswith("*") or word.endswith("*"):  # a stem inside compounds
        core = _sharp_s(re.escape(word.strip("*")))
        return (r"\w*" if word.startswith("*") else "") + core + (
            r"\w*" if word.endswith("*") else "")
    # longest first; alphabetical among equals, so the pattern is the same in every process
    variants = sorted({word, *forms.get(word.lower(), ())}, key=lambda v: (-len(v), v))
    return "(?:" + "|".join(_sharp_s(re.escape(v)) for v in variants) + ")"


def _sharp_s(escaped: str) -> str:
    """"ß" also as "ss", as Swiss German writes it and keyboards without it type it."""
    return escaped.replace("ß", "(?:ß|ss)")


_UNMARKED = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O"})


def unmarked(text: str) -> str:
    """``text`` as typed without accents ("żywo" -> "zywo", "réel" -> "reel"), same length."""
    if text.isascii():  # most names and patterns: nothing to drop
        return text
    plain = unicodedata.normalize("NFD", text.translate(_UNMARKED))
    return unicodedata.normalize("NFC", "".join(ch for ch in plain
                                                if not unicodedata.combining(ch)))


_SPELLED_OUT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss",
                              "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


def spelled_out(text: str) -> str:
    """``text`` typed without umlauts the German way ("müde" -> "muede", "Straße" ->
    "Strasse"), the other accents dropped (see ``unmarked``)."""
    return unmarked(text.translate(_SPELLED_OUT))


@lru_cache(maxsize=64)
def _plain_forms(lang: str, fold: str = "unmarked") -> Mapping[str, tuple[str, ...]]:
    plain = spelled_out if fold == "spelled_out" else unmarked
    forms: dict[str, set[str]] = {}
    for word, variants in _forms(lang).items():
        forms.setdefault(plain(word), set()).update(plain(v) for v in variants)
    return {word: tuple(sorted(variants)) for word, variants in forms.items()}


def phrase_pattern(phrase: str, lang: str, plain: bool = False) -> str:
    """A regular expression for a phrase of lemmas, any inflected form of each word
    (``plain``: every word as typed without accents, umlauts also as "ae", "oe", "ue")."""
    if not plain:
        body = r"[\s\-]+".join(_word(word, _forms(lang)) for word in phrase.split())
        return r"(?<!\w)" + body + r"(?!\w)"
    parts = []
    for word in phrase.split():
        part = _word(unmarked(word), _plain_forms(lang))
        if spelled_out(word) != unmarked(word):
            part = f"(?:{part}|{_word(spelled_out(word), _plain_forms(lang, 'spelled_out'))})"
        parts.append(part)
    return r"(?<!\w)" + r"[\s\-]+".join(parts) + r"(?!\w)"


def _patterns(spec: object, lang: str, plain: bool = False) -> list[str]:
    fold = unmarked if plain else str
    if isinstance(spec, str):
        return [fold(spec)]
    if isinstance(spec, list):
        return [fold(str(item)) for item in spec]
    if isinstance(spec, dict):
        out = [fold(str(p)) for p in spec.get("patterns", ())]
        out += [phrase_pattern(str(w), lang, plain) for w in spec.get("words", ())]
        return out
    return []


def _compile(pattern: str, where: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise ValueError(f"{where}: bad pattern {pattern!r} ({exc}); fix it in "
                         f"advisor/facts/vocab") from exc


def _joined(patterns: list[str], where: str) -> re.Pattern[str]:
    try:
        return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
    except re.error:
        for pattern in patterns:  # find the bad one, so the error names it
            _compile(pattern, where)
        raise


#: The gate of patterns anchored at the start of the text: tried there only, once.
ANCHORED: frozenset[str] = frozenset({"^"})


def _parts(patterns: list[str], where: str
           ) -> tuple[tuple[frozenset[str] | None, Matcher], ...]:
    """Each pattern with its gate (compiled when a question first opens it); the anchored
    and the ungated ones joined, one pass each (the ungated ones scanned only when the text
    holds letters one of them must hold)."""
    gated = [(prefixes(p) or infixes(p), p) for p in patterns]
    out: list[tuple[frozenset[str] | None, Matcher]] = [
        (gate, LazyPattern(p, where)) for gate, p in gated if gate is not None]
    anchored = [p for gate, p in gated if gate is None and p.startswith("^")]
    open_ = [p for gate, p in gated if gate is None and not p.startswith("^")]
    if anchored:
        out.append((ANCHORED, _joined(anchored, where)))
    if open_:
        held = union(runs(p) for p in open_)
        out.append((None if held is None else Held(held), _joined(open_, where)))
    return tuple(out)


@lru_cache(maxsize=1)
def _ranks() -> Mapping[tuple[str, str], int]:
    """(fact, value) -> rank: the order of en.yaml, which every language shares."""
    data = read_yaml(VOCAB_DIR / "en.yaml") or {}
    ranks: dict[tuple[str, str], int] = {}
    for name, rows in (data.get("facts") or {}).items():
        for rank, row in enumerate(rows):
            ranks.setdefault((name, str(row["value"])), rank)
    return ranks


def rank(name: str, value: str) -> int:
    """The resolve rank of ``name`` = ``value`` (en.yaml's order; lower is read first)."""
    return _ranks().get((name, value), 100)


def _fact_entries(data: Mapping[str, Any], lang: str, plain: bool) -> Iterable[Entry]:
    ranks = _ranks()
    for name, rows in (data.get("facts") or {}).items():
        for order, row in enumerate(rows):
            patterns = _patterns(row, lang, plain)
            if patterns:
                rank = ranks.get((name, str(row["value"])), 100 + order)
                parts = _parts(patterns, f"{lang}.yaml facts.{name}")
                yield Entry("fact", name, str(row["value"]), rank, parts[0][1], parts=parts)
    for name, spec in (data.get("cues") or {}).items():
        patterns = _patterns(spec, lang, plain)
        if patterns:
            parts = _parts(patterns, f"{lang}.yaml cues.{name}")
            yield Entry("cue", name, "yes", 0, parts[0][1], parts=parts)
    for key, spec in (data.get("masks") or {}).items():
        patterns = _patterns(spec, lang, plain)
        if patterns:
            # "consent=yes": the mask only takes mentions of that value (a "no" said with
            # it stands); a bare fact name takes every mention of the fact
            name, _, only = key.partition("=")
            parts = _parts(patterns, f"{lang}.yaml masks.{key}")
            yield Entry("mask", name, only, 0, parts[0][1], parts=parts)


def _unsupported(lang: str) -> dict[str, Any]:
    """A language with no vocabulary of its own: its words for the product, if any."""
    words = (read_yaml(VOCAB_DIR / "unsupported.yaml") or {}).get("service_pronoun", {})
    return {"lang": lang, "cues": {"service_pronoun": {"patterns": list(words.get(lang, ()))}}}


def has_pronouns(lang: str) -> bool:
    """Whether ``lang`` (one the reader has no vocabulary for) has words for the product."""
    data = read_yaml(VOCAB_DIR / "unsupported.yaml") or {}
    return lang in data.get("service_pronoun", {})


#: Letters: a word shorter than this is too easily one letter off another word of the language.
NEAR_MIN = 8
#: The facts whose one-word vocabulary a misspelt word is read as ("herkenen": herkennen).
_NEAR_FACTS = ("purpose",)


@lru_cache(maxsize=64)
def near_words(lang: str) -> Mapping[str, tuple[tuple[str, str, str, int], ...]]:
    """First letter -> (word, fact, value, rank) for the one-word vocabulary of the facts a
    misspelling is sought for, with their inflected forms, of at least NEAR_MIN letters."""
    path = VOCAB_DIR / f"{lang}.yaml"
    if not path.exists():  # a language the reader has no vocabulary for
        return {}
    data: dict[str, Any] = read_yaml(path) or {}
    ranks = _ranks()
    forms = _forms(lang)
    out: dict[str, dict[str, tuple[str, str, str, int]]] = {}
    for name in _NEAR_FACTS:
        for order, row in enumerate((data.get("facts") or {}).get(name) or ()):
            value = str(row["value"])
            rank = ranks.get((name, value), 100 + order)
            for phrase in row.get("words", ()) if isinstance(row, dict) else ():
                word = str(phrase).lower()
                if " " in word or "*" in word or not word.isalpha():
                    continue
                for form in (word, *forms.get(word, ())):
                    if len(form) >= NEAR_MIN and form.isalpha():
                        out.setdefault(form[:1], {}).setdefault(form, (form, name, value, rank))
    return {letter: tuple(rows.values()) for letter, rows in out.items()}


@lru_cache(maxsize=64)
def load(lang: str, plain: bool = False) -> Vocabulary:
    """The compiled vocabulary of ``lang`` (cached: compiled once per process); ``plain``:
    every word, name and pattern as typed without accents, for a question typed so
    ("rozpoznawanie twarzy na zywo", "en temps reel")."""
    path = VOCAB_DIR / f"{lang}.yaml"
    data: dict[str, Any] = read_yaml(path) or {} if path.exists() else _unsupported(lang)
    entries = [*_fact_entries(data, lang, plain), *place_entries(lang, plain)]
    scope: dict[str, tuple[re.Pattern[str], ...]] = {}
    for kind, spec in (data.get("scope") or {}).items():
        scope[kind] = tuple(_compile(p, f"{lang}.yaml scope.{kind}")
                            for p in _patterns(spec, lang, plain))
    vocabulary = Vocabulary(lang, tuple(entries), scope)
    _ = vocabulary.index, vocabulary.scope_gates  # now, not on the first question
    # The tables (GeoNames cities above all) live as long as the process: keep them out of
    # the cyclic garbage collector's full passes, which would otherwise rescan them all
    # (100 ms and more) every so often, in the middle of some question's reading.
    gc.freeze()
    return vocabulary
