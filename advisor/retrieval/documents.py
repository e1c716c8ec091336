"""Corpus documents: read .md/.txt/.html/.pdf files into ``Document`` values.

Markdown, text and HTML files may open with YAML front matter between ``---`` lines;
everything after the closing line is the document's source text (``Document.text``), and
chunk offsets point into it. A PDF (or any file) may instead have its front matter in a
sidecar ``<file name>.yaml`` beside it (``ai-act.pdf`` -> ``ai-act.pdf.yaml``). HTML and PDF
files are converted to text first; that text is their source text. Line endings are
normalised to ``\\n`` (as Python's text mode reads them).

Front matter declares whose words a file is (``provenance``: official, restatement,
reporting, user); a file without front matter, or without the key, is ``user``.
``load_corpus`` also applies the packs' clause maps (``<pack>/clauses.yaml``): an official
text gets its clauses located (see ``official.py``), and a file may claim a pack's ``policy``
only when that pack's clause map accepts it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from advisor.errors import CorpusError
from advisor.retrieval.official import locate_clauses
from advisor.rules.loader import load_clause_maps
from advisor.rules.models import ClauseMap
from advisor.schema import Document, Kind, Provenance

__all__ = ["MARKDOWN_SUFFIXES", "SUFFIXES", "FrontMatter", "load_corpus", "load_document"]

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
_TEXT_SUFFIXES = frozenset({".txt"})
_HTML_SUFFIXES = frozenset({".html", ".htm"})
_PDF_SUFFIXES = frozenset({".pdf"})
#: Every file suffix the loader reads; anything else in the corpus folder is skipped.
SUFFIXES = MARKDOWN_SUFFIXES | _TEXT_SUFFIXES | _HTML_SUFFIXES | _PDF_SUFFIXES
_SKIPPED_NAMES = frozenset({"rules.yaml", "clauses.yaml", "readme.md"})
_SIDECAR = ".yaml"  # "<file name>.yaml": front matter for a file that cannot hold its own

_UTF8_BOM = b"\xef\xbb\xbf"
_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(?P<title>.+?)[ \t#]*$", re.MULTILINE)


class FrontMatter(BaseModel):
    """The YAML front matter of a corpus Markdown file (docs/architecture.md)."""

    model_config = ConfigDict(extra="forbid")

    id: str
    title: str
    kind: Kind = "document"
    publisher: str | None = None
    policy: str | None = None
    source_url: str | None = None
    version: str | None = None
    effective_date: dt.date | None = None
    effective_to: dt.date | None = None
    retrieved: dt.date | None = None
    note: str | None = None
    author: str | None = None
    provenance: Provenance | None = None
    #: Rule ids a reporting text bears on: a list for the whole file, or section key -> list.
    bears_on: list[str] | dict[str, list[str]] | None = None

    @field_validator("id", "version", mode="before")
    @classmethod
    def _scalar_to_str(cls, value: object) -> object:
        # `version: 2024` or `id: 42` are plainly meant as strings.
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        return value

    @field_validator("id")
    @classmethod
    def _id_is_usable(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._\-]*", value):
            raise ValueError(
                "must be letters, digits, '.', '_' or '-' (it becomes part of chunk ids)"
            )
        return value


class _NoTimestampLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates as strings, so pydantic validates them with a key line."""


_NoTimestampLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_document(path: Path, root: Path) -> Document:
    """Read one corpus file into a Document; raise CorpusError naming file and line."""
    document, _ = _load(path, root)
    return document


def load_corpus(root: Path) -> list[Document]:
    """Read every document under ``root``, sorted by path; ids must be unique."""
    if not root.is_dir():
        raise CorpusError(
            "corpus folder not found; pass an existing folder with --corpus DIR "
            "or set ADVISOR_CORPUS",
            path=str(root),
        )
    documents: list[Document] = []
    seen: dict[str, Document] = {}
    for path in _corpus_files(root):
        document, id_line = _load(path, root)
        first = seen.get(document.id)
        if first is not None:
            raise CorpusError(
                f"document id {document.id!r} is already used by {first.path}; "
                "give one of the two files a different id",
                path=document.path,
                line=id_line,
            )
        seen[document.id] = document
        documents.append(document)
    maps = load_clause_maps(root)
    return [_under_clause_map(doc, root, maps) for doc in documents]


