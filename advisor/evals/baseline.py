"""The regression gate: a committed baseline, and what changed against it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from advisor.evals.cases import CaseFileError
from advisor.evals.metrics import LATENCY_METRICS, QUALITY_METRICS
from advisor.evals.runner import EvalRun

#: Machines differ: latency regresses only beyond ``base * FACTOR + SLACK_MS``.
LATENCY_FACTOR = 3.0
LATENCY_SLACK_MS = 50.0
_EPS = 1e-9


@dataclass
class MetricDelta:
    """One metric against the baseline."""

    name: str
    base: float | None
    now: float | None
    regressed: bool
    limit: float | None = None  # latency: the largest value still accepted

    @property
    def delta(self) -> float | None:
        """now - base, when both are known."""
        if self.base is None or self.now is None:
            return None
        return round(self.now - self.base, 4)


@dataclass
class Comparison:
    """What changed since the baseline, and whether the gate holds."""

    newly_failing: list[str] = field(default_factory=list)
    newly_passing: list[str] = field(default_factory=list)
    new_cases: list[str] = field(default_factory=list)
    missing_cases: list[str] = field(default_factory=list)
    metrics: list[MetricDelta] = field(default_factory=list)
    must_pass_failed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    has_baseline: bool = True

    @property
    def regressed_metrics(self) -> list[MetricDelta]:
        """Metrics worse than the baseline."""
        return [m for m in self.metrics if m.regressed]

    @property
    def ok(self) -> bool:
        """The gate: no must_pass failure, no newly failing case, no metric below baseline."""
        return not (self.must_pass_failed or self.newly_failing or self.regressed_metrics)

    def reasons(self) -> list[str]:
        """One line per reason the gate failed."""
        out = []
        if self.must_pass_failed:
            out.append(f"must_pass cases failing: {', '.join(self.must_pass_failed)}")
        if self.newly_failing:
            out.append(f"newly failing since the baseline: {', '.join(self.newly_failing)}")
        for m in self.regressed_metrics:
            out.append(f"{m.name} fell from {m.base} to {m.now}")
        return out

    def to_json(self) -> dict[str, Any]:
        """The comparison as JSON-ready data."""
        return {
            "ok": self.ok, "has_baseline": self.has_baseline, "reasons": self.reasons(),
            "newly_failing": self.newly_failing, "newly_passing": self.newly_passing,
            "new_cases": self.new_cases, "missing_cases": self.missing_cases,
            "must_pass_failed": self.must_pass_failed, "notes": self.notes,
            "metrics": [{"name": m.name, "base": m.base, "now": m.now, "delta": m.delta,
                         "regressed": m.regressed, "limit": m.limit} for m in self.metrics],
        }


def baseline_data(run: EvalRun) -> dict[str, Any]:
    """What the baseline file records of a run: case outcomes and the gated metrics."""
    return {
        "version": 1,
        "created": run.started,
        "corpus_version": run.corpus_version,
        "rank_source": run.summary.get("rank_source"),
        "summary": {k: run.summary.get(k) for k in (*QUALITY_METRICS, *LATENCY_METRICS)},
        "cases": {r.id: {"passed": r.passed, "verdict": r.verdict} for r in run.results},
    }


def write_baseline(run: EvalRun, path: Path) -> None:
    """Rewrite the baseline file from a run (only on --update-baseline)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(baseline_data(run), indent=2, sort_keys=True) + "\n",
                    encoding="utf-8")


def load_baseline(path: Path) -> dict[str, Any] | None:
    """Read a baseline file; None when it does not exist."""
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CaseFileError(f"{path}: the baseline is not readable JSON ({exc}); restore it "
                            "from git or rewrite it with --update-baseline") from exc
    if not isinstance(data, dict) or not isinstance(data.get("cases"), dict):
        raise CaseFileError(f"{path}: not a baseline file (no 'cases' mapping); rewrite it "
                            "with advisor eval --update-baseline")
    return data


