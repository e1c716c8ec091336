"""The reader end to end on data-driven cases (reader_cases.yaml): facts, statuses, open facts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel, ConfigDict, Field

from advisor.facts import extract_facts, extract_uses
from advisor.facts.language import SUPPORTED

TODAY = dt.date(2026, 11, 26)
#: reader_cases.yaml and the files beside it named reader_cases_*.yaml, one test for all.
_CASES = sorted(Path(__file__).parent.glob("reader_cases*.yaml"))


class ReaderCase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    lang: str
    question: str
    history: list[dict[str, str]] = Field(default_factory=list)
    facts: dict[str, Any] = Field(default_factory=dict)
    status: dict[str, str] = Field(default_factory=dict)
    turns: dict[str, int] = Field(default_factory=dict)
    open: list[str] = Field(default_factory=list)
    intent: str | None = None
    assumptions_contain: list[str] = Field(default_factory=list)
    uses: int | None = None
    as_of: dt.date | None = None  # the date the question's own words set


CASES = [ReaderCase.model_validate(raw) for path in _CASES
         for raw in yaml.safe_load(path.read_text("utf-8"))]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_reader_case(case: ReaderCase) -> None:
    if case.uses is not None:
        assert len(extract_uses(case.question, case.history, today=TODAY)) == case.uses
        return
    facts = extract_facts(case.question, case.history, today=TODAY)
    for name, value in case.facts.items():
        assert facts.value(name) == value, f"{name}: {getattr(facts, name)}"
    for name, status in case.status.items():
        assert getattr(facts, name).status == status, f"{name}: {getattr(facts, name)}"
    for name, turn in case.turns.items():
        assert getattr(facts, name).turn == turn, f"{name}: {getattr(facts, name)}"
    for name in case.open:
        fact = getattr(facts, name)
        assert fact.value == "unknown" and fact.status in ("unknown", "conflicting"), fact
    if case.as_of is not None:
        assert facts.as_of == case.as_of and facts.as_of_source
    if case.intent is not None:
        assert facts.intent == case.intent
    for text in case.assumptions_contain:
        assert any(text in a for a in facts.assumptions), facts.assumptions


def test_every_pattern_is_covered_in_two_languages() -> None:
    groups: dict[str, set[str]] = {}
    for case in CASES:
        groups.setdefault(case.id.split("-")[0], set()).add(case.lang)
    thin = {group: langs for group, langs in groups.items() if len(langs) < 2}
    assert not thin, f"patterns tested in one language only: {thin}"


def test_scope_is_tested_in_every_supported_language() -> None:
    negation = {case.lang for case in CASES if case.id.startswith("neg-")}
    assert negation >= set(SUPPORTED)


def test_conflicting_fact_keeps_both_readings() -> None:
    facts = extract_facts("Irish police want live face matching and a review of stored CCTV"
                          " clips the next day.", today=TODAY)
    assert facts.timing.status == "conflicting"
    assert {c.value for c in facts.timing.candidates} == {"real_time", "post"}
    assert all(c.source for c in facts.timing.candidates)


def test_every_languages_vocabulary_stays_loaded() -> None:
    """Every language's vocabulary, with and without accents, fits the cache at once: a
    question in one language must not evict another's (a reload costs a second)."""
    from advisor.facts import vocab
    from advisor.facts.datafile import read_yaml

    unsupported = read_yaml(vocab.VOCAB_DIR / "unsupported.yaml")["service_pronoun"]
    keys = [(code, plain) for code in (*SUPPORTED, *unsupported) for plain in (False, True)]
    for key in keys:
        vocab.load(*key)
    misses = vocab.load.cache_info().misses
    for key in keys:
        vocab.load(*key)
    assert vocab.load.cache_info().misses == misses
