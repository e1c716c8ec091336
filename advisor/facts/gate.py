"""Cheap pre-checks for vocabulary patterns: the letters a match must start with or hold.

Most entries never match a given question, yet scanning a whole question with a large
alternation costs far more than asking "does any word of the question start with 'ident'?".
Three gates are read from a compiled pattern:
- ``prefixes``: for a pattern that starts at a word boundary, the literal letters (up to K,
  any run of whitespace read as one space) a match begins with; the pattern is tried only
  where a word of the text starts so (``word_heads``);
- ``infixes``: for a stem inside compounds ("\\w*bahnhof"), the letters the stem starts
  with; tried only where a word holding them starts;
- ``runs``: for any other pattern, letters every match holds somewhere; the text is scanned
  whole only when it holds them.
A pattern with none of the three is scanned whole on every text. tests/facts/test_gate.py
checks on real questions that no gate ever hides a match.

Working the gates out means parsing every vocabulary pattern (about a second of a cold start),
so the build step (``python -m advisor.facts.forms``) stores them in vocab/forms/gates.json,
keyed by a digest of each pattern; the table is used only when this file's code (on this
Python) made it, and a pattern it lacks (a few scope cues read outside the vocabularies) is
worked out as before.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

try:  # Python 3.11+
    import re._constants as _c
    import re._parser as _p
except ImportError:  # pragma: no cover - older Pythons
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _p  # type: ignore[no-redef]

__all__ = ["GATES_FILE", "K", "K_STEM", "STEM_MIN", "Held", "Infixes", "code_version", "fold",
           "infixes", "prefixes", "recording", "runs", "starts", "union", "word_heads",
           "word_starts"]

K = 6  # letters of a word start the gate compares
K_STEM = 5  # letters of a stem inside a word the gate compares, at most
STEM_MIN = 3  # and at least
_MAX = 4000  # more prefixes than this: not worth gating
_BOUNDARY_START = re.compile(
    r"^(?:\(\?<![^()]*\))*(?:\\b|\(\?<!\\w\)|\(\?<!\[\\w\.\]\)|\(\?<!\[\\w\]\))")


_WORD_CHAR = re.compile(r"\w")


class _Open(Exception):
    """The pattern can start with something other than a literal letter."""


def _literal(items: list[tuple[object, object]]) -> bool:
    """True when ``items`` consume only literal letters or whitespace (in groups and branches)."""
    for op, av in items:
        if op is _c.LITERAL:
            continue
        if op is _c.IN:
            if not _is_space(op, av) and any(
                    kind is not _c.LITERAL for kind, _ in av):  # type: ignore[attr-defined]
                return False
        elif op is _c.SUBPATTERN:
            if not _literal(list(av[-1])):  # type: ignore[index]
                return False
        elif op is _c.BRANCH:
            if not all(_literal(list(alt)) for alt in av[1]):  # type: ignore[index]
                return False
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
            # a group that may repeat ("(?:ab)*", "x{2}") is walked only once: not literal
            if not _literal(list(av[2])) or av[1] > 1 and not _spaces(av):  # type: ignore[index]
                return False
        else:
            return False
    return True


#: Letters a case-insensitive pattern matches as "i" or "s" but str.lower() leaves alone or
#: lengthens ("İ" lowers to two characters): folded one for one, so offsets stay put.
_FOLD = str.maketrans({"İ": "i", "ı": "i", "ſ": "s"})


def fold(text: str) -> str:
    """``text`` in lower case as the gates compare it, same length as ``text``."""
    return text.translate(_FOLD).lower()


def _add(prefix: str, char: str) -> str:
    """``prefix`` and one more matched character, as word_starts writes the text: lower
    case, and any run of whitespace as one space."""
    if char.isspace():
        return prefix if prefix.endswith(" ") else prefix + " "
    return prefix + fold(char)


def _is_space(op: object, av: object) -> bool:
    r"""True for "\s": any one whitespace character."""
    return op is _c.IN and av == [(_c.CATEGORY, _c.CATEGORY_SPACE)]


def _spaces(av: object) -> bool:
    r"""True for the repeat of "\s+", "\s*", "\s{1,3}" (runs of whitespace)."""
    item = list(av[2])  # type: ignore[index]
    return len(item) == 1 and _is_space(*item[0])


def _walk(items: list[tuple[object, object]], acc: set[str], k: int) -> set[str]:
    """Prefixes after ``items`` given partial prefixes ``acc`` (complete ones have k chars)."""
    for index, (op, av) in enumerate(items):
        todo = {a for a in acc if len(a) < k}
        if not todo:
            return acc
        done = acc - todo
        if op is _c.AT or op is _c.ASSERT_NOT or op is _c.ASSERT:
            continue
        if op is _c.LITERAL:
            acc = done | {_add(a, chr(av)) for a in todo}  # type: ignore[arg-type]
        elif _is_space(op, av):
            acc = done | {_add(a, " ") for a in todo}
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and _spaces(av):
            # "\s+", "\s*": word_starts reads every run of spaces as one space
            spaced = {_add(a, " ") for a in todo}
            if av[0] == 0:  # type: ignore[index]
                rest = items[index + 1:]
                return done | _walk(rest, spaced, k) | _walk(rest, set(todo), k)
            acc = done | spaced
        elif op is _c.IN:
            chars = []
            for kind, value in av:  # type: ignore[attr-defined]
                if kind is not _c.LITERAL:
                    return done | todo  # a class such as [\s-]: the prefix ends here
                chars.append(chr(value))
            acc = done | {_add(a, ch) for a in todo for ch in chars}
        elif op is _c.BRANCH:
            rest = items[index + 1:]
            out = set(done)
            for alt in av[1]:  # type: ignore[index]
                out |= _walk(list(alt) + rest, set(todo), k)
            return out
        elif op is _c.SUBPATTERN:
            rest = items[index + 1:]
            return done | _walk(list(av[-1]) + rest, set(todo), k)  # type: ignore[index]
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
            low: int = av[0]  # type: ignore[index]
            item: list[tuple[object, object]] = list(av[2])  # type: ignore[index]
            rest = items[index + 1:]
            once = _walk(item, set(todo), k)
            if not _literal([(op, av)]):  # "\w*", "(?:ab)*": the prefix ends inside the item
                return done | once | (_walk(rest, set(todo), k) if low == 0 else set())
            if low == 0:
                return done | _walk(rest, set(todo), k) | {p for p in once if len(p) == k} | (
                    _walk(rest, {p for p in once if len(p) < k}, k) if rest else set())
            return done | once  # prefixes of the first repetition suffice
        else:
            return done | todo  # \w, ., \s: the prefix ends here
        if len(acc) > _MAX:
            raise _Open
    return acc


#: The gates the build step worked out (see the module's docstring).
GATES_FILE = Path(__file__).parent / "vocab" / "forms" / "gates.json"
_Table = dict[str, dict[str, list[str] | None]]
_recording: list[_Table] = []  # while the build step records: the table it fills


def _digest(pattern: str, k: int) -> str:
    return hashlib.blake2b(f"{k}\0{pattern}".encode(), digest_size=8).hexdigest()


@lru_cache(maxsize=1)
def code_version() -> str:
    """A digest of this file and of the Python version whose regex parser the gates read: a
    table made by other gate code or another Python is not used."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(".".join(map(str, sys.version_info[:2])).encode())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=1)
