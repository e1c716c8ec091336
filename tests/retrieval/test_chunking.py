from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.config import SHIPPED_CORPUS
from advisor.retrieval.chunking import chunk_document, clause_key
from advisor.retrieval.documents import load_corpus
from advisor.schema import Chunk, Document


def _doc(text: str, path: str = "doc.md", doc_id: str = "doc") -> Document:
    return Document(id=doc_id, title="Title", kind="terms", path=path, text=text,
                    content_hash="0" * 64, version="v1", source_url="https://example.org/d")


def _keys(chunks: list[Chunk]) -> list[str]:
    return [c.chunk_id.split("#", 1)[1] for c in chunks]


def _check_invariants(doc: Document, chunks: list[Chunk]) -> None:
    """Exact offsets, order, no overlap, every visible character in exactly one chunk."""
    covered = [0] * len(doc.text)
    previous_end = 0
    for chunk in chunks:
        assert doc.text[chunk.start:chunk.end] == chunk.text
        assert chunk.text and chunk.text == chunk.text.strip()
        assert chunk.start >= previous_end
        previous_end = chunk.end
        for i in range(chunk.start, chunk.end):
            covered[i] += 1
        assert chunk.chunk_id.startswith(f"{doc.id}#")
        assert chunk.document == doc.id
    for i, ch in enumerate(doc.text):
        if not ch.isspace():
            assert covered[i] == 1, f"character {i} ({ch!r}) is in no chunk"
    ids = [c.chunk_id for c in chunks]
    assert len(ids) == len(set(ids))


# ----------------------------------------------------------------------------- keys


@pytest.mark.parametrize(
    ("heading", "key"),
    [
        ("LE-2: Real-time recognition on mobile cameras", "LE-2"),
        ("5-1-h: Real-time remote biometric identification", "5-1-h"),
        ("3-44: Publicly accessible space", "3-44"),
        ("FACE-US-1 - No police use", "FACE-US-1"),
        ("ID-1) Identification", "ID-1"),
        ("5.2. Notification", "5.2"),
        ("Article 5", "article-5"),
        ("Article 5: Prohibited AI practices", "article-5"),
        ("ARTICLE 12 - CONFIDENTIALITY", "article-12"),
        ("Section 3.2", "section-3.2"),
        ("Clause 7", "clause-7"),
        ("Annex III: High-risk systems", "annex-iii"),
        ("Appendix B", "appendix-b"),
        ("Part civil law", "part-civil-law"),
        ("Chapter and verse", "chapter-and-verse"),
        ("3.2 Confidentiality", "3.2"),
        ("7. Term", "7"),
        ("Background", "background"),
        ("SCOPE: Who this version binds", "SCOPE"),
        ("TL-AXON: Axon Draft One", "TL-AXON"),
        ("Background: a history", "background-a-history"),
        ("A: single capital", "a-single-capital"),
        ("What's new in 2024?", "what-s-new-in-2024"),
        ("2024 update", "2024-update"),
        ("!!!", "section"),
    ],
)
def test_clause_key(heading: str, key: str) -> None:
    assert clause_key(heading) == key


def test_markdown_sections_keys_and_paths() -> None:
    text = (
        "Intro before any heading.\n\n"
        "# Code of conduct\n\n"
        "## Article 5\n\n"
        "### LE-2: Mobile cameras\nNo real-time recognition on mobile cameras.\n\n"
        "### 5-1-h: Real time\nRemote biometric identification.\n\n"
        "## Background\nSome history.\n\n"
        "## Background\nMore history.\n\n"
        "## Background\nEven more.\n"
    )
    doc = _doc(text)
    chunks = chunk_document(doc)
    _check_invariants(doc, chunks)
    assert _keys(chunks) == ["preamble", "LE-2", "5-1-h", "background", "background~2",
                             "background~3"]
    by_key = dict(zip(_keys(chunks), chunks, strict=True))
    # Headings with nothing under them merge forward into the first section with text.
    assert by_key["LE-2"].text.startswith("# Code of conduct\n\n## Article 5\n\n### LE-2:")
    assert by_key["LE-2"].section == "Code of conduct > Article 5 > LE-2: Mobile cameras"
    assert by_key["5-1-h"].text == "### 5-1-h: Real time\nRemote biometric identification."
    assert by_key["5-1-h"].section == "Code of conduct > Article 5 > 5-1-h: Real time"
    assert by_key["background"].section == "Code of conduct > Background"
    assert by_key["preamble"].text == "Intro before any heading."
    assert by_key["preamble"].section == ""
    first = chunks[1]
    assert (first.title, first.kind, first.version, first.url) == (
        "Title", "terms", "v1", "https://example.org/d")


