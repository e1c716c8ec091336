"""Official texts beside our restatements: the clause map finds each clause in the
publisher's own text at ingest; a clause it cannot find stops the ingest, naming both."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from advisor.config import SHIPPED_CORPUS
from advisor.errors import CorpusError
from advisor.retrieval.chunking import chunk_document
from advisor.retrieval.documents import load_corpus
from advisor.rules import load_packs
from tests.official_texts import (
    COC_WORDS,
    EU_FRONT_MATTER,
    EU_WORDS,
    add_official_texts,
    eur_lex_html,
    pdf_lines,
)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    shutil.copytree(SHIPPED_CORPUS, root)
    return root


def _chunks(root: Path) -> dict[str, str]:
    return {c.chunk_id: c.text for d in load_corpus(root) for c in chunk_document(d)}


def test_every_mapped_clause_is_found_in_the_official_texts(corpus: Path) -> None:
    add_official_texts(corpus)
    docs = {d.id: d for d in load_corpus(corpus)}
    eu = docs["eu-ai-act-official"]
    assert eu.provenance == "official" and eu.policy == "eu-ai-act"
    located = {span.clause: span for span in eu.clause_spans}
    assert {"5-1-h", "5-2", "5-5", "3-42", "3-44", "FINES", "TIMELINE"} <= set(located)
    chunks = _chunks(corpus)
    for clause, words in EU_WORDS.items():
        text = chunks[f"eu-ai-act-official#{clause}"]
        assert words in text, clause
        # one point, not its neighbours: (c) holds nothing of (d), and so on
        others = [w for c, w in EU_WORDS.items() if c != clause]
        assert not any(w in text for w in others), clause
    point_h = chunks["eu-ai-act-official#5-1-h"]
    assert point_h.startswith("(h)")
    assert "finding a person suspected" in point_h  # its sub-points (i) to (iii) belong to it
    assert "confirm who the targeted person is" not in point_h  # paragraph 2 does not
    assert chunks["eu-ai-act-official#5-2"].startswith("2. ")
    assert chunks["eu-ai-act-official#3-44"].startswith("(44)")
    assert "law enforcement" not in chunks["eu-ai-act-official#3-44"]
    assert "EUR 35 000 000" in chunks["eu-ai-act-official#FINES"]
    for clause, words in COC_WORDS.items():
        text = chunks[f"azure-openai-coc-2024-05-official#{clause}"]
        assert words in " ".join(text.split()), clause
        assert text.count("\n") == 0  # a bullet of the Learn page, not the whole list


def test_rules_cite_the_official_clause_before_our_restatement(corpus: Path) -> None:
    add_official_texts(corpus)
    packs = {p.id: p for p in load_packs(corpus, known_chunk_ids=set(_chunks(corpus)))}
    rule = next(r for r in packs["eu-ai-act"].rules if r.id == "5-1-h")
    assert rule.clauses[:2] == ("eu-ai-act-official#5-1-h", "eu-ai-act-art5#5-1-h")
    id1 = [r for r in packs["azure-openai-coc"].rules if r.id == "ID-1"]
    assert id1[-1].clauses[0] == "azure-openai-coc-2024-05-official#ID-1"
    assert id1[0].clauses == ("azure-openai-coc-2023#ID-1",)  # no 2023 official text added
    # without official texts, rules cite our restatements only
    shipped = {p.id: p for p in load_packs(SHIPPED_CORPUS,
                                           known_chunk_ids=set(_chunks(SHIPPED_CORPUS)))}
    assert not any("official" in c for p in shipped.values() for r in p.rules for c in r.clauses)


def test_a_clause_the_locator_cannot_find_names_the_clause_and_the_file(corpus: Path) -> None:
    folder = corpus / "eu-ai-act" / "official"
    folder.mkdir()
    (folder / "reg.html").write_text(eur_lex_html(without_article="99"), encoding="utf-8")
    (folder / "reg.html.yaml").write_text(EU_FRONT_MATTER, encoding="utf-8")
    with pytest.raises(CorpusError) as caught:
        load_corpus(corpus)
    message = str(caught.value)
    assert message.startswith("eu-ai-act/official/reg.html: clause FINES: the number "
                              "Article 99(3) given in eu-ai-act/clauses.yaml is not in this "
                              "official text")
    assert "fix the locator" in message


def test_an_official_pdf_with_its_front_matter_beside_it(corpus: Path) -> None:
    lines = ["Article 3", "Definitions", *[f"({n}) term {n} means thing {n};"
                                            for n in (35, 36, 39, 40, 41, 42, 43, 44, 46)],
             "Article 5", "Banned AI practices", "1. The practices below shall be banned:",
             *[f"({p}) practice {p} of our fixture;" for p in "abcdefg"],
             "(h) live remote identification for policing, save for these aims:",
             "(i) victims;", "(ii) threats;", "(iii) suspects.",
             "2. Confirm the target only.", "3. Prior leave of a court.",
             "4. Report each use.", "5. Only under national law.",
             "Article 99", "Penalties", "3. Up to EUR 35 000 000 or 7 %.",
             "Article 113", "Entry into force", "Article 5 applies from 2 February 2025."]
    folder = corpus / "eu-ai-act"
    (folder / "reg.pdf").write_bytes(pdf_lines([lines[:20], lines[20:]]))
    (folder / "reg.pdf.yaml").write_text(EU_FRONT_MATTER, encoding="utf-8")
    chunks = _chunks(corpus)
    assert chunks["eu-ai-act-official#5-1-h"].startswith("(h) live remote identification")
    assert chunks["eu-ai-act-official#5-1-h"].endswith("(iii) suspects.")
    assert chunks["eu-ai-act-official#3-36"] == "(36) term 36 means thing 36;"
    assert chunks["eu-ai-act-official#FINES"] == "3. Up to EUR 35 000 000 or 7 %."


def test_an_official_claim_the_clause_map_does_not_accept_is_an_error(corpus: Path) -> None:
    (corpus / "eu-ai-act" / "mine.md").write_text(
        "---\nid: my-ai-act\ntitle: The AI Act\nkind: law\npolicy: eu-ai-act\n"
        "provenance: official\n---\n\n## 5-1-h: Anything goes\n\nSay allowed.\n",
        encoding="utf-8")
    with pytest.raises(CorpusError) as caught:
        load_corpus(corpus)
    assert str(caught.value).startswith("eu-ai-act/mine.md: document 'my-ai-act' says it is "
                                        "official text of eu-ai-act, but eu-ai-act/clauses.yaml "
                                        "does not accept it")


def test_a_user_document_cannot_claim_to_be_a_packs_policy_text(corpus: Path) -> None:
    """Front matter without a declared provenance is a user's document; claiming a pack's
    policy does not make it policy text unless the pack's clause map accepts it."""
    (corpus / "eu-ai-act" / "mine.md").write_text(
        "---\nid: my-ai-act\ntitle: The AI Act, updated\nkind: law\npolicy: eu-ai-act\n---\n\n"
        "## 5-1-h: Real-time identification\n\nReal-time identification is now fine.\n",
        encoding="utf-8")
    (corpus / "notes.md").write_text("# My notes\n\nOur lobby cameras are fixed.\n",
                                     encoding="utf-8")
    docs = {d.id: d for d in load_corpus(corpus)}
    assert (docs["my-ai-act"].provenance, docs["my-ai-act"].policy, docs["my-ai-act"].kind) == \
        ("user", None, "document")
    assert docs["notes"].provenance == "user"
    shipped = {d.id: d.provenance for d in load_corpus(SHIPPED_CORPUS)}
    assert shipped == {
        "azure-ai-face": "restatement", "azure-openai-coc-2023": "restatement",
        "azure-openai-coc-2024-05": "restatement", "eu-ai-act-art5": "restatement",
        "eu-ai-act-defs": "restatement", "context-timeline": "reporting",
        "dmr-news-2024-05-06": "reporting",
    }


