"""Verbatim quotes: finding a quote in its chunk and picking the sentence worth quoting.

A quote is verbatim when it is a substring of the chunk text after whitespace runs are
collapsed to one space on both sides; its offsets are mapped back to the original text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_WS = re.compile(r"\s+")
_WORD = re.compile(r"[a-z0-9][a-z0-9\-]*")
# Sentence ends: . ! ? ; followed by whitespace, or a line break between list items.
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+(?=[\"'(\[A-Z0-9*\-])|\n\s*\n|\n(?=\s*[-*•]\s)")
_MAX_QUOTE = 320
_OPERATIVE = re.compile(r"\b(must not|may not|shall not|is prohibited|are prohibited|"
                        r"prohibits|bars|requires?|only (?:if|where|when|with))\b", re.I)
_STOP = frozenset(
    "the a an and or of to in on for by with from this that these those is are be been was were "
    "it its as at any all can could may might must not no use used using uses who what which "
    "when where whether would will should shall there their they them than then into onto about "
    "under over does do did has have had such other our your you we us say says said tell "
    "me about how".split()
)


def locate(quote: str, text: str) -> tuple[int, int] | None:
    """Offsets ``(start, end)`` of ``quote`` in ``text``, ignoring whitespace differences."""
    needle = quote.strip()
    if not needle:
        return None
    pos = text.find(needle)
    if pos >= 0:
        return pos, pos + len(needle)
    # Whitespace runs in either text match any whitespace run in the other.
    pattern = r"\s+".join(re.escape(token) for token in needle.split())
    found = re.search(pattern, text)
    return (found.start(), found.end()) if found else None


def words(text: str) -> set[str]:
    """The content words of ``text``, lower-cased, without stop words."""
    found = {w for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in _STOP}
    return {w[:-1] if len(w) > 4 and w.endswith("s") and not w.endswith("ss") else w
            for w in found}


def sentences(text: str) -> list[str]:
    """The sentences of a chunk, each a verbatim substring, heading lines left out."""
    body_lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("#")]
    body = "\n".join(body_lines)
    found: list[str] = []
    for part in _SENTENCE_END.split(body):
        part = part.strip().lstrip("-*• ").strip().rstrip(":").rstrip()
        if len(part) >= 12 and part in text:
            found.append(part)
    return found


def _trim(sentence: str) -> str:
    """A long sentence cut at its last clause boundary (comma, semicolon, bracket) in reach."""
    if len(sentence) <= _MAX_QUOTE:
        return sentence
    head = sentence[:_MAX_QUOTE]
    cut = max(head.rfind(", "), head.rfind("; "), head.rfind(" ("), head.rfind(" -"))
    if cut < _MAX_QUOTE // 3:
        cut = head.rfind(" ")
    return sentence[: cut if cut > 40 else _MAX_QUOTE].rstrip(" ,;:")


def best_sentence(text: str, terms: Iterable[str], avoid: Iterable[str] = (),
                  operative: bool = False) -> str:
    """The sentence of ``text`` sharing most words with ``terms`` (first wins ties), verbatim.

    Sentences containing any phrase of ``avoid`` (lower-case) are skipped when others exist;
    with ``operative``, a sentence in operative language ("must not", "prohibited") and one
    quoting the source's own words count for more.
    """
    wanted = set()
    for term in terms:
        wanted |= words(term)
    banned = tuple(avoid)
    candidates = sentences(text) or [text.strip()]
    allowed = [s for s in candidates if not any(b in s.lower() for b in banned)] or candidates
    def score(sentence: str) -> int:
        points = len(words(sentence) & wanted)
        if operative:
            points += 3 * bool(_OPERATIVE.search(sentence)) + 2 * ('"' in sentence)
        return points

    best = max(allowed, key=lambda s: (score(s), -allowed.index(s)))
    return _trim(best)