def test_trailing_empty_heading_joins_the_previous_section() -> None:
    doc = _doc("## A\ntext a\n\n## Empty at the end\n")
    chunks = chunk_document(doc)
    _check_invariants(doc, chunks)
    assert _keys(chunks) == ["a"]
    assert chunks[0].text == "## A\ntext a\n\n## Empty at the end"


def test_only_headings() -> None:
    doc = _doc("# One\n\n## Two\n")
    chunks = chunk_document(doc)
    _check_invariants(doc, chunks)
    assert _keys(chunks) == ["two"]


def test_empty_and_blank_documents_have_no_chunks() -> None:
    assert chunk_document(_doc("   \n\n")) == []


def test_hashes_in_fenced_code_are_not_headings() -> None:
    doc = _doc("## Setup\n```\n# not a heading\n```\nafter\n")
    chunks = chunk_document(doc)
    assert _keys(chunks) == ["setup"]


def test_markdown_numbered_lists_do_not_split() -> None:
    doc = _doc("## Steps\n1. First step.\n2. Second step.\n")
    assert _keys(chunk_document(doc)) == ["steps"]


def test_plain_text_numbered_clauses() -> None:
    text = (
        "MUTUAL NON-DISCLOSURE AGREEMENT\n"
        "This Agreement is made between A and B.\n"
        "1. Definitions. \"Confidential Information\" means any information, e.g. plans.\n"
        "(a) technical data;\n"
        "(b) business data.\n"
        "2. Obligations\n"
        "2.1 The Recipient shall not disclose Confidential Information.\n"
        "2.2 The Recipient shall return all materials.\n"
        "Article 7 Term\n"
        "This Agreement lasts two years from 2019.\n"
        "2019 was a good year to sign it.\n"
        "Section 8.1 Governing law. The laws of Delaware apply.\n"
    )
    doc = _doc(text, path="nda.txt", doc_id="nda")
    chunks = chunk_document(doc)
    _check_invariants(doc, chunks)
    assert _keys(chunks) == ["preamble", "1", "2.1", "2.2", "article-7", "section-8.1"]
    by_key = dict(zip(_keys(chunks), chunks, strict=True))
    assert by_key["1"].text.endswith("(a) technical data;\n(b) business data.")
    assert by_key["1"].section == "1. Definitions."
    assert by_key["2.1"].text.startswith("2. Obligations\n2.1 The Recipient")
    assert by_key["2.2"].section == "2. Obligations > 2.2 The Recipient shall return all materials."
    assert by_key["article-7"].text.endswith("2019 was a good year to sign it.")


# ----------------------------------------------------------------------------- long sections


