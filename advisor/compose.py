"""The offline composer: a deterministic, cited explanation of the engine's verdicts.

No network, nothing random: the same request always gives the same markdown. Citations
are numbered in order of first use; each quote is a verbatim sentence of its chunk.
Press articles appear only as reporting, never as the ground of a verdict.

Whose words: a quote of the official text follows "The clause reads"; our restatement is
labelled as ours (and stands beside the official words when the corpus has them); a user's
document is labelled as such. A rule's quote is the sentence with its operative words (the
pack's ``quote:``). Reporting appears only when it bears on a rule in play, and a report of a
reading the verdict rejects comes with the reason it does not hold.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

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
    "medical_or_safety": "a medical or safety reason (AI Act Art. 5(1)(f))",
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
        self._numbers: dict[str, int] = {}  # chunk id -> its first citation
        self._quoted: dict[tuple[str, str], int] = {}  # (chunk id, quote) -> citation

    def cite(self, chunk_id: str, terms: Iterable[str], operative: bool = True,
             avoid: tuple[str, ...] = (), quote: str | None = None) -> int | None:
        """The citation number of ``chunk_id`` (assigned now if new), or None if absent.

        ``quote`` fixes the sentence (a rule's operative sentence); without it the chunk's
        first citation is reused, or the sentence nearest ``terms`` is chosen. None too when
        the chunk holds nothing quotable (only instruction-like sentences).
        """
        if quote is None and chunk_id in self._numbers:
            return self._numbers[chunk_id]
        passage = self.by_id.get(chunk_id)
        if passage is None:
            return None
        if quote is None:
            if passage.kind in _POLICY_KINDS:  # a clause's heading names what it is about
                terms = [*terms, passage.section.split(" > ")[-1]]
            quote = quotes.best_sentence(passage.text, terms, avoid=_AVOID + avoid,
                                         operative=operative and passage.kind in _POLICY_KINDS)
        if not quote:
            return None
        if (chunk_id, quote) in self._quoted:
            return self._quoted[(chunk_id, quote)]
        span = quotes.locate(quote, passage.text) or (0, len(passage.text))
        n = len(self.citations) + 1
        self.citations.append(Citation(
            n=n, chunk_id=passage.chunk_id, document=passage.document, title=passage.title,
            section=passage.section, kind=passage.kind, quote=quote, url=passage.url,
            start=passage.start + span[0], end=passage.start + span[1], verified=False,
            version=passage.version, effective_date=passage.effective_date,
            provenance=passage.provenance,
        ))
        self._numbers.setdefault(chunk_id, n)
        self._quoted[(chunk_id, quote)] = n
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
        """The first policy passage of ``clauses``; our restatement before the official text
        (its heading names the clause, where the official text's section is a locator)."""
        found = self.clauses(clauses)
        return next((p for p in found if p.provenance != "official"), found[0] if found else None)

    def clauses(self, clauses: Sequence[str]) -> list[Passage]:
        """The policy passages of ``clauses``, in order."""
        return [p for c in clauses if (p := self.citer.by_id.get(c)) is not None
                and p.kind in _POLICY_KINDS]

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


@dataclass(frozen=True)
class _RuleQuote:
    """A rule's quote: the official words when the corpus has them, else our restatement."""

    official: int | None  # citation of the official text's passage
    restated: int | None  # citation of our restatement (or a user's accepted text)

    @property
    def numbers(self) -> tuple[int, ...]:
        return tuple(n for n in (self.official, self.restated) if n is not None)


def _rule_quote(w: _Writer, clauses: Sequence[str], phrases: Sequence[str], because: str,
                effect: str) -> _RuleQuote:
    """Cite the sentence of ``clauses`` that carries the rule (its ``phrases``), and the
    official text's passage of the same clause when the corpus has one."""
    passages = w.clauses(clauses)
    restated = [p for p in passages if p.provenance != "official"]
    official = {quotes.clause_of(p.chunk_id): p for p in passages if p.provenance == "official"}
    terms = w.terms(because)
    lifts = effect == "not_prohibited"  # quote what the clause leaves out, not its bar
    avoid = ("must not", "may not") if lifts else ()
    restated_n: int | None = None
    chosen: Passage | None = None
    found = quotes.operative_sentence([p.text for p in restated], phrases, [w.request.question])
    if found is not None:
        chosen = restated[found[0]]
        restated_n = w.citer.cite(chosen.chunk_id, terms, quote=found[1])
    elif restated:
        chosen = restated[0]
        restated_n = w.citer.cite(chosen.chunk_id, terms, operative=effect == "prohibited",
                                  avoid=avoid)
    source = official.get(quotes.clause_of(chosen.chunk_id)) if chosen else None
    if source is None and chosen is None and official:
        source = next(iter(official.values()))
    official_n = None
    if source is not None:
        official_n = w.citer.cite(source.chunk_id, [*phrases, *terms],
                                  operative=effect == "prohibited", avoid=avoid)
    return _RuleQuote(official=official_n, restated=restated_n)


def _quoted(w: _Writer, quoted: _RuleQuote) -> str:
    """The quote as the answer shows it: whose words, then the words, then the marker."""
    parts: list[str] = []
    if quoted.official is not None:
        parts.append(f"The clause reads: “{w.citer.quote(quoted.official)}” [{quoted.official}]")
    if quoted.restated is not None:
        cite = w.citer.citations[quoted.restated - 1]
        passage = w.citer.by_id[cite.chunk_id]
        clause = quotes.clause_of(cite.chunk_id)
        if cite.provenance == "restatement" and quoted.official is not None:
            lead = f"In our words ({clause}):"
        elif cite.provenance == "restatement":
            lead = f"Our restatement of {clause}, not {quotes.owner(passage.publisher)} wording:"
        else:  # a user's text the clause map accepts, or one that declares nothing
            lead = "From a document you added, not verified policy text:"
        parts.append(f"{lead} “{cite.quote}” [{quoted.restated}]")
    return " ".join(parts)


def _fired(w: _Writer, verdict: PolicyVerdict) -> None:
    for hit in verdict.fired:
        name = w.clause_name(hit.rule, hit.clauses)
        quoted = _rule_quote(w, hit.clauses, hit.quote, hit.because, hit.effect)
        if not quoted.numbers:
            w.add(f"- **{name}** applies. {_cap(_sentence(hit.because))}")
            continue
        w.rule_citations[f"{verdict.policy}/{hit.rule}"] = quoted.numbers
        w.add(f"- **{name}** applies. {_cap(_sentence(hit.because))} {_quoted(w, quoted)}",
              list(quoted.numbers))


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
        quoted = _rule_quote(w, miss.clauses, miss.quote, miss.because, "prohibited")
        n = quoted.numbers[0] if quoted.numbers else None
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
        sources = {c.source for c in fact.candidates}
        if len(sources) == 1 and None not in sources:  # one phrase, two readings
            values = " or ".join(_value(c.value) for c in fact.candidates)
            return (f"- {name.replace('_', ' ')}: open, \"{sources.pop()}\" reads both ways: "
                    f"{values}")
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


def _in_play(request: ComposeRequest) -> set[str]:
    """Rule ids the verdicts turn on: fired, pending on open facts, and near misses about
    this use. A near miss that failed because the use itself differs (a facial recognition
    clause on an emotion question: "the use is emotion inference, ...") is not in play."""
    purpose = request.facts.value("purpose")
    other_use = f"the use is {str(purpose).replace('_', ' ')}"
    rules: set[str] = set()
    for verdict in request.verdicts:
        rules |= {h.rule for h in verdict.fired} | set(pending_rules(verdict))
        rules |= {m.rule for m in verdict.near_misses
                  if purpose == "unknown" or not any(f.startswith(other_use) for f in m.failed)}
    return rules


def _reporting(passage: Passage) -> bool:
    return passage.kind == "article" or passage.provenance == "reporting"


def _rebuttal(w: _Writer, article: Passage) -> str | None:
    """Why a lenient reading reported by ``article`` does not hold, from the verdicts."""
    parts: list[str] = []
    deciding: list[tuple[str, tuple[int, ...]]] = []
    for verdict in w.request.verdicts:
        if verdict.verdict != "prohibited":
            continue
        for miss in verdict.near_misses:
            if miss.rule in article.bears_on and not miss.open_facts:
                parts.append(f"{miss.rule} does not reach this case "
                             f"({_reason(miss.rule, miss.because)})")
        for hit in verdict.fired:
            if hit.effect == "prohibited":
                deciding.append((hit.rule, w.rule_citations.get(f"{verdict.policy}/{hit.rule}",
                                                                ())))
    if not deciding:
        return None
    rules = [f"{rule}{''.join(f' [{n}]' for n in numbers[:1])}" for rule, numbers in deciding]
    verb = "bars" if len(rules) == 1 else "bar"
    head = "; ".join(parts) + ", but " if parts else ""
    return (f"That reading does not hold here: {head}{_join(rules).replace(' or ', ' and ')} "
            f"{verb} the use as described, whatever the report says")


def _press(w: _Writer) -> None:
    """The most relevant reporting passage that bears on a rule in play; none otherwise.

    A passage bears on a rule when its front matter says so (``bears_on``); a report that
    declares nothing (a user's upload) is never background to an assessment.
    """
    request = w.request
    in_play = _in_play(request)
    # On point means: shares words with the question and with why the near misses missed.
    reasons = [m.because for v in request.verdicts for m in v.near_misses]
    wanted = quotes.words(" ".join([request.question, *reasons])) - _UBIQUITOUS
    best: tuple[int, Passage, str] | None = None
    for article in (p for p in request.passages if _reporting(p)):
        if not set(article.bears_on) & in_play:
            continue
        sentence = quotes.best_sentence(article.text, [request.question, *reasons], avoid=_AVOID)
        if not sentence or grants_permission(sentence):
            continue  # a report that grants permission is never quoted (guardrail (e))
        overlap = len(quotes.words(sentence) & wanted)
        if overlap >= _PRESS_MIN_OVERLAP and (best is None or overlap > best[0]):
            best = (overlap, article, sentence)
    if best is None:
        return
    _, article, sentence = best
    lenient = _LENIENT.search(sentence) is not None
    rebuttal = _rebuttal(w, article) if lenient else None
    prohibited = any(v.verdict == "prohibited" for v in request.verdicts)
    if lenient and prohibited and rebuttal is None:
        return  # a reading the verdict rejects is never shown without the reason
    n = w.citer.cite(article.chunk_id, [request.question, *reasons], quote=sentence)
    if n is None:  # pragma: no cover - the article is among the passages
        return
    w.add("")
    # Articles are press reports or background summaries: neither is policy text.
    w.add("### Reporting and background (not policy text)")
    note = (f"{rebuttal}." if rebuttal else
            "That is secondary material; the clauses cited above decide the verdict.")
    w.add(f"{_source(article)} says: \u201c{w.citer.quote(n)}\u201d [{n}]. {note}", [n])


def _source(article: Passage) -> str:
    """How a reporting passage is named: its title with its own date, or its section."""
    if article.effective_date is not None:
        return f"\u201c{article.title}\u201d ({article.effective_date.isoformat()})"
    section = article.section.split(" > ")[-1]
    section = _CLAUSE_PREFIX.sub("", section, count=1) if ":" in section else section
    return f"\u201c{article.title}\u201d, section \u201c{section}\u201d" if section else \
        f"\u201c{article.title}\u201d"


def _informational(w: _Writer) -> None:
    passages = sorted(w.request.passages, key=lambda p: (p.kind not in _POLICY_KINDS,
                                                         p.kind == "article"))
    w.add("**Overall verdict: informational.** Here is what the indexed texts say on this "
          "question; it is a summary of the passages, not an assessment of a particular use.")
    wanted = quotes.words(w.request.question) - _UBIQUITOUS
    on_point = [p for p in passages if len(quotes.words(p.text) & wanted) >= _INFO_MIN_OVERLAP]
    passages = on_point  # in retrieval order
    # Up to three policy passages, and the user's own document when retrieval found one.
    shown = [p for p in passages if p.kind in _POLICY_KINDS][:3] + \
        [p for p in passages if p.kind not in _POLICY_KINDS and not _reporting(p)][:1]
    if not shown:
        w.add("")
        w.add("No indexed passage addresses this question.")
    for passage in shown:
        n = w.citer.cite(passage.chunk_id, w.terms())
        if n is None:  # nothing quotable: the passage holds only instruction-like sentences
            continue
        section = passage.section.split(" > ")[-1]
        w.add("")
        w.add(f"- {passage.title}, {section}{_whose(passage)}: “{w.citer.quote(n)}” [{n}]", [n])
    articles = [p for p in passages if _reporting(p)][:1]
    for article in articles:
        n = w.citer.cite(article.chunk_id, w.terms())
        if n is None:
            continue
        w.add("")
        # A reported reading of "leeway" is not what the clauses say: no verdict here to
        # rebut it with, so say where the answer to a particular use comes from.
        contested = (" It reports a reading, not what the clauses say: ask about a particular "
                     "use for the verdict the clauses give, with the reason."
                     if _LENIENT.search(w.citer.quote(n)) else "")
        w.add(f"Secondary material ({_source(article)}) says: “{w.citer.quote(n)}” [{n}]. "
              f"That is reporting or background, not policy text.{contested}", [n])


def _whose(passage: Passage) -> str:
    """Whose words an informational quote is, as a parenthesis after its source."""
    match passage.provenance:
        case "official":
            return " (official text)"
        case "restatement":
            return f" (our restatement, not {quotes.owner(passage.publisher)} wording)"
        case _:
            return " (a document you added, not verified policy text)"


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
