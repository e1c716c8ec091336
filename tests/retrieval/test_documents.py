from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from advisor.errors import CorpusError
from advisor.retrieval.documents import load_corpus, load_document
from tests.official_texts import pdf_lines

FRONT = """\
---
id: coc-2024
title: Code of conduct (from 2024-05-01)
publisher: Microsoft
kind: terms
policy: azure-openai-coc
source_url: https://example.org/coc
version: "2024-05-01"
effective_date: 2024-05-01
effective_to: null
retrieved: 2026-11-26
note: "secondary reporting"
author: Team
---
# Code of conduct

## LE-2: Mobile cameras
No real-time recognition.
"""


def _write(root: Path, name: str, data: str | bytes) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8", newline="")
    else:
        path.write_bytes(data)
    return path


def test_front_matter_happy_path(tmp_path: Path) -> None:
    path = _write(tmp_path, "coc/coc-2024.md", FRONT)
    doc = load_document(path, tmp_path)
    assert doc.id == "coc-2024"
    assert doc.title == "Code of conduct (from 2024-05-01)"
    assert doc.kind == "terms"
    assert doc.publisher == "Microsoft"
    assert doc.policy == "azure-openai-coc"
    assert doc.source_url == "https://example.org/coc"
    assert doc.version == "2024-05-01"
    assert doc.effective_date == dt.date(2024, 5, 1)
    assert doc.effective_to is None
    assert doc.retrieved == dt.date(2026, 11, 26)
    assert doc.note == "secondary reporting"
    assert doc.path == "coc/coc-2024.md"
    assert doc.body_line == 15
    assert doc.text == "# Code of conduct\n\n## LE-2: Mobile cameras\nNo real-time recognition.\n"
    assert doc.text.splitlines()[0] == FRONT.splitlines()[doc.body_line - 1]
    assert doc.content_hash == hashlib.sha256(FRONT.encode()).hexdigest()


