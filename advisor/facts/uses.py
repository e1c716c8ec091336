"""Several uses in one question: "(1) draft reports, (2) later maybe live dash-cam matching".

A question that lists its uses with markers ("(1)", "2)", "3.", "a)", "(ii)") is split into one
text per use: the words before the first marker (who, where, which service) followed by
that use's own words, so each use is read, and judged, on its own.
"""

from __future__ import annotations

import re

__all__ = ["split_uses"]

_MARKER = re.compile(r"(?:(?<=\s)|^)(?:\(?(?:[1-9]|[a-h]|i{1,3}|iv|v)\)|[1-9]\.(?!\d))\s+",
                     re.I)


def split_uses(text: str) -> list[tuple[str, str]]:
    """(the use's own words, the text to read for it) per listed use; [] when none is listed."""
    marks = list(_MARKER.finditer(text))
    labels = [m.group(0).strip("().: \t").lower() for m in marks]
    if len(marks) < 2 or not _in_sequence(labels):
        return []
    preamble = text[:marks[0].start()].strip()
    out: list[tuple[str, str]] = []
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        item = text[mark.end():end].strip().rstrip(",;").strip()
        out.append((item, f"{preamble} {item}".strip()))
    return out


def _in_sequence(labels: list[str]) -> bool:
    for first in ("1", "a", "i"):
        sequence = {"1": "123456789", "a": "abcdefgh", "i": None}[first]
        if labels[0] != first:
            continue
        if sequence is None:
            return labels[:5] == ["i", "ii", "iii", "iv", "v"][:len(labels)]
        return "".join(labels) == sequence[:len(labels)]
    return False
