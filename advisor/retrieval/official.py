"""Official texts: find each clause of a pack's clause map in the publisher's own text.

A legal team drops the official text (HTML saved from the publisher's page, a PDF, or text)
into the corpus; the pack's clause map (``corpus/<pack>/clauses.yaml``) gives, per clause id,
a locator: an article/paragraph/point number ("Article 5(1)(h)"), a heading, or a phrase.
``locate_clauses`` turns the locators into spans of the document's text; a locator that finds
nothing is a CorpusError naming the clause and the file, so the ingest stops before it
touches the index and the last good index keeps serving.

Numbers follow the EU Official Journal's layout as the HTML and PDF extractors give it: an
``Article N`` line, paragraphs ``1.`` or ``(1)``, points ``(a)``, sub-points ``(i)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from advisor.errors import CorpusError
from advisor.rules.models import ClauseText, Locator
from advisor.schema import ClauseSpan, Document

__all__ = ["locate_clauses"]

_NUMBER = re.compile(r"^\s*(?P<word>article|art\.?|section|§)?\s*(?P<num>\d+[a-z]?)"
                     r"(?P<rest>(?:\s*\(\s*\w+\s*\))*)\s*$", re.IGNORECASE)
_PART = re.compile(r"\(\s*(\w+)\s*\)")
_ROMAN = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii")
_HEADING_LINE = 100  # an "Article N" line longer than this is prose that mentions it


@dataclass(frozen=True)
class _Line:
    start: int
    end: int
    text: str  # stripped of a leading Markdown heading or list marker


def _lines(text: str, start: int, end: int) -> list[_Line]:
    out: list[_Line] = []
    offset = start
    for raw in text[start:end].split("\n"):
        line_start, offset = offset, offset + len(raw) + 1
        body = re.sub(r"^\s*(?:#{1,6}\s+|[-*\u2022]\s+)?", "", raw).strip()
        if body:
            out.append(_Line(line_start, line_start + len(raw), body))
    return out


def _article(text: str, word: str, number: str) -> tuple[int, int] | None:
    """The span from the ``Article N`` line to the next article (or chapter) line."""
    head = re.compile(rf"^{re.escape(word)}\s+{re.escape(number)}(?![\w(])", re.IGNORECASE)
    nxt = re.compile(rf"^(?:{re.escape(word)}\s+\d+[a-z]?(?![\w(])|chapter\s+[ivxlc\d]+\b)",
                     re.IGNORECASE)
    lines = _lines(text, 0, len(text))
    for i, line in enumerate(lines):
        if head.match(line.text) and len(line.text) <= _HEADING_LINE:
            end = next((other.start for other in lines[i + 1:]
                        if nxt.match(other.text) and len(other.text) <= _HEADING_LINE), len(text))
            return line.start, end
    return None


def _token(line: _Line) -> tuple[str, str] | None:
    """The number or letter a paragraph/point line opens with, and its style:
    ``1.`` -> ("1", "dot"), ``(1)`` -> ("1", "paren"), ``(h)`` -> ("h", "paren")."""
    found = re.match(r"^(?:\((\w{1,5})\)|(\d{1,3})\.)(?=\s|$)", line.text)
    if not found:
        return None
    if found.group(2) is not None:
        return found.group(2), "dot"
    return found.group(1).lower(), "paren"


def _after(token: str, part: str) -> bool:
    """Whether ``token`` numbers a later sibling of ``part`` (same kind: digits or letters)."""
    if part.isdigit():
        return token.isdigit() and int(token) > int(part)
    if part in _ROMAN and len(part) > 1:
        return token in _ROMAN and _ROMAN.index(token) > _ROMAN.index(part)
    return len(token) == 1 and token.isalpha() and token > part


def _part(text: str, span: tuple[int, int], part: str, first_line: bool
          ) -> tuple[int, int] | None:
    """The span of paragraph/point ``part`` inside ``span``, up to its next sibling."""
    lines = _lines(text, *span)[1 if first_line else 0:]
    tokens = [_token(line) for line in lines]
    opening = next((i for i, t in enumerate(tokens) if t is not None and t[0] == part), None)
    if opening is None:
        return None
    style = tokens[opening][1]  # type: ignore[index]
    for i in range(opening + 1, len(lines)):
        token = tokens[i]
        if token is None or token[1] != style or not _after(token[0], part):
            continue
        # "(i)" after "(h)" is the first sub-point when "(ii)" follows it, not point (i).
        following = next((t[0] for t in tokens[i + 1:] if t is not None), None)
        if token[0] in _ROMAN and following in _ROMAN and \
                _ROMAN.index(following) == _ROMAN.index(token[0]) + 1:
            continue
        if token[0] in _ROMAN[1:] and not part.isdigit() and len(part) == 1:
            continue  # "(ii)", "(iii)": further sub-points of the point
        return lines[opening].start, lines[i].start
    return lines[opening].start, span[1]


def _by_number(text: str, reference: str) -> tuple[int, int] | None:
    found = _NUMBER.match(reference)
    if not found:
        return None
    word = (found.group("word") or "Article").rstrip(".")
    word = "Article" if word.lower() in ("art", "article") else word
    span = _article(text, word, found.group("num"))
    for depth, part in enumerate(_PART.findall(found.group("rest"))):
        if span is None:
            return None
        span = _part(text, span, part.lower(), first_line=depth == 0)
    return span


def _by_heading(text: str, heading: str) -> tuple[int, int] | None:
    wanted = " ".join(heading.split()).casefold()
    lines = text.split("\n")
    offset = 0
    starts = []
    for line in lines:
        starts.append(offset)
        offset += len(line) + 1
    for i, line in enumerate(lines):
        found = re.match(r"^ {0,3}(#{1,6})\s+(.*)$", line)
        if found and wanted in " ".join(found.group(2).split()).casefold():
            level = len(found.group(1))
            for j in range(i + 1, len(lines)):
                other = re.match(r"^ {0,3}(#{1,6})\s", lines[j])
                if other and len(other.group(1)) <= level:
                    return starts[i], starts[j]
            return starts[i], len(text)
    return None


def _by_phrase(text: str, phrase: str) -> tuple[int, int] | None:
    pattern = r"\s+".join(re.escape(token) for token in phrase.split())
    found = re.search(pattern, text, re.IGNORECASE)
    if not found:
        return None
    # The paragraph (between blank lines) holding the phrase; in a list, its item.
    start = text.rfind("\n\n", 0, found.start())
    start = 0 if start < 0 else start + 2
    end = text.find("\n\n", found.end())
    end = len(text) if end < 0 else end
    line_start = text.rfind("\n", start, found.start()) + 1 or start
    if re.match(r"\s*[-*\u2022]\s", text[line_start:]):
        line_end = text.find("\n", found.end())
        return line_start, end if line_end < 0 or line_end > end else line_end
    return start, end


def _locate(text: str, locator: Locator) -> tuple[int, int] | None:
    if locator.number is not None:
        return _by_number(text, locator.number)
    if locator.heading is not None:
        return _by_heading(text, locator.heading)
    assert locator.phrase is not None
    return _by_phrase(text, locator.phrase)


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def locate_clauses(document: Document, entry: ClauseText, map_path: str) -> tuple[ClauseSpan, ...]:
    """Every clause of ``entry`` located in ``document``'s text, or a CorpusError."""
    spans: list[ClauseSpan] = []
    for clause, locator in entry.clauses.items():
        span = _locate(document.text, locator)
        if span is None or not document.text[span[0]:span[1]].strip():
            kind = "number" if locator.number else "heading" if locator.heading else "phrase"
            raise CorpusError(
                f"clause {clause}: the {kind} {locator.label} given in {map_path} is not in "
                f"this official text; fix the locator in {map_path} or check that the file "
                "is the full official text",
                path=document.path,
            )
        start, end = _trimmed(document.text, *span)
        spans.append(ClauseSpan(clause=clause, label=locator.label, start=start, end=end))
    return tuple(spans)