def _under_clause_map(doc: Document, root: Path,
                      maps: dict[str, tuple[Path, ClauseMap]]) -> Document:
    """The document as its pack's clause map sees it: accepted, located, or not policy text."""
    if doc.policy is None or doc.policy not in maps:
        return doc
    path, clause_map = maps[doc.policy]
    map_rel = _relative(path, root)
    if not clause_map.accepts(doc.id):
        if doc.provenance in ("official", "restatement"):
            raise CorpusError(
                f"document {doc.id!r} says it is {doc.provenance} text of {doc.policy}, but "
                f"{map_rel} does not accept it: add its id to {map_rel} ('official:' or "
                "'restatement:'), or remove 'policy:' from its front matter",
                path=doc.path)
        # Anyone can write front matter: unaccepted, a file is not the pack's policy text.
        kind: Kind = "document" if doc.kind in ("terms", "law") else doc.kind
        return doc.model_copy(update={"policy": None, "kind": kind})
    entries = clause_map.official_for(doc.id)
    if not entries:
        return doc
    if doc.provenance != "official":
        raise CorpusError(
            f"{map_rel} accepts {doc.id!r} as the official text of {doc.policy}; declare "
            "'provenance: official' in its front matter (or remove it from the map)",
            path=doc.path)
    spans = tuple(span for entry in entries for span in locate_clauses(doc, entry, map_rel))
    return doc.model_copy(update={"clause_spans": spans})


# ----------------------------------------------------------------------------- files


def _corpus_files(root: Path) -> list[Path]:
    files = []
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if not path.is_file() or path.name.lower() in _SKIPPED_NAMES:
            continue
        if path.suffix.lower() not in SUFFIXES:
            continue
        files.append(path)
    return sorted(files, key=lambda p: p.relative_to(root).as_posix())


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _load(path: Path, root: Path) -> tuple[Document, int | None]:
    rel = _relative(path, root)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise CorpusError(
            f"unsupported file type {suffix or '(none)'!r}; use one of "
            f"{', '.join(sorted(SUFFIXES))} or move the file out of the corpus",
            path=rel,
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"cannot read the file ({exc.strerror}); check it exists and is readable",
                          path=rel) from exc
    if not raw.strip():
        raise CorpusError("the file is empty; add its text or delete it", path=rel, line=1)
    content_hash = hashlib.sha256(raw).hexdigest()

    meta: dict[str, Any] = {}
    id_line: int | None = None
    body_line = 1
    front: FrontMatter | None = None
    sidecar = path.with_name(path.name + _SIDECAR)
    if sidecar.is_file():
        front, id_line = _sidecar_front_matter(sidecar, _relative(sidecar, root))
        content_hash = hashlib.sha256(raw + sidecar.read_bytes()).hexdigest()
    if suffix in _PDF_SUFFIXES:
        text = _pdf_text(raw, rel)
    elif suffix in _HTML_SUFFIXES:
        text = _html_text(_front_matter_first(raw, rel, front), rel)
        if front is None:
            front, id_line = _leading_front_matter(raw, rel)
    else:
        text = _decode(raw, rel)
        if front is None and suffix in MARKDOWN_SUFFIXES:
            front, text, body_line, id_line = _split_front_matter(text, rel)

    if not text.strip():
        raise CorpusError("the document has no text after its front matter; add the text",
                          path=rel, line=body_line)
    if front is not None:
        meta = front.model_dump(exclude={"author", "bears_on", "provenance"})
        meta["provenance"] = front.provenance or "user"
        meta["bears_on"] = _bears_on(front.bears_on)
    else:
        meta = {"id": path.stem, "title": _first_heading(text) or path.stem, "kind": "document"}
    return Document(**meta, path=rel, text=text, body_line=body_line,
                    content_hash=content_hash), id_line


def _bears_on(value: list[str] | dict[str, list[str]] | None) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    if isinstance(value, list):
        return {"*": tuple(value)}
    return {key: tuple(rules) for key, rules in value.items()}


