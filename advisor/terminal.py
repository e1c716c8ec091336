"""Terminal rendering for the CLI: rich tables and panels for answers, verdicts, passages."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.console import Console, Group
from rich.markdown import Markdown
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from advisor import quotes
from advisor.schema import Answer, Passage

VERDICT_STYLE = {
    "prohibited": "bold white on red",
    "conditional": "bold black on yellow",
    "not_prohibited": "bold white on green",
    "not_applicable": "black on grey70",
    "informational": "bold white on blue",
    "out_of_scope": "black on grey70",
}


def badge(verdict: str) -> Text:
    """A coloured label for a verdict."""
    return Text(f" {verdict.replace('_', ' ').upper()} ", style=VERDICT_STYLE.get(verdict, ""))


def verdict_table(answer: Answer) -> Table:
    """One row per policy: verdict, version, rules fired, near misses."""
    table = Table(title="Verdicts", show_lines=True, expand=True)
    table.add_column("Policy", no_wrap=True)
    table.add_column("Verdict", no_wrap=True)
    table.add_column("Version", no_wrap=True)
    table.add_column("Why")
    for policy in answer.policies:
        lines = [f"[b]{hit.rule}[/b] {hit.because}" for hit in policy.fired]
        lines += [f"[dim]near miss {m.rule}: {m.because}[/dim]" for m in policy.near_misses]
        lines += [f"[yellow]condition:[/yellow] {c}" for c in policy.conditions]
        if policy.reason and not lines:
            lines.append(f"[dim]{policy.reason}[/dim]")
        table.add_row(policy.policy, badge(policy.verdict), policy.version or "-",
                      Text.from_markup("\n".join(lines) or "-"))
    return table


def facts_table(answer: Answer) -> Table:
    """The facts understood, with the words that set each one."""
    table = Table(title="Facts understood", expand=True)
    table.add_column("Fact", no_wrap=True)
    table.add_column("Value", no_wrap=True)
    table.add_column("From")
    for name, fact in answer.facts.items():
        if fact.value in ("unknown", None) and not fact.source:
            continue
        source = fact.source or ""
        if fact.assumed:
            source = f"assumed ({source})" if source else "assumed (see Assumptions)"
        table.add_row(name, str(fact.value), source)
    return table


def render_answer(console: Console, answer: Answer, *, show_answer: bool = True) -> None:
    """Print an answer (or a check result) the way a reviewer reads it."""
    head = Text.assemble("Overall: ", badge(answer.verdict), f"   as of {answer.as_of}")
    console.print(head)
    if answer.policies and answer.verdict not in ("out_of_scope",):
        console.print(verdict_table(answer))
    if show_answer and answer.answer:
        console.print(Panel(Markdown(answer.answer), title="Answer", border_style="cyan"))
    if answer.citations:
        console.print(citations_table(answer))
    if answer.facts:
        console.print(facts_table(answer))
    if answer.assumptions:
        console.print(Panel("\n".join(f"- {a}" for a in answer.assumptions), title="Assumptions"))
    if answer.missing_facts:
        rows = []
        for missing in answer.missing_facts:
            outcomes = ", ".join(f"{k} -> {v}" for k, v in missing.outcomes.items())
            rows.append(f"- {missing.ask}" + (f"  ({outcomes})" if outcomes else ""))
        console.print(Panel("\n".join(rows), title="What would change the answer"))
    notes = list(answer.guardrail.notes)
    footer = f"guardrail: {answer.guardrail.status} · composer: {answer.composer}"
    if answer.trace_id:
        footer += f" · trace: {answer.trace_id}"
    lines = [Text(f"note: {n}", style="yellow") for n in notes]
    console.print(Group(*lines, Text(footer, style="dim")))


def citations_table(answer: Answer) -> Table:
    """Numbered citations with their verified quotes."""
    table = Table(title="Citations", expand=True, show_lines=True)
    table.add_column("#", no_wrap=True)
    table.add_column("Source", ratio=1)
    table.add_column("Quote", ratio=2)
    for c in answer.citations:
        mark = (f"[green]{_escape(quotes.verified_label(c))}[/green]" if c.verified
                else "[red]unverified[/red]")
        whose = _escape(quotes.provenance_label(c))
        source = (f"{c.title}\n[bold]{whose}[/bold]\n"
                  f"[dim]{c.section} · {c.kind} · v{c.version or '-'}\n{c.chunk_id}[/dim]")
        quote = f"“{_escape(c.quote)}”\n{mark} [dim]@{c.start}-{c.end}[/dim]"
        table.add_row(str(c.n), Text.from_markup(source), Text.from_markup(quote))
    return table


def passages_table(passages: Sequence[Passage], query: str) -> Table:
    """Search results as a ranked table."""
    table = Table(title=f"Top {len(passages)} passages for “{query}”", expand=True, show_lines=True)
    table.add_column("#", no_wrap=True)
    table.add_column("Chunk", no_wrap=True)
    table.add_column("Kind", no_wrap=True)
    table.add_column("Score", no_wrap=True, justify="right")
    table.add_column("Text")
    for rank, p in enumerate(passages, 1):
        text = p.text if len(p.text) <= 400 else p.text[:400] + "…"
        table.add_row(str(rank), p.chunk_id, f"{p.kind}\n{p.provenance}", f"{p.score:.4f}",
                      Text(text))
    return table


def rows_table(title: str, columns: Iterable[str], rows: Iterable[Iterable[object]]) -> Table:
    """A plain table of rows."""
    table = Table(title=title, expand=True)
    for i, column in enumerate(columns):
        table.add_column(column, no_wrap=i == 0)  # the first column holds ids: never cut them
    for row in rows:
        table.add_row(*(str(v) for v in row))
    return table


def _escape(text: str) -> str:
    return text.replace("[", r"\[")
