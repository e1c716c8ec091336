"""Shape checks on the vocabulary's patterns that keep the reader's scan linear.

A pattern that opens with a bounded run of a negated class (``[^.;!?]{0,160}?...``) and no
anchor is tried at every character of the text and re-reads up to the run's bound each time:
one such mask cost 3-5 ms on long questions. Such a lead must sit behind an anchor
(``^``, a lookbehind, ``\\b``), which the scan places cheaply.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

VOCAB = Path(__file__).resolve().parents[2] / "advisor" / "facts" / "vocab"
#: An unanchored opening run: optional groups, then a negated class with a {m,n} bound.
_UNANCHORED_RUN = re.compile(r"^(?:\(\?:)*\[\^(?:\\.|[^\]])*\]\{\d*,\d+\}")


def _strings(node: object) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


@pytest.mark.parametrize("path", sorted(VOCAB.glob("*.yaml")), ids=lambda p: p.name)
def test_no_pattern_opens_with_an_unanchored_bounded_run(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    found = [s[:80] for s in _strings(data) if _UNANCHORED_RUN.match(s)]
    assert found == []


def test_the_check_finds_the_shape() -> None:
    assert _UNANCHORED_RUN.match(r"[^.;!?]{0,160}?(?:\bin\s+20\d\d\b)")
    assert _UNANCHORED_RUN.match(r"(?:[^.]{0,40}x)")
    assert not _UNANCHORED_RUN.match(r"(?:^|(?<=[.;!?]))[^.;!?]{0,400}?x")
    assert not _UNANCHORED_RUN.match(r"\b[^.]{0,40}x")
