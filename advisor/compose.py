"""The offline composer: a deterministic, cited explanation of the engine's verdicts.

No network, nothing random: the same request always gives the same markdown. Citations
are numbered in order of first use; each quote is a verbatim sentence of its chunk.
Press articles appear only as reporting, never as the ground of a verdict.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from advisor import quotes
from advisor.guardrail import PERMISSION_PHRASES, grants_permission
from advisor.schema import (
    Citation,
    Claim,
    ComposeRequest,
    Draft,
    Fact,
    MissingFact,
    Passage,
    PolicyVerdict,
    Verdict,
)

_SHORT_NAMES: dict[str, str] = {
    "azure-openai-coc": "the Azure OpenAI code of conduct",
    "azure-ai-face": "the Azure AI Face Limited Access policy",
    "eu-ai-act": "the EU AI Act (Article 5)",
}
_LABELS: dict[str, str] = {
    "prohibited": "prohibited", "conditional": "conditional", "not_prohibited": "not prohibited",
    "not_applicable": "not applicable", "informational": "informational",
    "out_of_scope": "out of scope",
}
_HEADLINE_PHRASES: dict[str, str] = {
    "prohibited": "prohibits this use",
    "conditional": "makes it depend on conditions or open facts",
    "not_prohibited": "has no clause against it as described",
    "not_applicable": "does not govern this case",
}
_POLICY_KINDS = ("terms", "law")
_VALUE_LABELS: dict[str, str] = {
    "azure_openai": "Azure OpenAI Service", "azure_ai_face": "Azure AI Face",
    "us_police": "a US police department", "us_federal": "a US federal agency",
    "law_enforcement": "law enforcement", "government_non_le": "a public body other than police",
    "private": "a private organisation", "education": "an education body",
    "employer": "an employer", "us": "United States", "eu": "EU", "uk": "United Kingdom",
    "real_time": "real time", "post": "after the event", "body_worn": "body-worn camera",
    "dash": "dash camera", "other_mobile": "other mobile camera", "fixed": "fixed camera",
    "victim_search": "a targeted search for a victim or missing person",
    "imminent_threat": "preventing an imminent threat", "serious_crime_suspect":
    "locating a suspect of a serious crime", "detection_or_redaction": "detection or redaction",
    "apprehended_suspect": "identifying a suspect already in custody",
    "emotion_inference": "emotion inference", "social_scoring": "social scoring",
    "non_biometric": "no biometric processing",
}
_AVOID = tuple(p.lower() for p in PERMISSION_PHRASES)
_IDENTIFYING = ("identification", "verification")
# Words every passage shares, which say nothing about whether an article is on point.
_UBIQUITOUS = frozenset({"azure", "openai", "service", "microsoft", "use", "used", "using"})
_PRESS_MIN_OVERLAP = 4
_INFO_MIN_OVERLAP = 1
_LENIENT = re.compile(r"leeway|allow|permit|exempt|loophole|room for", re.I)
_PENDING = re.compile(r"^(?P<rule>\S+) \((?P<effect>[a-z ]+)\) applies if the open facts "
                      r"\((?P<facts>[^)]*)\) go its way: (?P<rest>.*)$", re.S)
_CLAUSE_PREFIX = re.compile(r"^\s*[\w.\-/]+\s*[:.)\u2013\u2014-]\s*")


def _label(verdict: str) -> str:
    return _LABELS.get(verdict, verdict.replace("_", " "))


def _short(verdict: PolicyVerdict) -> str:
    return _SHORT_NAMES.get(verdict.policy, verdict.title)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


class _Citer:
    """Assigns citation numbers in order of first use and keeps each chunk's quote."""

    def __init__(self, passages: Sequence[Passage]):
        self.by_id = {p.chunk_id: p for p in passages}
        self.citations: list[Citation] = []
        self._numbers: dict[str, int] = {}

    def cite(self, chunk_id: str, terms: Iterable[str], operative: bool = True,
             avoid: tuple[str, ...] = ()) -> int | None:
        """The citation number of ``chunk_id`` (assigned now if new), or None if absent."""
        if chunk_id in self._numbers:
            return self._numbers[chunk_id]
        passage = self.by_id.get(chunk_id)
        if passage is None:
            return None
        if passage.kind in _POLICY_KINDS:  # a clause's heading names what it is about
            terms = [*terms, passage.section.split(" > ")[-1]]
        quote = quotes.best_sentence(passage.text, terms, avoid=_AVOID + avoid,
                                     operative=operative and passage.kind in _POLICY_KINDS)
        span = quotes.locate(quote, passage.text) or (0, len(passage.text))
        n = len(self.citations) + 1
        self.citations.append(Citation(
            n=n, chunk_id=passage.chunk_id, document=passage.document, title=passage.title,
            section=passage.section, kind=passage.kind, quote=quote, url=passage.url,
            start=passage.start + span[0], end=passage.start + span[1], verified=False,
            version=passage.version, effective_date=passage.effective_date,
        ))
        self._numbers[chunk_id] = n
        return n

    def quote(self, n: int) -> str:
        """The quote of citation ``n``."""
        return self.citations[n - 1].quote


