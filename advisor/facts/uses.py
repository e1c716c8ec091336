"""Several uses in one question: "(1) draft reports, (2) later maybe live dash-cam matching".

A question that lists its uses with markers ("(1)", "2)", "3.", "a)", "(ii)") or with ordinal
words where a clause starts ("first, ... second, ...", "erstens ... zweitens", "po pierwsze ...
po drugie"; the words per language are data: vocab/uses.yaml) is split into one text per use:
the words before the first marker (who, where, which service) followed by that use's own
words, so each use is read, and judged, on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from advisor.facts.datafile import read_yaml

__all__ = ["split_uses"]

_MARKER = re.compile(r"(?:(?<=\s)|^)(?:\(?(?:[1-9]|[a-h]|i{1,3}|iv|v)\)|[1-9]\.(?!\d))\s+",
                     re.I)


def split_uses(text: str) -> list[tuple[str, str]]:
    """(the use's own words, the text to read for it) per listed use; [] when none is listed."""
    marks: list[re.Match[str]] = list(_MARKER.finditer(text))
    labels = [m.group(0).strip("().: \t").lower() for m in marks]
    if len(marks) < 2 or not _in_sequence(labels):
        marks = _ordinal_marks(text)
        if len(marks) < 2:
            return _counted_uses(text)
    preamble = text[:marks[0].start()].strip()
    out: list[tuple[str, str]] = []
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        item = text[mark.end():end].strip().rstrip(",;").strip()
        if len(item.split()) < 2:
            return []  # "first and second floor": no use said between the words
        out.append((item, f"{preamble} {item}".strip()))
    return out


def _counted_uses(text: str) -> list[tuple[str, str]]:
    """Uses announced by their number before a colon ("for three things: count fans, flag
    banned ones live, and blur faces"): the comma-separated items up to the sentence's end,
    when there are as many as announced; [] otherwise."""
    for regex, numbers, joiners in _count_heads():
        for head in regex.finditer(text):
            said = head.group("n").lower()
            wanted = int(said) if said.isdigit() else numbers.get(said, 0)
            colon = re.match(r"\s*:\s*", text[head.end():])
            if colon is None or wanted < 2:
                continue
            start = head.end() + colon.end()
            stop = re.search(r"[.;!?](?:\s|$)", text[start:])
            segment = text[start:start + stop.start()] if stop else text[start:]
            items = [joiners.sub("", part.strip()).strip() for part in segment.split(",")]
            if len(items) != wanted or any(len(item.split()) < 2 for item in items):
                continue
            preamble = text[:head.end()].strip()
            return [(item, f"{preamble} {item}") for item in items]
    return []


@lru_cache(maxsize=1)
def _words() -> dict:
    """vocab/uses.yaml, read once."""
    return read_yaml(Path(__file__).parent / "vocab" / "uses.yaml")


@lru_cache(maxsize=1)
def _count_heads() -> tuple[tuple[re.Pattern[str], dict[str, int], re.Pattern[str]], ...]:
    """Per language: the pattern of a number of uses, its number words, its leading joiners."""
    data = _words()
    out = []
    for lang, pattern in (data.get("count_heads") or {}).items():
        numbers = {str(k).lower(): int(v) for k, v in (data["numbers"].get(lang) or {}).items()}
        joiners = "|".join(re.escape(str(j)) for j in data["joiners"].get(lang, ()))
        lead = re.compile(rf"^(?:(?:{joiners})\s+)+", re.I) if joiners else re.compile(r"^$")
        out.append((re.compile(str(pattern), re.I), numbers, lead))
    return tuple(out)


def _in_sequence(labels: list[str]) -> bool:
    for first in ("1", "a", "i"):
        sequence = {"1": "123456789", "a": "abcdefgh", "i": None}[first]
        if labels[0] != first:
            continue
        if sequence is None:
            return labels[:5] == ["i", "ii", "iii", "iv", "v"][:len(labels)]
        return "".join(labels) == sequence[:len(labels)]
    return False


def _ordinal_marks(text: str) -> list[re.Match[str]]:
    """The ordinal words that list uses in one language, in sequence from the first ("first,
    ... second, ... third"); [] when no language lists two."""
    for regex, rank in _ordinals():
        found: list[re.Match[str]] = []
        for match in regex.finditer(text):
            said = match.groupdict()
            word = " ".join((said.get("start") or said.get("any") or "").lower().split())
            if rank.get(word) == len(found):
                found.append(match)
        if len(found) >= 2:
            return found
    return []


@lru_cache(maxsize=1)
def _ordinals() -> tuple[tuple[re.Pattern[str], dict[str, int]], ...]:
    """Per language: the pattern of its ordinal words, and each word's position (0 = first)."""
    data = _words()
    out: list[tuple[re.Pattern[str], dict[str, int]]] = []
    for lang, positions in data["ordinals"].items():
        rank = {str(word).lower(): i for i, words in enumerate(positions) for word in words}
        ambiguous = {str(word).lower() for word in data["ambiguous"].get(lang, ())}
        joiners = "|".join(re.escape(str(j)) for j in data["joiners"].get(lang, ()))
        where = rf"(?:^|(?<=[.;:!?,(])|\b(?:{joiners})\b)" if joiners else r"(?:^|(?<=[.;:!?,(]))"
        clear = _alternatives(word for word in rank if word not in ambiguous)
        starts = rf"{where}\s*(?P<start>{_alternatives(ambiguous)})" if ambiguous else None
        anywhere = rf"(?<![\w'’-])(?P<any>{clear})" if clear else None
        either = "|".join(f"(?:{p})" for p in (starts, anywhere) if p)
        out.append((re.compile(rf"(?:{either})(?![\w'’-])[\s,:]*", re.IGNORECASE), rank))
    return tuple(out)


def _alternatives(words: Iterable[str]) -> str:
    """Longest first, so "first of all" is tried before "first"; spaces match any run."""
    return "|".join(re.escape(w).replace(r"\ ", r"\s+")
                    for w in sorted(words, key=len, reverse=True))
