"""Step 3 of the reader: every match of every vocabulary entry, with its character span.

Nothing is decided here beyond two plain rules about overlapping words: a match inside a
mask ("data protection officer" is not an officer) is no mention, and where two readings of
one fact overlap, the longer reading wins ("not in real time" over "real time").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Literal

from advisor.facts.gate import Held, fold, runs, word_heads
from advisor.facts.places import (
    BODY_AFTER,
    BRACKETED_AFTER_NAME,
    BRANCH_AFTER,
    FEATURE_BEFORE,
    FEATURE_LEAD,
    LOWER,
    MUNICIPALITY,
    PLACE_KIND_AFTER,
    SMALL,
    TOWN_AT,
    TOWN_LEAD,
    TOWN_LEAD_ENGLISH,
    foreign_noun,
    jurisdiction,
    town_word,
)
from advisor.facts.vocab import ANCHORED, NEAR_MIN, Entry, Matcher, Vocabulary, near_words

try:  # Python 3.11+
    import re._compiler as _compiler
    import re._constants as _c
    import re._parser as _p
except ImportError:  # pragma: no cover - older Pythons
    import sre_compile as _compiler  # type: ignore[no-redef]
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _p  # type: ignore[no-redef]

__all__ = ["Mention", "Scope", "find", "opening_chars"]

#: Whose words a mention is: the use being judged, or words that do not set its facts.
Scope = Literal["use", "negated", "premise", "other_party"]
_LONGEST = 300  # no reading of one fact is longer than this many characters


@dataclass(frozen=True)
class Mention:
    """A match: ``name`` (a fact, ``country``, ``region``, or a cue) = ``value`` at a span."""

    kind: str  # "fact" | "cue" | "place" | "agency"
    name: str
    value: str
    start: int
    end: int
    words: str
    rank: int
    lang: str
    detail: str = ""  # an agency's country code
    scope: Scope = "use"
    #: Under a mask that only takes one value ("consent=yes"): dropped once scoped, unless
    #: negated ("we don't ask for consent, not even in the T&Cs" stays a "no").
    masked: bool = False

    def overlaps(self, other: Mention) -> bool:
        """True when the two spans share a character."""
        return self.start < other.end and other.start < self.end

    def inside(self, other: Mention) -> bool:
        """True when this span lies within ``other``'s and is shorter."""
        return (other.start <= self.start and self.end <= other.end
                and (self.end - self.start) < (other.end - other.start))


def _raw(text: str, vocabularies: Iterable[Vocabulary]) -> tuple[list[Mention], list[Mention]]:
    found: list[Mention] = []
    masks: list[Mention] = []
    near: list[Mention] = []
    scan = _Scan(text)
    for vocab in vocabularies:
        where = vocab.index.where
        for pid, match in _hits(vocab, scan):
            entry = vocab.entries[where[pid][0]]
            words = match.group(0)
            stripped = words.strip()
            if not stripped:
                continue
            start = match.start() + (len(words) - len(words.lstrip()))
            value, rank, detail = entry.value, entry.rank, entry.detail
            if entry.lookup is not None:
                key = match.key if isinstance(match, _Hit) else fold(stripped)
                if key not in entry.lookup:  # "Polİce": matched case-insensitively, no name
                    continue
                value, rank, detail = entry.lookup[key]
            mention = Mention(entry.kind, entry.name, value, start,
                              start + len(stripped), stripped, rank, vocab.lang, detail)
            if isinstance(match, _Hit):  # a near spelling: kept below, if nothing is read
                near.append(mention)
                continue
            (masks if entry.kind == "mask" else found).append(mention)
    # A near spelling never outweighs a name another vocabulary reads as written there
    # (Spanish "Granada" is no misspelt "Grenada", "Policía" no misspelt "policja").
    found += [m for m in near if not any(
        o.kind == m.kind and o.name == m.name and o.overlaps(m) for o in found)]
    return found, masks


def _hits(vocab: Vocabulary, scan: _Scan) -> list[tuple[int, re.Match[str] | _Hit]]:
    """Every match of every part of ``vocab`` in the text, as (part number, match), in
    vocabulary order, each part's matches left to right as finditer finds them (no overlaps).

    A gated part is tried only where a word starts as its gate says (one pass over the
    words); the others (name lists, anchored parts, stems the text holds, parts with no
    gate) are scanned whole."""
    index = vocab.index
    text = scan.text
    regexes = index.regexes
    hits: list[tuple[int, re.Match[str] | _Hit]] = []
    ends = [0] * len(regexes)  # part -> where its last match ended
    opens, opening, matches, matcher = index.opens, index.opening, index.matches, index.matcher
    for at, head in scan.heads:
        # the parts filed under the word's prefixes (a part is filed under one prefix of a
        # word), up to the first prefix no gate starts with
        pids = opens.get(head)
        for pid in opening(head) if pids is None else pids:
            if ends[pid] <= at and (
                    match := (matches[pid] or matcher(pid))(text, at)) is not None:
                ends[pid] = max(match.end(), at + 1)
                hits.append((pid, match))
    stems: dict[int, set[int]] = {}  # part -> where a word holding its stem starts
    for run, pids in index.by_run.items():
        if run in scan.lower:
            holding = scan.words_holding(run)
            for pid in pids:
                stems.setdefault(pid, set()).update(holding)
    for pid, starts in stems.items():
        hits += [(pid, match) for match in _tried(regexes[pid], text, sorted(starts))]
    whole = set(index.always)
    for run, pids in index.by_held.items():
        if run in scan.lower:
            whole.update(pids)
    for pid in whole:
        e, p = index.where[pid]
        hits += [(pid, match) for match in _matches(vocab.entries[e], p, scan)]
    hits.sort(key=lambda hit: hit[0])  # stable: each part's matches stay left to right
    return hits