def test_unquoted_version_date_is_kept_as_text(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.md", "---\nid: a\ntitle: A\nversion: 2024-05-01\n---\nbody\n")
    assert load_document(path, tmp_path).version == "2024-05-01"


@pytest.mark.parametrize(
    ("name", "text", "doc_id", "title"),
    [
        ("notes.md", "Some intro.\n\n## First heading\nText.\n", "notes", "First heading"),
        ("plain.md", "No heading at all.\n", "plain", "plain"),
        ("contract.txt", "1. Definitions. Words.\n", "contract", "contract"),
    ],
)
def test_file_without_front_matter(
    tmp_path: Path, name: str, text: str, doc_id: str, title: str
) -> None:
    doc = load_document(_write(tmp_path, name, text), tmp_path)
    assert (doc.id, doc.kind, doc.title, doc.text, doc.body_line) == (
        doc_id, "document", title, text, 1)


def test_bom_and_crlf(tmp_path: Path) -> None:
    raw = b"\xef\xbb\xbf---\r\nid: a\r\ntitle: A\r\n---\r\nline one\r\nline two\r\n"
    doc = load_document(_write(tmp_path, "a.md", raw), tmp_path)
    assert doc.id == "a"
    assert doc.text == "line one\nline two\n"
    assert doc.body_line == 5
    assert doc.content_hash == hashlib.sha256(raw).hexdigest()


ERRORS = [
    pytest.param(
        "bad.md", "---\nid: a\ntitle: [unclosed\n---\nbody\n",
        "bad.md:3: front matter is not valid YAML (expected ',' or ']', but got '<stream end>'); "
        "fix the YAML",
        id="bad-yaml",
    ),
    pytest.param(
        "bad.md", "---\nid: a\ntitle: A\n  kind: terms\n---\nbody\n",
        "bad.md:4: front matter is not valid YAML (mapping values are not allowed here); "
        "fix the YAML",
        id="bad-yaml-indent",
    ),
    pytest.param(
        "bad.md", "---\nid: a\ntitle: A\nauthors: me\n---\nbody\n",
        "bad.md:4: unknown front matter key 'authors'; the keys are: id, title, kind, publisher, "
        "policy, source_url, version, effective_date, effective_to, retrieved, note, author, "
        "provenance, bears_on",
        id="unknown-key",
    ),
    pytest.param(
        "bad.md", "---\ntitle: A\nkind: law\n---\nbody\n",
        "bad.md:1: front matter lacks the required key 'id'; add 'id: ...'",
        id="missing-id",
    ),
    pytest.param(
        "bad.md", "---\nid: a\ntitle: A\n\neffective_date: 2024-13-01\n---\nbody\n",
        "bad.md:5: front matter key 'effective_date': Input should be a valid date or datetime, "
        "month value is outside expected range of 1-12; fix its value (dates are YYYY-MM-DD, "
        "or null)",
        id="bad-date",
    ),
    pytest.param(
        "bad.md", "---\nid: a\ntitle: A\nretrieved: last week\n---\nbody\n",
        "bad.md:4: front matter key 'retrieved': Input should be a valid date or datetime, "
        "input is too short; fix its value (dates are YYYY-MM-DD, or null)",
        id="bad-retrieved",
    ),
    pytest.param(
        "bad.md", "---\nid: a\ntitle: A\nkind: memo\n---\nbody\n",
        "bad.md:4: front matter key 'kind': Input should be 'terms', 'law', 'article' or "
        "'document'; fix its value",
        id="bad-kind",
    ),
    pytest.param(
        "bad.md", "---\nid: a b\ntitle: A\n---\nbody\n",
        "bad.md:2: front matter key 'id': Value error, must be letters, digits, '.', '_' or '-' "
        "(it becomes part of chunk ids); fix its value",
        id="bad-id",
    ),
    pytest.param(
        "bad.md", "---\nid: a\ntitle: A\nid: b\n---\nbody\n",
        "bad.md:4: front matter key 'id' is repeated (first on line 2); keep one of them",
        id="repeated-key",
    ),
    pytest.param(
        "bad.md", "---\nid: a\ntitle: A\nbody without a closing line\n",
        "bad.md:1: front matter opened with '---' is never closed; add a line '---' after it",
        id="unclosed",
    ),
    pytest.param(
        "bad.md", "---\n- a\n- b\n---\nbody\n",
        "bad.md:2: front matter must be a YAML mapping of 'key: value' lines",
        id="not-a-mapping",
    ),
    pytest.param(
        "bad.md", "---\nid: a\ntitle: A\n---\n\n  \n",
        "bad.md:5: the document has no text after its front matter; add the text",
        id="no-body",
    ),
    pytest.param(
        "bad.md", b"---\nid: a\ntitle: A\n---\nfine\ncaf\xe9 au lait\n",
        "bad.md:6: not valid UTF-8 (byte 0xe9); re-save the file as UTF-8",
        id="latin-1-md",
    ),
    pytest.param(
        "bad.txt", b"\xef\xbb\xbfone\ntwo\nthree \xff\n",
        "bad.txt:3: not valid UTF-8 (byte 0xff); re-save the file as UTF-8",
        id="bad-byte-txt-with-bom",
    ),
    pytest.param(
        "empty.md", b"", "empty.md:1: the file is empty; add its text or delete it", id="empty",
    ),
    pytest.param(
        "blank.txt", b"\n  \n", "blank.txt:1: the file is empty; add its text or delete it",
        id="blank",
    ),
    pytest.param(
        "broken.pdf", b"%PDF-1.4\nthis is not really a pdf",
        None, id="broken-pdf",
    ),
]


@pytest.mark.parametrize(("name", "data", "message"), ERRORS)
def test_errors_name_file_and_line(
    tmp_path: Path, name: str, data: str | bytes, message: str | None
) -> None:
    path = _write(tmp_path, name, data)
    with pytest.raises(CorpusError) as caught:
        load_document(path, tmp_path)
    if message is None:  # the PDF library's wording is not ours to pin
        assert str(caught.value).startswith(f"{name}: cannot read the PDF (")
        assert str(caught.value).endswith("); re-export it or convert it to text")
    else:
        assert str(caught.value) == message
    assert caught.value.path == name


def test_duplicate_id_names_both_files(tmp_path: Path) -> None:
    _write(tmp_path, "a/one.md", "---\nid: same\ntitle: One\n---\nbody\n")
    _write(tmp_path, "b/two.md", "---\ntitle: Two\nid: same\n---\nbody\n")
    with pytest.raises(CorpusError) as caught:
        load_corpus(tmp_path)
    assert str(caught.value) == (
        "b/two.md:3: document id 'same' is already used by a/one.md; "
        "give one of the two files a different id"
    )


def test_duplicate_id_from_file_stems(tmp_path: Path) -> None:
    _write(tmp_path, "a/terms.txt", "text\n")
    _write(tmp_path, "b/terms.md", "text\n")
    with pytest.raises(CorpusError, match=r"^b/terms.md: document id 'terms' is already used "
                                          r"by a/terms.txt"):
        load_corpus(tmp_path)


def test_load_corpus_is_sorted_and_skips_what_is_not_a_document(tmp_path: Path) -> None:
    _write(tmp_path, "z/last.md", "# Last\ntext\n")
    _write(tmp_path, "a/first.txt", "text\n")
    _write(tmp_path, "a/rules.yaml", "rules: []\n")
    _write(tmp_path, "README.md", "# About this corpus\n")
    _write(tmp_path, "a/README.md", "# About this pack\n")
    _write(tmp_path, ".hidden.md", "text\n")
    _write(tmp_path, ".git/config.md", "text\n")
    _write(tmp_path, "a/.draft.txt", "text\n")
    _write(tmp_path, "a/data.csv", "a,b\n")
    _write(tmp_path, "a/image.png", b"\x89PNG\r\n")
    _write(tmp_path, "m/middle.html", "<h1>Middle</h1><p>text</p>")
    docs = load_corpus(tmp_path)
    assert [d.path for d in docs] == ["a/first.txt", "m/middle.html", "z/last.md"]
    assert [d.id for d in docs] == ["first", "middle", "last"]
    assert load_corpus(tmp_path) == docs


def test_load_corpus_missing_folder(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(CorpusError) as caught:
        load_corpus(missing)
    assert str(caught.value) == (
        f"{missing}: corpus folder not found; pass an existing folder with --corpus DIR "
        "or set ADVISOR_CORPUS"
    )


HTML = """<!doctype html>
<html><head><title>Page title</title>
<style>body { color: red } .secret-style {}</style>
<script>var secretScript = 1;</script></head>
<body>
<nav><a href="/">Home</a> | <a href="/menu">secret-nav</a></nav>
<main>
<h1>Terms  of
 use</h1>
<p>First   paragraph with <b>bold</b> and
<a href="#">a link</a>.</p>
<script type="application/ld+json">{"secret": "json"}</script>
<h2>1. Scope</h2>
<ul><li>one item</li><li>two <em>items</em></li></ul>
<div>line one<br>line two</div>
<noscript>secret-noscript</noscript>
<!-- secret comment -->
<table><tr><th>Col</th><td>Val</td></tr></table>
<pre>keep   this
  layout</pre>
</main>
</body></html>
"""


def test_html_to_text(tmp_path: Path) -> None:
    doc = load_document(_write(tmp_path, "page.html", HTML), tmp_path)
    assert doc.text == (
        "# Terms of use\n\n"
        "First paragraph with bold and a link.\n\n"
        "## 1. Scope\n\n"
        "- one item\n\n"
        "- two items\n\n"
        "line one\nline two\n\n"
        "Col Val\n\n"
        "keep   this\n  layout"
    )
    assert "secret" not in doc.text.lower()
    assert (doc.id, doc.title, doc.kind) == ("page", "Terms of use", "document")


def test_html_declared_charset(tmp_path: Path) -> None:
    raw = '<meta charset="iso-8859-1"><p>caf\u00e9</p>'.encode("latin-1")
    doc = load_document(_write(tmp_path, "old.htm", raw), tmp_path)
    assert doc.text == "caf\u00e9"


def _pdf(pages: list[str]) -> bytes:
    """A minimal, valid PDF with one line of Helvetica text per page."""
    return pdf_lines([[text] for text in pages])


def test_pdf_pages_joined_with_blank_lines(tmp_path: Path) -> None:
    raw = _pdf(["1. Definitions apply here.", "2. Term of the agreement."])
    doc = load_document(_write(tmp_path, "nda.pdf", raw), tmp_path)
    assert doc.text == "1. Definitions apply here.\n\n2. Term of the agreement."
    assert (doc.id, doc.kind, doc.title) == ("nda", "document", "nda")
    assert doc.content_hash == hashlib.sha256(raw).hexdigest()


def test_pdf_without_text(tmp_path: Path) -> None:
    path = _write(tmp_path, "scan.pdf", _pdf([""]))
    with pytest.raises(CorpusError) as caught:
        load_document(path, tmp_path)
    assert str(caught.value) == (
        "scan.pdf:1: the PDF has no extractable text (a scan?); OCR it or add a .txt version"
    )


def test_unknown_extension_is_an_error_when_asked_directly(tmp_path: Path) -> None:
    path = _write(tmp_path, "notes.docx", b"PK")
    with pytest.raises(CorpusError, match=r"^notes.docx: unsupported file type '.docx'"):
        load_document(path, tmp_path)
