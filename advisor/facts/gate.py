"""Cheap pre-checks for vocabulary patterns: the letters a match must start with.

Most entries never match a given question, yet scanning a whole question with a large
alternation costs far more than asking "does any word of the question start with 'ident'?".
For each pattern that starts at a word boundary, the literal prefixes a match must begin
with (up to ``_K`` letters) are read from the compiled pattern; at run time an entry is
scanned only when one of its prefixes begins some word of the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

try:  # Python 3.11+
    import re._constants as _c
    import re._parser as _p
except ImportError:  # pragma: no cover - older Pythons
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _p  # type: ignore[no-redef]

__all__ = ["K", "Infixes", "infixes", "letters", "prefixes", "union", "word_starts"]

K = 3  # prefix length the gate compares
_MAX = 4000  # more prefixes than this: not worth gating
_BOUNDARY_START = re.compile(
    r"^(?:\(\?<![^()]*\))*(?:\\b|\(\?<!\\w\)|\(\?<!\[\\w\.\]\)|\(\?<!\[\\w\]\))")


class _Open(Exception):
    """The pattern can start with something other than a literal letter."""


def _literal(items: list[tuple[object, object]]) -> bool:
    """True when ``items`` consume only literal letters (in groups and branches)."""
    for op, av in items:
        if op is _c.LITERAL:
            continue
        if op is _c.IN:
            if any(kind is not _c.LITERAL for kind, _ in av):  # type: ignore[attr-defined]
                return False
        elif op is _c.SUBPATTERN:
            if not _literal(list(av[-1])):  # type: ignore[index]
                return False
        elif op is _c.BRANCH:
            if not all(_literal(list(alt)) for alt in av[1]):  # type: ignore[index]
                return False
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
            if not _literal(list(av[2])):  # type: ignore[index]
                return False
        else:
            return False
    return True


def _walk(items: list[tuple[object, object]], acc: set[str]) -> set[str]:
    """Prefixes after ``items`` given partial prefixes ``acc`` (complete ones have K chars)."""
    for index, (op, av) in enumerate(items):
        todo = {a for a in acc if len(a) < K}
        if not todo:
            return acc
        done = acc - todo
        if op is _c.AT or op is _c.ASSERT_NOT or op is _c.ASSERT:
            continue
        if op is _c.LITERAL:
            acc = done | {a + chr(av).lower() for a in todo}  # type: ignore[arg-type]
        elif op is _c.IN:
            chars = []
            for kind, value in av:  # type: ignore[attr-defined]
                if kind is not _c.LITERAL:
                    return done | todo  # a class such as [\s-]: the prefix ends here
                chars.append(chr(value).lower())
            acc = done | {a + ch for a in todo for ch in chars}
        elif op is _c.BRANCH:
            rest = items[index + 1:]
            out = set(done)
            for alt in av[1]:  # type: ignore[index]
                out |= _walk(list(alt) + rest, set(todo))
            return out
        elif op is _c.SUBPATTERN:
            rest = items[index + 1:]
            return done | _walk(list(av[-1]) + rest, set(todo))  # type: ignore[index]
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
            low: int = av[0]  # type: ignore[index]
            item: list[tuple[object, object]] = list(av[2])  # type: ignore[index]
            rest = items[index + 1:]
            if not _literal(item):
                return done | todo  # "\w*", "\s+": the prefix ends here
            once = _walk(item, set(todo))
            if low == 0:
                return done | _walk(rest, set(todo)) | {p for p in once if len(p) == K} | (
                    _walk(rest, {p for p in once if len(p) < K}) if rest else set())
            return done | once  # prefixes of the first repetition suffice
        else:
            return done | todo  # \w, ., \s: the prefix ends here
        if len(acc) > _MAX:
            raise _Open
    return acc


def prefixes(pattern: str) -> frozenset[str] | None:
    """The lower-case prefixes (at most K letters) every match starts with, or None."""
    if not _BOUNDARY_START.match(pattern):
        return None
    try:
        parsed = _p.parse(pattern, re.IGNORECASE)
        found = _walk(list(parsed), {""})
    except (_Open, re.error, TypeError, ValueError):
        return None
    if not found or any(not p for p in found) or len(found) > _MAX:
        return None
    return frozenset(found)


class Infixes(frozenset[str]):
    """A gate of letters a match must contain somewhere, not start a word with: a stem
    inside compounds ("*emotion*" in "Emotionserkennung")."""


#: Any word letters before a stem, after lookbehinds: "(?<!\w)\w*", "(?<!\bim\s)\b\w*".
_STEM_START = re.compile(r"^(?:\(\?<![^()]*\))*(?:\(\?<!\\w\)|\\b)\\w\*")


def infixes(pattern: str) -> Infixes | None:
    """For a pattern opening with any word letters then a stem ("(?<!\\w)\\w*emotion...",
    also after lookbehinds), the lower-case letters (K of them) the stem starts with;
    otherwise None."""
    opening = _STEM_START.match(pattern)
    if opening is None:
        return None
    found = prefixes(r"(?<!\w)" + pattern[opening.end():])
    return None if found is None else Infixes(found)


def letters(text: str) -> frozenset[str]:
    """Every run of K characters of ``text`` (lower case), for the Infixes gates."""
    lower = text.lower()
    return frozenset(lower[i:i + K] for i in range(len(lower) - K + 1))


_WORD_START = re.compile(r"(?<!\w)\w")


def word_starts(text: str) -> dict[str, tuple[int, ...]]:
    """Every prefix of 1 to K characters of the words of ``text`` (lower case), with the
    places in ``text`` where a word starts that way."""
    out: dict[str, list[int]] = {}
    for match in _WORD_START.finditer(text):
        i = match.start()
        head = text[i:i + K].lower()
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
