"""Ask latency with the offline composer: warm p50/p95 and the first answer of a cold process.

    python benchmarks/ask.py [--home DIR] [--rounds N] [--cold N]

Uses ADVISOR_HOME (or --home, default: a temporary directory). The index is built before
timing starts, so the cold figure is a new process answering over an existing index.
Targets: warm p95 < 100 ms; cold first answer < 5 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

QUESTIONS = [
    "Can a European agency use this on a fixed lobby camera?",
    "UK officers on patrol want live face matching from body-worn cameras. Is that allowed?",
    "Can a US police department use Azure OpenAI to draft incident reports from body-cam audio?",
    "Dutch police want to review body-cam footage later at the station and match faces.",
    "Can Belgian police use live face recognition with Azure OpenAI at a concert?",
    "Can an EU employer score employees' engagement from their facial expressions?",
    "Can a US county sheriff use Azure AI Face to identify people at jail intake?",
    "What does the EU AI Act say about real-time remote biometric identification?",
]

_COLD = """
import time
t0 = time.perf_counter()
from advisor import Advisor
advisor = Advisor()
t1 = time.perf_counter()
answer = advisor.ask({question!r})
t2 = time.perf_counter()
print(f"{{t1 - t0:.4f}} {{t2 - t0:.4f}} {{answer.verdict}}")
"""


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[rank]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=None)
    parser.add_argument("--rounds", type=int, default=5, help="passes over the questions")
    parser.add_argument("--cold", type=int, default=3, help="cold processes to time")
    args = parser.parse_args(argv)

    home = args.home or Path(os.environ.get("ADVISOR_HOME") or tempfile.mkdtemp(prefix="adv-"))
    os.environ["ADVISOR_HOME"] = str(home)
    os.environ["ADVISOR_COMPOSER"] = "offline"
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from advisor.service import Advisor

    advisor = Advisor()
    t0 = time.perf_counter()
    advisor.ask(QUESTIONS[0])  # builds the index if needed, loads packs and models
    first = time.perf_counter() - t0

    warm: list[float] = []
    for _ in range(args.rounds):
        for question in QUESTIONS:
            t = time.perf_counter()
            advisor.ask(question)
            warm.append((time.perf_counter() - t) * 1000)

    cold_import: list[float] = []
    cold_total: list[float] = []
    for i in range(args.cold):
        code = _COLD.format(question=QUESTIONS[i % len(QUESTIONS)])
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             env=os.environ.copy(), check=True).stdout.split()
        cold_import.append(float(out[0]))
        cold_total.append(float(out[1]))

    table = Table(title=f"advisor ask latency (offline composer, home {home})")
    for column in ("measure", "n", "p50", "p95", "max", "target"):
        table.add_column(column, justify="right" if column not in ("measure", "target") else "left")
    table.add_row("warm ask (ms)", str(len(warm)), f"{statistics.median(warm):.1f}",
                  f"{_percentile(warm, 0.95):.1f}", f"{max(warm):.1f}", "p95 < 100 ms")
    table.add_row("cold: import + Advisor() (s)", str(len(cold_import)),
                  f"{statistics.median(cold_import):.2f}", f"{_percentile(cold_import, 0.95):.2f}",
                  f"{max(cold_import):.2f}", "")
    table.add_row("cold: first answer (s)", str(len(cold_total)),
                  f"{statistics.median(cold_total):.2f}", f"{_percentile(cold_total, 0.95):.2f}",
                  f"{max(cold_total):.2f}", "< 5 s")
    table.add_row("this process: first ask (s)", "1", f"{first:.2f}", "", "",
                  "includes the index build when there was none")
    Console().print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
