from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from advisor.evals.baseline import (
    baseline_data,
    compare,
    load_baseline,
    print_comparison,
    write_baseline,
)
from advisor.evals.cases import CaseFileError, EvalCase
from advisor.evals.junit import junit_xml
from advisor.evals.report_html import render_html
from advisor.evals.runner import EvalRun, run_cases
from tests.evals.helpers import answer, checker, cite


def _cases() -> list[EvalCase]:
    raw = [
        {"id": "a", "question": "qa", "reason": "r", "must_pass": True, "tags": ["us"],
         "expect": {"verdict": "prohibited", "policies": {"azure-openai-coc": "prohibited"},
                    "gold": ["coc#ID-1"]}},
        {"id": "b", "question": "qb", "reason": "r", "tags": ["eu"],
         "expect": {"policies": {"eu-ai-act": "conditional"}}},
        {"id": "c", "question": "qc", "reason": "r", "tags": ["eu", "oos"],
         "expect": {"verdict": "out_of_scope"}},
    ]
    return [EvalCase.model_validate(r).located("suite.yaml", i + 1) for i, r in enumerate(raw)]


def _asker(answers: dict[str, Any]) -> Any:
    calls: list[tuple[str, Any, Any]] = []

    def ask(question: str, history: Any, as_of: dt.date | None) -> Any:
        calls.append((question, history, as_of))
        got = answers[question]
        if isinstance(got, Exception):
            raise got
        return got

    ask.calls = calls  # type: ignore[attr-defined]
    return ask


GOOD = {
    "qa": answer("prohibited", {"azure-openai-coc": "prohibited"},
                 (cite(1, "coc#ID-1", "identify or verify individuals"),),
                 text="Prohibited by ID-1 [1]."),
    "qb": answer("conditional", {"eu-ai-act": "conditional"}),
    "qc": answer("out_of_scope"),
}


def _run(answers: dict[str, Any], llm: dict[str, Any] | None = None) -> EvalRun:
    return run_cases(_cases(), _asker(answers), checker(),
                     llm_ask=_asker(llm) if llm is not None else None, progress=False)


def test_run_cases_checks_each_case_and_survives_errors() -> None:
    answers = dict(GOOD, qb=RuntimeError("boom"))
    run = _run(answers)
    assert [r.passed for r in run.results] == [True, False, True]
    assert run.results[1].error == "RuntimeError: boom"
    assert run.summary["passed"] == 2 and run.summary["errors"] == 1
    assert run.summary["hit_at_k"] == 1.0 and run.summary["quote_verification_rate"] == 1.0


def test_gate_passes_against_own_baseline_and_fails_on_regression(tmp_path: Path) -> None:
    base_run = _run(dict(GOOD, qb=answer("prohibited", {"eu-ai-act": "prohibited"})))
    path = tmp_path / "baseline.json"
    write_baseline(base_run, path)
    baseline = load_baseline(path)
    assert baseline is not None and baseline["cases"]["b"] == {"passed": False,
                                                               "verdict": "prohibited"}
    # same outcome plus a fix: the gate holds, b is newly passing
    better = compare(_run(GOOD), baseline)
    assert better.ok and better.newly_passing == ["b"] and not better.newly_failing
    # a must_pass case breaks: newly failing, must_pass failing, metrics down
    broken = dict(GOOD, qa=answer("not_prohibited", {"azure-openai-coc": "not_prohibited"}))
    run = _run(broken)
    cmp = compare(run, baseline)
    assert not cmp.ok
    assert cmp.newly_failing == ["a"] and cmp.must_pass_failed == ["a"]
    regressed = {m.name for m in cmp.regressed_metrics}
    assert {"verdict_accuracy", "policy_accuracy.azure-openai-coc", "hit_at_k"} <= regressed
    assert any("must_pass" in r for r in cmp.reasons())
    console = Console(record=True, width=160)
    print_comparison(cmp, run, console)
    out = console.export_text()
    assert "newly failing" in out and "regressed" in out
    assert "verdict: expected prohibited, got not_prohibited" in out


def test_latency_gets_a_tolerance(tmp_path: Path) -> None:
    run = _run(GOOD)
    data = baseline_data(run)
    data["summary"]["latency_p50_ms"] = 1.0
    data["summary"]["latency_p95_ms"] = 1.0
    run.summary["latency_p50_ms"] = 52.0  # within 3 x 1 + 50
    run.summary["latency_p95_ms"] = 54.0  # beyond
    cmp = compare(run, data)
    assert [m.name for m in cmp.regressed_metrics] == ["latency_p95_ms"]


def test_without_baseline_only_must_pass_gates() -> None:
    cmp = compare(_run(dict(GOOD, qb=answer("prohibited"))), None)
    assert cmp.ok and not cmp.has_baseline
    cmp = compare(_run(dict(GOOD, qa=answer("conditional"))), None)
    assert not cmp.ok and cmp.must_pass_failed == ["a"]


