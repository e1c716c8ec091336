from __future__ import annotations

from typing import Any

import pytest

from advisor.evals.cases import EvalCase
from advisor.evals.metrics import check_case, error_result, percentile, summarize
from tests.evals.helpers import DOC_TEXT, answer, checker, cite


def _case(**expect: Any) -> EvalCase:
    tags = expect.pop("tags", ["t"])
    return EvalCase.model_validate({"id": "c", "question": "q", "reason": "r",
                                    "expect": expect, "tags": tags})


def test_verdict_and_policy_checks() -> None:
    case = _case(verdict="prohibited",
                 policies={"azure-openai-coc": "prohibited", "eu-ai-act": "conditional"})
    good = check_case(case, answer("prohibited", {"azure-openai-coc": "prohibited",
                                                  "eu-ai-act": "conditional"}), checker())
    assert good.passed and good.verdict_ok and good.policy_ok == {
        "azure-openai-coc": True, "eu-ai-act": True}
    bad = check_case(case, answer("conditional", {"azure-openai-coc": "conditional"}), checker())
    assert not bad.passed and bad.verdict_ok is False
    assert bad.policy_ok == {"azure-openai-coc": False, "eu-ai-act": False}
    assert "verdict: expected prohibited, got conditional" in bad.failures
    assert "eu-ai-act: expected conditional, got not_applicable" in bad.failures


def test_absent_policy_counts_as_not_applicable() -> None:
    case = _case(policies={"eu-ai-act": "not_applicable"})
    assert check_case(case, answer(policies={"azure-openai-coc": "prohibited"}),
                      checker()).passed


def test_cites_and_not_cites_are_case_insensitive_on_quotes() -> None:
    c1 = cite(1, "coc#ID-1", "must not be used to identify or verify individuals")
    case = _case(cites=["IDENTIFY OR VERIFY"], not_cites=["mobile cameras"])
    res = check_case(case, answer(citations=(c1,)), checker())
    assert res.passed and res.cite_checks == [2, 2]
    c2 = cite(2, "coc#LE-2", "real-time facial recognition on mobile cameras")
    res = check_case(_case(cites=["gait"], not_cites=["Mobile Cameras"]),
                     answer(citations=(c1, c2)), checker())
    assert res.cite_checks == [0, 2]
    assert res.failures == ["cites: no citation quote contains 'gait'",
                            "not_cites: a citation quote contains 'Mobile Cameras'"]


def test_answer_contains_checks() -> None:
    case = _case(answer_contains=["limited access"], answer_not_contains=["is allowed"])
    assert check_case(case, answer(text="Use Azure AI Face under Limited Access."),
                      checker()).answer_checks == [2, 2]
    res = check_case(case, answer(text="This is allowed."), checker())
    assert res.answer_checks == [0, 2] and not res.passed


def test_quotes_are_reverified_not_trusted() -> None:
    honest = cite(1, "coc#ID-1", "identify or verify individuals")
    assert check_case(_case(), answer(citations=(honest,)), checker()).quotes == [1, 1]
    # flagged verified, but the words are not in the chunk
    forged = cite(1, "coc#ID-1", "may identify individuals freely", verified=True,
                  offsets=(0, 10))
    res = check_case(_case(), answer(citations=(forged,)), checker())
    assert res.quotes == [0, 1] and not res.passed
    assert "not verbatim" in res.failures[0]
    # right words, wrong chunk
    wrong_chunk = cite(1, "coc#LE-2", "identify or verify individuals")
    assert check_case(_case(), answer(citations=(wrong_chunk,)), checker()).quotes == [0, 1]
    # right words, offsets pointing elsewhere
    shifted = cite(1, "coc#ID-1", "identify or verify individuals", offsets=(0, 30))
    res = check_case(_case(), answer(citations=(shifted,)), checker())
    assert res.quotes == [0, 1] and "offsets" in res.failures[0]
    unknown = cite(1, "other#X", "identify", offsets=(0, 8))
    assert "no such chunk" in check_case(_case(), answer(citations=(unknown,)),
                                         checker()).failures[0]


