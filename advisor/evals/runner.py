"""The eval runner: asks every case, times it, checks it, and summarises the run."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from advisor.config import Settings
from advisor.errors import AdvisorError, ConfigError
from advisor.evals.cases import EvalCase
from advisor.evals.metrics import (
    RANK_SOURCE,
    CaseResult,
    QuoteChecker,
    check_case,
    error_result,
    summarize,
)


class AskFn(Protocol):
    """Answers one question; returns an Answer model or its JSON."""

    def __call__(self, question: str, history: list[dict[str, str]] | None,
                 as_of: dt.date | None, facts: Mapping[str, Any] | None = None) -> Any:
        """Answer ``question`` (a case with confirmed facts also passes ``facts=``)."""
        ...


@dataclass
class EvalRun:
    """The outcome of one eval run: per-case results and the metrics over them."""

    results: list[CaseResult]
    summary: dict[str, Any]
    llm_results: list[CaseResult] | None = None
    llm_summary: dict[str, Any] | None = None
    corpus_version: str = ""
    duration_s: float = 0.0
    started: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(
        timespec="seconds"))

    @property
    def llm(self) -> bool:
        """Whether the run also went through the LLM composer."""
        return self.llm_results is not None

    def llm_by_id(self) -> dict[str, CaseResult]:
        """LLM results keyed by case id (empty without --llm)."""
        return {r.id: r for r in self.llm_results or []}

    def to_json(self) -> dict[str, Any]:
        """The JSON report: ``summary`` with every metric, and ``cases``."""
        llm = self.llm_by_id()
        cases = []
        for r in self.results:
            row = r.to_json()
            if self.llm:
                lr = llm[r.id]
                row["llm"] = {
                    "passed": lr.passed, "failures": lr.failures, "verdict": lr.verdict,
                    "policies": lr.policies, "composer": lr.composer,
                    "guardrail": lr.guardrail, "guardrail_notes": lr.guardrail_notes,
                    "latency_ms": lr.latency_ms, "answer": lr.answer, "error": lr.error,
                }
            cases.append(row)
        out: dict[str, Any] = {
            "summary": self.summary,
            "started": self.started,
            "duration_s": self.duration_s,
            "corpus_version": self.corpus_version,
            "rank_source": RANK_SOURCE,
            "cases": cases,
        }
        if self.llm_summary is not None:
            out["llm_summary"] = self.llm_summary
        return out


def _answer_json(answer: Any) -> Mapping[str, Any]:
    if isinstance(answer, Mapping):
        return answer
    dump: Callable[..., Mapping[str, Any]] = answer.model_dump
    return dump(mode="json")


def run_case(case: EvalCase, ask: AskFn, quotes: QuoteChecker) -> CaseResult:
    """Ask one case and check the answer; an exception becomes a failed result."""
    t0 = time.perf_counter()
    try:
        # Only a case with facts passes them: an AskFn written before facts existed still works.
        extra = {"facts": dict(case.facts)} if case.facts else {}
        answer = _answer_json(ask(case.question, case.history_dicts() or None, case.as_of,
                                  **extra))
    except Exception as exc:  # noqa: BLE001 - a crash is a failed case, not a failed run
        ms = (time.perf_counter() - t0) * 1000
        return error_result(case, f"{type(exc).__name__}: {exc}", latency_ms=ms)
    ms = (time.perf_counter() - t0) * 1000
    return check_case(case, answer, quotes, latency_ms=ms)


def _summarize_llm(results: Sequence[CaseResult]) -> dict[str, Any]:
    summary = summarize(results)
    statuses: dict[str, int] = {}
    for r in results:
        statuses[r.guardrail or "error"] = statuses.get(r.guardrail or "error", 0) + 1
    summary["guardrail"] = statuses
    return summary


def default_jobs() -> int:
    """Worker processes for an offline run: the CPUs this process may use, at most 4."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(4, cpus))


#: Below this many cases per worker, starting workers costs more than it saves.
_MIN_CASES_PER_JOB = 40

# Set in each worker process by _start_worker: its own Advisor, quote checker and the
# corpus version its answers carry.
_worker: dict[str, Any] = {}


def _start_worker(settings: Settings) -> None:
    from advisor.service import Advisor

    seen: dict[str, str] = {}
    advisor = Advisor(settings.model_copy(update={"composer": "offline"}))
    _worker.update(ask=_advisor_ask(advisor, seen), seen=seen,
                   quotes=QuoteChecker.from_corpus(settings.corpus))


