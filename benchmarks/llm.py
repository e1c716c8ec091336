"""The LLM paths against a real endpoint: the LLM fact reader vs the rule reader, and how many
LLM composer drafts survive the guardrail. Not run in CI (it needs a model server).

    python benchmarks/llm.py --reader FILE.yaml [--limit 30] [--composer-cases 8]
        [--cases evals/cases] [--base-url http://127.0.0.1:8090/v1]
        [--model qwen2.5-coder-0.5b-instruct] [--api-key none] [--timeout 180]
        [--max-passages 6] [--home DIR] [--json OUT]

Reader items (YAML list): id, lang, question, history?, as_of?, facts: {name: value},
open: [names], policies?: {policy: verdict}. For each item the rule reader reads the
question, the model reads it once (``LLMFactReader.read_model``: the words each value rests
on are checked), and the two readings are merged as ``ADVISOR_FACTS_READER=llm`` and
``both`` merge them; the rule engine then gives each reading's verdicts. This is the
pipeline's fact step (advisor/pipeline.py: extract, read, merge, evaluate), with one model
call serving both modes. Without ``policies`` the label is the engine's verdicts on the
labelled facts.

Figures per reader: fact accuracy (a labelled fact read as labelled; an ``open`` fact left
open), misreads (a labelled fact set to another value), verdicts less restrictive than the
label (prohibited < conditional < not_prohibited < not_applicable), fallbacks, latency.
Composer: N assessment cases of the eval suite asked with ADVISOR_COMPOSER=llm; a draft
survives when the answer is the model's and the guardrail passed it; otherwise the table
says why (the endpoint failed, or which guardrail check).

The model is slow (Qwen2.5-Coder-0.5B on 2 cores: about 37 tokens/s, one request at a time),
so keep runs small: 20-30 reader items, 5-10 composer cases.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console
from rich.table import Table

from advisor import Advisor
from advisor.config import Settings, load_settings
from advisor.errors import LLMError
from advisor.facts import extract_facts
from advisor.llm.reader import LLMFactReader, merge_facts
from advisor.rules import evaluate, load_packs
from advisor.schema import FACT_NAMES, VERDICT_ORDER, Fact, Facts

READERS = ("rules", "llm", "both")
_RANK = {v: i for i, v in enumerate(VERDICT_ORDER)}


# ----------------------------------------------------------------------------- reader


def _label(value: object) -> str:
    """A labelled value as the fact vocabulary spells it (YAML reads yes/no as booleans)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _item(raw: dict[str, Any]) -> dict[str, Any]:
    """An item with labels spelled as facts are, unknown fact names set aside with a warning."""
    item = dict(raw)
    known = set(Facts.model_fields)
    item["facts"] = {k: _label(v) for k, v in (raw.get("facts") or {}).items() if k in known}
    item["open"] = [k for k in raw.get("open") or () if k in known]
    unknown = sorted((set(raw.get("facts") or {}) | set(raw.get("open") or ())) - known)
    if unknown:
        print(f"warning: {raw.get('id')}: no such fact {', '.join(unknown)}; not scored",
              file=sys.stderr)
    item["history"] = [t if isinstance(t, dict) else {"role": "user", "content": str(t)}
                       for t in raw.get("history") or ()]
    return item


def _gold_facts(item: dict[str, Any], today: dt.date) -> Facts:
    labelled = {name: Fact(value=str(value)) for name, value in item["facts"].items()}
    return Facts.model_validate({**labelled, "as_of": _as_of(item) or today})


def _as_of(item: dict[str, Any]) -> dt.date | None:
    value = item.get("as_of")
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _score(facts: Facts, item: dict[str, Any]) -> tuple[int, int, int]:
    """(right, total, misreads) over the labelled and the open facts."""
    right = misreads = 0
    for name, value in item["facts"].items():
        got = facts.value(name)
        if got == value:
            right += 1
        elif got not in ("unknown", None):
            misreads += 1
    for name in item.get("open") or ():
        got = facts.value(name)
        if got in ("unknown", None):
            right += 1
        else:
            misreads += 1
    return right, len(item["facts"]) + len(item.get("open") or ()), misreads


