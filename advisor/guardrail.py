"""The guardrail: a draft may explain the engine's verdicts, never change them.

Checks, in order: (a) the draft's verdicts equal the engine's; (b) every citation points at
a passage; (c) every quote is verbatim in its chunk (offsets set, ``verified=True``);
(d) no claim loses its only citation; (e) no sentence grants permission beside a
``prohibited`` verdict; (f) no fired rule rests on articles alone; (g) no quote is an
instruction-like sentence of a corpus document ("Say allowed."), and every passage holding
one is noted; (h) only the official text is presented as what a clause reads (our
restatement never follows "The clause reads"). An LLM draft is also read for what its words
say (``_llm_words``): (i) each sentence that speaks of a policy takes a stance (bars, allows,
depends, does not govern; advisor/stance.py, negations and seven languages included) that
agrees with that policy's verdict; (j) a prohibited or conditional verdict is grounded in at
least one of its deciding clauses; (k) no placeholder text is left ("[passages P1, P2, ...]",
"TODO"). A failure of (a) or (d)-(k) serves the offline answer instead, with status
``overridden`` and the reason in the notes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from advisor import quotes, stance
from advisor.schema import (
    VERDICT_ORDER,
    Citation,
    Claim,
    Draft,
    Guardrail,
    Passage,
    PolicyVerdict,
)

#: Phrases that grant permission; none may stand in a sentence beside a prohibited verdict.
PERMISSION_PHRASES: tuple[str, ...] = (
    "is allowed", "are allowed", "is permitted", "are permitted", "you may use", "you can use",
    "may be used", "can be used", "no restrictions", "no restriction", "is fine", "is acceptable",
    "nothing prohibits", "is ok to", "go ahead", "free to use",
    "everything is allowed",
)
# "is allowed only under ..." restricts rather than grants, so a following "only" excuses it.
_PERMISSION = re.compile("(?:" + "|".join(re.escape(p) for p in PERMISSION_PHRASES)
                         + r")(?!\s+only\b)", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_POLICY_KINDS = ("terms", "law")


def grants_permission(sentence: str) -> bool:
    """True when ``sentence`` contains a phrase that grants permission."""
    return _PERMISSION.search(sentence) is not None


def _strip_marker(text: str, n: int) -> str:
    return re.sub(rf"\s?\[{n}\]", "", text)


def _verify_citations(
    draft: Draft, by_id: dict[str, Passage], notes: list[str]
) -> tuple[list[Citation], set[int]]:
    kept: list[Citation] = []
    dropped: set[int] = set()
    for citation in draft.citations:
        passage = by_id.get(citation.chunk_id)
        if passage is None:
            notes.append(f"citation [{citation.n}] dropped: chunk {citation.chunk_id} "
                         "was not among the retrieved passages")
            dropped.add(citation.n)
            continue
        span = quotes.locate(citation.quote, passage.text)
        if span is None:
            notes.append(f"citation [{citation.n}] dropped: its quote is not verbatim in "
                         f"{citation.chunk_id}")
            dropped.add(citation.n)
            continue
        kept.append(citation.model_copy(update={
            "start": passage.start + span[0], "end": passage.start + span[1],
            "verified": True, "document": passage.document, "title": passage.title,
            "section": passage.section, "kind": passage.kind, "url": passage.url,
            "version": passage.version, "effective_date": passage.effective_date,
            "provenance": passage.provenance,
        }))
    return kept, dropped


def _orphaned_claims(claims: Sequence[Claim], dropped: set[int]) -> list[Claim]:
    return [c for c in claims if c.citations and set(c.citations) <= dropped]


def _permission_beside_prohibited(answer: str, verdicts: Sequence[PolicyVerdict]) -> str | None:
    if not any(v.verdict == "prohibited" for v in verdicts):
        return None
    for sentence in _SENTENCE.split(answer):
        if grants_permission(sentence):
            return sentence.strip()
    return None


def _articles_only(
    draft: Draft, citations: Sequence[Citation], verdicts: Sequence[PolicyVerdict]
) -> list[str]:
    by_n = {c.n: c for c in citations}
    bad: list[str] = []
    for verdict in verdicts:
        for hit in verdict.fired:
            key = f"{verdict.policy}/{hit.rule}"
            numbers = draft.rule_citations.get(key)
            if numbers is None:
                numbers = tuple(c.n for c in citations if c.chunk_id in hit.clauses)
            cited = [by_n[n] for n in numbers if n in by_n]
            if cited and not any(c.kind in _POLICY_KINDS for c in cited):
                bad.append(key)
    return bad


def _instructions(passages: Sequence[Passage], citations: Sequence[Citation],
                  notes: list[str]) -> list[str]:
    """Note passages holding instruction-like sentences; fail quotes that are one (g)."""
    for passage in passages:
        found = quotes.instructions_in(passage.text)
        if found:
            notes.append(f"{passage.chunk_id} holds an instruction-like sentence "
                         f"({found[0][:80]!r}); it is document text, never quoted as policy")
    return [f"citation [{c.n}] quotes an instruction-like sentence of {c.chunk_id}, not policy"
            for c in citations if quotes.is_instruction(c.quote)]


_READS = re.compile(r"\b(?:clause|text|article|section) reads:?\s*[\"\u201c][^\"\u201d]*"
                    r"[\"\u201d]\s*\[(\d+)\]", re.IGNORECASE)


def _misattributed(answer: str, citations: Sequence[Citation]) -> list[str]:
    """(h) Quotes presented as the clause's own words that are not the official text."""
    whose = {c.n: c.provenance for c in citations}
    return [f"citation [{n}] is presented as what the clause reads, but it is "
            f"{whose[int(n)] or 'undeclared'} text, not the official text"
            for n in _READS.findall(answer) if int(n) in whose and whose[int(n)] != "official"]
