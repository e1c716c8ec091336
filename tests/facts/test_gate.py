"""The gate never hides a match: every match of a gated pattern starts as its prefixes say."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from advisor.facts import vocab
from advisor.facts.gate import prefixes, word_starts
from advisor.facts.language import SUPPORTED

_QUESTIONS = [
    case["question"]
    for path in (Path(__file__).with_name("reader_cases.yaml"),
                 Path(__file__).parents[2] / "benchmarks" / "data" / "reader_dev.yaml")
    for case in yaml.safe_load(path.read_text("utf-8"))
]


@pytest.mark.parametrize(("pattern", "expected"), [
    (r"\bscrap(?:e|es|ed|ing)\b", {"scr"}),
    (r"\b(?:images|photos)\s+from", {"ima", "pho"}),
    (r"\bsocial(?:ly)?[- ]scor\w*", {"soc"}),
    (r"\b(?:un)?focus", {"unf", "foc"}),
    (r"\bin\s+public\b", {"in"}),
    (r"(?<!police\s)\bstations?\b", {"sta"}),
])
def test_prefixes(pattern: str, expected: set[str]) -> None:
    assert prefixes(pattern) == expected


@pytest.mark.parametrize("pattern", [r"(?<!\w)\w*bahnhof\w*", r"^\W*(?:can|may)\b",
                                     r"face[- ]?id", r"\b(?:\w+\s+)?days\s+after"])
def test_patterns_that_cannot_be_gated_are_always_scanned(pattern: str) -> None:
    assert prefixes(pattern) is None


@pytest.mark.parametrize("lang", SUPPORTED)
def test_gated_parts_lose_no_match(lang: str) -> None:
    for entry in vocab.load(lang).entries:
        for gate, regex in entry.parts:
            if gate is None or gate == vocab.ANCHORED:
                continue
            for question in _QUESTIONS:
                if regex.search(question):
                    assert not gate.isdisjoint(word_starts(question)), (regex.pattern, question)


def test_word_starts_are_lower_case_prefixes() -> None:
    starts = word_starts("Live CCTV at Köln Hbf")
    assert {"l", "li", "liv", "cct", "at", "kö", "köl", "hbf"} <= starts
    assert not any(re.search(r"[A-Z]", s) for s in starts)
