"""Small builders for eval tests: answers made from the real schema, a tiny corpus."""

from __future__ import annotations

import datetime as dt
from typing import Any

from advisor.evals.metrics import QuoteChecker
from advisor.schema import Answer, Citation, Fact, PolicyVerdict

DOC_TEXT = (
    "## ID-1: No identification\n\n"
    "Integrations must not be used to identify or verify individuals from faces.\n\n"
    "## LE-2: Mobile cameras\n\n"
    "No law enforcement may use real-time facial recognition on mobile cameras.\n"
)
CHUNKS = {
    "coc#ID-1": DOC_TEXT[: DOC_TEXT.index("## LE-2")],
    "coc#LE-2": DOC_TEXT[DOC_TEXT.index("## LE-2"):],
}


def checker() -> QuoteChecker:
    return QuoteChecker({"coc": DOC_TEXT}, CHUNKS)


def cite(n: int, chunk_id: str, quote: str, *, verified: bool = True,
         offsets: tuple[int, int] | None = None) -> Citation:
    start = DOC_TEXT.find(quote) if offsets is None else offsets[0]
    end = start + len(quote) if offsets is None else offsets[1]
    return Citation(n=n, chunk_id=chunk_id, document=chunk_id.split("#")[0], title="Code",
                    section=chunk_id.split("#")[1], kind="terms", quote=quote, start=start,
                    end=end, verified=verified)


def answer(verdict: str = "prohibited", policies: dict[str, str] | None = None,
           citations: tuple[Citation, ...] = (), text: str = "",
           facts: dict[str, Any] | None = None, guardrail: str = "passed",
           composer: str = "offline") -> dict[str, Any]:
    pols = tuple(PolicyVerdict(policy=p, title=p, verdict=v)  # type: ignore[arg-type]
                 for p, v in (policies or {}).items())
    return Answer(
        question="q", as_of=dt.date(2025, 6, 1), verdict=verdict,  # type: ignore[arg-type]
        policies=pols, citations=citations, answer=text,
        facts={k: Fact.model_validate({"value": v, "from": "words"})
               for k, v in (facts or {}).items()},
        guardrail={"status": guardrail, "notes": []},  # type: ignore[arg-type]
        composer=composer,
    ).model_dump(mode="json")
