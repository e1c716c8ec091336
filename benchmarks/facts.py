"""The fact reader on a labelled question set: fact and verdict accuracy per language, latency.

    python benchmarks/facts.py [PATH ...] [--rounds N] [--misses]

PATH: YAML list of items (default benchmarks/data/reader_dev.yaml), each with
    id, lang, question, history? (earlier turns: chat messages, or plain strings for the
    user's own turns), as_of?, facts: {name: value},
    open: [names that must stay unknown or conflicting], policies: {policy: verdict},
    verdict? (overall).
Prints per language: fact accuracy (every labelled fact and every open fact counts once),
per-policy verdict accuracy (the engine on the reader's facts, several listed uses judged
most restrictive first as the pipeline does), and how many verdicts came out LESS
restrictive than the label (prohibited > conditional > not_prohibited > not_applicable).
Latency: extraction p50/p99 over every item, warm, ``--rounds`` times; cold: the first
extraction in a fresh interpreter (import included), for an English and a Polish question.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from advisor.config import SHIPPED_CORPUS  # noqa: E402
from advisor.facts import extract_facts, extract_uses  # noqa: E402
from advisor.rules import evaluate, load_packs, overall  # noqa: E402
from advisor.schema import VERDICT_ORDER, Facts, PolicyVerdict  # noqa: E402

DEFAULT = Path(__file__).parent / "data" / "reader_dev.yaml"
TODAY = dt.date(2026, 11, 26)
_COLD = ("import time, datetime as dt; t = time.perf_counter(); "
         "from advisor.facts import extract_facts; "
         "extract_facts({q!r}, today=dt.date(2026, 11, 26)); "
         "print(time.perf_counter() - t)")


def _severity(label: str) -> int:
    return -VERDICT_ORDER.index(label) if label in VERDICT_ORDER else -len(VERDICT_ORDER)


def _history(item: dict[str, Any]) -> list[dict[str, str]]:
    """Earlier turns as chat messages; a plain string is one of the user's own turns."""
    return [{"role": "user", "content": turn} if isinstance(turn, str) else turn
            for turn in item.get("history") or ()]


def _judge(item: dict[str, Any], packs: Any) -> tuple[Facts, dict[str, str], str]:
    """The reader's facts and the verdicts they give (several uses: most restrictive)."""
    as_of = item.get("as_of")
    uses = extract_uses(item["question"], _history(item), as_of, today=TODAY)
    judged: list[tuple[Facts, list[PolicyVerdict]]] = [(f, evaluate(f, packs)) for _, f in uses]
    policies: dict[str, str] = {}
    for _, verdicts in judged:
        for v in verdicts:
            if v.policy not in policies or _severity(v.verdict) > _severity(policies[v.policy]):
                policies[v.policy] = v.verdict
    worst = max(judged, key=lambda fv: _severity(overall(fv[0], fv[1])))
    full = extract_facts(item["question"], _history(item), as_of, today=TODAY)
    return full if len(uses) == 1 else worst[0], policies, overall(worst[0], worst[1])


def _fact_hits(item: dict[str, Any], facts: Facts) -> list[tuple[str, bool, str]]:
    out = []
    for name, value in (item.get("facts") or {}).items():
        got = facts.value(name)
        out.append((name, str(got) == str(value), f"{name}={got} (label {value})"))
    for name in item.get("open") or ():
        fact = getattr(facts, name)
        ok = fact.value == "unknown" and fact.status in ("unknown", "conflicting")
        out.append((name, ok, f"{name}={fact.value} (label open)"))
    return out


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _cold(question: str) -> float:
    out = subprocess.run([sys.executable, "-c", _COLD.format(q=question)], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    """Score the reader on the given sets and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, default=[DEFAULT])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--misses", action="store_true", help="list every miss")
    args = parser.parse_args(argv)
    console = Console()
    packs = load_packs(SHIPPED_CORPUS)
    cold_en = _cold("Can a European agency use this on a fixed lobby camera?")
    cold_pl = _cold("Czy policja w Warszawie może rozpoznawać twarze w czasie rzeczywistym?")
    for path in args.paths:
        items: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))
        facts_ok: dict[str, list[bool]] = defaultdict(list)
        policy_ok: dict[str, list[bool]] = defaultdict(list)
        lang_policy_ok: dict[str, list[bool]] = defaultdict(list)
        overall_ok: list[bool] = []
        lenient: list[str] = []
        misses: list[str] = []
        for item in items:
            facts, policies, verdict = _judge(item, packs)
            for _, ok, text in _fact_hits(item, facts):
                facts_ok[item["lang"]].append(ok)
                if not ok:
                    misses.append(f"{item['id']}: {text}")
            for policy, label in (item.get("policies") or {}).items():
                got = policies.get(policy, "not_applicable")
                policy_ok[policy].append(got == label)
                lang_policy_ok[item["lang"]].append(got == label)
                if _severity(got) < _severity(label):
                    lenient.append(f"{item['id']}: {policy} {got} < {label}")
                if got != label:
                    misses.append(f"{item['id']}: {policy} {got} (label {label})")
            if item.get("verdict"):
                overall_ok.append(verdict == item["verdict"])
        samples: list[float] = []
        for _ in range(args.rounds):
            for item in items:
                start = time.perf_counter()
                extract_uses(item["question"], _history(item), item.get("as_of"), today=TODAY)
                samples.append((time.perf_counter() - start) * 1000)

        table = Table(title=f"Reader on {path.name} ({len(items)} items)")
        for column in ("language", "items", "facts", "fact accuracy", "policy verdicts",
                       "verdict accuracy"):
            table.add_column(column, justify="right" if column != "language" else "left")
        for lang in sorted(facts_ok, key=lambda x: (x != "en", x)):
            n = sum(1 for i in items if i["lang"] == lang)
            f, p = facts_ok[lang], lang_policy_ok[lang]
            table.add_row(lang, str(n), str(len(f)), f"{statistics.mean(f):.1%}" if f else "-",
                          str(len(p)), f"{statistics.mean(p):.1%}" if p else "-")
        every_f = [x for v in facts_ok.values() for x in v]
        every_p = [x for v in lang_policy_ok.values() for x in v]
        table.add_row("all", str(len(items)), str(len(every_f)), f"{statistics.mean(every_f):.1%}",
                      str(len(every_p)), f"{statistics.mean(every_p):.1%}", style="bold")
        console.print(table)
        per_policy = Table(title="Per-policy verdict accuracy")
        for column in ("policy", "labelled", "accuracy"):
            per_policy.add_column(column)
        for policy, oks in sorted(policy_ok.items()):
            per_policy.add_row(policy, str(len(oks)), f"{statistics.mean(oks):.1%}")
        if overall_ok:
            per_policy.add_row("overall verdict", str(len(overall_ok)),
                               f"{statistics.mean(overall_ok):.1%}")
        console.print(per_policy)
        timing = Table(title="Extraction latency")
        for column in ("measure", "ms"):
            timing.add_column(column)
        timing.add_row("verdicts LESS restrictive than the label", str(len(lenient)))
        timing.add_row(f"warm p50 ({len(samples)} calls)", f"{_percentile(samples, 0.5):.2f}")
        timing.add_row("warm p99", f"{_percentile(samples, 0.99):.2f}")
        timing.add_row("cold first call, English (fresh interpreter)", f"{cold_en * 1000:.0f}")
        timing.add_row("cold first call, Polish (fresh interpreter)", f"{cold_pl * 1000:.0f}")
        console.print(timing)
        for line in lenient:
            console.print(f"[red]less restrictive[/red] {line}")
        if args.misses:
            for line in misses:
                console.print(f"miss {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
