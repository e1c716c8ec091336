"""The gate never hides a match: every match of a gated pattern starts as its prefixes say."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from advisor.facts import gate, mentions, vocab
from advisor.facts.gate import infixes, prefixes, runs, word_starts
from advisor.facts.language import SUPPORTED

_QUESTIONS = [
    case["question"]
    for path in (Path(__file__).with_name("reader_cases.yaml"),
                 Path(__file__).parents[2] / "benchmarks" / "data" / "reader_dev.yaml")
    for case in yaml.safe_load(path.read_text("utf-8"))
]


@pytest.mark.parametrize(("pattern", "expected"), [
    (r"\bscrap(?:e|es|ed|ing)\b", {"scrape", "scrapi"}),
    (r"\b(?:images|photos)\s+from", {"images", "photos"}),
    (r"\bsocial(?:ly)?[- ]scor\w*", {"social"}),
    (r"\b(?:un)?focus", {"unfocu", "focus"}),
    (r"\bin\s+public\b", {"in pub"}),  # any run of whitespace reads as one space
    (r"\bin\s*pub", {"in pub", "inpub"}),
    (r"(?<!police\s)\bstations?\b", {"statio"}),
    (r"\b(?:the\s+)?public\s+(?:can|may)", {"the pu", "public"}),  # an optional word
    (r"\b(?:how\s+)?likely\s+to", {"how li", "likely"}),
    (r"\bno[\s-]+one", {"no"}),  # a class of space and hyphen: the prefix ends there
])
def test_prefixes(pattern: str, expected: set[str]) -> None:
    assert prefixes(pattern) == expected


@pytest.mark.parametrize("pattern", [r"(?<!\w)\w*bahnhof\w*", r"^\W*(?:can|may)\b",
                                     r"face[- ]?id", r"\b(?:\w+\s+)?days\s+after"])
def test_patterns_that_cannot_be_gated_are_always_scanned(pattern: str) -> None:
    assert prefixes(pattern) is None


def test_a_stem_inside_compounds_is_gated_by_the_letters_it_starts_with() -> None:
    assert infixes(r"(?<!\w)\w*bahnhof\w*(?!\w)") == {"bahnh"}
    assert infixes(r"(?<!\w)\w*ai\w*") is None  # too short a stem to gate
    assert infixes(r"\bbahnhof") is None


@pytest.mark.parametrize("plain", [False, True])
@pytest.mark.parametrize("lang", SUPPORTED)
def test_gated_scanning_finds_what_scanning_everything_finds(lang: str, plain: bool) -> None:
    """Every part of every entry, tried only where its gate says, matches exactly where a
    plain scan of the whole question matches it (also in the vocabulary without accents)."""
    vocabulary = vocab.load(lang, plain=plain)
    index = vocabulary.index
    for question in (vocab.unmarked(q) for q in _QUESTIONS) if plain else _QUESTIONS:
        got: dict[int, list[tuple[int, int]]] = {}
        for pid, match in mentions._hits(vocabulary, mentions._Scan(question)):
            got.setdefault(pid, []).append((match.start(), match.start() + len(match.group(0))))
        for pid, (e, _) in enumerate(index.where):
            if vocabulary.entries[e].names:
                continue
            expected = [m.span() for m in index.regexes[pid].finditer(question)]
            assert got.get(pid, []) == expected, (index.regexes[pid].pattern, question)


def test_whitespace_runs_and_line_breaks_do_not_hide_a_match() -> None:
    """A gate written for "in public" still opens on "in   public" and "in\npublic"."""
    vocabulary = vocab.load("en")
    for question in ("We film people in   public.", "We film people in\n\tpublic."):
        scan = mentions._Scan(question)
        found = {(vocabulary.entries[vocabulary.index.where[pid][0]].name,
                  vocabulary.entries[vocabulary.index.where[pid][0]].value)
                 for pid, _ in mentions._hits(vocabulary, scan)}
        assert ("setting", "uncontrolled") in found, question


@pytest.mark.parametrize(("pattern", "expected"), [
    (r"\b(?:[\w-]+['’]s\s+own\s+)?security\s+staff", {"secur"}),
    (r"\b(?:\w+\s+)?(?:days?|weeks?)\s+after\b", {"day", "days", "week", "weeks"}),
    (r"(?:^|[.!?]\s*)(?:publicly|open)\s+to", {"publi", "open"}),  # cut at the space
    (r"\b(?:\w*bahnhof\w*|gare)\b", {"bahnh", "gare"}),  # a group every match holds
    (r"(?:\(\s*not\s+microsoft|\bnothing\s+from)", {"not", "nothi"}),  # each alternative's
])
def test_runs_name_letters_every_match_holds(pattern: str, expected: set[str]) -> None:
    assert runs(pattern) == expected
    text = {"secur": "our own security staff", "day": "two days after"}.get(min(expected))
    if text is not None:  # and a match does hold one of them
        match = re.search(pattern, text, re.I)
        assert match is not None and any(r in match.group(0).lower() for r in expected)


@pytest.mark.parametrize("pattern", [r"\b\w+\s+\w+", r"(?:^|\()\s*live\b|\bx\w*"])
def test_runs_are_none_when_some_match_may_hold_no_fixed_letters(pattern: str) -> None:
    assert runs(pattern) is None


def test_word_starts_are_lower_case_prefixes() -> None:
    starts = word_starts("Live CCTV at  Köln Hbf")
    assert {"l", "li", "liv", "live c", "cctv a", "at kö", "kö", "köl", "hbf"} <= starts.keys()
    assert not any(re.search(r"[A-Z]", s) for s in starts)
    assert starts["kö"] == (14,) and starts["l"] == (0,)


@pytest.mark.parametrize("lang", SUPPORTED)
def test_a_scope_cue_is_skipped_only_where_it_cannot_match(lang: str) -> None:
    """Scope cues (negation, other party, ...) are scanned in a window only when its gate
    says one may match there: wherever it says none can, scanning finds none."""
    from advisor.facts.scope import _Cues

    vocabulary = vocab.load(lang)
    for question in _QUESTIONS[::3]:
        cues = _Cues(question)
        starts = sorted({*range(0, len(question), 7),  # some inside a word, too
                         *(m.start() for m in re.finditer(r"[\s.,;:!?()]", question))})
        ends = [m.start() for m in re.finditer(r"\b\w", question)] + [len(question)]
        for kind in vocabulary.scope:
            patterns, where = cues.get(vocabulary, kind)
            for lo in starts:
                for hi in (e for e in ends if e > lo):
                    if not cues.maybe(where, lo, hi):
                        window = question[lo:hi]
                        assert not any(p.search(window) for p in patterns), (kind, window)


@pytest.mark.parametrize(("pattern", "expected"), [
    (r"\b(?:ab)*cd", {"ab", "cd"}),  # a group that may repeat is walked once: "ababcd"
    (r"\b(?:x{2})?yz", {"x", "yz"}),
    (r"\b(?:al+)?ert", {"al", "ert"}),
])
def test_a_repeating_group_cuts_the_prefix(pattern: str, expected: set[str]) -> None:
    assert prefixes(pattern) == expected


def test_a_form_opening_with_an_apostrophe_is_not_gated_by_word_starts() -> None:
    """"'s", "'n" (Dutch, Italian forms) start with no word character: never a word start."""
    assert prefixes(r"(?<!\w)(?:'n|in)[\s\-]+diretta") is None
    vocabulary = vocab.load("nl")
    question = "De gemeente filmt het plein en bekijkt de beelden 's volgende dag."
    got = {pid for pid, _ in mentions._hits(vocabulary, mentions._Scan(question))}
    for pid, regex in enumerate(vocabulary.index.regexes):
        if regex.search(question) and not vocabulary.entries[vocabulary.index.where[pid][0]].names:
            assert pid in got, regex.pattern


@pytest.mark.parametrize("lang", ["en", "de", "pl"])
def test_dotted_and_dotless_i_and_long_s_do_not_hide_a_match(lang: str) -> None:
    """"İ", "ı" and "ſ" match "i" and "s" case-insensitively though str.lower() keeps or
    lengthens them: the gates fold them first."""
    vocabulary = vocab.load(lang)
    index = vocabulary.index
    for question in ("We film the square wİthout identifyıng anyone; ſend officers.",
                     "CAN A SHOP İN PARİS USE LİVE FACE İDENTİFİCATİON?",
                     "Darf die Bundespolizeİ Gesichtserkennung nutzen? Dane BİometryczNe."):
        got: dict[int, list[tuple[int, int]]] = {}
        for pid, match in mentions._hits(vocabulary, mentions._Scan(question)):
            got.setdefault(pid, []).append((match.start(), match.start() + len(match.group(0))))
        for pid, (e, _) in enumerate(index.where):
            if not vocabulary.entries[e].names:
                expected = [m.span() for m in index.regexes[pid].finditer(question)]
                assert got.get(pid, []) == expected, (index.regexes[pid].pattern, question)


def test_a_name_matched_case_insensitively_but_not_listed_does_not_crash() -> None:
    import datetime as dt

    from advisor.facts import extract_facts

    for question in ("Can the Metropolitan Polİce use live facial recognition?",
                     "Darf die Bundespolizeİ Gesichtserkennung nutzen?",
                     "Can the Federal Bureau of Investigatıon use it?"):
        extract_facts(question, today=dt.date(2026, 12, 3))  # no KeyError


@pytest.mark.parametrize("plain", [False, True])
@pytest.mark.parametrize("lang", SUPPORTED)
def test_the_gates_stored_at_build_time_are_current(lang: str, plain: bool) -> None:
    """vocab/forms/gates.json holds, for every pattern of the vocabulary, the gate worked
    out afresh (so a first question parses none): rebuild with python -m advisor.facts.forms."""
    assert gate._stored(), ("vocab/forms/gates.json is missing or was built by other gate code:"
                            " run 'python -m advisor.facts.forms'")
    with gate.recording() as table:
        vocab.load.__wrapped__(lang, plain)
    stored = gate._stored()
    for kind, rows in table.items():
        stale = [key for key, found in rows.items()
                 if stored.get(kind, {}).get(key, "missing") != found]
        assert not stale, (f"{len(stale)} {kind} gates of {lang} differ from gates.json: run"
                           " 'python -m advisor.facts.forms'")


@pytest.mark.parametrize("plain", [False, True])
@pytest.mark.parametrize("lang", SUPPORTED)
def test_every_pattern_compiles(lang: str, plain: bool) -> None:
    """Patterns compile on their first use (vocab.LazyPattern): a bad one fails here, not on
    some user's question."""
    for entry in vocab.load(lang, plain=plain).entries:
        for _, regex in entry.parts or ((None, entry.regex),):
            if isinstance(regex, vocab.LazyPattern):
                assert regex.regex.pattern == regex.pattern