def test_long_section_splits_on_sentences() -> None:
    sentences = [
        "The provider must not, e.g. in public places, identify people.",
        "U.S. police departments are covered by No. 5 of the terms.",
        "See Art. 5 of the Act for the exceptions that apply.",
        "Each exception is narrow and needs prior authorisation.",
    ] * 6
    text = "## LE-2: Mobile cameras\n" + " ".join(sentences) + "\n"
    doc = _doc(text)
    chunks = chunk_document(doc, max_chars=300, min_chars=40)
    _check_invariants(doc, chunks)
    assert len(chunks) > 2
    assert [c.chunk_id for c in chunks] == [f"doc#LE-2:{n}" for n in range(1, len(chunks) + 1)]
    assert chunks[0].text.startswith("## LE-2: Mobile cameras\n")
    starts = ("The provider", "U.S. police", "See Art.", "Each exception")
    for chunk in chunks:
        assert len(chunk.text) <= 300
        assert chunk.section == "LE-2: Mobile cameras"
    for chunk in chunks[1:]:
        assert chunk.text.startswith(starts), chunk.text[:40]
    for chunk in chunks[:-1]:
        assert chunk.text.endswith(("identify people.", "of the terms.", "that apply.",
                                    "prior authorisation."))


def test_section_that_fits_stays_whole() -> None:
    body = "A sentence. " * 20
    doc = _doc("## Short\n" + body)
    assert [c.chunk_id for c in chunk_document(doc, max_chars=len(doc.text))] == ["doc#short"]
    assert [c.chunk_id for c in chunk_document(doc, max_chars=100)][:2] == [
        "doc#short:1", "doc#short:2"]


def test_giant_sentence_is_cut_between_words() -> None:
    words = [f"word{i}" for i in range(400)]
    doc = _doc("## Run-on\n" + " ".join(words))
    chunks = chunk_document(doc, max_chars=200, min_chars=20)
    _check_invariants(doc, chunks)
    for chunk in chunks:
        assert len(chunk.text) <= 200
        # every piece begins and ends on a whole word
        assert re.fullmatch(r"(## Run-on\n)?word\d+( word\d+)*", chunk.text)


def test_a_word_longer_than_the_budget_is_never_cut() -> None:
    url = "https://example.org/" + "x" * 300
    doc = _doc(f"## Link\nSee {url} for details.")
    chunks = chunk_document(doc, max_chars=100, min_chars=10)
    _check_invariants(doc, chunks)
    assert any(url in c.text for c in chunks)


def test_tiny_tail_merges_into_previous_piece() -> None:
    doc = _doc("## S\n" + "Sentence number one is here. " * 10 + "Tail.")
    chunks = chunk_document(doc, max_chars=120, min_chars=30)
    _check_invariants(doc, chunks)
    assert chunks[-1].text.endswith("is here. Tail.")


# ----------------------------------------------------------------------------- stability


def test_ids_are_stable_and_local() -> None:
    base = "## A\nalpha.\n\n## B\nbeta.\n\n## LE-1: x\ngamma.\n"
    before = chunk_document(_doc(base))
    assert chunk_document(_doc(base)) == before
    edited = chunk_document(_doc(base + "\n## New section\ndelta.\n"))
    assert [c.chunk_id for c in edited[:3]] == [c.chunk_id for c in before]
    reworded = chunk_document(_doc(base.replace("alpha.", "alpha, reworded at length.")))
    assert [c.chunk_id for c in reworded] == [c.chunk_id for c in before]


def test_shipped_corpus_offsets_round_trip() -> None:
    docs = load_corpus(SHIPPED_CORPUS)
    if not docs:
        pytest.skip("the shipped corpus is empty")
    for doc in docs:
        chunks = chunk_document(doc)
        assert chunks, doc.path
        _check_invariants(doc, chunks)
        for chunk in chunks:
            assert len(chunk.text) <= 1200 + 80, chunk.chunk_id


# ----------------------------------------------------------------------------- properties

_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFG0123456789-'\u00e9", min_size=1,
                max_size=12)
