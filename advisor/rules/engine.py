"""The rule engine: facts + packs -> one verdict per policy. Pure: no I/O, no clock, no LLM.

Conditions use three-valued logic: a fact the question leaves ``unknown`` makes a test
unknown. A rule whose condition is unknown is *open*; an open rule that could make the verdict
more restrictive turns the verdict ``conditional`` and its unknown facts become missing facts,
each re-evaluated with every possible value (``MissingFact.outcomes``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from advisor.rules.models import AllOf, AnyOf, Condition, Leaf, Not, Pack, Rule, verdict_rank
from advisor.schema import (
    FACT_VALUES,
    POLICY_IDS,
    Facts,
    FactValue,
    MissingFact,
    NearMiss,
    Overall,
    PolicyVerdict,
    RuleHit,
    Verdict,
)

__all__ = ["evaluate", "overall"]

Tri = bool | None

#: Facts whose possible values are re-tried when they are left open (``country`` is
#: decided through ``jurisdiction``).
_SPLITTABLE = tuple(name for name in FACT_VALUES if name != "country")

_SERVICE_NAMES = {"azure_openai": "Azure OpenAI Service", "azure_ai_face": "Azure AI Face",
                  "other": "another service"}

_PLACE_NAMES = {"us": "the United States", "eu": "the EU", "uk": "the UK",
                "other": "a country outside the EU, UK and US"}

_DEFAULT_QUESTIONS: dict[str, str] = {
    "service": "Which service would run this: Azure OpenAI, Azure AI Face, or another?",
    "actor": "Who would use it: a police or other law-enforcement authority, another public"
             " body, an employer, a school, or a private company?",
    "jurisdiction": "In which country would it be used?",
    "purpose": "What is the system for: identifying people, verifying a claimed identity,"
               " detecting or blurring faces, or something else?",
    "timing": "Would faces be matched in real time, or later on recorded footage?",
    "camera": "Is the camera fixed, or mobile (body-worn, dash-mounted, handheld)?",
    "setting": "Is the place controlled (a confined, supervised space) or open, in the wild?",
    "public_access": "Is the place open to the public?",
    "exception": "Is it for one of the listed exceptions: a targeted search for a specific"
                 " victim or missing person, a specific imminent threat to life or of a"
                 " terrorist attack, or a suspect of a listed serious crime?",
    "authorisation": "Has a judicial or independent administrative authority authorised it?",
    "national_law": "Does national law provide for this use?",
    "minor": "Could the person being identified be a minor?",
    "consent": "Have the people concerned given valid consent?",
}


@dataclass(frozen=True)
class _Decision:
    verdict: Verdict
    fired: tuple[Rule, ...]
    open: tuple[Rule, ...]
    applicable: Tri
    results: tuple[Tri, ...] = ()  # per rule, in the order evaluated


_Test = Callable[[Mapping[str, FactValue]], Tri]
#: Compiled condition trees, keyed by rule identity (packs are long-lived, so this stays small).
_COMPILED: dict[int, tuple[Rule, _Test, frozenset[str]]] = {}


# ----------------------------------------------------------------------------- public


_OUT_OF_SCOPE_REASON = "The question is not about a use this policy governs."
_NOTHING_TO_ASSESS_REASON = ("The question describes no use to assess (no purpose, user, place"
                             " or camera), so no rule of this policy is weighed.")


def evaluate(facts: Facts, packs: Sequence[Pack]) -> list[PolicyVerdict]:
    """One verdict per pack, in POLICY_IDS order (packs not shipped are not_applicable)."""
    values = facts.as_dict()
    by_id = {pack.id: pack for pack in packs}
    order = list(POLICY_IDS) + sorted(pid for pid in by_id if pid not in POLICY_IDS)
    verdicts: list[PolicyVerdict] = []
    for policy in order:
        pack = by_id.get(policy)
        if pack is None:
            verdicts.append(PolicyVerdict(
                policy=policy, title=policy, verdict="not_applicable",
                reason=f"No policy pack for {policy} is loaded; add corpus/{policy}/rules.yaml.",
            ))
            continue
        verdicts.append(_evaluate_pack(pack, facts, values))
    return verdicts


def overall(facts: Facts, verdicts: Iterable[PolicyVerdict]) -> Overall:
    """The overall verdict: intent first, then the most restrictive applicable verdict."""
    if facts.intent == "informational":
        return "informational"
    if facts.intent == "out_of_scope":
        return "out_of_scope"
    best: Verdict = "not_applicable"
    for verdict in verdicts:
        if verdict_rank(verdict.verdict) > verdict_rank(best):
            best = verdict.verdict
    return best


# ----------------------------------------------------------------------------- one pack


def _evaluate_pack(pack: Pack, facts: Facts, values: Mapping[str, FactValue]) -> PolicyVerdict:
    day = facts.as_of
    version = pack.version_on(day)
    version_id = version.id if version is not None else None
    if day < pack.applies_from:
        return PolicyVerdict(
            policy=pack.id, title=pack.title, version=version_id, verdict="not_applicable",
            reason=f"{pack.title} did not apply yet on {day.isoformat()}: it applies from"
                   f" {pack.applies_from.isoformat()}.",
        )
    if facts.intent == "out_of_scope":
        return PolicyVerdict(policy=pack.id, title=pack.title, version=version_id,
                             verdict="not_applicable", reason=_OUT_OF_SCOPE_REASON)
    if facts.intent == "informational" and all(
            value == "unknown" for name, value in values.items() if name != "service"):
        # Nothing in the question describes a use: every rule would be an open question.
        return PolicyVerdict(policy=pack.id, title=pack.title, version=version_id,
                             verdict="not_applicable", reason=_NOTHING_TO_ASSESS_REASON)
    rules = pack.rules_on(day)
    decision = _decide(pack, rules, values)
    if decision.applicable is False or (
        decision.applicable is None and decision.verdict == "not_applicable"
    ):
        return PolicyVerdict(policy=pack.id, title=pack.title, version=version_id,
                             verdict="not_applicable", reason=_scope_reason(pack, values))
    fired = tuple(
        RuleHit(rule=rule.id, effect=rule.effect, because=rule.explanation, clauses=rule.clauses,
                quote=rule.quote)
        for rule in decision.fired
    )
    near = _near_misses(rules, decision, values)
    # Missing facts are questions back to the asker: only worth working out for assessments.
    missing = (_missing_facts(pack, rules, decision, values, _sources(facts))
               if facts.intent == "assess" else ())
    conditions = _conditions(decision, values)
    return PolicyVerdict(policy=pack.id, title=pack.title, version=version_id,
                         verdict=decision.verdict, fired=fired, near_misses=near,
                         conditions=conditions, missing_facts=missing)


def _decide(pack: Pack, rules: Sequence[Rule], values: Mapping[str, FactValue],
            base: _Decision | None = None, changed: str | None = None) -> _Decision:
    applicable = _applies(pack, values)
    if applicable is False:
        return _Decision("not_applicable", (), (), False)
    fired: list[Rule] = []
    open_: list[Rule] = []
    results: list[Tri] = []
    reuse = base is not None and len(base.results) == len(rules)
    for index, (rule, test, facts) in enumerate(_compiled_all(rules)):
        if reuse and changed not in facts:
            result = base.results[index]  # type: ignore[union-attr]
        else:
            result = test(values)
        results.append(result)
        if result is True:
            fired.append(rule)
        elif result is None:
            open_.append(rule)
    known: Verdict = "not_prohibited"
    for rule in fired:
        if verdict_rank(rule.effect) > verdict_rank(known):
            known = rule.effect
    relevant = tuple(rule for rule in open_ if verdict_rank(rule.effect) > verdict_rank(known))
    verdict: Verdict = "conditional" if relevant else known
    if applicable is None:
        # The scope turns on an open fact: only a restrictive verdict is worth reporting.
        verdict = "conditional" if verdict in ("prohibited", "conditional") else "not_applicable"
    return _Decision(verdict, tuple(fired), relevant, applicable, tuple(results))


def _compiled_all(rules: Sequence[Rule]) -> list[tuple[Rule, _Test, frozenset[str]]]:
    return [_compiled(rule) for rule in rules]


def _compiled(rule: Rule) -> tuple[Rule, _Test, frozenset[str]]:
    entry = _COMPILED.get(id(rule))
    if entry is None or entry[0] is not rule:
        if len(_COMPILED) > 5000:
            _COMPILED.clear()
        entry = (rule, _compile(rule.when), frozenset(_facts_of(rule.when)))
        _COMPILED[id(rule)] = entry
    return entry


def _compile(node: Condition) -> _Test:
    if isinstance(node, Leaf):
        fact, accepted = node.fact, frozenset(node.values)
        literal = "unknown" in accepted

        def leaf(values: Mapping[str, FactValue]) -> Tri:
            value = values.get(fact, "unknown")
            if value is None or value == "unknown":
                return True if literal else None
            return str(value) in accepted

        return leaf
    if isinstance(node, Not):
        inner = _compile(node.not_)

        def negation(values: Mapping[str, FactValue]) -> Tri:
            result = inner(values)
            return None if result is None else not result

        return negation
    nodes = node.all if isinstance(node, AllOf) else node.any
    children = tuple(_compile(child) for child in nodes)
    if isinstance(node, AllOf):

        def conjunction(values: Mapping[str, FactValue]) -> Tri:
            unknown = False
            for child in children:
                result = child(values)
                if result is False:
                    return False
                if result is None:
                    unknown = True
            return None if unknown else True

        return conjunction

    def disjunction(values: Mapping[str, FactValue]) -> Tri:
        unknown = False
        for child in children:
            result = child(values)
            if result is True:
                return True
            if result is None:
                unknown = True
        return None if unknown else False

    return disjunction


def _facts_of(node: Condition) -> list[str]:
    if isinstance(node, Leaf):
        return [node.fact]
    if isinstance(node, Not):
        return _facts_of(node.not_)
    out: list[str] = []
    for child in node.all if isinstance(node, AllOf) else node.any:
        out.extend(_facts_of(child))
    return out


def _applies(pack: Pack, values: Mapping[str, FactValue]) -> Tri:
    service = values.get("service", "unknown")
    # An unnamed service is checked as if it ran on each service (the extractor says so).
    if pack.services is not None and service != "unknown" and service not in pack.services:
        return False
    if pack.jurisdictions is not None:
        place = values.get("jurisdiction", "unknown")
        if place == "unknown":
            return None
        if place not in pack.jurisdictions:
            return False
    return True


def _scope_reason(pack: Pack, values: Mapping[str, FactValue]) -> str:
    service = values.get("service", "unknown")
    if pack.services is not None and service != "unknown" and service not in pack.services:
        wanted = " or ".join(_SERVICE_NAMES.get(s, _human(s)) for s in pack.services)
        named = _SERVICE_NAMES.get(str(service), _human(service))
        return f"{pack.title} governs {wanted}; the question is about {named}."
    place = values.get("jurisdiction", "unknown")
    if pack.jurisdictions is not None:
        wanted = " or ".join(_PLACE_NAMES.get(p, p) for p in pack.jurisdictions)
        if place == "unknown":
            return (f"{pack.title} governs uses in {wanted}; the question does not say where"
                    " the system is used, and nothing it describes would be restricted there.")
        return (f"{pack.title} governs uses in {wanted}; this use is in"
                f" {_PLACE_NAMES.get(str(place), str(place))}.")
    return f"{pack.title} does not govern this case."


# ----------------------------------------------------------------------------- logic


def _truth(node: Condition, values: Mapping[str, FactValue]) -> Tri:
    if isinstance(node, Leaf):
        value = values.get(node.fact, "unknown")
        if value is None:
            value = "unknown"
        if value == "unknown" and "unknown" not in node.values:
            return None
        return str(value) in node.values
    if isinstance(node, AllOf):
        results = [_truth(child, values) for child in node.all]
        if any(result is False for result in results):
            return False
        return None if any(result is None for result in results) else True
    if isinstance(node, AnyOf):
        results = [_truth(child, values) for child in node.any]
        if any(result is True for result in results):
            return True
        return None if any(result is None for result in results) else False
    assert isinstance(node, Not)
    inner = _truth(node.not_, values)
    return None if inner is None else not inner


def _conjuncts(node: Condition) -> list[Condition]:
    if isinstance(node, AllOf):
        out: list[Condition] = []
        for child in node.all:
            out.extend(_conjuncts(child))
        return out
    return [node]


def _unknown_facts(node: Condition, values: Mapping[str, FactValue]) -> list[str]:
    if isinstance(node, Leaf):
        value = values.get(node.fact, "unknown")
        open_leaf = value in ("unknown", None) and "unknown" not in node.values
        return [node.fact] if open_leaf else []
    children: Sequence[Condition]
    if isinstance(node, AllOf):
        children = node.all
    elif isinstance(node, AnyOf):
        children = node.any
    else:
        assert isinstance(node, Not)
        children = (node.not_,)
    out: list[str] = []
    for child in children:
        out.extend(_unknown_facts(child, values))
    return out


def _label(node: Condition) -> str:
    if isinstance(node, (Leaf, Not)):
        return node.label
    if node.label:
        return node.label
    children = node.all if isinstance(node, AllOf) else node.any
    joiner = " and " if isinstance(node, AllOf) else " or "
    return joiner.join(_label(child) for child in children)


def _unmet(node: Condition, values: Mapping[str, FactValue]) -> str:
    template = node.unmet if isinstance(node, (Leaf, Not)) else None
    fact = node.fact if isinstance(node, Leaf) else None
    value = _human(values.get(fact, "unknown")) if fact else ""
    if isinstance(node, Leaf) and fact == "jurisdiction":
        value = _PLACE_NAMES.get(str(values.get(fact)), value)
    if template:
        return template.replace("{value}", value)
    if fact:
        return f"it needs {node.label}, and the {fact.replace('_', ' ')} is {value}"
    return f"it needs {_label(node)}, which is not the case here"


def _human(value: FactValue | None) -> str:
    return str(value).replace("_", " ") if value is not None else "unknown"


# ----------------------------------------------------------------------------- reporting


def _near_misses(rules: Sequence[Rule], decision: _Decision,
                 values: Mapping[str, FactValue]) -> tuple[NearMiss, ...]:
    fired_ids = {rule.id for rule in decision.fired}
    out: list[NearMiss] = []
    for rule in rules:
        if rule.id in fired_ids or rule.effect == "not_prohibited" or not rule.near_miss:
            continue
        parts = _conjuncts(rule.when)
        results = [_truth(part, values) for part in parts]
        failed = [part for part, result in zip(parts, results, strict=True) if result is False]
        met = sum(1 for part, result in zip(parts, results, strict=True)
                  if result is True and not (isinstance(part, Leaf) and part.guard))
        if not failed and met and rule.effect == decision.verdict:
            # Open only on unstated facts, with the effect already decided: it changes nothing
            # in the verdict, but the asker should hear that it would apply too.
            out.append(_also_applies(rule, parts, results, values))
            continue
        # A near miss partly matched the case and failed on one or two conditions.
        if not 1 <= len(failed) <= 2 or met == 0:
            continue
        reasons = tuple(_unmet(part, values) for part in failed)
        because = f"{rule.id} does not apply: " + "; ".join(reasons)
        out.append(NearMiss(rule=rule.id, because=because, failed=reasons, clauses=rule.clauses,
                            quote=rule.quote))
    return tuple(out)


def _also_applies(rule: Rule, parts: Sequence[Condition], results: Sequence[Tri],
                  values: Mapping[str, FactValue]) -> NearMiss:
    open_parts = [part for part, result in zip(parts, results, strict=True) if result is None]
    phrases = [_met(part) for part in open_parts]
    facts: list[str] = []
    for part in open_parts:
        facts.extend(f for f in _unknown_facts(part, values) if f not in facts)
    named = _join_words([f.replace("_", " ") for f in facts])
    because = f"{rule.id} also applies if {_join_words(phrases)}: {named} not stated"
    return NearMiss(rule=rule.id, because=because, clauses=rule.clauses, open_facts=tuple(facts),
                    quote=rule.quote)


def _met(node: Condition) -> str:
    met = node.met if isinstance(node, (Leaf, Not)) else None
    return met or f"{_label(node)} is established"


def _join_words(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _sources(facts: Facts) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in FACT_VALUES:
        source = getattr(facts, name).source
        if source:
            out[name] = source
    return out


def _missing_facts(pack: Pack, rules: Sequence[Rule], decision: _Decision,
                   values: Mapping[str, FactValue],
                   sources: Mapping[str, str]) -> tuple[MissingFact, ...]:
    candidates: list[str] = []
    if decision.applicable is None:
        candidates.append("jurisdiction")
    for rule in decision.open:
        for fact in _unknown_facts(rule.when, values):
            if fact not in candidates and fact in _SPLITTABLE:
                candidates.append(fact)
    out: list[MissingFact] = []
    for fact in candidates:
        outcomes: dict[str, Verdict] = {}
        for option in FACT_VALUES[fact]:
            if option == "unknown":
                continue
            trial = dict(values)
            trial[fact] = option
            outcomes[option] = _decide(pack, rules, trial, decision, fact).verdict
        if len(set(outcomes.values())) > 1:
            out.append(MissingFact(fact=fact, ask=_question(pack, fact, sources),
                                   outcomes=outcomes, policy=pack.id))
    return tuple(out)


def _question(pack: Pack, fact: str, sources: Mapping[str, str]) -> str:
    place = sources.get("public_access") or sources.get("setting")
    if fact == "public_access" and place and len(place) <= 40:
        return f"Is the {place.lower()} open to the public?"
    agent = sources.get("actor")
    if fact == "actor" and agent and len(agent) <= 40:
        return f"Is the {agent.lower()} a law-enforcement authority (police, or acting for them)?"
    return pack.questions.get(fact) or _DEFAULT_QUESTIONS.get(fact, f"What is the {fact}?")


def _conditions(decision: _Decision, values: Mapping[str, FactValue]) -> tuple[str, ...]:
    out: list[str] = []
    for rule in decision.fired:
        if rule.effect == decision.verdict or (
            rule.effect == "not_prohibited" and decision.verdict == "not_prohibited"
        ):
            out.extend(c for c in rule.conditions if c not in out)
    if decision.verdict == "conditional":
        for rule in decision.open:
            facts = []
            for fact in _unknown_facts(rule.when, values):
                if fact not in facts:
                    facts.append(fact)
            open_words = ", ".join(f.replace("_", " ") for f in facts)
            line = (f"{rule.id} ({rule.effect.replace('_', ' ')}) applies if the open facts"
                    f" ({open_words}) go its way: {rule.explanation}")
            if line not in out:
                out.append(line)
            if rule.effect == "conditional":
                out.extend(c for c in rule.conditions if c not in out)
    return tuple(out)
