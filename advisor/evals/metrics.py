"""Deterministic evaluators: one case's checks, and the suite's metrics.

Every check reads the answer JSON (``Answer.model_dump(mode="json")``), never the
pipeline's internals, so the same evaluators judge the offline and the LLM composer.
Quotes are re-verified against the corpus text, not taken from the ``verified`` flag.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from advisor.evals.cases import EvalCase
from advisor.schema import POLICY_IDS

#: Metrics where higher is better; the regression gate compares each with the baseline.
QUALITY_METRICS: tuple[str, ...] = (
    "pass_rate", "verdict_accuracy", "policy_verdict_accuracy",
    *(f"policy_accuracy.{p}" for p in POLICY_IDS),
    "citation_check_rate", "answer_check_rate", "quote_verification_rate",
    "hit_at_k", "mrr", "abstention_rate", "fact_accuracy",
)
LATENCY_METRICS: tuple[str, ...] = ("latency_p50_ms", "latency_p95_ms")

#: Retrieval hit@k counts a gold chunk among the first K citations of the answer.
HIT_K = 5
#: Where a gold chunk's rank is read from (said in every report).
RANK_SOURCE = "answer citations, in citation order"


def _squash(text: str) -> str:
    """Collapse whitespace runs: the project's definition of verbatim (DESIGN.md guardrail)."""
    return " ".join(text.split())


class QuoteChecker:
    """Re-verifies citation quotes against the corpus text, independently of the answer."""

    def __init__(self, documents: Mapping[str, str], chunks: Mapping[str, str] | None = None):
        self._documents = dict(documents)
        self._chunks = dict(chunks or {})

    @classmethod
    def from_corpus(cls, corpus: Path) -> QuoteChecker:
        """Read and chunk the corpus folder the way ingest does (no index involved)."""
        from advisor.retrieval.chunking import chunk_document
        from advisor.retrieval.documents import load_corpus

        docs = load_corpus(corpus)
        chunks = {c.chunk_id: c.text for d in docs for c in chunk_document(d)}
        return cls({d.id: d.text for d in docs}, chunks)

    def check(self, citation: Mapping[str, Any]) -> str | None:
        """None when the quote is verbatim in its chunk, else why not."""
        quote = str(citation.get("quote") or "")
        chunk_id = str(citation.get("chunk_id") or "")
        doc_id = str(citation.get("document") or chunk_id.split("#", 1)[0])
        if not quote.strip():
            return f"[{citation.get('n')}] {chunk_id}: empty quote"
        chunk = self._chunks.get(chunk_id)
        text = self._documents.get(doc_id)
        if chunk is None and text is None:
            return f"[{citation.get('n')}] {chunk_id}: no such chunk or document in the corpus"
        squashed = _squash(quote)
        if chunk is not None and squashed not in _squash(chunk):
            return f"[{citation.get('n')}] {chunk_id}: quote is not verbatim in the chunk"
        if text is not None:
            start, end = citation.get("start"), citation.get("end")
            if isinstance(start, int) and isinstance(end, int):
                if _squash(text[start:end]) != squashed:
                    return (f"[{citation.get('n')}] {chunk_id}: offsets {start}:{end} do not "
                            "hold the quote in the document")
            elif squashed not in _squash(text):
                return f"[{citation.get('n')}] {chunk_id}: quote is not in the document"
        return None