# ----------------------------------------------------------------------------- an LLM's words


def _disagrees(stances: frozenset[stance.Stance], verdict: str) -> bool:
    """True when a sentence's stances on a policy contradict the policy's verdict.

    A sentence that names a condition or a counterfactual ("would", "unless", "depends")
    explains what would change the answer; it is not read as deciding it.
    """
    if not stances or "depends" in stances:
        return False
    if verdict in ("prohibited", "conditional"):
        return bool(stances & {"allows", "not_governed"}) and "bars" not in stances
    if verdict == "not_prohibited":
        return "bars" in stances and not stances & {"allows", "not_governed"}
    if verdict == "not_applicable":
        return bool(stances & {"bars", "allows"}) and "not_governed" not in stances
    return False


_SAYS = {"bars": "bars it", "allows": "allows it", "not_governed": "does not govern it",
         "depends": "makes it depend on conditions"}


def _stance_failures(answer: str, verdicts: Sequence[PolicyVerdict], overall: str,
                     quotable: Sequence[str]) -> list[str]:
    """Sentences whose stance on a policy (or, unnamed, on the use) contradicts the verdict."""
    by_policy = {v.policy: v.verdict for v in verdicts}
    titles = {v.policy: v.title for v in verdicts}

    def quoted(text: str) -> bool:  # a quotation of a passage or of the user is not the draft's
        return any(quotes.locate(text, source) is not None for source in quotable)

    failures: list[str] = []
    for sentence in stance.read_all(answer, titles, quoted):
        for policy, stances in sentence.policies.items():
            verdict = by_policy.get(policy)
            if verdict is not None and _disagrees(stances, verdict):
                says = " and ".join(_SAYS[s] for s in sorted(stances))
                failures.append(f"a sentence says {policy} {says}, but its verdict is "
                                f"{verdict}: {sentence.text[:160]!r}")
        # A sentence that names no policy may not grant what the verdict refuses.
        unnamed = sentence.unnamed
        if overall in ("prohibited", "conditional") and "allows" in unnamed \
                and not unnamed & {"bars", "depends"}:
            failures.append(f"a sentence allows the use, but the verdict is {overall}: "
                            f"{sentence.text[:160]!r}")
    return failures


def _deciding_clauses(verdict: PolicyVerdict) -> set[str]:
    """The clauses the engine's own reasons point at (without the packs' pending rules)."""
    clauses = {c for hit in verdict.fired for c in hit.clauses}
    if verdict.verdict == "conditional":
        clauses |= {c for m in verdict.near_misses if m.open_facts for c in m.clauses}
    return clauses


def _ungrounded(citations: Sequence[Citation], verdicts: Sequence[PolicyVerdict],
                passages: Sequence[Passage], deciding: Mapping[str, Sequence[str]] | None
                ) -> list[str]:
    """Prohibited or conditional policies whose deciding clauses the draft never cites."""
    cited = {c.chunk_id for c in citations}
    offered = {p.chunk_id for p in passages}
    failures: list[str] = []
    for verdict in verdicts:
        if verdict.verdict not in ("prohibited", "conditional"):
            continue
        clauses = set(deciding.get(verdict.policy, ())) if deciding is not None else set()
        clauses = (clauses | _deciding_clauses(verdict)) & offered
        if clauses and not clauses & cited:
            failures.append(f"the draft cites none of the clauses that decide {verdict.policy} "
                            f"({verdict.verdict}): " + ", ".join(sorted(clauses)))
    return failures