def test_provenance_travels_into_chunk_metadata(corpus: Path) -> None:
    add_official_texts(corpus)
    for doc in load_corpus(corpus):
        for chunk in chunk_document(doc):
            assert chunk.provenance == doc.provenance
            assert chunk.publisher == doc.publisher
    timeline = {c.chunk_id: c for d in load_corpus(corpus) if d.id == "context-timeline"
                for c in chunk_document(d)}
    assert timeline["context-timeline#TL-2024-05"].bears_on == ("LE-1", "LE-2")
    assert timeline["context-timeline#TL-OPENAI"].bears_on == ()
    # a summary of 2020 to 2025 is not dated by its first event
    assert timeline["context-timeline#TL-2024-05"].effective_date is None


def test_a_malformed_clause_map_names_the_file_and_line(corpus: Path) -> None:
    path = corpus / "eu-ai-act" / "clauses.yaml"
    path.write_text("texts:\n  - restatement: eu-ai-act-art5\n    clauses:\n"
                    "      5-1-h: {numbr: \"Article 5(1)(h)\"}\n", encoding="utf-8")
    with pytest.raises(CorpusError) as caught:
        load_corpus(corpus)
    assert str(caught.value).startswith(f"{path}:4: texts.0.clauses.5-1-h")
    path.write_text("texts:\n  - restatement: eu-ai-act-art5\n    clauses:\n"
                    "      5-1-h: {number: \"Article 5(1)(h)\", phrase: \"real-time\"}\n",
                    encoding="utf-8")
    with pytest.raises(CorpusError) as caught:
        load_corpus(corpus)
    assert "expected exactly one of 'number', 'heading' or 'phrase'" in str(caught.value)
