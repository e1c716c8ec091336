"""The chat's HTML: corpus and question text is escaped, badges and citations carry their data."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from typing import Any

import pytest

from advisor.errors import InputError
from advisor.schema import Answer, Fact, FactCandidate
from advisor.service import Advisor
from advisor.ui import _as_of
from advisor.ui.choices import fact_choices, open_questions, value_words
from advisor.ui.render import answer_html, facts_html, question_html, transcript_html
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
    assert re.search(r'<tr data-fact="jurisdiction" data-status="stated">.*?EU.*?'
                     r'your question: &ldquo;European&rdquo;', html)
    assert re.search(r'<tr data-fact="service" data-status="assumed">.*?an assumption', html)
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


def test_open_assumed_and_conflicting_facts_are_asked_back_in_plain_words(
        lobby_answer: Answer) -> None:
    asked = {q.fact: q for q in open_questions(lobby_answer)}
    # The engine's open facts, first, with the answers that change a verdict.
    assert [q.why for q in asked.values()][:3] == ["open", "open", "open"]
    assert asked["public_access"].ask == "Is the lobby open to the public?"
    assert asked["public_access"].choices == (("Yes, open to the public", "yes"),
                                               ("No, not open to the public", "no"))
    actor = dict((v, w) for w, v in asked["actor"].choices)
    assert actor["law_enforcement"] == "law enforcement" and actor["private"] == "private company"
    assert "us_police" not in actor, "a European agency is not a US police department"
    assert dict((v, w) for w, v in asked["timing"].choices)["real_time"] == "live (real time)"
    # The assumptions, with the assumed value offered first.
    assert asked["service"].why == "assumed" and asked["service"].choices[0][1] == "azure_openai"
    assert asked["purpose"].why == "assumed"
    assert {"jurisdiction", "camera", "country"}.isdisjoint(asked), "stated or not deciding"


def test_a_confirmed_fact_is_not_asked_again_and_a_conflict_is(lobby_answer: Answer) -> None:
    facts = dict(lobby_answer.facts)
    facts["actor"] = Fact.model_validate({"value": "law_enforcement",
                                          "from": "confirmed by the user",
                                          "status": "confirmed"})
    facts["camera"] = Fact(value="unknown", status="conflicting", candidates=(
        FactCandidate(value="fixed", source="fixed"),
        FactCandidate(value="body_worn", source="bodycam")))
    answer = lobby_answer.model_copy(update={"facts": facts})
    asked = {q.fact: q for q in open_questions(answer)}
    assert "actor" not in asked
    camera = asked["camera"]
    assert camera.why == "conflicting" and [v for _, v in camera.choices][:2] == ["fixed",
                                                                               "body_worn"]
    assert "bodycam" in camera.hint
    html = facts_html(answer)
    assert re.search(r'<tr data-fact="actor" data-status="confirmed">.*?you \(confirmed\)', html)
    assert re.search(r'<tr data-fact="camera" data-status="conflicting">.*?your words disagree'
                     r'.*?&ldquo;bodycam&rdquo;', html)
    card = question_html(camera)
    assert 'data-why="conflicting"' in card and "bodycam" in card


def test_inherited_and_inferred_facts_say_where_they_came_from(lobby_answer: Answer) -> None:
    facts = dict(lobby_answer.facts)
    facts["camera"] = Fact(value="body_worn", source="body-worn", status="inherited", turn=1)
    facts["jurisdiction"] = Fact(value="eu", source="country FR, confirmed by the user",
                                 status="inferred")
    html = facts_html(lobby_answer.model_copy(update={"facts": facts}))
    assert "an earlier turn (question 1): &ldquo;body-worn&rdquo;" in html
    assert "inferred from &ldquo;country FR, confirmed by the user&rdquo;" in html


def test_every_fact_value_has_words_and_the_panel_offers_every_value() -> None:
    from advisor.schema import FACT_NAMES, FACT_VALUES

    for name in FACT_NAMES:
        choices = fact_choices(name)
        assert choices[-1] == ("not known", "unknown")
        if name != "country":
            assert {v for _, v in choices} == set(FACT_VALUES[name])
        assert all(words and "_" not in words for words, _ in choices)
    assert ("Germany (DE)", "DE") in fact_choices("country")
    assert value_words("country", "FR") == "France (FR)"


def test_the_transcript_names_the_facts_a_turn_was_checked_with(lobby_answer: Answer) -> None:
    html = transcript_html([{"question": LOBBY, "answer": lobby_answer.model_dump(mode="json"),
                             "confirmed": {"actor": "law_enforcement", "public_access": "yes"}}])
    assert 'Checked with the facts you confirmed: <span data-fact="actor">Who uses it: ' \
           '<b>law enforcement</b></span>' in html


def test_a_failed_re_check_is_said_above_the_answer_it_keeps(lobby_answer: Answer) -> None:
    html = transcript_html([{"question": LOBBY, "answer": lobby_answer.model_dump(mode="json"),
                             "notice": "the index is down <now>"}])
    assert 'role="alert">the index is down &lt;now&gt;</div>' in html
    assert 'data-verdict="prohibited"' in html, "the earlier answer is still shown"


def test_an_open_fact_the_words_disagree_on_is_asked_with_both_readings(
        lobby_answer: Answer) -> None:
    facts = dict(lobby_answer.facts)
    facts["timing"] = Fact(value="unknown", status="conflicting", candidates=(
        FactCandidate(value="post", source="recorded"),
        FactCandidate(value="real_time", source="live")))
    asked = {q.fact: q for q in open_questions(lobby_answer.model_copy(update={"facts": facts}))}
    timing = asked["timing"]
    assert timing.why == "conflicting"
    assert timing.ask == next(m.ask for m in lobby_answer.missing_facts if m.fact == "timing")
    assert [v for _, v in timing.choices] == ["post", "real_time"]
    assert timing.hint.startswith("Your words disagree: later, on recorded footage")
    assert "eu-ai-act: conditional if live (real time), not prohibited if later" in timing.hint