def _sidecar_front_matter(path: Path, rel: str) -> tuple[FrontMatter, int | None]:
    """Front matter kept in ``<file>.yaml`` (a plain YAML mapping, or one between '---')."""
    source = _decode(path.read_bytes(), rel)
    bare = not source.startswith("---")
    try:
        front, _, _, id_line = _split_front_matter(
            "---\n" + source + "\n---\n" if bare else source, rel)
    except CorpusError as exc:
        if not bare or exc.line is None:
            raise
        prefix = f"{rel}:{exc.line}: "
        message = str(exc)[len(prefix):] if str(exc).startswith(prefix) else str(exc)
        raise CorpusError(message, path=rel, line=max(1, exc.line - 1)) from exc
    if front is None:  # pragma: no cover - the wrapped text always opens with '---'
        raise CorpusError("expected a YAML mapping of front matter keys", path=rel, line=1)
    return front, (id_line - 1 if bare and id_line else id_line)


def _leading_front_matter(raw: bytes, rel: str) -> tuple[FrontMatter | None, int | None]:
    """An HTML file's front matter: a '---' block before the markup, as in Markdown."""
    if not raw.lstrip(_UTF8_BOM).startswith(b"---"):
        return None, None
    front, _, _, id_line = _split_front_matter(_decode(raw, rel), rel)
    return front, id_line


def _front_matter_first(raw: bytes, rel: str, sidecar: FrontMatter | None) -> bytes:
    """The HTML markup without a leading front matter block (kept line for line as blanks)."""
    if sidecar is not None or not raw.lstrip(_UTF8_BOM).startswith(b"---"):
        return raw
    _, body, body_line, _ = _split_front_matter(_decode(raw, rel), rel)
    return ("\n" * (body_line - 1) + body).encode("utf-8")


# ----------------------------------------------------------------------------- text


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decode(raw: bytes, rel: str) -> str:
    encoding = "utf-8-sig" if raw.startswith(_UTF8_BOM) else "utf-8"
    try:
        return _normalise_newlines(raw.decode(encoding))
    except UnicodeDecodeError as exc:
        offset = exc.start + (len(_UTF8_BOM) if encoding == "utf-8-sig" else 0)
        line = raw[:offset].count(b"\n") + 1
        bad = raw[offset:offset + 1].hex()
        raise CorpusError(
            f"not valid UTF-8 (byte 0x{bad}); re-save the file as UTF-8",
            path=rel, line=line,
        ) from exc


def _first_heading(text: str) -> str | None:
    match = _HEADING.search(text)
    return match.group("title").strip() if match else None


def _split_front_matter(text: str, rel: str) -> tuple[FrontMatter | None, str, int, int | None]:
    """Return (front matter, body, body line, line of the id key)."""
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return None, text, 1, None
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if close is None:
        raise CorpusError(
            "front matter opened with '---' is never closed; add a line '---' after it",
            path=rel, line=1,
        )
    source = "\n".join(lines[1:close])
    try:
        node = yaml.compose(source, Loader=_NoTimestampLoader)
        data = yaml.load(source, Loader=_NoTimestampLoader)  # noqa: S506 - a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark is not None else 1  # +1 for 1-based, +1 for the '---'
        problem = exc.problem or "invalid YAML"
        raise CorpusError(f"front matter is not valid YAML ({problem}); fix the YAML",
                          path=rel, line=min(line, close + 1)) from exc
    except yaml.YAMLError as exc:
        raise CorpusError(f"front matter is not valid YAML ({exc}); fix the YAML",
                          path=rel, line=1) from exc
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise CorpusError("front matter must be a YAML mapping of 'key: value' lines",
                          path=rel, line=2)
    key_lines: dict[str, int] = {}
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode):
            continue
        line = key.start_mark.line + 2  # +1 for 1-based lines, +1 for the opening '---'
        if str(key.value) in key_lines:
            raise CorpusError(
                f"front matter key {key.value!r} is repeated (first on line "
                f"{key_lines[str(key.value)]}); keep one of them",
                path=rel, line=line,
            )
        key_lines[str(key.value)] = line
    try:
        front = FrontMatter.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        key = str(error["loc"][0]) if error["loc"] else ""
        if error["type"] == "missing":
            message = f"front matter lacks the required key {key!r}; add '{key}: ...'"
            line = 1
        elif error["type"] == "extra_forbidden":
            allowed = ", ".join(FrontMatter.model_fields)
            message = f"unknown front matter key {key!r}; the keys are: {allowed}"
            line = key_lines.get(key, 1)
        else:
            message = f"front matter key {key!r}: {error['msg']}; fix its value"
            if key.endswith("date") or key in ("effective_to", "retrieved"):
                message += " (dates are YYYY-MM-DD, or null)"
            line = key_lines.get(key, 1)
        raise CorpusError(message, path=rel, line=line) from exc
    body = "\n".join(lines[close + 1:])
    return front, body, close + 2, key_lines.get("id")


