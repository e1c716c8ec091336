"""What the evidence benchmarks (ContractNLI, PolicyQA) share: the budget and how it is spent.

Each ranks passages of a real document for a question and counts a hit when a gold span
overlaps the results taken in rank order until BUDGET characters are spent (the last cut).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

#: ../shared beside the checkout (as laid for developers and CI).
SHARED = Path(__file__).resolve().parents[2] / "shared" / "benchmarks"
BUDGET = 2500
RRF_K = 60

Span = tuple[int, int]
#: A ranking: (question, document id) -> (start, end) offsets into the document, best first.
Ranker = Callable[[str, str], list[Span]]


def take(ranked: Iterable[Span], budget: int = BUDGET) -> list[Span]:
    """Results in rank order until the character budget is spent (the last one cut)."""
    taken: list[Span] = []
    left = budget
    for start, end in ranked:
        if left <= 0:
            break
        end = min(end, start + left)
        taken.append((start, end))
        left -= end - start
    return taken