class _Writer:
    """Builds the markdown answer line by line, recording cited sentences as claims."""

    def __init__(self, request: ComposeRequest):
        self.request = request
        self.citer = _Citer(request.passages)
        self.lines: list[str] = []
        self.claims: list[Claim] = []
        self.rule_citations: dict[str, tuple[int, ...]] = {}

    def label(self, text: str) -> None:
        """A label line after a list: the blank line ends the list, so it stands alone."""
        self.lines.extend(("", text))

    def add(self, text: str, citations: Sequence[int] = ()) -> None:
        self.lines.append(text)
        if citations:
            self.claims.append(Claim(text=text, citations=tuple(citations)))

    def clause(self, clauses: Sequence[str]) -> Passage | None:
        for chunk_id in clauses:
            passage = self.citer.by_id.get(chunk_id)
            if passage is not None and passage.kind in _POLICY_KINDS:
                return passage
        return None

    def clause_name(self, rule: str, clauses: Sequence[str]) -> str:
        passage = self.clause(clauses)
        if passage is None:
            return rule
        heading = passage.section.split(" > ")[-1].strip()
        key = passage.chunk_id.split("#", 1)[1].split(":", 1)[0]
        first = heading.split(":", 1)[0].strip()
        if ":" in heading and " " not in first and (
                any(ch.isdigit() for ch in first) or first.lower() == key.lower()):
            heading = _CLAUSE_PREFIX.sub("", heading, count=1)
        if key.lower() != rule.lower() and not key.islower():
            return f"{rule} (on {key}: {heading})" if heading else f"{rule} (on {key})"
        return f"{rule} ({heading})" if heading and heading.lower() != rule.lower() else rule

    def terms(self, *extra: str) -> list[str]:
        return [self.request.question, *extra]


def _headline(w: _Writer) -> None:
    request = w.request
    applicable = [v for v in request.verdicts if v.verdict != "not_applicable"]
    parts = []
    for v in applicable:
        rules = ", ".join(h.rule for h in v.fired if h.effect == v.verdict)
        rules_note = f" ({rules})" if rules else ""
        parts.append(f"{_short(v)} {_HEADLINE_PHRASES[v.verdict]}{rules_note}")
    summary = "; ".join(parts) if parts else "none of the indexed policies governs this case"
    w.add(f"**Overall verdict: {_label(request.overall)}.** {_cap(summary)}.")


def _fired(w: _Writer, verdict: PolicyVerdict) -> None:
    for hit in verdict.fired:
        name = w.clause_name(hit.rule, hit.clauses)
        passage = w.clause(hit.clauses)
        lifts = hit.effect == "not_prohibited"  # quote what the clause leaves out, not its bar
        n = w.citer.cite(passage.chunk_id, w.terms(hit.because),
                         operative=hit.effect == "prohibited",
                         avoid=("must not", "may not") if lifts else ()) if passage else None
        if n is None:
            w.add(f"- **{name}** applies. {_cap(_sentence(hit.because))}")
            continue
        w.rule_citations[f"{verdict.policy}/{hit.rule}"] = (n,)
        w.add(f"- **{name}** applies. {_cap(_sentence(hit.because))} "
              f"The clause reads: “{w.citer.quote(n)}” [{n}]", [n])


def _reason(rule: str, because: str) -> str:
    """The engine's reason without a leading "<rule> does not apply:" of its own."""
    prefix = re.compile(rf"^\s*{re.escape(rule)}\s+(?:does not apply|applies)\s*:\s*", re.I)
    return _sentence(prefix.sub("", because)).rstrip(".")