@dataclass(frozen=True)
class _Hit:
    """A match found by look-up: its words, where they start, and the name they stand for."""

    words: str
    at: int
    key: str

    def group(self, _: int = 0) -> str:
        return self.words

    def start(self) -> int:
        return self.at


class _Scan:
    """A text with what the gates ask of it, worked out once for every vocabulary."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lower = fold(text)
        self.heads = word_heads(text)  # where each word starts, with its first letters
        self._words: list[tuple[int, str]] | None = None
        self._where: dict[frozenset[str], list[int]] = {}
        self._behind: dict[tuple[re.Pattern[str], ...], list[int]] = {}

    def where(self, opening: frozenset[str]) -> list[int]:
        """The places a character of ``opening`` (gate.opening_chars) stands, in order."""
        found = self._where.get(opening)
        if found is None:
            text = self.text
            at: set[int] = set()
            for token in opening:
                if token == "w":  # a word character opening a word
                    at.update(i for i, _ in self.heads)
                elif token == "W":
                    at.update(m.start() for m in _WORD_CHAR.finditer(text))
                elif token == "^":
                    at.add(0)
                elif token == "s":
                    at.update(m.start() for m in _SPACE_CHAR.finditer(text))
                else:
                    start = text.find(token)
                    while start >= 0:
                        at.add(start)
                        start = text.find(token, start + 1)
            found = self._where[opening] = sorted(at)
        return found

    def behind(self, zero_width: tuple[re.Pattern[str], ...]) -> list[int]:
        """The places one of ``zero_width`` (behind_starts) matches, in order."""
        found = self._behind.get(zero_width)
        if found is None:
            at: set[int] = set()
            for pattern in zero_width:
                at.update(m.start() for m in pattern.finditer(self.text))
            found = self._behind[zero_width] = sorted(at)
        return found

    def words_holding(self, letters: str) -> list[int]:
        """Where the words (runs of word characters) holding ``letters`` start."""
        if self._words is None:
            self._words = [(m.start(), fold(m.group(0))) for m in _WORD.finditer(self.text)]
        return [start for start, word in self._words if letters in word]


_WORD = re.compile(r"\w+")
_WORD_CHAR = re.compile(r"\w")
_SPACE_CHAR = re.compile(r"\s")


def _tried(regex: Matcher, text: str, where: list[int]) -> list[re.Match[str]]:
    """Matches tried only where ``where`` says one may start (as finditer would find them:
    left to right, no overlaps)."""
    found: list[re.Match[str]] = []
    end = 0
    core = _core(regex.pattern, getattr(regex, "flags", re.IGNORECASE))
    for at in where:
        if at >= end and (core is None or core(text, at) is not None) and (
                match := regex.match(text, at)) is not None:
            end = max(match.end(), at + 1)
            found.append(match)
    return found


@lru_cache(maxsize=4096)
def _core(pattern: str, flags: int) -> Callable[[str, int], re.Match[str] | None] | None:
    """The pattern without the lookaheads it opens with ("(?![^.;!?]{0,160}?...)\\b..."),
    whose match is tried first: where it fails, the whole pattern fails too, and the long
    lookahead is not read there. None when the pattern opens with none."""
    try:
        parsed = _p.parse(pattern, flags)
        if any(op in (_c.GROUPREF, _c.GROUPREF_EXISTS) for op, _ in _every(parsed)):
            return None
        stripped = _unlooked(parsed)
        if stripped is None:
            return None
        return _compiler.compile(stripped, flags).match  # type: ignore[no-any-return]
    except (re.error, TypeError, ValueError, RecursionError):
        return None


def _every(items: Any) -> Iterator[tuple[Any, Any]]:
    """Every element of a parsed pattern, nested ones too."""
    for op, av in items:
        yield op, av
        if isinstance(av, (list, tuple)):
            for value in av:
                if isinstance(value, _p.SubPattern):
                    yield from _every(value)
                elif isinstance(value, list):  # a branch's alternatives
                    for alternative in value:
                        if isinstance(alternative, _p.SubPattern):
                            yield from _every(alternative)


def _unlooked(sub: Any) -> Any:
    """``sub`` (a parsed pattern) without its leading lookaheads (in groups and branches
    that open it too), or None when it has none."""
    data = list(sub.data)
    changed = False
    while data and data[0][0] in (_c.ASSERT, _c.ASSERT_NOT) and data[0][1][0] == 1:
        data.pop(0)
        changed = True
    if data and data[0][0] is _c.SUBPATTERN:
        group, add, remove, inner = data[0][1]
        stripped = _unlooked(inner)
        if stripped is not None:
            data[0] = (_c.SUBPATTERN, (group, add, remove, stripped))
            changed = True
    elif data and data[0][0] is _c.BRANCH:
        alternatives = [_unlooked(alt) for alt in data[0][1][1]]
        if any(alt is not None for alt in alternatives):
            data[0] = (_c.BRANCH, (data[0][1][0], [
                alt if alt is not None else old for alt, old in zip(
                    alternatives, data[0][1][1], strict=True)]))
            changed = True
    return _p.SubPattern(sub.state, data) if changed else None


class _Unknown(Exception):
    """A pattern element whose first characters are not worked out."""


@lru_cache(maxsize=4096)  # one per whole-scanned pattern (a few hundred)
def opening_chars(pattern: str, flags: int = re.IGNORECASE) -> frozenset[str] | None:
    """What the first character of every match of ``pattern`` is: "w" a word character that
    opens a word (a boundary is asserted before it: \\b, "(?<!\\w)", "^", a lookbehind
    ending in a space or punctuation), "W" any word character, "s" a space, or one ASCII
    character that is no letter; None when that is not worked out, when the pattern may match
    nothing, or when finditer is quicker anyway (no lookahead before the first character, or
    almost any character may open a match). A part scanned whole is then tried only where
    such a character stands (``_tried``: the matches finditer finds), not at every
    character of the text, and not read through its long lookahead at each of them."""
    if flags & (re.ASCII | re.LOCALE):
        return None
    try:
        parsed = _p.parse(pattern, flags)
        if parsed.getwidth()[0] == 0:  # an empty match: finditer's own rules, kept
            return None
        found = _opening(list(parsed), False, bool(parsed.state.flags & re.MULTILINE))
    except (_Unknown, re.error, TypeError, ValueError, RecursionError):
        return None
    # (finditer is quicker where nothing but a boundary comes before the first character,
    # and where almost every character may open a match)
    if "" in found or "look" not in found or found & {"W", "s"}:
        return None
    return frozenset(found - {"look"})


def _opening(items: list[tuple[Any, Any]], bounded: bool, lines: bool,
             looked: bool = False) -> set[str]:
    """The first characters of ``items`` (see opening_chars); "" when they may consume none;
    ``bounded``: no word character stands before the place they start at; ``lines``: "^"
    opens every line (re.MULTILINE); ``looked``: a lookaround comes before them (with it,
    "look" is among what is returned)."""
    for index, (op, av) in enumerate(items):
        rest = items[index + 1:]
        if op is _c.AT:
            if av is _c.AT_BEGINNING_STRING or av is _c.AT_BEGINNING and not lines:
                return {"^"}  # only where the text starts
            if av in (_c.AT_BOUNDARY, _c.AT_BEGINNING, _c.AT_BEGINNING_LINE,
                      _c.AT_BEGINNING_STRING):
                bounded = True
        elif op is _c.ASSERT_NOT:
            looked = looked or av[0] == 1
            if av[0] == -1 and _class_of(list(av[1])) == "w-class":
                bounded = True
        elif op is _c.ASSERT:
            looked = looked or av[0] == 1
            body = list(av[1])
            if av[0] == -1 and body and _no_word(body[-1]):
                bounded = True
        elif op is _c.LITERAL or op is _c.IN:
            return _chars((op, av), bounded) | ({"look"} if looked else set())
        elif op is _c.SUBPATTERN or op is getattr(_c, "ATOMIC_GROUP", None):
            if op is _c.SUBPATTERN and av[1] & re.MULTILINE:
                raise _Unknown  # "(?m:^...)"
            group = av[-1] if op is _c.SUBPATTERN else av
            return _opening(list(group) + rest, bounded, lines, looked)
        elif op is _c.BRANCH:
            out: set[str] = set()
            for alternative in av[1]:
                out |= _opening(list(alternative) + rest, bounded, lines, looked)
            return out
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
            got = _opening(list(av[2]), bounded, lines, looked)
            if av[0] == 0 or "" in got:
                return (got - {""}) | _opening(rest, bounded, lines, looked)
            return got
        else:
            raise _Unknown
    return {""}


def _class_of(items: list[tuple[Any, Any]]) -> str:
    r""""w-class" for one character of a class holding \w ("\w", "[\w.]"), else ""."""
    if len(items) != 1 or items[0][0] is not _c.IN:
        return ""
    members = list(items[0][1])
    return "w-class" if (_c.CATEGORY, _c.CATEGORY_WORD) in members and all(
        kind is not _c.NEGATE for kind, _ in members) else ""


def _no_word(item: tuple[Any, Any]) -> bool:
    """True when ``item`` consumes one character that is never a word character."""
    try:
        found = _chars(item, False)
    except _Unknown:
        return False
    return "w" not in found and "W" not in found


def _chars(item: tuple[Any, Any], bounded: bool) -> set[str]:
    """The first-character tokens (see opening_chars) of one consumed character."""
    op, av = item
    members = [item] if op is _c.LITERAL else list(av) if op is _c.IN else None
    if members is None:
        raise _Unknown
    word = "w" if bounded else "W"
    out: set[str] = set()
    for kind, value in members:
        if kind is _c.LITERAL:
            char = chr(value)
            if _WORD_CHAR.match(char):
                out.add(word)
            elif char.lower() == char == char.upper():  # no case: "-", "’", "("
                out.add(char)
            else:
                raise _Unknown
        elif kind is _c.RANGE:
            low, high = value
            chars = [chr(c) for c in range(low, high + 1)] if high - low < 512 else None
            if chars is None:
                raise _Unknown
            for char in chars:
                if _WORD_CHAR.match(char):
                    out.add(word)
                elif char.isascii() and char.lower() == char == char.upper():
                    out.add(char)
                else:
                    raise _Unknown
        elif kind is _c.CATEGORY and value in (_c.CATEGORY_WORD, _c.CATEGORY_DIGIT):
            out.add(word)
        elif kind is _c.CATEGORY and value is _c.CATEGORY_SPACE:
            out.add("s")
        else:  # a negated class, any other category
            raise _Unknown
    return out


def _matches(entry: Entry, part: int, scan: _Scan) -> Sequence[re.Match[str] | _Hit]:
    """The matches of one part scanned whole: a name list (looked up), an anchored part, or
    a part the index cannot place (no gate, or a stem the text holds)."""
    text = scan.text
    if entry.lookup is not None and entry.names:
        return list(_names(entry, text))
    gate, regex = entry.parts[part] if entry.parts else (None, entry.regex)
    if gate is ANCHORED:
        match = regex.match(text)
        return [] if match is None else [match]
    joined: tuple[str, int, tuple[int, ...]] | None = None
    if isinstance(regex, re.Pattern):
        held = _alternatives(regex.pattern, regex.flags)
        if held is not None:  # a joined part: without the patterns the text cannot match
            kept = tuple(i for i, (_, letters) in enumerate(held)
                         if letters is None or any(run in scan.lower for run in letters))
            if not kept:
                return []
            joined = (regex.pattern, regex.flags, kept)
            if len(kept) < len(held):
                regex = _subset(regex.pattern, regex.flags, kept)
    flags = getattr(regex, "flags", re.IGNORECASE)
    if BEHIND:
        behind = behind_starts(regex.pattern, flags)
        if behind is not None:  # tried only where its opening lookbehind holds
            return _tried(regex, text, scan.behind(behind))
    opening = opening_chars(regex.pattern, flags)
    if opening is not None:  # tried only where a match can start, as finditer finds them
        return _tried(regex, text, scan.where(opening))
    if SPLIT and joined is not None and len(joined[2]) > 1 and isinstance(regex, re.Pattern):
        split = _split(*joined)
        if split is not None:
            return _mixed(regex, *split, scan)
    return list(regex.finditer(text))


#: Off: a joined part is scanned whole again when only some of its patterns can be placed.
SPLIT = True


@lru_cache(maxsize=4096)
def _split(pattern: str, flags: int, kept: tuple[int, ...]
           ) -> tuple[re.Pattern[str] | None, tuple[tuple[bool, Any], ...]] | None:
    """The ``kept`` patterns of a joined part cut in two: the join of those a match of which
    may start anywhere (None: none), and where the others may start (behind_starts: True,
    opening_chars: False, with what it returned). None when no pattern can be placed, or the
    join may match nothing."""
    pieces = _alternatives(pattern, flags) or ()
    free: list[str] = []
    placed: dict[tuple[bool, Any], None] = {}
    for i in kept:
        piece = pieces[i][0]
        behind = behind_starts(piece, flags) if BEHIND else None
        opening = opening_chars(piece, flags) if behind is None else None
        if behind is not None:
            placed[(True, behind)] = None
        elif opening is not None:
            placed[(False, opening)] = None
        else:
            free.append(piece)
    try:
        if not placed or _p.parse("|".join(pieces[i][0] for i in kept), flags).getwidth()[0] == 0:
            return None
        return (re.compile("|".join(free), flags) if free else None), tuple(placed)
    except (re.error, TypeError, ValueError, RecursionError):
        return None


def _mixed(regex: re.Pattern[str], free: re.Pattern[str] | None,
           placed: tuple[tuple[bool, Any], ...], scan: _Scan) -> list[re.Match[str]]:
    """The matches of ``regex`` (a join) as finditer finds them (left to right, no overlaps),
    its placed patterns tried only where they may start, its free ones found by search: the
    leftmost match starts at the first of those places where the join matches, or where the
    first match of a free pattern starts, whichever comes first."""
    text = scan.text
    where = sorted({at for behind, tokens in placed
                    for at in (scan.behind(tokens) if behind else scan.where(tokens))})
    found: list[re.Match[str]] = []
    pos, k, n = 0, 0, len(where)
    beyond = len(text) + 1
    free_at = -1  # where the first match of a free pattern at or after pos starts
    while pos <= len(text):
        if free_at < pos:
            hit = free.search(text, pos) if free is not None else None
            free_at = hit.start() if hit is not None else beyond
        match = None
        while k < n and where[k] < free_at:
            at = where[k]
            k += 1
            if at >= pos and (match := regex.match(text, at)) is not None:
                break
        if match is None:
            if free_at == beyond:
                break
            match = regex.match(text, free_at)
            if match is None:  # pragma: no cover - a free pattern matches there
                break
        found.append(match)
        pos = max(match.end(), match.start() + 1)
    return found


#: Off: every pattern behind_starts would place is scanned whole again (for measuring).
BEHIND = True


@lru_cache(maxsize=4096)  # one per whole-scanned pattern (a few hundred)
def behind_starts(pattern: str, flags: int = re.IGNORECASE) -> tuple[re.Pattern[str], ...] | None:
    """Where every match of ``pattern`` starts: at the start of the text, or where one of a
    few lookbehinds holds ("(?:^|(?<=[.;:!?,]\\s))...", "(?<!...)(?<=\\bfor\\s)..."), as
    zero-width patterns whose finditer finds those places; None when a match may start
    anywhere else (something is consumed before such an assertion, in some branch), when the
    pattern may match nothing, or when it refers to a group by number.

    Only zero-width assertions (lookarounds, boundaries) come before the one that places the
    match, and they do not move where it starts: a match starts only where that one holds."""
    if flags & (re.ASCII | re.LOCALE):
        return None
    try:
        parsed = _p.parse(pattern, flags)
        if parsed.getwidth()[0] == 0 or any(
                op in (_c.GROUPREF, _c.GROUPREF_EXISTS) for op, _ in _every(parsed)):
            return None
        found = _behind(list(parsed), bool(parsed.state.flags & re.MULTILINE))
        out: dict[str, re.Pattern[str]] = {}
        for item in found:
            if item is None:
                out["^"] = _TEXT_START
            else:
                key = repr(item)
                out[key] = _compiler.compile(_p.SubPattern(parsed.state, [item]), flags)
    except (_Unknown, re.error, TypeError, ValueError, RecursionError):
        return None
    return tuple(out[key] for key in sorted(out))


_TEXT_START = re.compile(r"\A")


def _behind(items: list[tuple[Any, Any]], lines: bool) -> list[Any]:
    """The lookbehinds (None: the start of the text) one of which holds where every match of
    ``items`` starts (see behind_starts); raises _Unknown when that is not so."""
    for index, (op, av) in enumerate(items):
        rest = items[index + 1:]
        if op is _c.AT:
            if av is _c.AT_BEGINNING_STRING or av is _c.AT_BEGINNING and not lines:
                return [None]
            continue  # a boundary, a line start, an end: zero-width, it only narrows
        if op is _c.ASSERT_NOT:
            continue
        if op is _c.ASSERT:
            if av[0] == 1:  # a lookahead: zero-width, it only narrows
                continue
            return [(op, av)]
        if op is _c.SUBPATTERN:
            if av[1] or av[2]:
                raise _Unknown  # "(?i:...)": its flags are not the pattern's
            return _behind(list(av[-1]) + rest, lines)
        if op is _c.BRANCH:
            out: list[Any] = []
            for alternative in av[1]:
                out += _behind(list(alternative) + rest, lines)
            return out
        raise _Unknown  # something consumed first
    raise _Unknown  # nothing but assertions


@lru_cache(maxsize=1024)  # one per joined part (a few hundred)
def _alternatives(pattern: str, flags: int) -> tuple[tuple[str, Held | None], ...] | None:
    """A joined part's patterns ("(?:a)|(?:b)|...", vocab._joined) each with the letters one
    of which every match of it holds (gate.runs; None: any text), or None when the pattern is
    not such a join (or one of them refers to a group by number, which a subset renumbers).

    A pattern whose letters the text does not hold never matches in it, so finditer of the
    join of the others finds what finditer of the whole join finds, in a shorter pass."""
    pieces = _top_alternatives(pattern)
    if pieces is None or len(pieces) < 2:
        return None
    out: list[tuple[str, Held | None]] = []
    try:
        for piece in pieces:
            parsed = _p.parse(piece, flags)
            if any(op in (_c.GROUPREF, _c.GROUPREF_EXISTS) for op, _ in _every(parsed)):
                return None
            out.append((piece, runs(piece[3:-1])))
        re.compile("|".join(pieces), flags)
    except (re.error, TypeError, ValueError, RecursionError):
        return None
    return tuple(out)


def _top_alternatives(pattern: str) -> list[str] | None:
    """``pattern`` cut at its top-level "|", when every piece is one "(?:...)" group."""
    pieces: list[str] = []
    depth, start, i, n = 0, 0, 0, len(pattern)
    while i < n:
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":  # a class: "]" right after "[" or "[^" is one of its characters
            i += 1
            if i < n and pattern[i] == "^":
                i += 1
            if i < n and pattern[i] == "]":
                i += 1
            while i < n and pattern[i] != "]":
                i += 2 if pattern[i] == "\\" else 1
            i += 1
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0 or depth == 0 and pattern[i + 1:i + 2] not in ("", "|"):
                return None  # the piece goes on after its group closes
        elif char == "|" and depth == 0:
            pieces.append(pattern[start:i])
            start = i + 1
        i += 1
    if depth != 0 or i != n:
        return None
    pieces.append(pattern[start:])
    if not all(p.startswith("(?:") and p.endswith(")") for p in pieces):
        return None
    return pieces


@lru_cache(maxsize=4096)
def _subset(pattern: str, flags: int, kept: tuple[int, ...]) -> re.Pattern[str]:
    """The join of the ``kept`` patterns of joined part ``pattern``."""
    pieces = _alternatives(pattern, flags) or ()
    return re.compile("|".join(pieces[i][0] for i in kept), flags)


_NAME_WORD = re.compile(r"[\w'’]+(?:[.\-/][\w'’]+)*\.?")
_LONGEST_NAME = 6  # words


def _names(entry: Entry, text: str) -> Iterator[re.Match[str] | _Hit]:
    """Name-list matches by dictionary look-up of word n-grams (longest first, leftmost); a
    capitalised word that is no name but one or two letters off a one-word name ("Belguim")
    is read as that name (rapidfuzz)."""
    lookup = entry.lookup or {}
    first_words = _first_words(entry)
    words = _words(text)
    keys, capitalised, upper = _word_index(text)
    # only the words that open some name (a proper name's: the capitalised words, the only
    # ones read below), and (for near spellings) the capitalised ones
    if entry.proper and not entry.lower:
        keys = upper
    where = {i for key in keys.keys() & first_words.keys() for i in keys[key]}
    if not entry.proper:
        where.update(capitalised)
    free = 0  # the first word no match has taken yet
    for i in sorted(where):
        if i < free:
            continue
        start, _, variants = words[i]
        if (start > 0 and (text[start - 1].isalnum() or text[start - 1] in "._")
                or entry.proper and not entry.lower
                and not text[start].isupper()):  # a proper name is capitalised
            continue
        # only n-grams whose first word opens some name, and no longer than the longest such
        span = 0
        for variant in variants:
            span = max(span, first_words.get(variant, 0))
        for j in range(min(len(words), i + span) - 1, i - 1, -1):
            key = text[start:words[j][1]].lower()
            # "U.S." or "U.S" and "Tallinn's" or "Tallinn": the name without what follows it
            hit = next((k for k in _variants(key) if k in lookup), None)
            if hit is None and j > i and text.startswith(")", words[j][1]) and (
                    key + ")") in lookup:  # "Halle (Saale)": the bracket closes the name
                hit = key + ")"
            if hit is not None and entry.proper and not _proper_ok(
                    text, start, lookup[hit], entry.lower, start + len(hit)):
                hit = None
            if hit is not None:
                match = entry.regex.match(text, start, start + len(hit))
                if match is not None:
                    yield match
                    free = j + 1
                    break
        else:
            word = text[start:words[i][1]]
            # (a capital that only opens a sentence says nothing: "¿Cambia algo?" is a verb,
            # not a misspelt "Cambodia")
            if i > 0 and len(word) >= _FUZZY_MIN and word[:1].isupper() and not entry.proper \
                    and not _opens_sentence(text, start):
                near = _near(word.lower().rstrip("."), entry)
                if near is not None:
                    yield _Hit(word, start, near)


_POSSESSIVE = re.compile(r"['’]s$")


@lru_cache(maxsize=4)
def _words(text: str) -> tuple[tuple[int, int, tuple[str, ...]], ...]:
    """The words of ``text`` (once per text, for every name list): start, end, key variants."""
    out = []
    for m in _NAME_WORD.finditer(text):
        word = m.group(0)
        # (no elision without an apostrophe: the look-up is skipped for most words)
        start = m.start() + len(elided.group(0)) if (
            ("'" in word or "’" in word) and (elided := _ELIDED.match(word))) else m.start()
        out.append((start, m.end(), _variants(text[start:m.end()].lower())))
    return tuple(out)


#: An elided article or preposition before a name ("d'Orly", "l'Aquila", "dall'Olanda").
_ELIDED = re.compile(r"(?:[dlDL]|[Qq]u|[Dd]ell|[Nn]ell|[Ss]ull|[Dd]all|[Aa]ll)['’](?=[A-ZÀ-Ý])")


@lru_cache(maxsize=4)
def _word_index(text: str) -> tuple[dict[str, list[int]], tuple[int, ...],
                                    dict[str, list[int]]]:
    """Each key variant of ``text``'s words -> where the words are; the capitalised words of
    at least _FUZZY_MIN letters (the only ones a near spelling is sought for); each key
    variant of the capitalised words -> where they are."""
    keys: dict[str, list[int]] = {}
    upper: dict[str, list[int]] = {}
    capitalised: list[int] = []
    for i, (start, end, variants) in enumerate(_words(text)):
        capital = text[start:start + 1].isupper()
        for variant in variants:
            keys.setdefault(variant, []).append(i)
            if capital:
                upper.setdefault(variant, []).append(i)
        if capital and end - start >= _FUZZY_MIN:
            capitalised.append(i)
    return keys, tuple(capitalised), upper


@lru_cache(maxsize=4096)  # the same words are looked up in every name list
def _variants(key: str) -> tuple[str, ...]:
    """A looked-up key as written, without a final full stop, without a possessive, and
    without what a hyphen joins to it ("Amsterdam-based": the place is Amsterdam)."""
    head = key.split("-", 1)[0] if "-" in key[1:] else key
    return tuple(dict.fromkeys((key, key.rstrip("."), _POSSESSIVE.sub("", key), head)))


_FIRST: dict[int, dict[str, int]] = {}
_ONE_WORD_NAME = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")


def _first_words(entry: Entry) -> dict[str, int]:
    """First word of every name -> the most words a name opening with it has."""
    key = id(entry.lookup)
    if key not in _FIRST:
        index: dict[str, int] = {}
        for name in entry.lookup or ():
            # most names are one word of letters, or letters and single spaces, whose words
            # are their split (far quicker than findall over the city tables); any other name
            # as findall reads it
            # (a one-word name of letters and hyphens or apostrophes, "enghien-les-bains", is
            # one word as findall reads it too)
            if name.isalpha() or (" " not in name and _ONE_WORD_NAME.fullmatch(name)):
                if name not in index:
                    index[name] = 1
                continue
            words = name.split(" ")
            if not all(word.isalpha() for word in words):
                words = _NAME_WORD.findall(name)
            if words:
                index[words[0]] = max(index.get(words[0], 0), min(len(words), _LONGEST_NAME))
        _FIRST[key] = index
    return _FIRST[key]


_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n(\"“„«]|\s[-–—•*]|^\s*[-–—•*\d.)]+)\s*[¿¡]?\s*$")


def _proper_ok(text: str, start: int, value: tuple[str, int, str], lower: bool = False,
               end: int | None = None) -> bool:
    """A proper name is capitalised (or, from a ``lower`` list, right after a word for "in"),
    and opens a sentence only when it is a big city's; a town's name right before a word for
    the kind of place it names ("Rennes Métropole", "the Aarhus metro area") is read
    anywhere."""
    if value[2] == LOWER:  # an EU town typed in lower case (capitalised: the other tables')
        return (lower and not text[start:start + 1].isupper() and end is not None
                and ("-" in text[start:end]  # hyphenated, or alone in brackets: "(zwolle)"
                     or text[start - 1:start] == "(" and text[end:end + 1] == ")"
                     or TOWN_AT.search(text[max(0, start - 40):start]) is not None))
    if not text[start:start + 1].isupper() and not (lower and value[2] == "after-in"):
        return False
    # (a short name read only after a word for "in"/"at", written in capitals: an acronym,
    # "ZUG-certified", "the ELY line", never the town; revfix16b)
    if (end is not None and value[2].startswith("after") and end - start <= 3
            and text[start:end].isupper()):
        return False
    if (end is not None and value[2] != "bracket" and text[start:start + 1].isupper()
            and PLACE_KIND_AFTER.match(text, end) is not None):
        return True
    if (end is not None and value[2].removesuffix(SMALL) == "after-en"
            and text[start:start + 1].isupper()
            and BODY_AFTER.match(text, end) is not None
            and not town_word(text[start:end].lower())):
        return True  # "Tartu police", "the Mechelen town hall": the body's town
    if (end is not None and value[2].removesuffix(SMALL) == "after-en"
            and text[start:start + 1].isupper()
            and BRANCH_AFTER.match(text, end) is not None
            and not town_word(text[start:end].lower()) and not _opens_sentence(text, start)):
        return True  # "our Osijek stores": the branch's town (places16b)
    if value[2] == "bracket":  # a region placing the name before it: "Saint-Flour (Cantal)"
        return BRACKETED_AFTER_NAME.search(text[max(0, start - 40):start]) is not None
    if value[2].startswith("after"):  # a small town: right after a word for its municipality
        before = text[max(0, start - 40):start]
        lead = {"after-in": TOWN_LEAD, "after-en": TOWN_LEAD_ENGLISH, "after-at": TOWN_AT}.get(
            value[2].removesuffix(SMALL))
        # (or right after a capitalised word for the lake, mountain or coast it names: "Lake
        # Bled", "Lago di Garda"; a non-EU one there is left open by ``find``)
        return MUNICIPALITY.search(before) is not None or (
            lead is not None and lead.search(before) is not None) or (
            value[2] not in ("after-at", "after-body") and FEATURE_LEAD.search(before)
            is not None)
    # (a city whose own name is no word of a supported language, "start", opens one too:
    # "Odense police want ...")
    return value[2] in ("big", "start") or not _opens_sentence(text, start)


def _opens_sentence(text: str, start: int) -> bool:
    """Whether the word at ``start`` opens a sentence (asked of the same words by every name
    list: worked out once per text and place)."""
    seen = _sentence_starts(text)
    found = seen.get(start)
    if found is None:
        found = seen[start] = _SENTENCE_START.search(text[max(0, start - 40):start]) is not None
    return found


@lru_cache(maxsize=4)
def _sentence_starts(text: str) -> dict[int, bool]:
    return {}  # place in ``text`` -> whether a sentence opens there, filled by _opens_sentence


_FUZZY_MIN = 6  # letters: shorter words are too easily one letter off another name
_FUZZY_SCORE = 85


def _near(word: str, entry: Entry) -> str | None:
    """The one-word name ``word`` is a near spelling of (same first letter), or None."""
    key = (id(entry.lookup), word)
    if key in _NEAR:  # the same capitalised words come back in every German question
        return _NEAR[key]
    from rapidfuzz import fuzz, process

    names = _one_word_names(entry).get(word[:1], ())
    found = process.extractOne(word, names, scorer=fuzz.ratio, score_cutoff=_FUZZY_SCORE)
    if len(_NEAR) >= _MAX_NEAR:
        _NEAR.clear()
    near = _NEAR[key] = str(found[0]) if found is not None else None
    return near


#: (name list, word) -> the name it is a near spelling of, or None; filled as questions are read
_NEAR: dict[tuple[int, str], str | None] = {}
_MAX_NEAR = 50_000


_ONE_WORD: dict[int, dict[str, list[str]]] = {}


def _one_word_names(entry: Entry) -> dict[str, list[str]]:
    """An entry's one-word names by first letter (a misspelling keeps the first letter)."""
    key = id(entry.lookup)
    if key not in _ONE_WORD:
        by_letter: dict[str, list[str]] = {}
        for name in entry.lookup or ():
            if name.isalpha() and len(name) >= _FUZZY_MIN:
                by_letter.setdefault(name[:1], []).append(name)
        _ONE_WORD[key] = by_letter
    return _ONE_WORD[key]