def compare(run: EvalRun, baseline: dict[str, Any] | None) -> Comparison:
    """Compare a run with the baseline; without one only must_pass cases gate."""
    cmp = Comparison(must_pass_failed=list(run.summary.get("must_pass_failed") or []))
    if baseline is None:
        cmp.has_baseline = False
        cmp.notes.append("no baseline: only must_pass cases gate; write one with "
                         "--update-baseline")
        return cmp
    base_cases: dict[str, dict[str, Any]] = baseline["cases"]
    now = {r.id: r for r in run.results}
    for cid, r in now.items():
        before = base_cases.get(cid)
        if before is None:
            cmp.new_cases.append(cid)
        elif before.get("passed") and not r.passed:
            cmp.newly_failing.append(cid)
        elif not before.get("passed") and r.passed:
            cmp.newly_passing.append(cid)
    cmp.missing_cases = sorted(set(base_cases) - set(now))
    if cmp.new_cases or cmp.missing_cases:
        cmp.notes.append(f"case set differs from the baseline ({len(cmp.new_cases)} new, "
                         f"{len(cmp.missing_cases)} not run): metrics are not gated; run the "
                         "full suite with --update-baseline to record the new set")
        return cmp
    base_summary: dict[str, Any] = baseline.get("summary") or {}
    for name in QUALITY_METRICS:
        b, n = base_summary.get(name), run.summary.get(name)
        worse = b is not None and (n is None or n < b - _EPS)
        cmp.metrics.append(MetricDelta(name, b, n, worse))
    for name in LATENCY_METRICS:
        b, n = base_summary.get(name), run.summary.get(name)
        limit = round(b * LATENCY_FACTOR + LATENCY_SLACK_MS, 2) if b is not None else None
        worse = limit is not None and n is not None and n > limit
        cmp.metrics.append(MetricDelta(name, b, n, worse, limit))
    return cmp


def _fmt(v: float | None) -> str:
    return "-" if v is None else f"{v:g}"


def print_comparison(cmp: Comparison, run: EvalRun, console: Console) -> None:
    """Print what changed, case by case and metric by metric, as rich tables."""
    results = {r.id: r for r in run.results}
    changed = [(cid, "newly failing", "red") for cid in cmp.newly_failing]
    changed += [(cid, "newly passing", "green") for cid in cmp.newly_passing]
    changed += [(cid, "must_pass failing", "red") for cid in cmp.must_pass_failed
                if cid not in cmp.newly_failing]
    if changed:
        table = Table(title="Cases that changed", show_lines=False, expand=False)
        table.add_column("case", style="bold", overflow="fold")
        table.add_column("change")
        table.add_column("verdict (expected -> got)")
        table.add_column("first failure", overflow="fold", max_width=70)
        for cid, what, colour in changed:
            r = results[cid]
            table.add_row(cid, f"[{colour}]{what}[/]",
                          f"{r.expected_verdict or '-'} -> {r.verdict or '-'}",
                          r.failures[0] if r.failures else "")
        console.print(table)
    if cmp.metrics:
        table = Table(title="Metrics against the baseline")
        table.add_column("metric")
        table.add_column("baseline", justify="right")
        table.add_column("now", justify="right")
        table.add_column("delta", justify="right")
        table.add_column("")
        for m in cmp.metrics:
            if m.base is None and m.now is None:
                continue
            d = m.delta
            mark = "[red]regressed[/]" if m.regressed else ""
            if m.limit is not None and not m.regressed:
                mark = f"[dim]limit {m.limit:g}[/]"
            style = "red" if m.regressed else ("green" if d and d > 0 and
                                                m.limit is None else "")
            table.add_row(m.name, _fmt(m.base), _fmt(m.now),
                          f"[{style}]{_fmt(d)}[/]" if style else _fmt(d), mark)
        console.print(table)
    for note in cmp.notes:
        console.print(f"[yellow]note:[/] {note}")