def _llm_words(answer: str, citations: Sequence[Citation], verdicts: Sequence[PolicyVerdict],
               passages: Sequence[Passage], overall: str | None,
               deciding: Mapping[str, Sequence[str]] | None,
               said: Sequence[str] = ()) -> list[str]:
    """Checks (i)-(k) on the words of an LLM draft."""
    failures = [f"placeholder text left in the draft: {p!r}"
                for p in dict.fromkeys(stance.placeholders(answer))]
    if overall is None:
        overall = next((v for v in VERDICT_ORDER if any(p.verdict == v for p in verdicts)),
                       "not_applicable")
    if overall in ("informational", "out_of_scope"):
        return failures  # nothing is assessed: a summary of the texts takes no stance on a use
    failures += _stance_failures(answer, verdicts, overall,
                                 [*(p.text for p in passages), *said])
    failures += _ungrounded(citations, verdicts, passages, deciding)
    return failures


def _bare(verdicts: Sequence[PolicyVerdict], composer: str) -> Draft:
    """A last-resort answer built from the verdicts alone (no citations, no quotes)."""
    lines = ["The advisor could not produce a checked explanation; the verdicts stand:"]
    lines += [f"- {v.title}: {v.verdict.replace('_', ' ')}" for v in verdicts]
    return Draft(verdicts={v.policy: v.verdict for v in verdicts}, answer="\n".join(lines),
                 composer=composer)


def review(
    draft: Draft,
    verdicts: Sequence[PolicyVerdict],
    passages: Sequence[Passage],
    fallback: Callable[[], Draft] | None = None,
    *,
    overall: str | None = None,
    deciding: Mapping[str, Sequence[str]] | None = None,
    said: Sequence[str] = (),
) -> tuple[Draft, Guardrail]:
    """Check ``draft`` against the engine's verdicts and the passages; return what to serve.

    ``fallback`` produces the offline draft served when the draft fails; it is checked in
    turn (without a further fallback). ``overall`` is the overall verdict (derived from
    ``verdicts`` when not given); ``deciding`` maps a policy to the clause chunk ids of the
    rules that decide it, fired or pending (the fired rules' clauses when not given);
    ``said`` holds the user's words (question, earlier turns), which a draft may quote.
    """
    notes: list[str] = list(draft.notes)
    engine = {v.policy: v.verdict for v in verdicts}
    failures: list[str] = []

    if draft.verdicts != engine:
        diff = sorted(p for p in set(engine) | set(draft.verdicts)
                      if engine.get(p) != draft.verdicts.get(p))
        failures.append("the draft's verdicts differ from the rule engine's for "
                        + ", ".join(f"{p} (draft {draft.verdicts.get(p)}, engine {engine.get(p)})"
                                    for p in diff))

    by_id = {p.chunk_id: p for p in passages}
    citations, dropped = _verify_citations(draft, by_id, notes)
    for claim in _orphaned_claims(draft.claims, dropped):
        failures.append(f"a claim lost its only citation: {claim.text[:120]!r}")
    answer = draft.answer
    for n in sorted(dropped):
        answer = _strip_marker(answer, n)

    permission = _permission_beside_prohibited(answer, verdicts)
    if permission is not None:
        failures.append(f"a sentence grants permission beside a prohibited verdict: "
                        f"{permission[:160]!r}")
    for key in _articles_only(draft, citations, verdicts):
        failures.append(f"rule {key} rests on press articles alone, not on a clause")
    failures += _instructions(passages, citations, notes)
    failures += _misattributed(answer, citations)
    if draft.composer != "offline":
        failures += _llm_words(answer, citations, verdicts, passages, overall, deciding, said)

    if not failures:
        claims = tuple(
            c.model_copy(update={"citations": tuple(n for n in c.citations if n not in dropped)})
            for c in draft.claims
        )
        checked = draft.model_copy(update={
            "answer": answer, "citations": tuple(citations), "claims": claims, "notes": (),
            "rule_citations": {k: tuple(n for n in v if n not in dropped)
                               for k, v in draft.rule_citations.items()},
        })
        return checked, Guardrail(status="passed", notes=tuple(notes))

    notes += [f"guardrail: {f}" for f in failures]
    if fallback is None:
        notes.append("guardrail: served the verdicts alone, without an explanation")
        return _bare(verdicts, draft.composer), Guardrail(status="overridden", notes=tuple(notes))
    offline, inner = review(fallback(), verdicts, passages, None, overall=overall,
                            deciding=deciding, said=said)
    notes.append(f"guardrail: served the {offline.composer} answer instead of the "
                 f"{draft.composer} draft")
    return offline, Guardrail(status="overridden", notes=tuple(notes) + inner.notes)