def test_a_lazy_pattern_names_its_file_when_it_does_not_compile() -> None:
    bad = vocab.LazyPattern(r"\bface(", "de.yaml facts.purpose")
    with pytest.raises(ValueError, match=r"de\.yaml facts\.purpose: bad pattern"):
        bad.match("face")


@pytest.mark.parametrize(("pattern", "text", "starts"), [
    (r"(?:^|(?<=[.;:!?,]\s)|(?<=\n))\s*(?:the\s+)?shop\b", "Shop. the shop,\nshop; shops",
     [0, 6, 16, 22]),
    (r"(?<!\bin\s)(?<!\bat\s)(?<=\bfor\s)street\s+\w+", "for street crime, at street x", [4]),
])
def test_a_part_opening_with_a_lookbehind_is_tried_only_where_it_holds(
        pattern: str, text: str, starts: list[int]) -> None:
    behind = mentions.behind_starts(pattern)
    assert behind is not None
    assert mentions._Scan(text).behind(behind) == starts
    regex = re.compile(pattern, re.IGNORECASE)
    assert [m.span() for m in mentions._tried(regex, text, starts)] == [
        m.span() for m in regex.finditer(text)]


@pytest.mark.parametrize("pattern", [r"\bshop", r"(?<!x)shop", r"a(?<=a)b", r"(?=x)?",
                                     r"(?:(?<=x)|y)z", r"(?i:(?<=x))z"])
