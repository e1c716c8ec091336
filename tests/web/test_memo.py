"""The Markdown memo: verdicts, answer, sources with quotes, facts; no live HTML."""

from __future__ import annotations

from advisor.memo import render_memo
from advisor.schema import Answer
from advisor.service import Advisor
from tests.web.conftest import LOBBY


def test_memo_has_verdicts_answer_sources_and_facts(lobby_answer: Answer) -> None:
    memo = render_memo(lobby_answer)
    assert memo.startswith("# Policy advisor memo")
    assert f"- **Question:** {LOBBY}" in memo
    assert "- **Overall verdict:** Prohibited" in memo
    assert "(`azure-openai-coc`) | Prohibited |" in memo
    assert "(`eu-ai-act`) | Conditional |" in memo
    assert "## Sources" in memo and "## Facts understood" in memo
    for cite in lobby_answer.citations:
        assert f"**[{cite.n}] " in memo and f"`{cite.chunk_id}`" in memo
    assert '| jurisdiction | eu | "European" |' in memo
    assert lobby_answer.trace_id in memo
    assert "not legal advice" in memo


def test_memo_quotes_are_blockquotes_of_the_citation_text(lobby_answer: Answer) -> None:
    memo = render_memo(lobby_answer)
    first = lobby_answer.citations[0].quote.strip().splitlines()[0]
    expected = first.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert f"> {expected}" in memo


def test_memo_neutralises_html_from_the_corpus(injected_advisor: Advisor) -> None:
    memo = render_memo(injected_advisor.ask(LOBBY))
    assert "<script" not in memo.lower() and "<img" not in memo.lower()
    assert "&lt;script&gt;" in memo