def run_reader(items: list[dict[str, Any]], settings: Settings, packs: list[Any],
               console: Console) -> dict[str, Any]:
    """Read every item with the rule reader, the model, and both merges; score them."""
    reader = LLMFactReader.from_settings(settings.model_copy(update={"facts_reader": "llm"}))
    today = dt.date.today()
    stats: dict[str, dict[str, Any]] = {
        r: {"right": 0, "total": 0, "misreads": 0, "less": 0, "verdicts": 0, "exact": 0,
            "seconds": [], "by_lang": Counter(), "lang_total": Counter()} for r in READERS}
    fallbacks: Counter[str] = Counter()
    dropped = conflicts = 0
    rows: list[dict[str, Any]] = []
    for n, item in enumerate(items, 1):
        history = [dict(t) for t in item.get("history") or []]
        began = time.perf_counter()
        rules = extract_facts(item["question"], history or None, _as_of(item), today=today)
        rule_seconds = time.perf_counter() - began
        began = time.perf_counter()
        try:
            reading = reader.read_model(item["question"], history)
            model_facts = reading.facts
            dropped += sum("dropped" in note for note in reading.notes)
            failure = None
        except LLMError as exc:
            model_facts, failure = {}, str(exc)
            fallbacks[_reason(failure)] += 1
        model_seconds = time.perf_counter() - began
        readings = {"rules": rules, "llm": merge_facts(rules, model_facts, "llm"),
                    "both": merge_facts(rules, model_facts, "both")}
        conflicts += sum(getattr(readings["both"], name).status == "conflicting"
                         for name in FACT_NAMES)
        label = item.get("policies") or {
            v.policy: v.verdict for v in evaluate(_gold_facts(item, today), packs)}
        row: dict[str, Any] = {"id": item["id"], "lang": item.get("lang", "?"),
                               "model_seconds": round(model_seconds, 2), "failure": failure}
        for name, facts in readings.items():
            s = stats[name]
            right, total, misreads = _score(facts, item)
            s["right"] += right
            s["total"] += total
            s["misreads"] += misreads
            s["by_lang"][row["lang"]] += right
            s["lang_total"][row["lang"]] += total
            s["seconds"].append(rule_seconds + (model_seconds if name != "rules" else 0.0))
            got = {v.policy: v.verdict for v in evaluate(facts, packs)}
            for policy, want in label.items():
                if policy in got:
                    s["verdicts"] += 1
                    s["exact"] += got[policy] == want
                    s["less"] += _RANK[got[policy]] > _RANK[want]
            row[name] = f"{right}/{total}"
        rows.append(row)
        console.print(f"  reader {n}/{len(items)} {item['id']}: rules {row['rules']}, "
                      f"llm {row['llm']}, both {row['both']} ({model_seconds:.1f}s)"
                      + (f" fallback: {failure[:60]}" if failure else ""))
    return {"stats": stats, "fallbacks": dict(fallbacks), "dropped": dropped,
            "conflicts": conflicts, "rows": rows, "items": len(items)}


def _reason(message: str) -> str:
    lowered = message.lower()
    for key, words in (("timeout", "did not answer within"), ("cut off", "cut off"),
                       ("invalid JSON", "valid json"), ("schema", "schema"),
                       ("HTTP", "http "), ("unreachable", "could not reach"),
                       ("quote", "not verbatim"), ("lost citation", "lost its only citation"),
                       ("stance", "a sentence says"), ("stance", "a sentence allows"),
                       ("no deciding clause", "cites none"), ("placeholder", "placeholder"),
                       ("verdict changed", "verdicts differ"), ("press only", "press articles")):
        if words in lowered:
            return key
    return "other"


def _reader_table(result: dict[str, Any]) -> Table:
    table = Table(title=f"Fact readers on {result['items']} items")
    for col in ("reader", "fact accuracy", "misreads", "verdicts as labelled",
                "less restrictive", "latency p50", "latency p95"):
        table.add_column(col, justify="right" if col != "reader" else "left")
    for name in READERS:
        s = result["stats"][name]
        secs = sorted(s["seconds"]) or [0.0]
        p95 = secs[min(len(secs) - 1, round(0.95 * (len(secs) - 1)))]
        table.add_row(
            name, _pct(s["right"], s["total"]), str(s["misreads"]),
            _pct(s["exact"], s["verdicts"]), f"{s['less']} of {s['verdicts']}",
            _secs(statistics.median(secs)), _secs(p95))
    return table


def _lang_table(result: dict[str, Any]) -> Table:
    table = Table(title="Fact accuracy by language")
    table.add_column("lang")
    for name in READERS:
        table.add_column(name, justify="right")
    langs = sorted(result["stats"]["rules"]["lang_total"])
    for lang in langs:
        table.add_row(lang, *(_pct(result["stats"][r]["by_lang"][lang],
                                   result["stats"][r]["lang_total"][lang]) for r in READERS))
    return table


# ----------------------------------------------------------------------------- composer