def _stored() -> _Table:
    try:
        data = json.loads(GATES_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return dict(data["gates"]) if data.get("code") == code_version() else {}


def _memo(kind: str, pattern: str, k: int,
          work_out: Callable[[str, int], frozenset[str] | None]) -> frozenset[str] | None:
    key = _digest(pattern, k)
    if _recording:
        found = work_out(pattern, k)
        _recording[-1].setdefault(kind, {})[key] = None if found is None else sorted(found)
        return found
    table = _stored().get(kind, {})
    if key in table:
        stored = table[key]
        return None if stored is None else frozenset(stored)
    return work_out(pattern, k)


@contextmanager
def recording() -> Iterator[_Table]:
    """Work every gate out (the stored table unused) and record it: the build step's table."""
    table: _Table = {}
    _recording.append(table)
    try:
        yield table
    finally:
        _recording.pop()


def prefixes(pattern: str, k: int = K) -> frozenset[str] | None:
    """The lower-case prefixes (at most k letters) every match starts with, or None."""
    return _memo("prefixes", pattern, k, _prefixes)


def _prefixes(pattern: str, k: int) -> frozenset[str] | None:
    if not _BOUNDARY_START.match(pattern):
        return None
    try:
        parsed = _p.parse(pattern, re.IGNORECASE)
        found = _walk(list(parsed), {""}, k)
    except (_Open, re.error, TypeError, ValueError):
        return None
    # a word start is a word character: a prefix opening with "'" ("'s", "'n") never opens
    if not found or any(not p or not _WORD_CHAR.match(p) for p in found) or len(found) > _MAX:
        return None
    return frozenset(found)


def starts(pattern: str, k: int = K) -> frozenset[str] | None:
    """For a pattern ``prefixes`` leaves ungated because lookarounds come before its word
    boundary ("(?![^.;!?]{0,100}...)\\b(?:announced|...)", also several such joined as
    "(?:a)|(?:b)"): the prefixes every match starts with, when every alternative opens at a
    word start; otherwise None. Such a pattern is tried only where a word starts so, as a
    prefixed one is, instead of at every character of the text."""
    return _memo("starts", pattern, k, _starts)


def _starts(pattern: str, k: int) -> frozenset[str] | None:
    try:
        parsed = list(_p.parse(pattern, re.IGNORECASE))
        if not _opens_word(parsed):
            return None
        found = _walk(parsed, {""}, k)
    except (_Open, re.error, TypeError, ValueError):
        return None
    if not found or any(not p or not _WORD_CHAR.match(p) for p in found) or len(found) > _MAX:
        return None
    return frozenset(found)


def _opens_word(items: list[tuple[object, object]]) -> bool:
    """True when, before anything is consumed, the pattern asserts that no word character
    comes before (\\b, "(?<!\\w)", "(?<![\\w.])"), in every alternative."""
    for index, (op, av) in enumerate(items):
        if op is _c.AT:
            if av is _c.AT_BOUNDARY:
                return True
        elif op is _c.ASSERT_NOT and av[0] == -1 and _word_class(  # type: ignore[index]
                list(av[1])):  # type: ignore[index]
            return True
        elif op is _c.SUBPATTERN:
            return _opens_word(list(av[-1]) + items[index + 1:])  # type: ignore[index]
        elif op is _c.BRANCH:
            return all(_opens_word(list(alt) + items[index + 1:])
                       for alt in av[1])  # type: ignore[index]
        elif op is not _c.ASSERT and op is not _c.ASSERT_NOT:
            return False  # something consumed before any boundary
    return False


def _word_class(items: list[tuple[object, object]]) -> bool:
    r"""True for one character of a class holding \w ("\w", "[\w.]")."""
    if len(items) != 1 or items[0][0] is not _c.IN:
        return False
    members = list(items[0][1])  # type: ignore[call-overload]
    return (_c.CATEGORY, _c.CATEGORY_WORD) in members and all(
        kind is not _c.NEGATE for kind, _ in members)


class Infixes(frozenset[str]):
    """A gate of letters a stem inside a word starts with ("*emotion*" in
    "Emotionserkennung"): a match starts where a word holding one of them starts."""


class Held(frozenset[str]):
    """A gate of letters a match holds somewhere: the text is scanned whole when it holds
    one of them."""


#: Any word letters before a stem, after lookbehinds: "(?<!\w)\w*", "(?<!\bim\s)\b\w*".
_STEM_START = re.compile(r"^(?:\(\?<![^()]*\))*(?:\(\?<!\\w\)|\\b)\\w\*")


def infixes(pattern: str) -> Infixes | None:
    """For a pattern opening with any word letters then a stem ("(?<!\\w)\\w*emotion...",
    also after lookbehinds), the lower-case letters (STEM_MIN to K_STEM of them, within
    the word) the stem starts with; otherwise None (also for a shorter stem)."""
    opening = _STEM_START.match(pattern)
    if opening is None:
        return None
    found = prefixes(r"(?<!\w)" + pattern[opening.end():], K_STEM)
    cut = None if found is None else _stems(found)
    return None if cut is None else Infixes(cut)


def runs(pattern: str) -> Held | None:
    """For a pattern neither gate above fits ("\\b(?:[\\w-]+'s\\s+own\\s+)?security\\s+staff"),
    the letters (STEM_MIN to K_STEM of them) one of which every match holds somewhere:
    those a stretch of the pattern that every match ends with starts with ("secur");
    otherwise None."""
    found = _memo("runs", pattern, K_STEM, _parsed_runs)
    return None if found is None else Held(found)


def _parsed_runs(pattern: str, _k: int) -> frozenset[str] | None:
    try:
        return _runs(list(_p.parse(pattern, re.IGNORECASE)))
    except (_Open, re.error, TypeError, ValueError):
        return None


def _runs(items: list[tuple[object, object]]) -> frozenset[str] | None:
    while len(items) == 1 and items[0][0] is _c.SUBPATTERN:  # "(?:...)" around it all
        items = list(items[0][1][-1])  # type: ignore[index]
    if len(items) == 1 and items[0][0] is _c.BRANCH:  # one of several: any of theirs
        out: set[str] = set()
        for alternative in items[0][1][1]:  # type: ignore[index]
            found = _runs(list(alternative))
            if found is None:
                return None
            out |= found
        return frozenset(out)
    for j, (op, _) in enumerate(items):
        found = _stems(_walk(items[j:], {""}, K_STEM))
        if found is not None and len(found) <= _MAX:
            return found
        if op is _c.SUBPATTERN or op is _c.BRANCH:  # a group every match holds
            inner = _runs([items[j]])
            if inner is not None:
                return inner
    return None


_NOT_WORD = re.compile(r"\W")


def _stems(found: set[str] | frozenset[str]) -> frozenset[str] | None:
    """Prefixes as letters within one word: each cut where a word ends (at a space, a
    hyphen, an apostrophe), every one at least STEM_MIN long; otherwise None."""
    cut = {_NOT_WORD.split(p, 1)[0] for p in found}
    if not cut or any(len(p) < STEM_MIN for p in cut):
        return None
    return frozenset(cut)


_WORD_START = re.compile(r"(?<!\w)\w")


_SPACE_RUN = re.compile(r"\s+")


@lru_cache(maxsize=8)  # the vocabularies and the scope cues of one reading share them
def word_heads(text: str) -> tuple[tuple[int, str], ...]:
    """Where each word of ``text`` starts, with its first K characters (lower case, every
    run of whitespace read as one space, so "in  public" starts "in pu"): every prefix of
    that head is a prefix the word starts with."""
    flat = _SPACE_RUN.sub(" ", text)
    runs = [(m.end(), m.end() - m.start() - 1) for m in _SPACE_RUN.finditer(text)]
    out: list[tuple[int, str]] = []
    removed = run = 0  # characters the runs before i lost; the next run to count
    for match in _WORD_START.finditer(text):
        i = match.start()
        while run < len(runs) and runs[run][0] <= i:
            removed += runs[run][1]
            run += 1
        out.append((i, fold(flat[i - removed:i - removed + K])))
    return tuple(out)


def word_starts(text: str) -> dict[str, tuple[int, ...]]:
    """Every word prefix of ``text`` (see word_heads) with the places words start so."""
    out: dict[str, list[int]] = {}
    for i, head in word_heads(text):
        for n in range(1, len(head) + 1):
            out.setdefault(head[:n], []).append(i)
    return {prefix: tuple(at) for prefix, at in out.items()}


def union(gates: Iterable[frozenset[str] | None]) -> frozenset[str] | None:
    """One gate for several patterns: None (always scan) when any of them has none."""
    out: set[str] = set()
    for gate in gates:
        if gate is None:
            return None
        out |= gate
    return frozenset(out)