_SENTENCE = st.builds(
    lambda words, end: " ".join(words) + end,
    st.lists(_WORD, min_size=1, max_size=25),
    st.sampled_from([".", "!", "?", ";", ":", "", " e.g.", " U.S.", " No.", " Art."]),
)
_HEADING_LINE = st.one_of(
    st.builds(lambda level, title: "#" * level + " " + title,
              st.integers(1, 6), st.sampled_from(
                  ["LE-2: Mobile", "5-1-h: Real time", "Article 5", "Background", "Background",
                   "Section 3.2", "7. Term", "3.2 Confidentiality", "!!", "A"])),
    st.sampled_from(["1. Definitions.", "2. Term", "3.2 The Recipient shall comply.",
                     "Article 9 Scope", "(a) sub point;", "Section 4 Law", "10.", "```"]),
)
_LINE = st.one_of(_HEADING_LINE, st.lists(_SENTENCE, min_size=1, max_size=8).map(" ".join),
                  st.sampled_from(["", "  ", "\t"]))
_TEXT = st.lists(_LINE, max_size=40).map("\n".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_TEXT, plain=st.booleans(), max_chars=st.integers(40, 600))
def test_generated_documents_round_trip(text: str, plain: bool, max_chars: int) -> None:
    doc = _doc(text, path="gen.txt" if plain else "gen.md")
    chunks = chunk_document(doc, max_chars=max_chars, min_chars=max_chars // 5)
    _check_invariants(doc, chunks)
    assert chunk_document(doc, max_chars=max_chars, min_chars=max_chars // 5) == chunks
    for chunk in chunks:
        longest_word = max(len(w) for w in chunk.text.split())
        # A split piece stays within budget (plus a folded-in tail), unless a word is longer.
        assert len(chunk.text) <= max_chars + max_chars // 5 + longest_word


@settings(max_examples=200, deadline=None)
@given(text=st.text(min_size=0, max_size=600), plain=st.booleans())
def test_arbitrary_text_round_trips(text: str, plain: bool) -> None:
    doc = _doc(text, path="any.txt" if plain else "any.md")
    _check_invariants(doc, chunk_document(doc, max_chars=120, min_chars=20))


def test_piece_chars_sets_the_size_of_split_pieces() -> None:
    doc = _doc("## Long\n" + "A sentence of some length here. " * 60)
    whole = chunk_document(doc, max_chars=5000)
    assert [c.chunk_id for c in whole] == ["doc#long"]
    small = chunk_document(doc, max_chars=1200, piece_chars=300)
    _check_invariants(doc, small)
    assert len(small) > len(chunk_document(doc, max_chars=1200))
    assert all(len(c.text) <= 300 for c in small)
    assert small[0].chunk_id == "doc#long:1"


@given(st.lists(st.sampled_from(["Short one.", "A somewhat longer sentence about data use.",
                                 "Providers must not retain biometric templates after the "
                                 "end of the contract term unless the law requires it.",
                                 "word " * 40]), min_size=1, max_size=12),
       st.integers(min_value=60, max_value=300))
@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
def test_passage_windows_are_runs_of_whole_words_in_order(sentences: list[str],
                                                          size: int) -> None:
    from advisor.retrieval.chunking import passage_windows

    text = " ".join(sentences)
    windows = passage_windows(text, max_chars=size, min_chars=20)
    assert windows, text
    assert windows[0][0] == 0 and windows[-1][1] == len(text.rstrip())
    for (start, end), (next_start, _) in zip(windows, windows[1:], strict=False):
        assert start < end <= next_start
        assert text[end:next_start].strip() == ""  # nothing but whitespace is skipped
        assert not text[next_start - 1].isalnum()  # a word is never cut


def test_passage_windows_keep_sentences_whole_when_they_fit() -> None:
    from advisor.retrieval.chunking import passage_windows

    text = ("Providers must publish a summary. Deployers must tell people about chatbots. "
            "Templates are deleted after thirty days. Incidents are reported without delay.")
    windows = [text[s:e] for s, e in passage_windows(text, max_chars=80, min_chars=10)]
    assert windows == [
        "Providers must publish a summary. Deployers must tell people about chatbots.",
        "Templates are deleted after thirty days. Incidents are reported without delay.",
    ]
    assert passage_windows("  one short clause  ") == [(2, 18)]
    assert passage_windows("   ") == []
