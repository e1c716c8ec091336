"""The JUnit XML report, so CI systems show eval cases as tests."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from advisor.evals.metrics import CaseResult
from advisor.evals.runner import EvalRun


def _suite(name: str, results: Sequence[CaseResult]) -> ET.Element:
    failures = sum(not r.passed and r.error is None for r in results)
    errors = sum(r.error is not None for r in results)
    total_s = sum(r.latency_ms for r in results) / 1000
    suite = ET.Element("testsuite", name=name, tests=str(len(results)),
                       failures=str(failures), errors=str(errors), skipped="0",
                       time=f"{total_s:.3f}")
    for r in results:
        case = ET.SubElement(suite, "testcase", classname=f"{name}.{r.suite}", name=r.id,
                             time=f"{r.latency_ms / 1000:.3f}")
        if r.error is not None:
            err = ET.SubElement(case, "error", message=r.error, type="error")
            err.text = r.question
        elif not r.passed:
            fail = ET.SubElement(case, "failure", message=r.failures[0],
                                 type="must_pass" if r.must_pass else "regression")
            fail.text = "\n".join([*r.failures, "", f"question: {r.question}",
                                   f"reason: {r.reason}", "", "answer:", r.answer])
        props = ET.SubElement(case, "properties")
        ET.SubElement(props, "property", name="tags", value=",".join(r.tags))
        ET.SubElement(props, "property", name="must_pass", value=str(r.must_pass).lower())
        if r.guardrail:
            ET.SubElement(props, "property", name="guardrail", value=r.guardrail)
    return suite


def junit_xml(run: EvalRun) -> str:
    """The run as a JUnit ``<testsuites>`` document (a second suite for --llm)."""
    root = ET.Element("testsuites", name="advisor-eval")
    root.append(_suite("advisor-eval", run.results))
    if run.llm_results is not None:
        root.append(_suite("advisor-eval-llm", run.llm_results))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def write_junit(run: EvalRun, path: Path) -> None:
    """Write the JUnit report to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(junit_xml(run), encoding="utf-8")