def _worker_case(case: EvalCase) -> tuple[CaseResult, str]:
    result = run_case(case, _worker["ask"], _worker["quotes"])
    return result, _worker["seen"].get("corpus_version", "")


def _in_workers(settings: Settings, cases: Sequence[EvalCase],
                jobs: int) -> Iterator[tuple[CaseResult, str]]:
    """Each case's result, in case order, asked by ``jobs`` worker processes (spawned, not
    forked: the parent already holds ONNX Runtime's and Chroma's threads)."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker,
                             initargs=(settings,)) as pool:
        yield from pool.map(_worker_case, cases, chunksize=4)


def run_cases(cases: Sequence[EvalCase], ask: AskFn, quotes: QuoteChecker, *,
              llm_ask: AskFn | None = None, progress: bool = True,
              console: Console | None = None, corpus_version: str = "",
              workers: tuple[Settings, int] | None = None) -> EvalRun:
    """Run every case (and, with ``llm_ask``, again through the LLM composer).

    ``workers`` = (settings, jobs): ask the cases in ``jobs`` worker processes, each with
    its own offline Advisor on ``settings`` (the same answers as ``ask`` in this process;
    not with ``llm_ask``)."""
    t0 = time.perf_counter()
    results: list[CaseResult] = []
    llm_results: list[CaseResult] | None = [] if llm_ask is not None else None
    bar = Progress(
        TextColumn("[bold]eval[/]"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[case]}", style="dim"), TimeElapsedColumn(),
        console=console or Console(stderr=True), disable=not progress, transient=True,
    )
    with bar:
        total = len(cases) * (2 if llm_ask is not None else 1)
        task = bar.add_task("eval", total=total, case="")
        if workers is not None and llm_ask is None:
            settings, jobs = workers
            for case, (result, version) in zip(cases, _in_workers(settings, cases, jobs),
                                               strict=True):
                bar.update(task, case=case.id)
                results.append(result)
                corpus_version = corpus_version or version
                bar.advance(task)
        else:
            for case in cases:
                bar.update(task, case=case.id)
                results.append(run_case(case, ask, quotes))
                bar.advance(task)
                if llm_ask is not None and llm_results is not None:
                    bar.update(task, case=f"{case.id} (llm)")
                    llm_results.append(run_case(case, llm_ask, quotes))
                    bar.advance(task)
    return EvalRun(
        results=results, summary=summarize(results), llm_results=llm_results,
        llm_summary=_summarize_llm(llm_results) if llm_results is not None else None,
        corpus_version=corpus_version, duration_s=round(time.perf_counter() - t0, 2),
    )


def _advisor_ask(advisor: Any, seen: dict[str, str]) -> AskFn:
    def ask(question: str, history: list[dict[str, str]] | None,
            as_of: dt.date | None, facts: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
        answer = _answer_json(advisor.ask(question, history=history, as_of=as_of, facts=facts))
        seen.setdefault("corpus_version", str(answer.get("corpus_version") or ""))
        return answer
    return ask


def run_suite(settings: Settings, cases: Sequence[EvalCase], *, llm: bool = False,
              progress: bool = True, console: Console | None = None,
              jobs: int = 1) -> EvalRun:
    """Run cases through ``Advisor(settings)`` (and an LLM-composer Advisor with ``llm``).

    ``jobs`` > 1 asks an offline run's cases in that many worker processes once there are
    enough cases to pay for starting them; the index is built (or opened) here first."""
    from advisor.service import Advisor

    quotes = QuoteChecker.from_corpus(settings.corpus)
    seen: dict[str, str] = {}
    offline = Advisor(settings.model_copy(update={"composer": "offline"}))
    try:  # build or open the index before the clock starts, so latency is per question
        offline.search("facial recognition", k=1)
    except AdvisorError:
        pass  # an index that cannot open shows up as failed (or degraded) cases instead
    llm_ask: AskFn | None = None
    if llm:
        if not settings.llm_base_url:
            raise ConfigError("--llm needs a chat endpoint: set ADVISOR_LLM_BASE_URL (and "
                              "ADVISOR_LLM_API_KEY, ADVISOR_LLM_MODEL if it needs them)")
        llm_ask = _advisor_ask(Advisor(settings.model_copy(update={"composer": "llm"})), {})
    jobs = min(jobs, len(cases) // _MIN_CASES_PER_JOB)
    workers = (settings, jobs) if jobs > 1 and llm_ask is None else None
    run = run_cases(cases, _advisor_ask(offline, seen), quotes, llm_ask=llm_ask,
                    progress=progress, console=console, workers=workers)
    run.corpus_version = run.corpus_version or seen.get("corpus_version", "")
    return run
