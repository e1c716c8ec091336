"""What a sentence of a draft says about a policy: bars, allows, depends, or does not govern.

Reads in steps, each small and testable:

    sentence -> words       quotes removed (a quoted clause is the policy's words, not the
                            draft's stance), policy titles marked, lower case, "-"/"_" as spaces
             -> mentions    which policy each stretch of words speaks of (names and titles
                            from advisor/stance.yaml, in any of its languages)
             -> stances     vocabulary matches (advisor/stance.yaml), each bars/allows match
                            flipped when a negator of its language stands next to it

The vocabulary is data; this module holds no word lists. The guardrail decides what a
stance must be for each verdict.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

import yaml

__all__ = ["STANCES", "SentenceStance", "Stance", "placeholders", "read", "read_all",
           "sentences"]

Stance = Literal["bars", "allows", "depends", "not_governed"]
STANCES: tuple[Stance, ...] = ("bars", "allows", "depends", "not_governed")
_OPPOSITE: dict[str, Stance] = {"bars": "allows", "allows": "bars"}

VOCABULARY = Path(__file__).with_name("stance.yaml")

_WORD = re.compile(r"[^\W_]+")
# Quoted text: curly, guillemets, low-high, and straight double quotes (paired in a sentence).
_QUOTED = re.compile(r"“[^”\n]*”|„[^“”\n]*[“”]|«[^»\n]*»|\"[^\"\n]*\"")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[^a-z0-9\s])|\n+")
_POLICY = "\x00policy"  # a policy's name, folded into one token
_BREAK = "\x00break"  # a clause break: negation does not reach across it
_BREAKS = re.compile(r"[:;\u2013\u2014]|\s-\s")


@dataclass(frozen=True)
class _Entry:
    words: tuple[tuple[str, bool], ...]  # (word, is_prefix)
    stance: Stance
    language: str

    def matches(self, tokens: Sequence[str], i: int) -> bool:
        if i + len(self.words) > len(tokens):
            return False
        for (word, prefix), token in zip(self.words, tokens[i:], strict=False):
            if not (token.startswith(word) if prefix else token == word):
                return False
        return True


def _key(word: str) -> str:
    return word[:3]


@dataclass(frozen=True)
class _Vocabulary:
    entries: Mapping[str, tuple[_Entry, ...]]  # by the first three letters of the first word
    negators: frozenset[str]  # of every language: a draft may mix them
    wide: frozenset[str]  # negators that reach further: "nothing in the Act prohibits"
    negate_after: frozenset[str]
    before: int
    after: int
    wide_before: int
    policies: tuple[tuple[tuple[str, ...], str], ...]  # (alias words, policy), longest first
    placeholders: tuple[re.Pattern[str], ...]


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def _entry(text: str, stance: Stance, language: str) -> _Entry:
    words = []
    for raw in str(text).split():
        prefix = raw.endswith("*")
        for i, word in enumerate(_words(raw.rstrip("*"))):
            last = i == len(_words(raw.rstrip("*"))) - 1
            words.append((word, prefix and last))
    return _Entry(tuple(words), stance, language)


@cache
def _vocabulary(path: Path = VOCABULARY) -> _Vocabulary:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries: list[_Entry] = []
    negators: set[str] = set()
    wide: set[str] = set()
    after: set[str] = set()
    for language, spec in data["languages"].items():
        negators.update(w for n in spec["negators"] for w in _words(str(n)))
        wide.update(w for n in spec.get("wide_negators", ()) for w in _words(str(n)))
        if spec.get("negate_after"):
            after.add(language)
        for stance in STANCES:
            entries += [_entry(text, stance, language) for text in spec.get(stance, ())]
    aliases = {(tuple(_words(str(a))), policy)
               for policy, names in data["policies"].items() for a in names}
    index: dict[str, list[_Entry]] = {}
    for entry in entries:
        if entry.words:
            index.setdefault(_key(entry.words[0][0]), []).append(entry)
    return _Vocabulary(
        entries={k: tuple(v) for k, v in index.items()},
        negators=frozenset(negators | wide), wide=frozenset(wide),
        negate_after=frozenset(after), wide_before=int(data["window"]["wide_before"]),
        before=int(data["window"]["before"]), after=int(data["window"]["after"]),
        policies=tuple(sorted(aliases, key=lambda a: -len(a[0]))),
        placeholders=tuple(re.compile(p) for p in data["placeholders"]),
    )


@dataclass(frozen=True)
class SentenceStance:
    """One sentence: the stances it takes on each policy it names, and on none named."""

    text: str
    policies: Mapping[str, frozenset[Stance]] = field(default_factory=dict)
    unnamed: frozenset[Stance] = frozenset()


def sentences(text: str) -> list[str]:
    """The sentences and lines of ``text`` ("Art. 5" and "e.g. the" are not cut)."""
    return [s.strip() for s in _SENTENCE.split(text) if s and s.strip()]


def _negated(tokens: Sequence[str], start: int, end: int, after: bool,
             vocabulary: _Vocabulary) -> bool:
    """True when a negator stands within the window of tokens[start:end] (a policy's name
    counts as no word: "nothing in the EU AI Act prohibits")."""
    before = _clause(reversed(tokens[:start]))
    if any(t in vocabulary.negators for t in before[:vocabulary.before]):
        return True
    if any(t in vocabulary.wide for t in before[:vocabulary.wide_before]):
        return True
    behind = _clause(tokens[end:])[:vocabulary.after] if after else []
    return any(t in vocabulary.negators for t in behind)


def _clause(tokens: Iterable[str]) -> list[str]:
    """The words up to a clause break (":", ";", a dash), policy names left out."""
    out: list[str] = []
    for token in tokens:
        if token == _BREAK:
            break
        if token != _POLICY:
            out.append(token)
    return out


def _stances(tokens: Sequence[str], vocabulary: _Vocabulary) -> list[tuple[int, Stance]]:
    """(position, stance) of every vocabulary match, negation applied."""
    found: list[tuple[int, Stance]] = []
    for i, token in enumerate(tokens):
        for entry in vocabulary.entries.get(_key(token), ()):
            if not entry.matches(tokens, i):
                continue
            stance = entry.stance
            if stance in _OPPOSITE and _negated(tokens, i, i + len(entry.words),
                                                entry.language in vocabulary.negate_after,
                                                vocabulary):
                stance = _OPPOSITE[stance]
            found.append((i, stance))
    return found


def _mentions(tokens: Sequence[str], vocabulary: _Vocabulary,
              titled: Mapping[int, str]) -> tuple[list[str], list[tuple[int, str]]]:
    """The tokens with each policy name folded into one token, and (position, policy)."""
    out: list[str] = []
    found: list[tuple[int, str]] = []
    i = 0
    while i < len(tokens):
        policy, n = titled.get(i), 1
        if policy is None:
            for alias, named in vocabulary.policies:
                if tuple(tokens[i:i + len(alias)]) == alias:
                    policy, n = named, len(alias)
                    break
        if policy is not None:
            found.append((len(out), policy))
            out.append(_POLICY)
        else:
            out.append(tokens[i])
        i += n
    return out, found


def read(sentence: str, titles: Mapping[str, str] | None = None,
         quoted: Callable[[str], bool] | None = None) -> SentenceStance:
    """The stances ``sentence`` takes, per policy it names (``titles``: policy -> title).

    Text in quotation marks is the policy's words, not the sentence's stance, when
    ``quoted(text)`` says so (the guardrail checks it is verbatim in a passage); without
    ``quoted`` every quotation is set aside.
    """
    vocabulary = _vocabulary()
    if sentence.rstrip(" *_`)").endswith("?"):
        return SentenceStance(sentence)  # a question asks; it takes no stance
    text = _QUOTED.sub(
        lambda m: " " if quoted is None or quoted(m.group(0)[1:-1]) else m.group(0), sentence)
    # A title ("EU AI Act, Article 5 prohibited practices") names its policy; its words
    # take no stance. Replace it by a marker token that the mention step maps back.
    marks: list[str] = []
    for policy, title in sorted((titles or {}).items(), key=lambda t: -len(t[1])):
        if title and title.casefold() in text.casefold():
            pattern = re.compile(re.escape(title), re.IGNORECASE)
            text = pattern.sub(f" titlemark{len(marks)} ", text)
            marks.append(policy)
    raw: list[str] = []
    for i, clause in enumerate(_BREAKS.split(text)):
        raw += ([_BREAK] if i else []) + _words(clause)
    titled = {i: marks[int(t[9:])] for i, t in enumerate(raw)
              if t.startswith("titlemark") and t[9:].isdigit() and int(t[9:]) < len(marks)}
    tokens, mentions = _mentions(raw, vocabulary, titled)
    stances = _stances(tokens, vocabulary)
    if not mentions:
        return SentenceStance(sentence, {}, frozenset(s for _, s in stances))
    by_policy: dict[str, set[Stance]] = {policy: set() for _, policy in mentions}
    for position, stance in stances:
        # A stance belongs to the last policy named before it (the first, if none is).
        owner = mentions[0][1]
        for at, policy in mentions:
            if at <= position:
                owner = policy
        by_policy[owner].add(stance)
    return SentenceStance(sentence, {p: frozenset(s) for p, s in by_policy.items()})


def placeholders(text: str) -> list[str]:
    """Template text left in ``text``: "[passages P1, P2, ...]", "TODO", "<insert>" ..."""
    return [m.group(0) for p in _vocabulary().placeholders for m in p.finditer(text)]


def read_all(text: str, titles: Mapping[str, str] | None = None,
             quoted: Callable[[str], bool] | None = None) -> Iterable[SentenceStance]:
    """``read`` over every sentence of ``text``."""
    return (read(s, titles, quoted) for s in sentences(text))