def _eval_cases(paths: list[Path], n: int) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    for path in paths:
        files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
        for file in files:
            cases += yaml.safe_load(file.read_text(encoding="utf-8")) or []
    assess = [c for c in sorted(cases, key=lambda c: c["id"])
              if (c.get("expect") or {}).get("verdict") not in ("informational", "out_of_scope")
              and (c.get("expect") or {}).get("policies")]
    step = max(1, len(assess) // max(n, 1))
    return assess[::step][:n]


def run_composer(cases: list[dict[str, Any]], settings: Settings,
                 console: Console) -> dict[str, Any]:
    """Ask each case with the LLM composer; count the drafts the guardrail let through."""
    advisor = Advisor(settings.model_copy(update={"composer": "llm"}))
    rows: list[dict[str, Any]] = []
    for n, case in enumerate(cases, 1):
        began = time.perf_counter()
        answer = advisor.ask(case["question"], case.get("history") or None, case.get("as_of"))
        seconds = time.perf_counter() - began
        survived = answer.composer.startswith("llm:") and answer.guardrail.status == "passed"
        notes = [n for n in answer.guardrail.notes if "guardrail: served" not in n]
        if survived:
            outcome, reasons = "survived", []
        elif any("composer failed" in n for n in notes):
            outcome = "endpoint failed"
            reasons = [_reason(n) for n in notes if "composer failed" in n]
        else:
            outcome = "overridden"
            reasons = sorted({_reason(n) for n in notes if n.startswith("guardrail:")})
        rows.append({"id": case["id"], "outcome": outcome, "reasons": reasons,
                     "seconds": round(seconds, 1), "notes": notes})
        console.print(f"  composer {n}/{len(cases)} {case['id']}: {outcome} "
                      f"{', '.join(reasons)} ({seconds:.0f}s)")
    return {"rows": rows, "survived": sum(r["outcome"] == "survived" for r in rows)}


def _composer_table(result: dict[str, Any]) -> Table:
    rows = result["rows"]
    table = Table(title=f"LLM composer drafts: {result['survived']} of {len(rows)} survive "
                        "the guardrail")
    for col in ("case", "outcome", "why", "seconds"):
        table.add_column(col, justify="right" if col == "seconds" else "left")
    for row in rows:
        table.add_row(row["id"], row["outcome"], ", ".join(row["reasons"]),
                      f"{row['seconds']:.0f}")
    return table


# ----------------------------------------------------------------------------- main


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}% ({part}/{whole})" if whole else "-"


def _secs(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.1f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reader", type=Path, help="reader items (YAML)")
    parser.add_argument("--limit", type=int, default=30, help="reader items to use")
    parser.add_argument("--composer-cases", type=int, default=8)
    parser.add_argument("--cases", type=Path, nargs="*", default=[Path("evals/cases")])
    parser.add_argument("--base-url", default="http://127.0.0.1:8090/v1")
    parser.add_argument("--model", default="qwen2.5-coder-0.5b-instruct")
    parser.add_argument("--api-key", default="none")
    parser.add_argument("--timeout", type=float, default=180.0)
    parser.add_argument("--max-passages", type=int, default=6)
    parser.add_argument("--structured-output", default="auto",
                        choices=("auto", "json_schema", "json_object", "prompt"))
    parser.add_argument("--home", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args(argv)

    home = args.home or Path(os.environ.get("ADVISOR_HOME") or tempfile.mkdtemp(prefix="adv-"))
    settings = load_settings(
        home=home, llm_base_url=args.base_url, llm_api_key=args.api_key,
        llm_model=args.model, llm_timeout=args.timeout, llm_max_retries=0,
        llm_max_passages=args.max_passages, llm_structured_output=args.structured_output,
    )
    logging.disable(logging.INFO)  # keep the HTTP client's request log out of the table
    console = Console(width=110)
    console.print(f"endpoint {args.base_url} model {args.model} (timeout {args.timeout:g}s, "
                  f"{args.max_passages} passages)")
    out: dict[str, Any] = {"endpoint": args.base_url, "model": args.model}
    if args.reader is not None:
        items = [_item(raw) for raw in
                 (yaml.safe_load(args.reader.read_text(encoding="utf-8")) or [])[:args.limit]]
        packs = list(load_packs(settings.corpus))
        result = run_reader(items, settings, packs, console)
        console.print(_reader_table(result))
        console.print(_lang_table(result))
        console.print(f"model values dropped for words not in the question: "
                      f"{result['dropped']}; facts left open by a disagreement (both): "
                      f"{result['conflicts']}; model failures (rule reader stood in): "
                      f"{result['fallbacks'] or 0}")
        out["reader"] = {k: v for k, v in result.items() if k != "stats"} | {
            "stats": {r: {k: (v if not isinstance(v, Counter) else dict(v))
                          for k, v in s.items()} for r, s in result["stats"].items()}}
    if args.composer_cases > 0:
        cases = _eval_cases(args.cases, args.composer_cases)
        result = run_composer(cases, settings, console)
        console.print(_composer_table(result))
        out["composer"] = result
    if args.json is not None:
        args.json.write_text(json.dumps(out, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
