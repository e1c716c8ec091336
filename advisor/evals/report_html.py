"""The HTML report: one self-contained page (inline CSS and SVG, no external assets)."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from advisor.evals.baseline import Comparison
from advisor.evals.metrics import LATENCY_METRICS, QUALITY_METRICS
from advisor.evals.runner import EvalRun

_TEMPLATE = "report.html"
_BAR_W = 260
_ROW_H = 24
_LABEL_W = 150


def _colour(rate: float | None) -> str:
    if rate is None:
        return "#9aa5b1"
    if rate >= 0.9:
        return "#2f9e44"
    if rate >= 0.7:
        return "#f08c00"
    return "#e03131"


def bar_chart(rows: list[tuple[str, int, int, float | None]]) -> Markup:
    """Inline SVG: one horizontal bar per row (label, passed, total, secondary rate)."""
    height = _ROW_H * len(rows) + 8
    width = _LABEL_W + _BAR_W + 110
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" class="chart">']
    for i, (label, passed, total, second) in enumerate(rows):
        y = 4 + i * _ROW_H
        rate = passed / total if total else None
        w = int(_BAR_W * (rate or 0))
        parts.append(f'<text x="{_LABEL_W - 8}" y="{y + 15}" text-anchor="end" '
                     f'class="lbl">{escape(label)}</text>')
        parts.append(f'<rect x="{_LABEL_W}" y="{y + 3}" width="{_BAR_W}" height="16" rx="3" '
                     'fill="#edf0f3"/>')
        parts.append(f'<rect x="{_LABEL_W}" y="{y + 3}" width="{w}" height="16" rx="3" '
                     f'fill="{_colour(rate)}"><title>{escape(label)}: {passed}/{total} '
                     'passed</title></rect>')
        if second is not None:
            parts.append(f'<rect x="{_LABEL_W}" y="{y + 19}" width="{int(_BAR_W * second)}" '
                         'height="3" fill="#364fc7" opacity="0.55"/>')
        pct = f"{100 * rate:.0f}%" if rate is not None else "-"
        parts.append(f'<text x="{_LABEL_W + _BAR_W + 8}" y="{y + 15}" class="val">'
                     f'{passed}/{total} · {pct}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _tag_rows(summary: dict[str, Any]) -> list[tuple[str, int, int, float | None]]:
    by_tag: dict[str, dict[str, Any]] = summary.get("by_tag") or {}
    return [(tag, v["passed"], v["cases"], v.get("verdict_accuracy"))
            for tag, v in sorted(by_tag.items(), key=lambda kv: (-kv[1]["cases"], kv[0]))]


def _pct(v: object) -> str:
    return f"{100 * v:.1f}%" if isinstance(v, (int, float)) else "-"


def render_html(run: EvalRun, comparison: Comparison | None = None) -> str:
    """The report page as a string."""
    env = Environment(loader=FileSystemLoader(Path(__file__).parent),
                      autoescape=select_autoescape(["html"]), trim_blocks=True,
                      lstrip_blocks=True)
    env.filters["pct"] = _pct
    llm = run.llm_by_id()
    rows = []
    for r in run.results:
        lr = llm.get(r.id)
        rows.append({"r": r, "llm": lr})
    metrics = [(m, run.summary.get(m), (run.llm_summary or {}).get(m))
               for m in QUALITY_METRICS]
    latency = [(m, run.summary.get(m), (run.llm_summary or {}).get(m))
               for m in LATENCY_METRICS]
    failures = [row for row in rows if not row["r"].passed  # type: ignore[union-attr]
                or (row["llm"] is not None and not row["llm"].passed)]  # type: ignore[union-attr]
    failures.sort(key=lambda row: not row["r"].must_pass)  # type: ignore[union-attr]
    tag_rows = _tag_rows(run.summary)
    if run.llm_summary:
        charts = [bar_chart(tag_rows), bar_chart(_tag_rows(run.llm_summary))]
    else:  # two columns of the offline tags, so the page stays short
        half = (len(tag_rows) + 1) // 2
        charts = [bar_chart(tag_rows[:half]), bar_chart(tag_rows[half:])]
    template = env.get_template(_TEMPLATE)
    return template.render(
        run=run, s=run.summary, ls=run.llm_summary, rows=rows, failures=failures,
        metrics=metrics, latency=latency, cmp=comparison,
        charts=charts,
    )


def write_html(run: EvalRun, path: Path, comparison: Comparison | None = None) -> None:
    """Write the HTML report to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(run, comparison), encoding="utf-8")
