"""The regression eval suite: YAML cases, deterministic evaluators, reports and a gate.

``advisor eval`` calls :func:`main`; library users can load cases and run them with
their own ask function (``run_cases``) or through ``Advisor`` (``run_suite``).
"""

from advisor.evals.baseline import Comparison, compare, load_baseline, write_baseline
from advisor.evals.cases import EvalCase, Expect, load_case_file, load_cases
from advisor.evals.cli import main
from advisor.evals.metrics import CaseResult, QuoteChecker, check_case, summarize
from advisor.evals.runner import EvalRun, run_cases, run_suite

__all__ = [
    "CaseResult",
    "Comparison",
    "EvalCase",
    "EvalRun",
    "Expect",
    "QuoteChecker",
    "check_case",
    "compare",
    "load_baseline",
    "load_case_file",
    "load_cases",
    "main",
    "run_cases",
    "run_suite",
    "summarize",
    "write_baseline",
]