def _also(rule: str, because: str) -> str:
    """'LE-2 also applies if the matching is live: timing not stated' -> 'would also apply
    if the matching is live (timing not stated)'."""
    rest = re.sub(rf"^\s*{re.escape(rule)}\s+also applies if\s*", "", because, flags=re.I)
    condition, _, unstated = rest.partition(":")
    condition = condition.strip().rstrip(".")
    unstated = unstated.strip().rstrip(".")
    return f"would also apply if {condition}" + (f" ({unstated})" if unstated else "")


def _near_misses(w: _Writer, verdict: PolicyVerdict) -> None:
    deciding = [h.rule for h in verdict.fired if h.effect == verdict.verdict]
    covered = {c for h in verdict.fired for c in h.clauses}
    for miss in verdict.near_misses:
        if miss.clauses and set(miss.clauses) <= covered:
            continue  # a variant of a clause already discussed (e.g. LE-1 and LE-1-FEDERAL)
        covered |= set(miss.clauses)
        name = w.clause_name(miss.rule, miss.clauses)
        passage = w.clause(miss.clauses)
        n = w.citer.cite(passage.chunk_id, w.terms(miss.because)) if passage else None
        marker = f" [{n}]" if n is not None else ""
        if miss.open_facts:  # met on every stated fact, open on the rest: same verdict anyway
            w.add(f"- {_cap(name)} {_also(miss.rule, miss.because)}; the verdict is the same "
                  f"either way.{marker}", [n] if n is not None else [])
            continue
        text = f"- {_cap(name)} does not reach this case: {_reason(miss.rule, miss.because)}"
        if deciding and verdict.verdict == "prohibited":
            verb = "does" if len(deciding) == 1 else "do"
            text += f", but {_join(deciding).replace(' or ', ' and ')} {verb}"
        w.add(text + "." + marker, [n] if n is not None else [])


def _rule_passage(w: _Writer, rule: str) -> Passage | None:
    """The clause chunk of ``rule`` by id: ``5-1-h-EXCEPTION`` falls back to ``5-1-h``."""
    parts = rule.split("-")
    for end in range(len(parts), 0, -1):
        key = "#" + "-".join(parts[:end])
        for passage in w.citer.by_id.values():
            if passage.kind in _POLICY_KINDS and passage.chunk_id.endswith(key):
                return passage
    return None


def _pending(w: _Writer, line: str) -> None:
    match = _PENDING.match(line)
    assert match is not None
    rule, effect, facts, rest = match.group("rule", "effect", "facts", "rest")
    passage = _rule_passage(w, rule)
    n = w.citer.cite(passage.chunk_id, w.terms(rest)) if passage else None
    marker = f" [{n}]" if n is not None else ""
    name = w.clause_name(rule, (passage.chunk_id,)) if passage else rule
    w.add(f"- {name} would make it {effect} if the open facts ({facts}) go that way: "
          f"{_sentence(rest)}{marker}", [n] if n is not None else [])


def _policy(w: _Writer, verdict: PolicyVerdict) -> None:
    version = f", version {verdict.version}" if verdict.version else ""
    w.add("")
    w.add(f"### {verdict.title}{version}: {_label(verdict.verdict)}")
    if verdict.verdict == "not_applicable":
        reason = verdict.reason or "this policy does not govern the case as described"
        w.add(_cap(_sentence(reason)))
        return
    if verdict.fired:
        w.add("Why:")
        _fired(w, verdict)
    if verdict.near_misses:
        w.label("Clauses that come close but do not decide it:")
        _near_misses(w, verdict)
    pending = [c for c in verdict.conditions if _PENDING.match(c)]
    conditions = [c for c in verdict.conditions if not _PENDING.match(c)]
    if pending:
        w.label("What decides it:")
        for line in pending:
            _pending(w, line)
    if conditions:
        w.label("Conditions to meet:")
        for condition in conditions:
            w.add(f"- {_cap(_sentence(condition))}")
    if verdict.verdict == "not_prohibited":
        w.add("No clause of this policy forbids the use as described; other terms may still "
              "apply, and decisions with consequences for people should stay under human review.")
    if verdict.reason:
        w.add(_sentence(verdict.reason))


def _value(value: object) -> str:
    text = str(value)
    return _VALUE_LABELS.get(text, text.replace("_", " "))


