"""HTML for the chat: verdict badges, the answer with citations, and the facts panel.

Everything that comes from a question, a document or a composer is escaped here: the
answer's Markdown is rendered with raw HTML disabled, and every other string goes through
``html.escape``, so a corpus document cannot inject markup or script into the chat.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from markdown_it import MarkdownIt

from advisor.memo import VERDICT_WORDS
from advisor.schema import Answer, Citation, Fact, PolicyVerdict
from advisor.ui.choices import FACT_LABELS, Question, value_words

#: Short names for the badges; the policy's own title is shown in the reasoning.
POLICY_NAMES: dict[str, str] = {
    "azure-openai-coc": "Azure OpenAI Code of Conduct",
    "azure-ai-face": "Azure AI Face",
    "eu-ai-act": "EU AI Act, Art. 5",
}

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_CITE = re.compile(r"\[(\d{1,3})\]")

_e = html.escape


_VALUE_WORDS: dict[str, str] = {
    "azure_openai": "Azure OpenAI", "azure_ai_face": "Azure AI Face", "eu": "EU", "us": "US",
    "uk": "UK", "us_police": "US police", "us_federal": "US federal agency",
    "government_non_le": "government (not law enforcement)", "post": "after the fact",
    "non_biometric": "not biometric",
}


def _words(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    return _VALUE_WORDS.get(text, text.replace("_", " "))


def badge(label: str, verdict: str, policy: str) -> str:
    """One verdict badge: colour by class, words by label (never colour alone)."""
    words = VERDICT_WORDS.get(verdict, verdict)
    return (f'<span class="adv-badge adv-{_e(verdict)}" data-policy="{_e(policy)}" '
            f'data-verdict="{_e(verdict)}"><span class="adv-badge-name">{_e(label)}</span>'
            f'<span class="adv-badge-verdict">{_e(words)}</span></span>')


def _badges(answer: Answer) -> str:
    parts = [badge("Overall", answer.verdict, "overall")]
    parts += [badge(POLICY_NAMES.get(p.policy, p.title), p.verdict, p.policy)
              for p in answer.policies]
    return f'<div class="adv-badges">{"".join(parts)}</div>'


def _answer_html(answer: Answer, turn: int) -> str:
    known = {c.n for c in answer.citations}
    rendered = _markdown.render(answer.answer or "")

    def link(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if n not in known:
            return match.group(0)
        return (f'<a class="adv-cite-ref" href="#adv-cite-{turn}-{n}" data-n="{n}" '
                f'title="Open source [{n}]">[{n}]</a>')

    return f'<div class="adv-answer">{_CITE.sub(link, rendered)}</div>'


def _refs(numbers: tuple[int, ...], turn: int) -> str:
    return "".join(f' <a class="adv-cite-ref" href="#adv-cite-{turn}-{n}" data-n="{n}">[{n}]</a>'
                   for n in numbers)


def _policy_reasoning(policy: PolicyVerdict, turn: int) -> str:
    items: list[str] = []
    for hit in policy.fired:
        items.append(f'<li class="adv-fired" data-rule="{_e(hit.rule)}"><span class="adv-rule">'
                     f'{_e(hit.rule)}</span> applies: {_e(hit.because)}'
                     f'{_refs(hit.citations, turn)}</li>')
    for miss in policy.near_misses:
        if miss.open_facts:  # met on every stated fact; turns on facts the question left open
            items.append(f'<li class="adv-also" data-rule="{_e(miss.rule)}">'
                         f'<span class="adv-rule">{_e(miss.rule)}</span> {_e(miss.because)}</li>')
            continue
        items.append(f'<li class="adv-near" data-rule="{_e(miss.rule)}"><span class="adv-rule">'
                     f'{_e(miss.rule)}</span> does not apply: {_e(miss.because)}</li>')
    for condition in policy.conditions:
        items.append(f'<li class="adv-condition">Condition: {_e(condition)}</li>')
    for missing in policy.missing_facts:
        items.append(f'<li class="adv-open">Open: {_e(missing.ask)}{_outcomes(missing.outcomes)}'
                     '</li>')
    if policy.reason:
        items.append(f'<li class="adv-reason">{_e(policy.reason)}</li>')
    version = f" &middot; version {_e(policy.version)}" if policy.version else ""
    return (f'<div class="adv-policy" data-policy="{_e(policy.policy)}">'
            f'<div class="adv-policy-head">{badge(POLICY_NAMES.get(policy.policy, policy.title), policy.verdict, policy.policy)}'  # noqa: E501
            f'<span class="adv-policy-title">{_e(policy.title)}{version}</span></div>'
            f'<ul>{"".join(items)}</ul></div>')


def _outcomes(outcomes: Mapping[str, str]) -> str:
    """'verdict if value, value; verdict if value', grouped by verdict, most restrictive first."""
    if not outcomes:
        return ""
    grouped: dict[str, list[str]] = {}
    for value, verdict in outcomes.items():
        grouped.setdefault(verdict, []).append(_words(value))
    order = ("prohibited", "conditional", "not_prohibited", "not_applicable")
    parts = [f"{_e(VERDICT_WORDS.get(v, v).lower())} if {_e(', '.join(grouped[v]))}"
             for v in sorted(grouped, key=lambda v: order.index(v) if v in order else 9)]
    return f' <span class="adv-outcomes">({"; ".join(parts)})</span>'


def citation_html(cite: Citation, turn: int) -> str:
    """A citation as a collapsible source card: quote, document, section, version, link."""
    meta = [f'<span class="adv-kind">{_e(cite.kind)}</span>']
    if cite.version:
        meta.append(f"version {_e(cite.version)}")
    if cite.effective_date:
        meta.append(f"effective {_e(cite.effective_date.isoformat())}")
    meta.append(f'<code>{_e(cite.chunk_id)}</code>')
    meta.append('<span class="adv-verified">quote verified</span>' if cite.verified
                else '<span class="adv-unverified">quote NOT verified</span>')
    link = ""
    if cite.url and cite.url.lower().startswith(("http://", "https://")):
        link = (f'<a class="adv-source" href="{_e(cite.url)}" target="_blank" '
                f'rel="noopener noreferrer">Open source document</a>')
    return (f'<details class="adv-citation" id="adv-cite-{turn}-{cite.n}" data-n="{cite.n}">'
            f'<summary><span class="adv-n">[{cite.n}]</span> {_e(cite.title)}'
            f'<span class="adv-section"> &mdash; {_e(cite.section)}</span></summary>'
            f'<blockquote class="adv-quote">{_e(cite.quote)}</blockquote>'
            f'<div class="adv-cite-meta">{" &middot; ".join(meta)} {link}</div></details>')


def answer_html(answer: Answer, turn: int) -> str:
    """One answer: badges, the text with [n] links, reasoning per policy, sources."""
    parts = [_badges(answer), _answer_html(answer, turn)]
    if answer.policies:
        reasoning = "".join(_policy_reasoning(p, turn) for p in answer.policies)
        parts.append(f'<div class="adv-reasoning"><div class="adv-h">Reasoning by policy</div>'
                     f'{reasoning}</div>')
    if answer.citations:
        cites = "".join(citation_html(c, turn) for c in answer.citations)
        parts.append(f'<div class="adv-citations"><div class="adv-h">Sources</div>{cites}</div>')
    status = answer.guardrail.status
    notes = "; ".join(answer.guardrail.notes)
    parts.append(
        f'<div class="adv-foot">as of {_e(answer.as_of.isoformat())} &middot; composer '
        f'{_e(answer.composer)} &middot; <span class="adv-guard adv-guard-{_e(status)}" '
        f'title="{_e(notes)}">guardrail {_e(status)}</span> &middot; trace '
        f'<code>{_e(answer.trace_id)}</code></div>')
    return f'<div class="adv-a">{"".join(parts)}</div>'


def _confirmed_html(confirmed: Mapping[str, str]) -> str:
    if not confirmed:
        return ""
    items = "; ".join(f'<span data-fact="{_e(name)}">{_e(FACT_LABELS.get(name, name))}: '
                      f'<b>{_e(value_words(name, value))}</b></span>'
                      for name, value in confirmed.items())
    return f'<div class="adv-confirmed">Checked with the facts you confirmed: {items}</div>'


def transcript_html(turns: list[dict[str, Any]]) -> str:
    """The whole conversation, newest last; an intro when empty."""
    if not turns:
        return ('<div class="adv-empty"><div class="adv-empty-title">Ask about a use of an AI '
                'service</div><p>The advisor gives a verdict per policy from a deterministic '
                'rule engine, quotes the clauses it rests on, and shows the facts it understood. '
                'Follow-up questions keep the facts of earlier turns.</p></div>')
    out = []
    for i, turn in enumerate(turns, start=1):
        question = f'<div class="adv-q"><span class="adv-who">Question {i}</span>' \
                   f'<div>{_e(turn["question"])}</div></div>'
        if "error" in turn:
            body = f'<div class="adv-a adv-error" role="alert">{_e(turn["error"])}</div>'
        else:
            notice = (f'<div class="adv-a adv-error" role="alert">{_e(turn["notice"])}</div>'
                      if turn.get("notice") else "")
            body = notice + _confirmed_html(turn.get("confirmed") or {}) + \
                answer_html(Answer.model_validate(turn["answer"]), i)
        out.append(f'<section class="adv-turn" data-turn="{i}">{question}{body}</section>')
    return f'<div class="adv-transcript">{"".join(out)}</div>'


def _set_by(name: str, fact: Fact) -> tuple[str, str]:
    """Who set a fact, from its status: (css tag, escaped HTML words)."""
    words = f"&ldquo;{_e(fact.source)}&rdquo;" if fact.source else ""
    if fact.status == "confirmed":
        return "user", "you (confirmed)"
    if fact.status == "assumed":
        return "assumed", "an assumption" + (f": {_e(fact.source)}" if fact.source else "")
    if fact.status == "inherited":
        turn = f" (question {fact.turn})" if fact.turn else ""
        return "earlier", f"an earlier turn{turn}: {words}"
    if fact.status == "inferred":
        return "inferred", f"inferred from {words}" if words else "inferred"
    if fact.status == "conflicting":
        read = " / ".join(f"{_e(value_words(name, c.value))} (&ldquo;{_e(c.source or '')}&rdquo;)"
                          for c in fact.candidates)
        return "conflicting", f"your words disagree: {read}" if read else "your words disagree"
    return "question", f"your question: {words}" if words else "your question"


def facts_html(answer: Answer | None) -> str:
    """The facts panel: each fact, who set it (your words, an earlier turn, you, an
    assumption) and the assumptions; the open facts are asked back beside it."""
    if answer is None:
        return ('<div class="adv-facts adv-muted">Facts the advisor reads from your question '
                'appear here, each with the words that set it.</div>')
    rows, unknown = [], []
    for name, fact in answer.facts.items():
        label = FACT_LABELS.get(name, name)
        if fact.value in ("unknown", None) and fact.status not in ("confirmed", "conflicting"):
            unknown.append(label)
            continue
        tag, who = _set_by(name, fact)
        badge = ""
        if fact.status in ("assumed", "confirmed", "conflicting"):
            text = {"assumed": "assumed", "confirmed": "confirmed",
                    "conflicting": "open: disagree"}[fact.status]
            badge = f'<span class="adv-status adv-{_e(tag)}">{text}</span>'
        rows.append(f'<tr data-fact="{_e(name)}" data-status="{_e(fact.status)}">'
                    f'<th>{_e(label)}</th>'
                    f'<td class="adv-value">{_e(value_words(name, fact.value))} {badge}</td>'
                    f'<td class="adv-from adv-by-{_e(tag)}">{who}</td></tr>')
    parts = ['<div class="adv-facts"><div class="adv-h">Facts understood</div>',
             '<table class="adv-facts-table"><thead><tr><th>Fact</th><th>Value</th>'
             f'<th>Set by</th></tr></thead><tbody>{"".join(rows)}</tbody></table>']
    if unknown:
        parts.append(f'<div class="adv-unknown">Not stated: {_e(", ".join(unknown))}</div>')
    if answer.assumptions:
        items = "".join(f"<li>{_e(a)}</li>" for a in answer.assumptions)
        parts.append(f'<div class="adv-h">Assumptions</div><ul class="adv-assumptions">{items}'
                     '</ul>')
    # The open facts are asked back above this panel, each with one-click answers.
    parts.append("</div>")
    return "".join(parts)


def question_html(question: Question) -> str:
    """A fact asked back: the question, and what the answers would do (or was assumed)."""
    hint = f'<div class="adv-ask-hint">{_e(question.hint)}</div>' if question.hint else ""
    return (f'<div class="adv-ask-q" data-fact="{_e(question.fact)}" '
            f'data-why="{_e(question.why)}">{_e(question.ask)}{hint}</div>')
