"""Reading the table-driven cases in tests/rules/cases/*.yaml (shared with the benchmark)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from advisor.schema import Overall, Verdict

CASES_DIR = Path(__file__).parent / "cases"
TODAY = dt.date(2026, 11, 26)


class Expect(BaseModel):
    model_config = ConfigDict(extra="forbid")

    verdict: Overall | None = None
    intent: str | None = None
    policies: dict[str, Verdict] = Field(default_factory=dict)
    fired: dict[str, list[str]] = Field(default_factory=dict)
    not_fired: dict[str, list[str]] = Field(default_factory=dict)
    near_misses: dict[str, list[str]] = Field(default_factory=dict)
    missing: dict[str, list[str]] = Field(default_factory=dict)
    conditions_contain: dict[str, list[str]] = Field(default_factory=dict)
    version: dict[str, str] = Field(default_factory=dict)
    as_of: dt.date | None = None
    assumptions_contain: list[str] = Field(default_factory=list)
    policies_named: list[str] | None = None


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    question: str
    history: list[dict[str, str]] = Field(default_factory=list)
    as_of: dt.date | None = None
    facts: dict[str, Any] = Field(default_factory=dict)  # labelled fact values
    expect: Expect = Field(default_factory=Expect)
    tags: list[str] = Field(default_factory=list)


def load_cases() -> list[Case]:
    cases: list[Case] = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for raw in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            cases.append(Case.model_validate(raw))
    ids = [case.id for case in cases]
    duplicates = {case_id for case_id in ids if ids.count(case_id) > 1}
    assert not duplicates, f"duplicate case ids: {sorted(duplicates)}"
    return cases
