"""``advisor eval``: run the suite, write the reports, apply the regression gate."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from advisor.config import load_settings
from advisor.errors import AdvisorError, InputError
from advisor.evals.baseline import compare, load_baseline, print_comparison, write_baseline
from advisor.evals.cases import DEFAULT_BASELINE, load_cases
from advisor.evals.junit import write_junit
from advisor.evals.report_html import write_html
from advisor.evals.runner import EvalRun, default_jobs, run_suite

#: Exit codes: the gate held; the gate failed; the eval could not run.
EXIT_OK, EXIT_REGRESSION, EXIT_ERROR = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="advisor eval",
        description="Run the regression eval suite and gate on the committed baseline.")
    p.add_argument("--cases", nargs="+", type=Path, metavar="PATH",
                   help="case files or folders (default: evals/cases/)")
    p.add_argument("--json", type=Path, metavar="OUT", help="write the JSON report")
    p.add_argument("--html", type=Path, metavar="OUT", help="write the HTML report")
    p.add_argument("--junit", type=Path, metavar="OUT", help="write a JUnit XML report")
    p.add_argument("--baseline", type=Path, metavar="FILE",
                   help="baseline to gate on (default: evals/baseline.json for the shipped "
                        "suite; none for other --cases)")
    p.add_argument("--update-baseline", action="store_true",
                   help="rewrite the baseline from this run")
    p.add_argument("--tags", nargs="+", metavar="T", default=[],
                   help="run only cases with one of these tags")
    p.add_argument("--llm", action="store_true",
                   help="also run every case through the LLM composer (ADVISOR_LLM_*)")
    p.add_argument("--from-feedback", type=Path, metavar="OUT.yaml",
                   help="write draft cases from thumbs-down feedback, then stop")
    p.add_argument("--jobs", type=int, metavar="N", default=None,
                   help="worker processes for an offline run (default: the CPUs this process "
                        "may use, at most 4; 1 = in this process)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    return p


def _pct(v: object) -> str:
    return f"{100 * v:.1f}%" if isinstance(v, (int, float)) else "-"


def _print_summary(run: EvalRun, console: Console) -> None:
    s, ls = run.summary, run.llm_summary
    table = Table(title=f"advisor eval: {s['passed']}/{s['cases']} passed",
                  caption=f"{run.duration_s} s, corpus {run.corpus_version or '?'}")
    table.add_column("metric")
    table.add_column("offline", justify="right")
    if ls is not None:
        table.add_column("llm", justify="right")
    rows = [("cases passed", f"{s['passed']}/{s['cases']}",
             f"{ls['passed']}/{ls['cases']}" if ls else "")]
    for name in ("verdict_accuracy", "policy_verdict_accuracy", "citation_check_rate",
                 "answer_check_rate", "quote_verification_rate", "hit_at_k", "mrr",
                 "abstention_rate", "fact_accuracy"):
        label = f"hit@{s['k']}" if name == "hit_at_k" else name
        if name == "mrr":
            rows.append((label, str(s.get(name) if s.get(name) is not None else "-"),
                         str(ls.get(name)) if ls else ""))
        else:
            rows.append((label, _pct(s.get(name)), _pct(ls.get(name)) if ls else ""))
    shares, llm_shares = s.get("citations_by_provenance") or {}, (ls or {}).get(
        "citations_by_provenance") or {}
    for whose, share in shares.items():  # whose words the citations quote
        rows.append((f"citations: {whose}", _pct(share), _pct(llm_shares.get(whose)) if ls else ""))
    for name in ("latency_p50_ms", "latency_p95_ms"):
        rows.append((name, str(s.get(name)), str(ls.get(name)) if ls else ""))
    if ls is not None:
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(ls["guardrail"].items()))
        rows.append(("llm guardrail", "", statuses))
    for row in rows:
        table.add_row(*(row if ls is not None else row[:2]))
    console.print(table)
    failing = [r for r in run.results if not r.passed]
    if failing:
        ft = Table(title=f"Failing cases ({len(failing)})")
        ft.add_column("case", style="bold", overflow="fold")
        ft.add_column("expected -> got")
        ft.add_column("first failure", overflow="fold", max_width=80)
        for r in failing:
            name = f"{r.id} [blue](must)[/]" if r.must_pass else r.id
            ft.add_row(name, f"{r.expected_verdict or '-'} -> {r.verdict or '-'}",
                       r.failures[0])
        console.print(ft)


def _run(args: argparse.Namespace, console: Console) -> int:
    settings = load_settings()
    if args.from_feedback is not None:
        from advisor.evals.drafts import feedback_to_cases

        n = feedback_to_cases(settings, args.from_feedback)
        console.print(f"wrote {n} draft case(s) to {args.from_feedback}; review them, then "
                      "move them into evals/cases/")
        return EXIT_OK
    if args.update_baseline and args.tags:
        raise InputError("--update-baseline records the whole suite; drop --tags")
    cases = load_cases(args.cases, tags=args.tags)
    if not cases:
        raise InputError("no cases to run; check --cases and --tags")
    baseline_path: Path | None = args.baseline
    if baseline_path is None and not args.cases and not args.tags:
        baseline_path = DEFAULT_BASELINE
    if args.jobs is not None and args.jobs < 1:
        raise InputError("--jobs needs a whole number of 1 or more")
    run = run_suite(settings, cases, llm=args.llm, progress=not args.no_progress,
                    console=Console(stderr=True), jobs=args.jobs or default_jobs())
    target = baseline_path or DEFAULT_BASELINE
    compare_with = target if args.update_baseline else baseline_path
    baseline = load_baseline(compare_with) if compare_with is not None else None
    cmp = compare(run, baseline)  # on --update-baseline: what the rewrite changes
    _print_summary(run, console)
    print_comparison(cmp, run, console)
    if args.json is not None:
        data = run.to_json()
        data["gate"] = cmp.to_json()
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    if args.junit is not None:
        write_junit(run, args.junit)
    if args.html is not None:
        write_html(run, args.html, cmp)
    if args.update_baseline:
        write_baseline(run, target)
        console.print(f"baseline rewritten: {target}")
        if not cmp.must_pass_failed:  # a deliberate rewrite accepts the metric changes
            return EXIT_OK
        console.print(f"[red]gate failed:[/] must_pass cases failing: "
                      f"{', '.join(cmp.must_pass_failed)}")
        return EXIT_REGRESSION
    if cmp.ok:
        console.print("[green]gate passed[/]")
        return EXIT_OK
    for reason in cmp.reasons():
        console.print(f"[red]gate failed:[/] {reason}")
    return EXIT_REGRESSION


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``advisor eval`` with ``argv`` (the arguments after "eval"); return the exit code."""
    try:
        args = _parser().parse_args(list(argv) if argv is not None else None)
    except SystemExit as exc:  # argparse has printed the usage line already
        return int(exc.code or 0)
    console = Console()
    if not console.is_terminal:  # CI logs and pipes: wide enough that tables stay one line
        console = Console(width=max(console.width, 140))
    try:
        return _run(args, console)
    except AdvisorError as exc:
        if args.debug:
            raise
        console.print(f"[red]error:[/] {exc}", highlight=False, soft_wrap=True)
        return EXIT_ERROR
