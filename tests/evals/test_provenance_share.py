"""The eval report's share of citations by provenance (whose words each quote is)."""

from __future__ import annotations

from advisor.evals.cases import EvalCase
from advisor.evals.metrics import check_case, summarize
from tests.evals.helpers import answer, checker, cite


def test_citations_are_counted_by_provenance_across_cases() -> None:
    quote = "Integrations must not be used to identify or verify individuals from faces."
    restated = cite(1, "coc#ID-1", quote).model_copy(update={"provenance": "restatement"})
    official = cite(2, "coc#ID-1", quote).model_copy(update={"provenance": "official"})
    undeclared = cite(1, "coc#ID-1", quote)
    case = EvalCase(id="a", question="q", reason="r")
    results = [
        check_case(case, answer(citations=(restated, official)), checker()),
        check_case(case, answer(citations=(restated, undeclared)), checker()),
    ]
    assert results[0].provenance == {"restatement": 1, "official": 1}
    shares = summarize(results)["citations_by_provenance"]
    assert shares == {"official": 0.25, "restatement": 0.5, "reporting": 0.0, "user": 0.0,
                      "undeclared": 0.25}
    assert summarize([])["citations_by_provenance"] == {
        "official": None, "restatement": None, "reporting": None, "user": None}