def test_a_different_case_set_skips_the_metric_gate() -> None:
    data = baseline_data(_run(GOOD))
    data["cases"]["z"] = {"passed": True, "verdict": "prohibited"}
    cmp = compare(_run(GOOD), data)
    assert cmp.missing_cases == ["z"] and not cmp.metrics and cmp.ok
    assert "case set differs" in cmp.notes[0]


def test_unreadable_baseline(tmp_path: Path) -> None:
    assert load_baseline(tmp_path / "none.json") is None
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(CaseFileError, match="--update-baseline"):
        load_baseline(bad)


def test_reports_json_junit_html_with_llm_columns() -> None:
    llm = dict(GOOD, qa=answer("prohibited", {"azure-openai-coc": "prohibited"},
                               text="LLM text", guardrail="overridden", composer="llm:m"))
    llm["qc"] = answer("prohibited", guardrail="passed", composer="llm:m")
    run = _run(dict(GOOD, qb=answer("prohibited", {"eu-ai-act": "prohibited"},
                                    text="Offline <b>answer</b>")), llm)
    cmp = compare(run, None)

    data = json.loads(json.dumps(run.to_json()))
    assert data["summary"]["cases"] == 3 and data["summary"]["passed"] == 2
    row = {c["id"]: c for c in data["cases"]}
    assert row["b"]["failures"] == ["eu-ai-act: expected conditional, got prohibited"]
    assert row["a"]["llm"]["guardrail"] == "overridden" and row["a"]["llm"]["passed"]
    assert row["c"]["llm"]["passed"] is False
    assert data["llm_summary"]["guardrail"] == {"overridden": 1, "passed": 2}
    assert data["rank_source"].startswith("answer citations")

    root = ET.fromstring(junit_xml(run).split("\n", 1)[1])
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["advisor-eval", "advisor-eval-llm"]
    assert suites[0].get("tests") == "3" and suites[0].get("failures") == "1"
    failed = [tc for tc in suites[0].iter("testcase") if tc.find("failure") is not None]
    assert [tc.get("name") for tc in failed] == ["b"]
    assert "Offline <b>answer</b>" in (failed[0].find("failure").text or "")  # type: ignore[union-attr]

    html = render_html(run, cmp)
    assert "2/3" in html and "verdict accuracy" in html and "<svg" in html
    assert "Offline &lt;b&gt;answer&lt;/b&gt;" in html  # escaped, not injected
    assert "eu-ai-act: expected conditional, got prohibited" in html
    assert "guardrail overridden" in html and "LLM composer passed" in html
    for external in ("<link", "<script src", "src=\"http", "url(http", "@import"):
        assert external not in html


def test_a_case_with_facts_is_asked_with_them_through_a_real_advisor(
        advisor_home: Path) -> None:
    from advisor.config import load_settings
    from advisor.evals.runner import run_suite

    lobby = "Can a European agency use this on a fixed lobby camera?"
    confirmed = {"actor": "law_enforcement", "timing": "real_time", "public_access": "yes"}
    cases = [
        EvalCase.model_validate({
            "id": "confirmed", "question": lobby, "reason": "exact facts",
            "facts": confirmed, "expect": {"policies": {"eu-ai-act": "prohibited"}}}),
        EvalCase.model_validate({
            "id": "read", "question": lobby, "reason": "facts read from the words",
            "expect": {"policies": {"eu-ai-act": "prohibited"}}}),
    ]
    run = run_suite(load_settings(), cases, progress=False)
    passed = {r.id: r.passed for r in run.results}
    assert passed == {"confirmed": True, "read": False}, \
        "the same question passes only with the confirmed facts"


def test_cases_asked_in_worker_processes_get_the_answers_asked_here(
        advisor_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from advisor.config import load_settings
    from advisor.evals import runner
    from advisor.evals.cases import load_cases

    cases = load_cases([Path(__file__).parents[2] / "evals" / "cases" / "worked-examples.yaml"])[:6]
    assert len(cases) == 6
    pools: list[int] = []
    in_workers = runner._in_workers

    def counted(settings: Any, asked: Any, jobs: int) -> Any:
        pools.append(jobs)
        return in_workers(settings, asked, jobs)

    monkeypatch.setattr(runner, "_in_workers", counted)
    monkeypatch.setattr(runner, "_MIN_CASES_PER_JOB", 1)  # six cases are enough here
    settings = load_settings()
    here = runner.run_suite(settings, cases, progress=False, jobs=1)
    assert pools == []
    spread = runner.run_suite(settings, cases, progress=False, jobs=2)
    assert pools == [2], "the second run went through two worker processes"

    def seen(run: EvalRun) -> list[tuple[Any, ...]]:
        return [(r.id, r.passed, r.verdict, r.policies, r.failures) for r in run.results]

    assert seen(spread) == seen(here)
    assert spread.corpus_version and spread.corpus_version == here.corpus_version
