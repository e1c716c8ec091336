"""The chat's HTML: corpus and question text is escaped, badges and citations carry their data."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from typing import Any

import pytest

from advisor.errors import InputError
from advisor.schema import Answer
from advisor.service import Advisor
from advisor.ui import _as_of
from advisor.ui.render import answer_html, facts_html, transcript_html
from tests.web.conftest import LOBBY


class _Live(HTMLParser):
    """Collects what a browser would execute: script-capable tags, on* handlers, js: links."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "img", "iframe", "svg", "object", "embed", "style"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag}[{name}]")
            if name in ("href", "src") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{tag}[{name}={value}]")


def _live_markup(html: str) -> list[str]:
    """Markup that a browser would execute (escaped text of it does not count)."""
    parser = _Live()
    parser.feed(html)
    parser.close()
    return parser.found


@pytest.fixture(scope="module")
def injected_answer(injected_advisor: Advisor) -> Answer:
    answer = injected_advisor.ask(LOBBY)
    assert any(c.document == "evil-lobby-article" for c in answer.citations), \
        "the injected article must be cited for this test to mean anything"
    return answer


def test_injected_corpus_text_is_escaped(injected_answer: Answer) -> None:
    html = transcript_html([{"question": LOBBY, "answer": injected_answer.model_dump(mode="json")}])
    assert _live_markup(html) == []
    assert "&lt;script&gt;window.__pwned" in html, "the script text is shown, as text"
    assert "&lt;img src=x onerror=window.__pwned=1&gt;" in html
    cite = next(c for c in injected_answer.citations if c.document == "evil-lobby-article")
    assert f'id="adv-cite-1-{cite.n}"' in html


def test_question_and_error_text_are_escaped() -> None:
    turns: list[dict[str, Any]] = [
        {"question": '<img src=x onerror="alert(1)">', "error": "<b>x</b>"}]
    html = transcript_html(turns)
    assert _live_markup(html) == [] and "<b>" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


def test_markdown_answer_keeps_formatting_but_not_raw_html(lobby_answer: Answer) -> None:
    hostile = lobby_answer.model_copy(update={
        "answer": "**Bold** <script>alert(1)</script> [click](javascript:alert(1)) [1]"})
    html = answer_html(hostile, 1)
    assert "<strong>Bold</strong>" in html
    assert _live_markup(html) == []
    assert 'href="#adv-cite-1-1"' in html, "[1] becomes a link to citation 1"


def test_badges_name_each_policy_with_colour_class_and_words(lobby_answer: Answer) -> None:
    html = answer_html(lobby_answer, 1)
    assert re.search(r'class="adv-badge adv-prohibited" data-policy="overall"', html)
    assert re.search(r'class="adv-badge adv-prohibited" data-policy="azure-openai-coc" '
                     r'data-verdict="prohibited">.*?Prohibited', html)
    assert re.search(r'class="adv-badge adv-conditional" data-policy="eu-ai-act" '
                     r'data-verdict="conditional">.*?Conditional', html)


def test_citation_cards_carry_title_section_version_date_and_quote(lobby_answer: Answer) -> None:
    html = answer_html(lobby_answer, 1)
    for cite in lobby_answer.citations:
        card = re.search(rf'<details class="adv-citation" id="adv-cite-1-{cite.n}".*?</details>',
                         html, re.S)
        assert card, cite.n
        text = card.group(0)
        assert cite.title.replace("'", "&#x27;").replace('"', "&quot;") in text
        if cite.version:
            assert f"version {cite.version}" in text
        if cite.effective_date:
            assert f"effective {cite.effective_date.isoformat()}" in text
        assert "quote verified" in text


def test_facts_panel_shows_words_that_set_each_fact(lobby_answer: Answer) -> None:
    html = facts_html(lobby_answer)
    assert "Facts understood" in html
    assert re.search(r'<tr data-fact="jurisdiction">.*?EU.*?&ldquo;European&rdquo;', html)
    for assumption in lobby_answer.assumptions:
        assert assumption.replace("'", "&#x27;").replace('"', "&quot;") in html


@pytest.mark.parametrize(("value", "expected"), [
    (None, None), ("", None), ("2024-12-01", dt.date(2024, 12, 1)),
    ("2024-12-01 00:00:00", dt.date(2024, 12, 1)),
])
def test_as_of_control_values(value: object, expected: dt.date | None) -> None:
    assert _as_of(value) == expected


def test_as_of_control_refuses_a_non_date() -> None:
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        _as_of("1st of May")