# ----------------------------------------------------------------------------- html


def _html_text(raw: bytes, rel: str) -> str:
    from bs4 import UnicodeDammit

    try:
        markup = _decode(raw, rel)
    except CorpusError:
        # HTML declares its own charset (<meta charset>); honour it rather than guess.
        dammit = UnicodeDammit(raw, is_html=True)
        if dammit.unicode_markup is None or dammit.declared_html_encoding is None:
            raise
        markup = _normalise_newlines(dammit.unicode_markup)
    return _HtmlText(markup).text()


_DROPPED_TAGS = ("script", "style", "nav", "noscript", "template", "head", "svg", "iframe",
                 "form", "button")
_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "div",
    "dl", "dt", "fieldset", "figcaption", "figure", "footer", "header", "hr", "html", "li",
    "main", "ol", "p", "section", "summary", "table", "tbody", "tfoot", "thead",
    "tr", "ul",
})
_HEADING_TAGS = {f"h{level}": level for level in range(1, 7)}


class _HtmlText:
    """HTML to text: headings as Markdown '#' lines, block elements as paragraphs."""

    def __init__(self, markup: str) -> None:
        from bs4 import BeautifulSoup

        self._soup = BeautifulSoup(markup, "html.parser")
        self._blocks: list[str] = []
        self._inline: list[str] = []

    def text(self) -> str:
        """The extracted text, paragraphs separated by blank lines."""
        for tag in self._soup.find_all(_DROPPED_TAGS):
            tag.decompose()
        self._walk(self._soup)
        self._flush()
        return "\n\n".join(self._blocks)

    def _flush(self) -> None:
        lines = [" ".join(line.split()) for line in "".join(self._inline).split("\n")]
        text = "\n".join(line for line in lines if line)
        self._inline = []
        if text:
            self._blocks.append(text)

    def _walk(self, node: Any) -> None:
        from bs4 import CData, NavigableString, Tag
        from bs4.element import PreformattedString

        for child in node.children:
            if isinstance(child, PreformattedString) and not isinstance(child, CData):
                continue  # comments, doctype, declarations, processing instructions
            if isinstance(child, NavigableString):
                self._inline.append(str(child).replace("\n", " "))
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name.lower()
            if name in _HEADING_TAGS:
                self._flush()
                title = " ".join(child.get_text(" ").split())
                if title:
                    self._blocks.append("#" * _HEADING_TAGS[name] + " " + title)
            elif name == "pre":
                self._flush()
                text = child.get_text().strip("\n")
                if text.strip():
                    self._blocks.append(text)
            elif name == "br":
                self._inline.append("\n")
            elif name in _BLOCK_TAGS:
                self._flush()
                if name == "li":
                    self._inline.append("- ")
                self._walk(child)
                self._flush()
            elif name in ("td", "th"):
                self._inline.append(" ")
                self._walk(child)
                self._inline.append(" ")
            else:
                self._walk(child)


# ----------------------------------------------------------------------------- pdf


def _pdf_text(raw: bytes, rel: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(raw))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise CorpusError(f"cannot read the PDF ({exc}); re-export it or convert it to text",
                          path=rel) from exc
    text = "\n\n".join(_normalise_newlines(page).strip() for page in pages if page.strip())
    if not text:
        raise CorpusError(
            "the PDF has no extractable text (a scan?); OCR it or add a .txt version",
            path=rel, line=1,
        )
    return text
