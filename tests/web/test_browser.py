"""End to end in a real headless Chromium: the chat at / over a live server on loopback.

Debian's chromium is driven by Playwright (``playwright install`` cannot download browsers
here). Every request the page makes beyond the server is blocked and recorded: the chat must
need no CDN, font host or analytics endpoint.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from advisor.api import create_app
from advisor.config import load_settings
from advisor.feedback import FeedbackStore
from tests.web.conftest import FOLLOW_UP, LOBBY, serve_in_thread, settings_for

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
# Screenshots go to the untracked reports/ folder (a test run never rewrites tracked files);
# copy them into docs/screenshots deliberately when the chat's look changes.
SCREENSHOTS = Path(os.environ.get("ADVISOR_SCREENSHOTS") or
                   Path(__file__).resolve().parents[2] / "reports" / "screenshots")
ANSWER_TIMEOUT_MS = 180_000  # the first question builds the index in a fresh ADVISOR_HOME


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if shutil.which(CHROMIUM) is None:
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make browser)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


class _Page:
    """A page on the live server that blocks and records every request to anywhere else."""

    def __init__(self, browser: Any, base_url: str) -> None:
        self.base_url = base_url
        self.external: list[str] = []
        self.dialogs: list[str] = []
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000},
                                           accept_downloads=True)
        self.page = self.context.new_page()
        self.page.route("**/*", self._route)
        self.page.on("dialog", self._dialog)

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith((self.base_url, "data:", "blob:")):
            route.continue_()
        else:
            self.external.append(url)
            route.abort()

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self) -> Any:
        self.page.goto(self.base_url + "/")
        self.page.wait_for_selector("#adv-question textarea", timeout=60_000)
        return self.page

    def ask(self, question: str, turn: int) -> Any:
        self.page.fill("#adv-question textarea", question)
        self.page.click("#adv-ask")
        selector = f'section.adv-turn[data-turn="{turn}"]'
        self.page.wait_for_selector(f"{selector} .adv-badges, {selector} .adv-error",
                                    timeout=ANSWER_TIMEOUT_MS)
        assert self.page.locator(f"{selector} .adv-error").count() == 0, \
            self.page.locator(f"{selector} .adv-error").inner_text()
        return self.page.locator(selector)


def _badge(turn: Any, policy: str) -> Any:
    return turn.locator(f'.adv-badges .adv-badge[data-policy="{policy}"]')


@pytest.fixture
def live(advisor_home: Path, browser: Any) -> Iterator[_Page]:
    settings = load_settings()  # reads the fresh ADVISOR_HOME that advisor_home set
    assert settings.home == advisor_home
    with serve_in_thread(create_app(settings)) as url:
        page = _Page(browser, url)
        yield page
        page.context.close()


def test_lobby_question_then_follow_up(live: _Page, advisor_home: Path) -> None:
    page = live.open()
    first = live.ask(LOBBY, 1)

    # Verdict badges: colour class and words for each policy and overall.
    coc = _badge(first, "azure-openai-coc")
    assert coc.get_attribute("data-verdict") == "prohibited"
    assert "Prohibited" in coc.inner_text()
    assert "adv-prohibited" in (coc.get_attribute("class") or "")
    eu = _badge(first, "eu-ai-act")
    assert eu.get_attribute("data-verdict") == "conditional"
    assert "Conditional" in eu.inner_text()
    assert _badge(first, "overall").get_attribute("data-verdict") == "prohibited"
    assert first.locator('li.adv-near[data-rule="LE-2"]').count() == 1, \
        "on a fixed lobby camera LE-2 is a near miss"

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "chat-lobby.png"))

    # A citation marker opens its source card with the quote, title, version and date.
    marker = first.locator(".adv-answer a.adv-cite-ref").first
    n = marker.get_attribute("data-n")
    card = first.locator(f"details#adv-cite-1-{n}")
    assert card.get_attribute("open") is None
    marker.click()
    page.wait_for_function(
        f"() => document.querySelector('details#adv-cite-1-{n}').open === true")
    quote = card.locator(".adv-quote")
    assert quote.is_visible() and len(quote.inner_text().strip()) > 20
    assert "version" in card.locator(".adv-cite-meta").inner_text()
    quotes = " ".join(first.locator(".adv-quote").all_text_contents()).lower()
    assert "identify or verify" in quotes

    # The facts panel shows each fact with the words that set it, and the assumptions.
    facts = page.locator("#adv-facts")
    assert "Facts understood" in (facts.text_content() or "")
    row = facts.locator('tr[data-fact="jurisdiction"]')
    assert "EU" in row.inner_text() and "European" in row.inner_text()
    assert facts.locator(".adv-assumptions li").count() >= 1
    page.screenshot(path=str(SCREENSHOTS / "chat-citation.png"))

    # The follow-up inherits the EU agency and changes the reasoning: LE-2 now applies.
    second = live.ask(FOLLOW_UP, 2)
    assert _badge(second, "azure-openai-coc").get_attribute("data-verdict") == "prohibited"
    le2_near = second.locator('li.adv-near[data-rule="LE-2"]').count()
    le2_fired = second.locator('li.adv-fired[data-rule="LE-2"]').count()
    le2_also = second.locator('li.adv-also[data-rule="LE-2"]').count()
    le2_in_answer = "LE-2" in second.locator(".adv-answer").inner_text()
    assert "body-worn" in page.locator('#adv-facts tr[data-fact="camera"]').inner_text().lower()
    assert "EU" in page.locator('#adv-facts tr[data-fact="jurisdiction"]').inner_text()
    page.screenshot(path=str(SCREENSHOTS / "chat-followup.png"))

    # Thumbs down with a comment lands in the feedback store under ADVISOR_HOME.
    page.fill("#adv-comment textarea", "LE-2 reasoning should be explained first")
    page.click("#adv-down")
    page.wait_for_selector("#adv-feedback-status:has-text('recorded as not helpful')")
    items = FeedbackStore(advisor_home / "feedback.sqlite3").list(rating=-1)
    assert len(items) == 1
    assert items[0].question == FOLLOW_UP
    assert items[0].comment == "LE-2 reasoning should be explained first"
    assert items[0].history[0] == {"role": "user", "content": LOBBY}
    assert items[0].trace_id == second.locator(".adv-foot code").inner_text()

    # Export as memo downloads Markdown of the latest answer.
    with page.expect_download() as info:
        page.click("#adv-memo")
    memo = Path(info.value.path()).read_text(encoding="utf-8")
    assert memo.startswith("# Policy advisor memo")
    assert FOLLOW_UP in memo and "## Sources" in memo and "## Facts understood" in memo

    assert live.external == [], f"the page reached beyond the server: {live.external}"
    assert live.dialogs == []

    # Checked last so that everything above runs (and the screenshots are taken) regardless.
    assert le2_near == 0, "on a body-worn camera on patrol LE-2 is no longer a near miss"
    assert le2_fired == 1 or le2_also == 1, "on a body-worn camera on patrol LE-2 applies"
    assert le2_in_answer, "the follow-up answer explains LE-2"


def _choose(live: _Page, fact: str, value: str, turn: int = 1) -> None:
    """Click a one-click answer and wait until the turn is re-checked with it confirmed."""
    page = live.page
    page.click(f"#adv-q-{fact}-{value}")
    page.wait_for_selector(f'section.adv-turn[data-turn="{turn}"] .adv-confirmed '
                           f'span[data-fact="{fact}"]', timeout=ANSWER_TIMEOUT_MS)
    # The questions are drawn again from the new answer: a confirmed fact is not asked again.
    page.wait_for_selector(f"#adv-q-{fact}", state="detached", timeout=ANSWER_TIMEOUT_MS)


def test_one_click_answers_confirm_facts_and_move_the_verdict(live: _Page) -> None:
    page = live.open()
    first = live.ask(LOBBY, 1)
    assert _badge(first, "eu-ai-act").get_attribute("data-verdict") == "conditional"

    # Each open fact is asked back in plain words, with one-click answers.
    asked = page.locator("#adv-q-public_access").inner_text()
    assert "Is the lobby open to the public?" in asked
    assert page.locator("#adv-q-public_access-yes").inner_text().startswith("Yes")
    assert page.locator("#adv-q-public_access-no").inner_text().startswith("No")
    assert page.locator("#adv-q-actor-law_enforcement").inner_text() == "law enforcement"
    assert page.locator("#adv-q-actor-private").inner_text() == "private company"
    assert page.locator("#adv-q-actor-us_police").count() == 0, "not for a European agency"
    assert "live" in page.locator("#adv-q-timing-real_time").inner_text()
    # Assumed facts are asked too: "this" was taken to mean Azure OpenAI.
    assert "assumed" in page.locator("#adv-q-service").inner_text()

    _choose(live, "actor", "law_enforcement")
    first = page.locator('section.adv-turn[data-turn="1"]')
    assert _badge(first, "eu-ai-act").get_attribute("data-verdict") == "conditional"
    _choose(live, "timing", "real_time")
    _choose(live, "public_access", "yes")

    first = page.locator('section.adv-turn[data-turn="1"]')
    assert page.locator("section.adv-turn").count() == 1, "re-checked in place, not a new turn"
    eu = _badge(first, "eu-ai-act")
    assert eu.get_attribute("data-verdict") == "prohibited"
    assert "Prohibited" in eu.inner_text()
    fired = first.locator('.adv-policy[data-policy="eu-ai-act"] li.adv-fired[data-rule="5-1-h"]')
    assert fired.count() == 1
    refs = fired.locator("a.adv-cite-ref")
    assert refs.count() >= 1, "the fired rule cites its clause"
    n = refs.first.get_attribute("data-n")
    card = first.locator(f"details#adv-cite-1-{n}")
    assert "eu-ai-act-art5#5-1-h" in (card.locator(".adv-cite-meta").text_content() or "")
    assert "5(1)(h)" in first.locator(".adv-answer").inner_text() or \
        "5-1-h" in first.locator(".adv-answer").inner_text()

    # The facts panel says who set each fact: the user, the question's words, an assumption.
    facts = page.locator("#adv-facts")
    for fact in ("actor", "timing", "public_access"):
        row = facts.locator(f'tr[data-fact="{fact}"]')
        assert row.get_attribute("data-status") == "confirmed"
        assert "you (confirmed)" in row.inner_text()
    assert "your question" in facts.locator('tr[data-fact="camera"]').inner_text()
    assert "European" in facts.locator('tr[data-fact="jurisdiction"]').inner_text()
    assert "assumption" in facts.locator('tr[data-fact="purpose"]').inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "chat-confirm.png"))

    # A follow-up keeps the confirmed facts its own words do not state ("on patrol" states
    # the public place and the police itself); "New conversation" clears them.
    second = live.ask("and if it is a body-worn camera on patrol instead?", 2)
    assert _badge(second, "eu-ai-act").get_attribute("data-verdict") == "prohibited"
    assert second.locator('.adv-confirmed span[data-fact="timing"]').count() == 1
    assert second.locator('.adv-confirmed span[data-fact="public_access"]').count() == 0
    assert facts.locator('tr[data-fact="timing"]').get_attribute("data-status") == "confirmed"
    assert facts.locator('tr[data-fact="public_access"]').get_attribute("data-status") == \
        "stated"
    page.click("#adv-new")
    page.wait_for_selector(".adv-empty")
    again = live.ask(LOBBY, 1)
    assert _badge(again, "eu-ai-act").get_attribute("data-verdict") == "conditional"
    assert again.locator(".adv-confirmed").count() == 0
    assert live.external == [] and live.dialogs == []


def test_the_facts_panel_changes_any_fact(live: _Page) -> None:
    page = live.open()
    live.ask(LOBBY, 1)
    page.click("#adv-change button, #adv-change .label-wrap")
    page.click("#adv-change-fact input")
    page.keyboard.type("Camera")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => !document.querySelector('#adv-change-value input').disabled")
    page.click("#adv-change-value input")
    page.keyboard.type("body-worn")
    page.keyboard.press("Enter")
    page.click("#adv-change-set")
    page.wait_for_selector('section.adv-turn[data-turn="1"] .adv-confirmed '
                           'span[data-fact="camera"]', timeout=ANSWER_TIMEOUT_MS)
    row = page.locator('#adv-facts tr[data-fact="camera"]')
    assert row.get_attribute("data-status") == "confirmed" and "body-worn" in row.inner_text()
    turn = page.locator('section.adv-turn[data-turn="1"]')
    near = turn.locator('li.adv-near[data-rule="LE-2"]').inner_text()
    assert "fixed" not in near and "controlled" in near, \
        "on a body-worn camera LE-2 misses only on the controlled lobby, not on the camera"


def test_as_of_date_changes_the_verdict(live: _Page) -> None:
    page = live.open()
    page.fill("#adv-as-of input", "2024-12-01")
    page.keyboard.press("Enter")
    turn = live.ask(LOBBY, 1)
    assert _badge(turn, "eu-ai-act").get_attribute("data-verdict") == "not_applicable"
    assert "as of 2024-12-01" in turn.locator(".adv-foot").inner_text()
    page.fill("#adv-as-of input", "")
    page.keyboard.press("Enter")
    today = live.ask(LOBBY, 2)
    assert _badge(today, "eu-ai-act").get_attribute("data-verdict") == "conditional"


def test_injected_corpus_cannot_run_script_in_the_chat(
    browser: Any, tmp_path: Path, injected_corpus: Path,
) -> None:
    settings = settings_for(tmp_path / "home", corpus=injected_corpus)
    with serve_in_thread(create_app(settings)) as url:
        live = _Page(browser, url)
        try:
            page = live.open()
            turn = live.ask(LOBBY, 1)
            cards = turn.locator("details.adv-citation")
            for i in range(cards.count()):
                cards.nth(i).locator("summary").click()
            injected = turn.locator("details.adv-citation", has_text="Lobby cameras")
            assert injected.count() == 1, "the injected article is cited"
            assert "<script>window.__pwned" in injected.inner_text(), "shown as text"
            assert page.evaluate("() => window.__pwned") is None
            assert turn.locator("script, img, iframe").count() == 0
            assert live.dialogs == [] and live.external == []
        finally:
            live.context.close()
