"""The LLM composer: a ComposeRequest in, a Draft out, the verdicts never its to decide.

It builds the prompt, asks the chat model for structured JSON and maps the answer to a
Draft: passage ids ``P1..Pn`` become chunk ids with the passage's metadata; quotes are kept
as the model gave them (``verified=False``, offsets provisional), except that a quote copied
with a character or two wrong is replaced by the passage's own words, with a note; the n-th
citation is [n], and each sentence with [n] markers is a claim resting on them (unless the
model listed its claims itself). The guardrail then checks the verdicts, the citations and
the quotes.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError
from rapidfuzz import fuzz

from advisor import quotes, stance
from advisor.config import Settings
from advisor.errors import LLMError, LLMResponseError
from advisor.llm.client import ChatModel, chat_model
from advisor.llm.prompts import MAX_PASSAGES, build_prompt
from advisor.schema import Citation, Claim, ComposeRequest, Draft, Passage

__all__ = ["LLMComposer"]

_MARKER = re.compile(r"\[(\d+)\]")
#: How close (rapidfuzz partial ratio, 0-100) a model's quote must be to a stretch of its
#: passage for the passage's own words to stand in for it; a quote shorter than
#: _ANCHOR_MIN characters must be exact.
ANCHOR_SCORE = 95.0
_ANCHOR_MIN = 20
_PID = re.compile(r"^\[?\s*p?\s*(\d+)\s*\]?$", re.IGNORECASE)


def _resolve(raw: str, passages: dict[str, Passage]) -> Passage | None:
    """The passage a model's ``passage_id`` names: ``P3``, ``[P3]``, ``3`` or a chunk id."""
    text = raw.strip()
    match = _PID.match(text)
    if match:
        return passages.get(f"P{int(match.group(1))}")
    for passage in passages.values():
        if passage.chunk_id == text:
            return passage
    return None


def _anchored(quote: str, text: str) -> str:
    """The passage's own words for a quote a model copied almost exactly, else the quote.

    Small models drop or change a character or two when they copy; the words they meant
    are the stretch of the passage that aligns with the quote at ANCHOR_SCORE or better.
    A quote that is not that close stays as given, for the guardrail to drop.
    """
    if len(quote) < _ANCHOR_MIN or quotes.locate(quote, text) is not None:
        return quote
    found = fuzz.partial_ratio_alignment(quote, text, score_cutoff=ANCHOR_SCORE)
    if found is None:
        return quote
    start, end = found.dest_start, found.dest_end
    while start > 0 and text[start - 1].isalnum():  # whole words, not a cut one
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    return text[start:end].strip() or quote


def _citation(n: int, raw_id: str, quote: str, passage: Passage | None) -> Citation:
    if passage is None:
        # Kept so the guardrail drops it and downgrades any claim resting on it alone.
        return Citation(n=n, chunk_id=raw_id.strip() or "(none)", document="", title="",
                        section="", kind="document", quote=quote, start=0, end=0,
                        verified=False)
    at = passage.text.find(quote) if quote else -1
    start, end = ((passage.start + at, passage.start + at + len(quote)) if at >= 0
                  else (passage.start, passage.end))  # provisional: the guardrail sets them
    return Citation(
        n=n, chunk_id=passage.chunk_id, document=passage.document, title=passage.title,
        section=passage.section, kind=passage.kind, quote=quote, url=passage.url,
        start=start, end=end, verified=False, version=passage.version,
        effective_date=passage.effective_date,
    )


def _claims(answer: str) -> tuple[Claim, ...]:
    """Each sentence of the answer that carries [n] markers, as a claim resting on them."""
    out: list[Claim] = []
    for sentence in stance.sentences(answer):
        numbers = tuple(dict.fromkeys(int(m) for m in _MARKER.findall(sentence)))
        if numbers:
            out.append(Claim(text=sentence, citations=numbers))
    return tuple(out)


def _rule_citations(request: ComposeRequest, claims: tuple[Claim, ...],
                    citations: list[Citation]) -> dict[str, tuple[int, ...]]:
    """Per fired rule, the citations the draft rests it on: its clause, and claims naming it.

    The guardrail uses this to refuse a rule that rests on press articles alone.
    """
    out: dict[str, tuple[int, ...]] = {}
    for verdict in request.verdicts:
        for hit in verdict.fired:
            named = re.compile(rf"(?<![\w-]){re.escape(hit.rule)}(?![\w-])")
            numbers = {c.n for c in citations if c.chunk_id in hit.clauses}
            for claim in claims:
                if named.search(claim.text):
                    numbers.update(claim.citations)
            if numbers:
                out[f"{verdict.policy}/{hit.rule}"] = tuple(sorted(numbers))
    return out


def _draft(data: dict[str, Any], request: ComposeRequest, passages: dict[str, Passage],
           composer: str) -> Draft:
    notes: list[str] = []
    citations: list[Citation] = []
    seen: set[int] = set()
    for position, item in enumerate(data["citations"], start=1):
        n = int(item["n"]) if item.get("n") is not None else position
        if n in seen:
            notes.append(f"llm: citation [{n}] was given twice; kept the first")
            continue
        seen.add(n)
        passage = _resolve(str(item["passage_id"]), passages)
        quote = str(item["quote"])
        if passage is not None:
            anchored = _anchored(quote, passage.text)
            if anchored != quote:
                notes.append(f"llm: quote [{n}] differed from {passage.chunk_id} in a few "
                             f"characters; the passage's own words are quoted")
                quote = anchored
        citations.append(_citation(n, str(item["passage_id"]), quote, passage))
    claims = tuple(Claim(text=c["text"], citations=tuple(c["citations"]))
                   for c in data.get("claims") or ()) or _claims(data["answer"])
    dangling = sorted({n for c in claims for n in c.citations} - seen)
    if dangling:
        notes.append("llm: claims cite " + ", ".join(f"[{n}]" for n in dangling)
                     + " with no matching citation")
    unmatched = sorted({int(m) for m in _MARKER.findall(data["answer"])} - seen)
    if unmatched:
        notes.append("llm: the answer has markers " + ", ".join(f"[{n}]" for n in unmatched)
                     + " with no matching citation")
    return Draft(verdicts=dict(data["verdicts"]), answer=data["answer"],
                 citations=tuple(citations), claims=claims, composer=composer,
                 notes=tuple(notes),
                 rule_citations=_rule_citations(request, claims, citations))


class LLMComposer:
    """Composes a Draft with an LLM over a ChatModel; raises LLMError when it cannot."""

    def __init__(self, chat_model: ChatModel, *, max_passages: int = MAX_PASSAGES) -> None:
        self.chat_model = chat_model
        self.max_passages = max_passages
        self.name = f"llm:{chat_model.name}"

    @classmethod
    def from_settings(cls, settings: Settings) -> LLMComposer:
        """The composer over the endpoint the settings name (ConfigError when there is none)."""
        return cls(chat_model(settings), max_passages=settings.llm_max_passages)

    def compose(self, request: ComposeRequest) -> Draft:
        """Write the draft answer for ``request`` (verdicts restated, quotes unverified)."""
        prompt = build_prompt(request, self.max_passages)
        data = self.chat_model.complete(prompt.messages, schema=prompt.schema,
                                        max_tokens=prompt.max_tokens)
        try:
            return _draft(data, request, prompt.passages, self.name)
        except LLMError:
            raise
        except (KeyError, TypeError, ValueError, ValidationError) as exc:
            raise LLMResponseError(
                f"The LLM's answer could not be turned into a draft ({exc}); try a stronger "
                "ADVISOR_LLM_MODEL or ADVISOR_COMPOSER=offline."
            ) from exc
