"""Citations a lawyer can trust, end to end: whose words each quote is, the official text
quoted when the corpus has it, and the last good index serving when a locator breaks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from advisor.config import SHIPPED_CORPUS, Settings
from advisor.errors import CorpusError
from advisor.service import Advisor
from tests.official_texts import COC_WORDS, EU_WORDS, add_official_texts, eur_lex_html

LOBBY = "Can a European agency use this on a fixed lobby camera?"
CONCERT = "Belgian police want live face recognition at a concert in March 2025 with Azure OpenAI."


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Advisor:
    return Advisor(Settings(home=tmp_path_factory.mktemp("shipped"), corpus=SHIPPED_CORPUS))


@pytest.fixture(scope="module")
def official(tmp_path_factory: pytest.TempPathFactory) -> tuple[Advisor, Path]:
    root = tmp_path_factory.mktemp("official")
    corpus = root / "corpus"
    shutil.copytree(SHIPPED_CORPUS, corpus)
    add_official_texts(corpus)
    return Advisor(Settings(home=root / "home", corpus=corpus)), corpus


def _one(words: str) -> str:
    return " ".join(words.split())


def test_a_restatement_is_never_presented_as_the_publishers_words(shipped: Advisor) -> None:
    answer = shipped.ask(LOBBY)
    assert "The clause reads" not in answer.answer
    assert "Our restatement of ID-1, not Microsoft's wording: “" in answer.answer
    assert all(c.provenance is not None for c in answer.citations)
    id1 = next(c for c in answer.citations if c.chunk_id.endswith("#ID-1"))
    assert id1.provenance == "restatement" and id1.verified
    assert "must not be used to \"identify or verify\"" in id1.quote
    data = answer.model_dump(mode="json")
    assert {c["provenance"] for c in data["citations"]} == {"restatement", "reporting"}


def test_the_official_text_is_quoted_and_our_restatement_explains_it(
        official: tuple[Advisor, Path]) -> None:
    advisor, _ = official
    answer = advisor.ask(LOBBY)
    coc = next(p for p in answer.policies if p.policy == "azure-openai-coc")
    hit = next(h for h in coc.fired if h.rule == "ID-1")
    cited = {c.n: c for c in answer.citations}
    first, second = (cited[n] for n in hit.citations)
    assert first.provenance == "official" and first.chunk_id.endswith("-official#ID-1")
    assert COC_WORDS["ID-1"] in _one(first.quote) and first.verified
    assert second.provenance == "restatement"
    line = next(ln for ln in answer.answer.splitlines() if ln.startswith("- **ID-1"))
    reads = line.index("The clause reads: “")
    assert _one(first.quote) in _one(line[reads:line.index(f"[{first.n}]")])
    assert line.index("In our words (ID-1): “") > reads
    assert answer.guardrail.status == "passed", answer.guardrail.notes


def test_an_eu_verdict_quotes_the_numbered_point_of_the_regulation(
        official: tuple[Advisor, Path]) -> None:
    advisor, _ = official
    answer = advisor.ask(CONCERT)
    eu = next(p for p in answer.policies if p.policy == "eu-ai-act")
    assert eu.verdict == "prohibited"
    hit = next(h for h in eu.fired if h.rule == "5-1-h")
    quote = next(c for c in answer.citations if c.n == hit.citations[0])
    assert quote.provenance == "official" and quote.section == "Article 5(1)(h)"
    assert EU_WORDS["5-1-h"] in quote.quote


def test_a_broken_locator_stops_the_ingest_and_the_last_good_index_keeps_serving(
        official: tuple[Advisor, Path]) -> None:
    advisor, corpus = official
    advisor.ask(LOBBY)  # the index with the official texts is built
    folder = corpus / "eu-ai-act" / "official"
    (folder / "reg-2024-1689.html").write_text(eur_lex_html(without_article="5"),
                                               encoding="utf-8")
    try:
        with pytest.raises(CorpusError) as caught:
            advisor.ingest()
        assert "clause 5-1-a" in str(caught.value)
        assert "eu-ai-act/official/reg-2024-1689.html" in str(caught.value)
        answer = Advisor(advisor.settings).ask(CONCERT)
        hit = next(h for p in answer.policies if p.policy == "eu-ai-act" for h in p.fired)
        quote = next(c for c in answer.citations if c.n == hit.citations[0])
        assert quote.provenance == "official" and EU_WORDS["5-1-h"] in quote.quote
    finally:
        (folder / "reg-2024-1689.html").write_text(eur_lex_html(), encoding="utf-8")


def test_the_chat_memo_and_cli_say_whose_words_each_quote_is(shipped: Advisor) -> None:
    from rich.console import Console

    from advisor.memo import render_memo
    from advisor.terminal import citations_table
    from advisor.ui.render import citation_html

    answer = shipped.ask(LOBBY)
    id1 = next(c for c in answer.citations if c.chunk_id.endswith("#ID-1"))
    card = citation_html(id1, 1)
    assert "Our restatement of ID-1, not the official wording" in card
    assert "quote verified verbatim against our restatement (not the official text)" in card
    assert "Open the official text (our restatement is not its wording)" in card
    memo = render_memo(answer)
    assert "*Our restatement of ID-1, not the official wording*" in memo
    assert "reporting or background, not policy text" in memo.lower()
    console = Console(width=200, record=True)
    console.print(citations_table(answer))
    text = console.export_text()
    assert "our restatement of ID-1, not the official wording" in text
    assert "quote verified verbatim against our restatement" in text