@dataclass
class CaseResult:
    """One case run through one composer: what was expected, what came back, what failed."""

    id: str
    suite: str
    tags: list[str]
    must_pass: bool
    question: str
    reason: str
    passed: bool = False
    failures: list[str] = field(default_factory=list)
    expected_verdict: str | None = None
    verdict: str | None = None
    expected_policies: dict[str, str] = field(default_factory=dict)
    policies: dict[str, str] = field(default_factory=dict)
    answer: str = ""
    cited: list[str] = field(default_factory=list)
    latency_ms: float = 0.0
    error: str | None = None
    composer: str = ""
    guardrail: str = ""
    guardrail_notes: list[str] = field(default_factory=list)
    # counters behind the metrics
    verdict_ok: bool | None = None
    policy_ok: dict[str, bool] = field(default_factory=dict)
    cite_checks: list[int] = field(default_factory=lambda: [0, 0])  # [passed, total]
    answer_checks: list[int] = field(default_factory=lambda: [0, 0])
    quotes: list[int] = field(default_factory=lambda: [0, 0])  # [verified, total]
    gold_rank: int | None = None  # None: no gold ids; 0: no gold chunk cited
    abstained: bool | None = None  # only for out_of_scope cases
    fact_checks: list[int] = field(default_factory=lambda: [0, 0])
    #: citations by whose words they quote: official, restatement, reporting, user
    provenance: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The result as JSON-ready data."""
        return asdict(self)


def _norm(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip().lower()


def _fact_value(answer: Mapping[str, Any], name: str) -> object:
    if name == "as_of":
        return answer.get("as_of")
    facts = answer.get("facts") or {}
    fact = facts.get(name)
    if isinstance(fact, Mapping):
        return fact.get("value", "unknown")
    return fact if fact is not None else "unknown"


def _count(counter: list[int], ok: bool) -> None:
    counter[1] += 1
    counter[0] += int(ok)


def check_case(case: EvalCase, answer: Mapping[str, Any], quotes: QuoteChecker,
               *, latency_ms: float = 0.0) -> CaseResult:
    """Run every check a case asks for against one answer JSON."""
    exp = case.expect
    res = _blank(case, latency_ms)
    fails = res.failures
    res.verdict = answer.get("verdict")
    res.answer = str(answer.get("answer") or "")
    res.composer = str(answer.get("composer") or "")
    guard = answer.get("guardrail") or {}
    res.guardrail = str(guard.get("status") or "")
    res.guardrail_notes = [str(n) for n in guard.get("notes") or []]
    res.policies = {str(p.get("policy")): str(p.get("verdict"))
                    for p in answer.get("policies") or []}
    citations: list[Mapping[str, Any]] = list(answer.get("citations") or [])
    res.cited = [str(c.get("chunk_id")) for c in citations]

    if exp.verdict is not None:
        res.verdict_ok = res.verdict == exp.verdict
        if not res.verdict_ok:
            fails.append(f"verdict: expected {exp.verdict}, got {res.verdict}")
    for policy, want in exp.policies.items():
        # A policy left out of the answer does not govern the case: not_applicable.
        got = res.policies.get(policy, "not_applicable")
        res.policy_ok[policy] = got == want
        if got != want:
            fails.append(f"{policy}: expected {want}, got {got}")

    quoted = [str(c.get("quote") or "").lower() for c in citations]
    for phrase in exp.cites:
        ok = any(phrase.lower() in q for q in quoted)
        _count(res.cite_checks, ok)
        if not ok:
            fails.append(f"cites: no citation quote contains {phrase!r}")
    for phrase in exp.not_cites:
        ok = not any(phrase.lower() in q for q in quoted)
        _count(res.cite_checks, ok)
        if not ok:
            fails.append(f"not_cites: a citation quote contains {phrase!r}")

    text = res.answer.lower()
    for phrase in exp.answer_contains:
        ok = phrase.lower() in text
        _count(res.answer_checks, ok)
        if not ok:
            fails.append(f"answer_contains: answer lacks {phrase!r}")
    for phrase in exp.answer_not_contains:
        ok = phrase.lower() not in text
        _count(res.answer_checks, ok)
        if not ok:
            fails.append(f"answer_not_contains: answer says {phrase!r}")

    for c in citations:
        whose = str(c.get("provenance") or "undeclared")
        res.provenance[whose] = res.provenance.get(whose, 0) + 1
        why = quotes.check(c)
        _count(res.quotes, why is None)
        if why is not None:
            fails.append(f"quote: {why}")

    if exp.gold:
        gold = set(exp.gold)
        res.gold_rank = next((i for i, cid in enumerate(res.cited, 1) if cid in gold), 0)

    if exp.verdict == "out_of_scope":
        res.abstained = not citations
        if citations:
            fails.append(f"abstention: out_of_scope question cited {len(citations)} passages")

    for fact_name, fact_want in exp.facts.items():
        fact_got = _fact_value(answer, fact_name)
        ok = _norm(fact_got) == _norm(fact_want)
        _count(res.fact_checks, ok)
        if not ok:
            fails.append(f"fact {fact_name}: expected {_norm(fact_want)}, got {_norm(fact_got)}")

    res.passed = not fails
    return res


def _blank(case: EvalCase, latency_ms: float) -> CaseResult:
    return CaseResult(
        id=case.id, suite=case.suite, tags=list(case.tags), must_pass=case.must_pass,
        question=case.question, reason=case.reason, latency_ms=round(latency_ms, 2),
        expected_verdict=case.expect.verdict, expected_policies=dict(case.expect.policies),
    )


def error_result(case: EvalCase, error: str, *, latency_ms: float = 0.0) -> CaseResult:
    """A case whose question raised instead of answering: it fails every check."""
    res = _blank(case, latency_ms)
    res.error = error
    res.failures.append(f"error: {error}")
    if case.expect.verdict is not None:
        res.verdict_ok = False
    res.policy_ok = {p: False for p in case.expect.policies}
    if case.expect.gold:
        res.gold_rank = 0
    n_cites = len(case.expect.cites) + len(case.expect.not_cites)
    n_answer = len(case.expect.answer_contains) + len(case.expect.answer_not_contains)
    res.cite_checks = [0, n_cites]
    res.answer_checks = [0, n_answer]
    res.fact_checks = [0, len(case.expect.facts)]
    if case.expect.verdict == "out_of_scope":
        res.abstained = False
    return res


def _rate(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0..100) by linear interpolation; None for no values."""
    if not values:
        return None
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return round(xs[lo] + (xs[hi] - xs[lo]) * (pos - lo), 2)


