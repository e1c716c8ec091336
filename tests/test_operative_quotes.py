"""The operative sentence: every rule of every pack is quoted by the sentence that carries it
(the ban or the condition, its pack's ``quote:``), not the sentence most like the question,
and a carve-out only when the carve-out is what decides the case."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

import pytest

from advisor.compose import compose_offline
from advisor.config import SHIPPED_CORPUS
from advisor.guardrail import review
from advisor.retrieval.chunking import chunk_document
from advisor.retrieval.documents import load_corpus
from advisor.rules import Pack, Rule, load_packs
from advisor.schema import (
    Chunk,
    ComposeRequest,
    Facts,
    NearMiss,
    Passage,
    PolicyVerdict,
    RuleHit,
)

# Words that turn a sentence into an exception or a definition's limit: a prohibition's quote
# must not be one of those (the 5(1)(f) quote was once the fatigue-for-safety carve-out).
_CARVE_OUT = re.compile(r"\b(except|is not caught|are not caught|does not apply|not emotion|"
                        r"outside (it|the)|is not an?|identify no one)\b", re.I)
# A question that pulls towards the carve-out, so the most-similar sentence would be wrong.
_PULL = "Is a system that detects a driver's fatigue for safety reasons an exception here?"


@cache
def _chunks() -> dict[str, Chunk]:
    return {c.chunk_id: c for d in load_corpus(SHIPPED_CORPUS) for c in chunk_document(d)}


@cache
def _packs() -> tuple[Pack, ...]:
    return tuple(load_packs(SHIPPED_CORPUS, known_chunk_ids=set(_chunks())))


def _rules() -> list[tuple[str, Rule]]:
    return [(pack.id, rule) for pack in _packs() for rule in pack.rules]


def _request(policy: str, rule: Rule, near_miss: bool, question: str) -> ComposeRequest:
    passages = tuple(Passage.from_chunk(_chunks()[c], 1.0) for c in rule.clauses)
    if near_miss:
        verdict = PolicyVerdict(policy=policy, title=policy, verdict="not_prohibited",
                                near_misses=(NearMiss(rule=rule.id, because="a fact differs",
                                                      clauses=rule.clauses, quote=rule.quote),))
    else:
        verdict = PolicyVerdict(policy=policy, title=policy, verdict=rule.effect,
                                fired=(RuleHit(rule=rule.id, effect=rule.effect,
                                               because=rule.explanation, clauses=rule.clauses,
                                               quote=rule.quote),))
    return ComposeRequest(question=question, facts=Facts(as_of=dt.date(2026, 11, 26)),
                          verdicts=(verdict,), overall=verdict.verdict, passages=passages)


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def test_every_rule_of_every_pack_names_its_operative_words() -> None:
    rules = _rules()
    assert len(rules) >= 30
    missing = [f"{policy}/{rule.id}" for policy, rule in rules if not rule.quote]
    assert not missing, f"rules without a quote: locator: {missing}"


@pytest.mark.parametrize(("policy", "rule"), _rules(),
                         ids=[f"{p}/{r.id}@{r.effective_from or ''}" for p, r in _rules()])
@pytest.mark.parametrize("question", ["", _PULL], ids=["plain", "pulled-to-carve-out"])
def test_a_fired_rule_is_quoted_by_its_operative_sentence(policy: str, rule: Rule,
                                                          question: str) -> None:
    request = _request(policy, rule, near_miss=False, question=question or rule.explanation)
    draft = compose_offline(request)
    numbers = draft.rule_citations[f"{policy}/{rule.id}"]
    quoted = [c.quote for c in draft.citations if c.n in numbers]
    assert any(_normal(phrase) in _normal(q) for q in quoted for phrase in rule.quote), quoted
    if rule.effect == "prohibited":
        assert not any(_CARVE_OUT.search(q) for q in quoted), quoted
    # a restatement is labelled as ours and never follows "The clause reads"
    line = next(ln for ln in draft.answer.splitlines() if ln.startswith(f"- **{rule.id}"))
    assert "The clause reads" not in line and "Our restatement of " in line
    checked, guard = review(draft, request.verdicts, request.passages)
    assert guard.status == "passed", guard.notes
    assert all(c.verified for c in checked.citations)


@pytest.mark.parametrize(("policy", "rule"), [(p, r) for p, r in _rules() if r.near_miss],
                         ids=[f"{p}/{r.id}@{r.effective_from or ''}" for p, r in _rules()
                              if r.near_miss])
def test_a_near_miss_is_quoted_by_its_operative_sentence(policy: str, rule: Rule) -> None:
    draft = compose_offline(_request(policy, rule, near_miss=True, question=_PULL))
    quoted = [c.quote for c in draft.citations]
    assert quoted and any(_normal(p) in _normal(quoted[0]) for p in rule.quote), quoted


def test_a_rule_covering_two_sentences_quotes_the_one_the_question_is_about() -> None:
    """5-1-c covers social scoring and predicting offences: a 5(1)(d) case gets 5(1)(d)."""
    policy, rule = next((p, r) for p, r in _rules() if r.id == "5-1-c")
    predicting = compose_offline(_request(
        policy, rule, near_miss=False,
        question="Can police rank residents by their predicted risk of committing an offence "
                 "from their profiles?"))
    assert [c.chunk_id for c in predicting.citations] == ["eu-ai-act-art5#5-1-d"]
    assert "commit a criminal offence" in predicting.citations[0].quote
    scoring = compose_offline(_request(
        policy, rule, near_miss=False,
        question="Can a city give residents a social score from their behaviour and cut "
                 "benefits for low scores?"))
    assert [c.chunk_id for c in scoring.citations] == ["eu-ai-act-art5#5-1-c"]
    assert "social score" in scoring.citations[0].quote