def test_a_part_not_placed_by_a_lookbehind_is_scanned_as_before(pattern: str) -> None:
    assert mentions.behind_starts(pattern) is None


@pytest.mark.parametrize("text", [
    "Bring the hotel rooms. Public canteens, and the canteen in the hotel room. For street"
    " fights in our canteen? xcanteens",
    "in the canteen, canteen; canteencanteen. hotel  rooms, street",
    "",
])
def test_a_join_placed_only_in_part_finds_what_finditer_finds(text: str) -> None:
    pieces = [r"(?:(?<!\bin\s)(?<!\bthe\s)(?:^|(?<=[.;,]\s))\s*(?:the\s+)?\w+\s+canteens?\b)",
              r"(?:(?<=\bfor\s)street\s+\w+)",
              r"(?:canteens?|hotel\s+rooms?)",
              r"(?:\w*canteen\w*)"]
    pattern = "|".join(pieces)
    split = mentions._split(pattern, re.IGNORECASE, tuple(range(len(pieces))))
    assert split is not None and split[0] is not None  # placed in part, and in part free
    regex = re.compile(pattern, re.IGNORECASE)
    assert [m.span() for m in mentions._mixed(regex, *split, mentions._Scan(text))] == [
        m.span() for m in regex.finditer(text)]
