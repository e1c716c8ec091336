"""The gate never hides a match: every match of a gated pattern starts as its prefixes say."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from advisor.facts import mentions, vocab
from advisor.facts.gate import infixes, prefixes, word_starts
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


def test_a_stem_inside_compounds_is_gated_by_the_letters_it_starts_with() -> None:
    assert infixes(r"(?<!\w)\w*bahnhof\w*(?!\w)") == {"bah"}
    assert infixes(r"\bbahnhof") is None


@pytest.mark.parametrize("plain", [False, True])
@pytest.mark.parametrize("lang", SUPPORTED)
def test_gated_scanning_finds_what_scanning_everything_finds(lang: str, plain: bool) -> None:
    """Every part of every entry, tried only where its gate says, matches exactly where a
    plain scan of the whole question matches it (also in the vocabulary without accents)."""
    vocabulary = vocab.load(lang, plain=plain)
    for question in (vocab.unmarked(q) for q in _QUESTIONS) if plain else _QUESTIONS:
        scan = mentions._Scan(question)
        tried = {(e, p): where for e, p, where in vocabulary.parts_for(scan.starts, scan.runs)}
        for e, entry in enumerate(vocabulary.entries):
            if entry.names:
                continue
            for p, (_, regex) in enumerate(entry.parts or ((None, entry.regex),)):
                expected = [m.span() for m in regex.finditer(question)]
                if (e, p) not in tried:
                    got = []
                elif tried[(e, p)] is None:
                    got = [m.span() for m in mentions._matches(entry, p, scan)]
                else:
                    got = [m.span() for m in mentions._tried(regex, question, tried[(e, p)])]
                assert got == expected, (regex.pattern, question)
                if tried.get((e, p)) is not None:  # the index and the gate agree
                    assert got == [m.span() for m in mentions._matches(entry, p, scan)]


def test_word_starts_are_lower_case_prefixes() -> None:
    starts = word_starts("Live CCTV at Köln Hbf")
    assert {"l", "li", "liv", "cct", "at", "kö", "köl", "hbf"} <= starts.keys()
    assert not any(re.search(r"[A-Z]", s) for s in starts)
    assert starts["kö"] == (13,) and starts["l"] == (0,)