def _shadowed(group: list[Mention], i: int) -> bool:
    """True when a longer, different reading of the same fact covers mention ``i``."""
    mention = group[i]
    j = i - 1  # earlier-starting readings; no reading is longer than _LONGEST
    while j >= 0 and mention.start - group[j].start <= _LONGEST:
        other = group[j]
        if other.value != mention.value and mention.inside(other):
            return True
        j -= 1
    k = i + 1  # or one starting at the same place and reaching further
    while k < len(group) and group[k].start == mention.start:
        if group[k].value != mention.value and mention.inside(group[k]):
            return True
        k += 1
    return False


#: A country mask's value ("country=non_eu"): it takes only the places outside the EU.
NON_EU = "non_eu"


def find(text: str, vocabularies: Sequence[Vocabulary]) -> tuple[Mention, ...]:
    """All mentions in ``text``, in reading order, after masks and longest-reading filtering."""
    found, masks = _raw(text, vocabularies)
    # (a longer reading that holds a mask with words on both sides stands: "recopilar en masa
    # las caras de las grabaciones de videovigilancia ... una base de caras" is scraping)
    by_name: dict[str, list[Mention]] = {}  # (a mask only takes a mention of its own name)
    for mask in masks:
        by_name.setdefault(mask.name, []).append(mask)
    # (a mask with a value, "consent=yes", only marks mentions of that value: scope.mark
    # drops them unless a negation stands before them; "country=non_eu" takes only places
    # outside the EU: a name that may be where the use is, "the sea of Nice", is masked
    # only where reading it could take the EU AI Act away; rev18b)
    def _under(m: Mention, valued: bool) -> bool:
        return any(m.overlaps(mask) and not m.start < mask.start <= mask.end < m.end
                   and (mask.value not in ("", NON_EU)) == valued
                   and (mask.value in ("", m.value) or mask.value == NON_EU and not (
                       m.kind == "place" and jurisdiction(m.value) == "eu"))
                   for mask in by_name.get(m.name, ()))
    kept = [m if not _under(m, True) else replace(m, masked=True)
            for m in found if not _under(m, False)] if by_name else found
    # A city read only from a capital letter, where every noun has one: a noun ("Kita").
    langs = [v.lang for v in vocabularies if v.lang != "en"]
    kept = [m for m in kept if not (m.kind == "place" and any(
        foreign_noun(m.detail, m.value, lang, text[max(0, m.start - 40):m.start])
        for lang in langs))]
    # A non-EU place's name right after a capitalised word for a mountain range, lake or coast
    # names that feature ("Sierra Nevada": Spain's or California's; "Lake Geneva"): left open,
    # never read as the non-EU place (that would take the EU AI Act away).
    kept = [m for m in kept if not (
        m.kind == "place" and m.name == "country" and jurisdiction(m.value) != "eu"
        and FEATURE_BEFORE.search(text[max(0, m.start - 40):m.start]) is not None)]
    # A body's name right after such a word is the feature's ("Lake Garda", "Lago di Garda":
    # no Irish police), never the body; unless the body's words hold a word for the police
    # ("Paradise Valley Police Department", "Lake County Sheriff's Office": a town's police).
    police = [m for m in kept if m.kind == "cue" and m.name == "police_words"]
    kept = [m for m in kept if not (
        m.kind == "agency" and text[m.start:m.start + 1].isupper()
        and FEATURE_LEAD.search(text[max(0, m.start - 40):m.start]) is not None
        and not any(m.overlaps(p) for p in police))]
    # A small town's name read right after such a word that is a word of a body standing
    # there ("Valley Police Department": no Polish town Police) is the body's.
    bodies = [m for m in kept if m.kind == "agency"]
    kept = [m for m in kept if not (
        m.kind == "place" and m.detail.startswith("after")
        and FEATURE_LEAD.search(text[max(0, m.start - 40):m.start]) is not None
        and any(m.overlaps(b) for b in bodies))]
    # A small town's name that is also another place's ("Ontario", "Nederland") is that place.
    named = [m for m in kept if m.kind == "place" and not m.detail.startswith("after")]
    kept = [m for m in kept if not (m.kind == "place" and m.detail.startswith("after")
                                    and any(m.overlaps(o) for o in named))]
    groups: dict[tuple[str, str], list[Mention]] = {}
    for mention in kept:
        groups.setdefault((mention.kind, mention.name), []).append(mention)
    out: list[Mention] = []
    for (kind, _), group in groups.items():
        if kind not in ("fact", "place", "agency"):
            out.extend(group)
            continue
        group.sort(key=lambda m: (m.start, -m.end))
        out.extend(m for i, m in enumerate(group) if not _shadowed(group, i))
    out += _misspelt(text, vocabularies, [*kept, *masks])
    out.sort(key=lambda m: (m.start, -m.end))  # at one place, the longest reading first
    return tuple(out)