def _pair(results: Iterable[CaseResult], attr: str) -> tuple[int, int]:
    num = den = 0
    for r in results:
        a, b = getattr(r, attr)
        num, den = num + a, den + b
    return num, den


def summarize(results: Sequence[CaseResult]) -> dict[str, Any]:
    """Every metric of a run, plus a breakdown per tag (None where nothing was measured)."""
    rs = list(results)
    passed = sum(r.passed for r in rs)
    verdicts = [r.verdict_ok for r in rs if r.verdict_ok is not None]
    pol_all = [ok for r in rs for ok in r.policy_ok.values()]
    per_policy = {p: [r.policy_ok[p] for r in rs if p in r.policy_ok] for p in POLICY_IDS}
    ranks = [r.gold_rank for r in rs if r.gold_rank is not None]
    abst = [r.abstained for r in rs if r.abstained is not None]
    lat = [r.latency_ms for r in rs if r.error is None]
    must = [r for r in rs if r.must_pass]
    summary: dict[str, Any] = {
        "cases": len(rs),
        "passed": passed,
        "failed": len(rs) - passed,
        "pass_rate": _rate(passed, len(rs)),
        "must_pass": len(must),
        "must_pass_failed": sorted(r.id for r in must if not r.passed),
        "errors": sum(r.error is not None for r in rs),
        "verdict_accuracy": _rate(sum(verdicts), len(verdicts)),
        "policy_verdict_accuracy": _rate(sum(pol_all), len(pol_all)),
        "citation_check_rate": _rate(*_pair(rs, "cite_checks")),
        "answer_check_rate": _rate(*_pair(rs, "answer_checks")),
        "quote_verification_rate": _rate(*_pair(rs, "quotes")),
        "quotes": _pair(rs, "quotes")[1],
        "hit_at_k": _rate(sum(0 < k <= HIT_K for k in ranks), len(ranks)),
        "k": HIT_K,
        "mrr": round(sum(1 / k for k in ranks if k) / len(ranks), 4) if ranks else None,
        "rank_source": RANK_SOURCE,
        "abstention_rate": _rate(sum(abst), len(abst)),
        "fact_accuracy": _rate(*_pair(rs, "fact_checks")),
        "latency_p50_ms": percentile(lat, 50),
        "latency_p95_ms": percentile(lat, 95),
    }
    for p, oks in per_policy.items():
        summary[f"policy_accuracy.{p}"] = _rate(sum(oks), len(oks))
    summary["citations_by_provenance"] = _provenance_shares(rs)
    summary["by_tag"] = _by_tag(rs)
    return summary


#: The order the report lists citation provenances in.
PROVENANCES = ("official", "restatement", "reporting", "user", "undeclared")


def _provenance_shares(rs: Sequence[CaseResult]) -> dict[str, float | None]:
    """The share of all citations quoting each provenance's words (None: no citations)."""
    counts = {p: sum(r.provenance.get(p, 0) for r in rs) for p in PROVENANCES}
    total = sum(counts.values())
    return {p: _rate(n, total) for p, n in counts.items() if n or p != "undeclared"}


def _by_tag(rs: Sequence[CaseResult]) -> dict[str, dict[str, Any]]:
    tags = sorted({t for r in rs for t in r.tags})
    out: dict[str, dict[str, Any]] = {}
    for tag in tags:
        sub = [r for r in rs if tag in r.tags]
        verdicts = [r.verdict_ok for r in sub if r.verdict_ok is not None]
        n_pass = sum(r.passed for r in sub)
        out[tag] = {
            "cases": len(sub), "passed": n_pass, "pass_rate": _rate(n_pass, len(sub)),
            "verdict_accuracy": _rate(sum(verdicts), len(verdicts)),
        }
    return out