def test_quote_whitespace_runs_may_differ() -> None:
    quote = "No law enforcement may use real-time facial recognition"
    start = DOC_TEXT.index(quote)
    squashed = cite(1, "coc#LE-2", quote.replace(" ", "  ", 1), offsets=(start, start +
                                                                         len(quote)))
    assert check_case(_case(), answer(citations=(squashed,)), checker()).quotes == [1, 1]


def test_gold_rank_hit_and_mrr() -> None:
    c1 = cite(1, "coc#ID-1", "identify or verify individuals")
    c2 = cite(2, "coc#LE-2", "mobile cameras")
    first = check_case(_case(gold=["coc#ID-1"]), answer(citations=(c1, c2)), checker())
    second = check_case(_case(gold=["coc#LE-2", "x#y"]), answer(citations=(c1, c2)), checker())
    miss = check_case(_case(gold=["x#y"]), answer(citations=(c1,)), checker())
    none = check_case(_case(), answer(citations=(c1,)), checker())
    assert (first.gold_rank, second.gold_rank, miss.gold_rank, none.gold_rank) == (1, 2, 0, None)
    assert miss.passed  # retrieval is a metric, not a case failure
    s = summarize([first, second, miss, none])
    assert s["hit_at_k"] == pytest.approx(2 / 3, abs=1e-4)
    assert s["mrr"] == pytest.approx((1 + 0.5 + 0) / 3, abs=1e-4)


def test_abstention_on_out_of_scope() -> None:
    case = _case(verdict="out_of_scope")
    quiet = check_case(case, answer("out_of_scope"), checker())
    chatty = check_case(case, answer("out_of_scope", citations=(
        cite(1, "coc#ID-1", "identify or verify individuals"),)), checker())
    assert quiet.passed and quiet.abstained is True
    assert not chatty.passed and chatty.abstained is False
    assert summarize([quiet, chatty])["abstention_rate"] == 0.5


def test_fact_accuracy_normalises_values() -> None:
    case = _case(facts={"actor": "us_police", "public_access": "yes", "as_of": "2025-06-01",
                        "camera": "fixed"})
    res = check_case(case, answer(facts={"actor": "us_police", "public_access": "yes",
                                         "camera": "body_worn"}), checker())
    assert res.fact_checks == [3, 4]
    assert res.failures == ["fact camera: expected fixed, got body_worn"]


def test_error_result_fails_every_expectation() -> None:
    case = _case(verdict="prohibited", policies={"eu-ai-act": "prohibited"}, cites=["x"],
                 gold=["a#b"], facts={"actor": "us_police"})
    res = error_result(case, "InputError: empty")
    assert not res.passed and res.failures == ["error: InputError: empty"]
    s = summarize([res])
    assert (s["verdict_accuracy"], s["policy_verdict_accuracy"], s["citation_check_rate"],
            s["hit_at_k"], s["fact_accuracy"], s["errors"]) == (0, 0, 0, 0, 0, 1)
    assert s["latency_p50_ms"] is None  # errors do not count towards latency


def test_summary_per_policy_per_tag_and_latency() -> None:
    ok = check_case(_case(policies={"eu-ai-act": "prohibited"}, tags=["eu", "x"]),
                    answer(policies={"eu-ai-act": "prohibited"}), checker(), latency_ms=10)
    bad = check_case(_case(policies={"eu-ai-act": "prohibited"}, tags=["eu"]),
                     answer(policies={"eu-ai-act": "conditional"}), checker(), latency_ms=30)
    s = summarize([ok, bad])
    assert s["cases"] == 2 and s["passed"] == 1 and s["pass_rate"] == 0.5
    assert s["policy_accuracy.eu-ai-act"] == 0.5
    assert s["policy_accuracy.azure-ai-face"] is None
    assert s["verdict_accuracy"] is None
    assert s["by_tag"]["eu"] == {"cases": 2, "passed": 1, "pass_rate": 0.5,
                                 "verdict_accuracy": None}
    assert s["by_tag"]["x"]["pass_rate"] == 1.0
    assert (s["latency_p50_ms"], s["latency_p95_ms"]) == (20.0, 29.0)


def test_percentile() -> None:
    assert percentile([], 50) is None
    assert percentile([5.0], 95) == 5.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