_LONG_WORD = re.compile(r"[^\W\d_]{" + str(NEAR_MIN) + r",}")
_NEAR_WORD_SCORE = 91  # one letter dropped or doubled in 8 or more; one changed in 12 or more


def _misspelt(text: str, vocabularies: Sequence[Vocabulary],
              found: Sequence[Mention]) -> list[Mention]:
    """A long word nothing reads that is one letter off a one-word fact verb or noun of the
    question's own language ("herkenen": herkennen), read as that word (rapidfuzz)."""
    from rapidfuzz import fuzz, process

    out: list[Mention] = []
    read = [m for m in found if m.kind != "cue"]  # a cue's stem may be in a typo
    for vocab in vocabularies:
        if vocab.lang == "en":
            continue
        table = near_words(vocab.lang)
        for match in _LONG_WORD.finditer(text):
            start, end = match.span()
            word = match.group(0).lower()
            key = (vocab.lang, word)
            if key in _NEAR_WORD:  # the same words come back question after question
                near = _NEAR_WORD[key]
            else:
                near = None
                rows = [r for r in table.get(word[:1], ()) if abs(len(r[0]) - len(word)) <= 2]
                hit = process.extractOne(word, [r[0] for r in rows], scorer=fuzz.ratio,
                                         score_cutoff=_NEAR_WORD_SCORE) if rows else None
                if hit is not None and hit[1] < 100:  # the word itself: masked or out of place
                    near = rows[hit[2]][1:]
                if len(_NEAR_WORD) >= _MAX_NEAR:
                    _NEAR_WORD.clear()
                _NEAR_WORD[key] = near
            if near is None or any(m.start < end and start < m.end for m in read):
                continue  # no near word, or a word some fact, name or mask reads
            name, value, rank = near
            out.append(Mention("fact", name, value, start, end, match.group(0), rank,
                               vocab.lang))
    return out


#: (language, word) -> the (fact, value, rank) of the vocabulary word it is one letter off,
#: or None; filled as questions are read
_NEAR_WORD: dict[tuple[str, str], tuple[str, str, int] | None] = {}