def _join(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _outcome_text(mf: MissingFact, titles: dict[str, str]) -> str:
    """One line per open fact: the question, then each verdict with the values that give it."""
    where = titles.get(mf.policy or "", "the verdict")
    grouped: dict[str, list[str]] = {}
    for value, label in mf.outcomes.items():
        grouped.setdefault(label, []).append(_value(value))
    outcomes = "; ".join(f"{_label(label)} if {_join(values)}"
                         for label, values in grouped.items())
    return f"- {_sentence(mf.ask)} Under {where}: {outcomes}." if outcomes else f"- {mf.ask}"


def _missing(w: _Writer, missing: Sequence[MissingFact]) -> None:
    if not missing:
        return
    titles = {v.policy: _short(v) for v in w.request.verdicts}
    w.add("")
    w.add("### What would change the answer")
    for mf in missing:
        w.add(_outcome_text(mf, titles))


def _fact_line(name: str, fact: Fact) -> str | None:
    if fact.status == "conflicting" and fact.candidates:
        readings = " or ".join(f"{_value(c.value)} (from \"{c.source}\")"
                               for c in fact.candidates)
        return f"- {name.replace('_', ' ')}: open, the question reads both ways: {readings}"
    if fact.value in ("unknown", None):
        return None
    value = _value(fact.value)
    if fact.assumed:
        return f"- {name.replace('_', ' ')}: {value} (assumed)"
    source = f" (from \"{fact.source}\")" if fact.source else ""
    if fact.status == "inherited" and fact.turn:
        source += f", said in turn {fact.turn}"
    return f"- {name.replace('_', ' ')}: {value}{source}"


def _facts_and_assumptions(w: _Writer) -> None:
    facts = w.request.facts
    lines = [line for name in type(facts).model_fields
             if isinstance(getattr(facts, name), Fact)
             and (line := _fact_line(name, getattr(facts, name))) is not None]
    if lines:
        w.add("")
        w.add("### Facts taken from the question")
        for line in lines:
            w.add(line)
    if facts.assumptions:
        w.add("")
        w.add("### Assumptions")
        for assumption in facts.assumptions:
            w.add(f"- {_sentence(assumption)}")


def _limited_access(w: _Writer) -> None:
    request = w.request
    facts = request.facts
    policies = {v.policy: v for v in request.verdicts}
    if facts.value("purpose") not in _IDENTIFYING or "azure-ai-face" in policies and \
            policies["azure-ai-face"].verdict != "not_applicable":
        return
    if not any(v.verdict == "prohibited" for v in request.verdicts
               if v.policy == "azure-openai-coc"):
        return
    route = next((p for p in request.passages
                  if p.chunk_id.endswith("#FACE-LA-1") and p.kind in _POLICY_KINDS), None)
    n = w.citer.cite(route.chunk_id, ["Limited Access registration approved use case"]) \
        if route else None
    marker = f" [{n}]" if n is not None else ""
    w.add("")
    w.add("### The route Microsoft offers for facial identification")
    w.add("Facial identification or verification is offered through Azure AI Face under "
          "Limited Access, not through Azure OpenAI: the customer must register, be approved "
          f"for the specific use case and be managed by Microsoft.{marker}",
          [n] if n is not None else [])


def _press(w: _Writer) -> None:
    """The most relevant press passage, as reporting; none when no article is on point."""
    request = w.request
    # On point means: shares words with the question and with why the near misses missed.
    reasons = [m.because for v in request.verdicts for m in v.near_misses]
    wanted = quotes.words(" ".join([request.question, *reasons])) - _UBIQUITOUS
    best: tuple[int, Passage] | None = None
    for article in (p for p in request.passages if p.kind == "article"):
        sentence = quotes.best_sentence(article.text, [request.question, *reasons], avoid=_AVOID)
        if grants_permission(sentence):
            continue  # a report that grants permission is never quoted (guardrail (e))
        overlap = len(quotes.words(sentence) & wanted)
        if overlap >= _PRESS_MIN_OVERLAP and (best is None or overlap > best[0]):
            best = (overlap, article)
    if best is None:
        return
    article = best[1]
    n = w.citer.cite(article.chunk_id, [request.question, *reasons], operative=False)
    if n is None:  # pragma: no cover - the article is among the passages
        return
    dated = f" ({article.effective_date.isoformat()})" if article.effective_date else ""
    prohibited = any(v.verdict == "prohibited" for v in request.verdicts)
    lenient = _LENIENT.search(w.citer.quote(n)) is not None
    verdict_note = ("the clauses cited above decide the verdict, and they do not support that "
                    "reading" if prohibited and lenient
                    else "the clauses cited above decide the verdict")
    w.add("")
    # Articles are press reports or background summaries: neither is policy text.
    w.add("### Reporting and background (not policy text)")
    w.add(f"\u201c{article.title}\u201d{dated} says: "
          f"\u201c{w.citer.quote(n)}\u201d [{n}]. That is secondary material; {verdict_note}.",
          [n])


def _informational(w: _Writer) -> None:
    passages = sorted(w.request.passages, key=lambda p: (p.kind not in _POLICY_KINDS,
                                                         p.kind == "article"))
    w.add("**Overall verdict: informational.** Here is what the indexed texts say on this "
          "question; it is a summary of the passages, not an assessment of a particular use.")
    wanted = quotes.words(w.request.question) - _UBIQUITOUS
    on_point = [p for p in passages if len(quotes.words(p.text) & wanted) >= _INFO_MIN_OVERLAP]
    passages = on_point  # in retrieval order
    shown = [p for p in passages if p.kind != "article"][:3]
    if not shown:
        w.add("")
        w.add("No indexed passage addresses this question.")
    for passage in shown:
        n = w.citer.cite(passage.chunk_id, w.terms())
        if n is None:  # pragma: no cover - the passage is in the request
            continue
        section = passage.section.split(" > ")[-1]
        w.add("")
        w.add(f"- {passage.title}, {section}: “{w.citer.quote(n)}” [{n}]", [n])
    articles = [p for p in passages if p.kind == "article"][:1]
    for article in articles:
        n = w.citer.cite(article.chunk_id, w.terms())
        if n is None:  # pragma: no cover
            continue
        when = f", {article.effective_date.isoformat()}" if article.effective_date else ""
        w.add("")
        w.add(f"Secondary material (“{article.title}”{when}) says: “{w.citer.quote(n)}” [{n}]. "
              "That is reporting or background, not policy text.", [n])


def _out_of_scope(w: _Writer) -> None:
    w.add("**Out of scope.** This question is not about the policies the advisor covers "
          "(the Azure OpenAI code of conduct, the Azure AI Face terms and Article 5 of the EU "
          "AI Act), so there is no verdict to give.")


def pending_rules(verdict: PolicyVerdict) -> list[str]:
    """Rules of ``verdict`` that would fire if its open facts went their way."""
    return [m.group("rule") for c in verdict.conditions if (m := _PENDING.match(c))]


def missing_facts(verdicts: Sequence[PolicyVerdict]) -> tuple[MissingFact, ...]:
    """The missing facts of all policies, first occurrence of each (fact, policy) kept."""
    seen: set[tuple[str, str | None]] = set()
    out: list[MissingFact] = []
    for verdict in verdicts:
        for mf in verdict.missing_facts:
            key = (mf.fact, mf.policy or verdict.policy)
            if key not in seen:
                seen.add(key)
                out.append(mf if mf.policy else mf.model_copy(update={"policy": verdict.policy}))
    return tuple(out)


def compose_offline(request: ComposeRequest) -> Draft:
    """The offline answer to ``request``: deterministic markdown with numbered citations."""
    w = _Writer(request)
    intent = request.facts.intent
    if request.overall == "out_of_scope" or intent == "out_of_scope":
        _out_of_scope(w)
    elif request.overall == "informational" or intent == "informational":
        _informational(w)
    else:
        _headline(w)
        for verdict in request.verdicts:
            _policy(w, verdict)
        _missing(w, missing_facts(request.verdicts))
        _facts_and_assumptions(w)
        _limited_access(w)
        _press(w)
    verdicts: dict[str, Verdict] = {v.policy: v.verdict for v in request.verdicts}
    return Draft(verdicts=verdicts, answer="\n".join(w.lines).strip() + "\n",
                 citations=tuple(w.citer.citations), claims=tuple(w.claims), composer="offline",
                 rule_citations=w.rule_citations)


class OfflineComposer:
    """The default composer: no network, no key, the same answer every time."""

    name = "offline"

    def compose(self, request: ComposeRequest) -> Draft:
        """Write the offline draft for ``request``."""
        return compose_offline(request)
