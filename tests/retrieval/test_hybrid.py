"""Hybrid search: z-score fusion, filters (document, kind, as-of), and the policy-text tie-break."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from advisor.config import Settings
from advisor.errors import InputError
from advisor.retrieval import index as index_module
from advisor.retrieval.documents import load_corpus
from advisor.retrieval.index import KIND_WEIGHT, Index, ingest
from advisor.retrieval.lexical import stem, tokenize

SHARED = ("Agencies must not use live facial recognition on body-worn cameras carried by "
          "officers on patrol in public spaces.")


def _doc(doc_id: str, kind: str, sections: dict[str, str], start: str | None = None,
         end: str | None = None) -> str:
    front = [f"id: {doc_id}", f"title: Title of {doc_id}", f"kind: {kind}"]
    if start:
        front.append(f"effective_date: {start}")
    if end:
        front.append(f"effective_to: {end}")
    body = "\n\n".join(f"## {heading}\n{text}" for heading, text in sections.items())
    return "---\n" + "\n".join(front) + "\n---\n" + body + "\n"


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.fixture
def index(tmp_path: Path, advisor_home: Path) -> Index:
    corpus = _write(tmp_path / "corpus", {
        # The article sorts first on disk, so without the kind weight it would win ties.
        "a-news.md": _doc("a-news", "article", {"Coverage": SHARED,
                                                "Zebrafish": "A zebrafish lab story."}),
        "b-terms-old.md": _doc("b-terms-old", "terms", {
            "ID-1: Identification": "Customers must not identify people from faces.",
        }, start="2020-01-01", end="2024-04-30"),
        "c-terms-new.md": _doc("c-terms-new", "terms", {
            "LE-2: Body cameras": SHARED,
            "EMO-1: Emotions": "Customers must not infer emotions from faces or voices.",
        }, start="2024-05-01"),
        "d-law.md": _doc("d-law", "law", {
            "Article 5: Practices": "Emotion recognition at work and in schools is prohibited.",
            "Article 6: Scoring": "Public social scoring of people is prohibited.",
        }, start="2025-02-02"),
        "e-doc.md": _doc("e-doc", "document", {
            "Background": "Notes on retention of camera footage and storage periods.",
            "Procurement": "How to buy cameras for the office lobby.",
        }),
    })
    settings = Settings(home=advisor_home, corpus=corpus)
    ingest(settings, progress=False)
    return Index.open(settings)


def test_policy_text_wins_a_tie_with_an_article(index: Index) -> None:
    results = index.search(SHARED, k=3)

    assert [p.chunk_id for p in results[:2]] == ["c-terms-new#LE-2", "a-news#coverage"]
    terms, article = results[0], results[1]
    # Before the kind weight the article was level or ahead (it sorts first on disk and
    # its heading is shorter); the documented weight is what puts policy text first.
    assert article.score / KIND_WEIGHT["article"] >= terms.score > article.score


def test_a_clearly_better_article_still_ranks_first(index: Index) -> None:
    assert index.search("zebrafish lab", k=1)[0].chunk_id == "a-news#zebrafish"


def test_scores_are_z_score_fusion(index: Index) -> None:
    results = index.search("emotion recognition at work", k=5)

    scores = [p.score for p in results]
    assert scores == sorted(scores, reverse=True)
    # Every candidate scores at least 1 (the weakest possible: last in both lists).
    assert all(s >= 1.0 for s in scores)
    assert [p.chunk_id for p in results[:2]] == ["d-law#article-5", "c-terms-new#EMO-1"]
    # Unlike RRF, a clear winner is clearly ahead: the law that says all three words is
    # well above the terms that share one of them.
    assert scores[0] - 1 > 1.2 * (scores[1] - 1)


def test_fusion_formula() -> None:
    dense = [(0, 0.9), (1, 0.5), (2, 0.1)]
    lexical = [(1, 4.0), (3, 2.0)]
    fused = index_module._fuse([(dense, 0.5), (lexical, 1.0)])

    # Dense list: mean 0.5, std sqrt(0.32/3); z = (+1.2247, 0, -1.2247), floor -1.2247.
    # Lexical list: mean 3, std 1; z = (+1, -1), floor -1.
    d = (0.32 / 3) ** 0.5
    assert fused[0] == pytest.approx(1 + 0.5 * (0.4 / d + 0.4 / d))  # lexical: missing
    assert fused[1] == pytest.approx(1 + 0.5 * (0.4 / d) + 2.0)
    assert fused[2] == pytest.approx(1.0)  # last in dense, missing in lexical
    assert fused[3] == pytest.approx(1.0)  # missing in dense, last in lexical
    assert index_module._fuse([([], 0.5), ([], 1.0)]) == {}


def test_lexical_match_on_a_rare_word_is_found(index: Index) -> None:
    assert index.lexical_search("zebrafish", k=3)[0].chunk_id == "a-news#zebrafish"
    assert "a-news#zebrafish" in [p.chunk_id for p in index.search("zebrafish", k=3)]


@pytest.mark.parametrize(("as_of", "present", "absent"), [
    (dt.date(2023, 6, 1), "b-terms-old#ID-1", "c-terms-new#LE-2"),
    (dt.date(2024, 4, 30), "b-terms-old#ID-1", "c-terms-new#LE-2"),
    (dt.date(2024, 5, 1), "c-terms-new#LE-2", "b-terms-old#ID-1"),
    ("2026-01-01", "d-law#article-5", "b-terms-old#ID-1"),
])
def test_as_of_keeps_only_text_in_force(index: Index, as_of: dt.date | str, present: str,
                                        absent: str) -> None:
    ids = [p.chunk_id for p in index.search("identify faces body cameras emotion", k=20,
                                            as_of=as_of)]

    assert present in ids and absent not in ids
    day = dt.date.fromisoformat(str(as_of))
    for passage in index.get(ids):
        doc_from = passage.effective_date or dt.date.min
        assert doc_from <= day


def test_as_of_before_any_law_excludes_the_law(index: Index) -> None:
    ids = {p.document for p in index.search("emotion recognition", k=20, as_of="2024-06-01")}
    assert "d-law" not in ids and "c-terms-new" in ids


@pytest.mark.parametrize(("exact_up_to", "where_below"), [
    (0, 0.0),  # over-fetch unfiltered, then mask
    (0, 1.1),  # Chroma `where` filter
    (10_000, 1.1),  # exact scores over the rows that pass
], ids=["over-fetch", "where", "exact"])
def test_document_and_kind_filters(index: Index, monkeypatch: pytest.MonkeyPatch,
                                   exact_up_to: int, where_below: float) -> None:
    monkeypatch.setattr(index_module, "_EXACT_UP_TO", exact_up_to)
    monkeypatch.setattr(index_module, "_WHERE_BELOW", where_below)

    by_doc = index.search("cameras", k=5, document="e-doc")
    by_kind = index.search("cameras faces", k=10, kind="terms")
    both = index.search("faces", k=10, kind="terms", document="c-terms-new", as_of="2025-01-01")

    assert {p.document for p in by_doc} == {"e-doc"} and len(by_doc) == 2
    assert {p.kind for p in by_kind} == {"terms"} and len(by_kind) == 3
    assert {p.chunk_id for p in both} == {"c-terms-new#LE-2", "c-terms-new#EMO-1"}
    assert index.search("cameras", document="no-such-doc") == []
    assert index.search("cameras", kind="law", as_of="2020-01-01") == []


def test_passages_point_into_their_source_text(index: Index) -> None:
    corpus = Path(index.corpus)
    texts = {d.id: d.text for d in load_corpus(corpus)}

    for passage in index.search("cameras faces emotion scoring", k=8):
        assert texts[passage.document][passage.start:passage.end] == passage.text


def test_bad_arguments(index: Index) -> None:
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        index.search("faces", as_of="last week")
    with pytest.raises(InputError):
        index.search("faces", k=0)
    assert index.search("   ") == []


def test_tokenizer_stems_lightly_and_keeps_clause_ids() -> None:
    assert stem("policies") == "policy"
    assert stem("recognised") == stem("recognizing") == stem("recognise")
    assert tokenize("The LE-2 rule on body-worn cameras, article 5.1") == [
        "le", "2", "rule", "body", "worn", "camera", "articl", "5", "1", "le-2", "5.1"]


def test_the_three_dense_filter_paths_agree(index: Index, monkeypatch: pytest.MonkeyPatch
                                            ) -> None:
    rankings = []
    for exact_up_to, where_below in [(0, 0.0), (0, 1.1), (10_000, 1.1)]:
        monkeypatch.setattr(index_module, "_EXACT_UP_TO", exact_up_to)
        monkeypatch.setattr(index_module, "_WHERE_BELOW", where_below)
        rankings.append([(p.chunk_id, p.score) for p in
                         index.search("faces on cameras", k=4, kind="terms", as_of="2025-01-01")])

    assert rankings[0] == rankings[1] == rankings[2]
    assert len(rankings[0]) == 2


def test_query_expansion_adds_near_corpus_words_at_a_lower_weight() -> None:
    from advisor.retrieval.lexical import EXPAND_WEIGHT, LexicalIndex

    lexical = LexicalIndex.build(["Managers hire new staff.", "The lobby camera records."])

    # "hiring" and "hire" stem apart; the corpus word is found through WordLlama's table.
    assert lexical.expansions("hiring") == ["hire"]
    assert lexical.expansions("lobby") == []  # never the query's own words
    plain, expanded = lexical.scores("hiring"), lexical.scores("hiring", expand=True)
    assert plain.tolist() == [0.0, 0.0]
    assert expanded[0] > 0 and expanded[1] == 0
    assert expanded[0] == pytest.approx(EXPAND_WEIGHT * lexical.scores("hire")[0])


def test_expansion_vocabulary_keeps_the_most_frequent_words(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from advisor.retrieval import lexical as lexical_module

    monkeypatch.setattr(lexical_module, "EXPAND_VOCABULARY", 2)
    built = lexical_module.LexicalIndex.build(
        ["camera lobby", "camera lobby zebra", "camera camera camera", "the of 42"])

    # By chunk count (camera 3, lobby 2, zebra 1), never stopwords or numbers.
    assert built._words == ["camera", "lobby"]


_LONG_CLAUSE = (
    "Providers must publish a summary of the training data used for the model. "
    "Deployers must tell people when they talk to a chatbot rather than a person. "
    "Biometric templates derived from enrolment photos are deleted after thirty days. "
    "Incidents that harm health or safety are reported to the authority without delay. "
    "Records of each automated decision are kept for audit by the supervisory body. "
    "Staff who operate the system receive training on its limits and known errors."
)


def test_search_returns_the_window_that_answers_inside_a_long_clause(
        tmp_path: Path, advisor_home: Path) -> None:
    corpus = _write(tmp_path / "corpus", {
        "terms.md": _doc("terms", "terms", {"RULES-1: Obligations": _LONG_CLAUSE,
                                            "RULES-2: Scope": "These terms cover hosted models."}),
    })
    settings = Settings(home=advisor_home, corpus=corpus)
    ingest(settings, progress=False)
    index = Index.open(settings)

    top = index.search("how long are biometric templates kept", k=3)[0]
    whole = index.get([top.chunk_id])[0]

    assert top.chunk_id == "terms#RULES-1"
    assert "Biometric templates" in top.text
    assert len(top.text) < len(whole.text) // 2  # the answering sentences, not the clause
    assert top.text in whole.text and whole.start <= top.start < top.end <= whole.end
    assert index.search("incidents reported to the authority", k=1)[0].chunk_id == top.chunk_id
    # What answers are composed from: the same best chunk, read whole.
    read_whole = index.search("how long are biometric templates kept", k=3, windows=False)[0]
    assert (read_whole.chunk_id, read_whole.text) == (whole.chunk_id, whole.text)


def test_window_bm25_takes_word_rarity_from_the_whole_index() -> None:
    from advisor.retrieval.lexical import LexicalIndex, token_counts

    lexical = LexicalIndex.build(["cameras in shops", "cameras in schools", "cameras at work",
                                  "zebrafish in a lab"])
    scores = lexical.window_scores("zebrafish cameras", [token_counts("cameras at the door"),
                                                         token_counts("a zebrafish tank")])
    # Both windows match one query word; the rare one (1 chunk in 4) weighs more.
    assert scores[1] > scores[0] > 0
    assert lexical.window_scores("unknown words", [token_counts("cameras")]).tolist() == [0.0]
