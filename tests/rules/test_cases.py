"""Table-driven cases: question -> facts -> verdicts, checked against tests/rules/cases/*.yaml."""

from __future__ import annotations

import pytest

from advisor.facts import extract_facts
from advisor.rules import Pack, evaluate, overall
from advisor.schema import POLICY_IDS
from tests.rules.caselib import TODAY, Case, load_cases

CASES = load_cases()


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 128


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case(case: Case, packs: list[Pack]) -> None:
    facts = extract_facts(case.question, case.history, case.as_of, today=TODAY)
    for name, value in case.facts.items():
        assert facts.value(name) == value, f"fact {name}: {facts.value(name)!r} != {value!r}"
    verdicts = evaluate(facts, packs)
    assert [v.policy for v in verdicts] == list(POLICY_IDS)
    by_policy = {v.policy: v for v in verdicts}
    expect = case.expect
    if expect.intent is not None:
        assert facts.intent == expect.intent
    if expect.verdict is not None:
        assert overall(facts, verdicts) == expect.verdict
    if expect.as_of is not None:
        assert facts.as_of == expect.as_of
    for policy, verdict in expect.policies.items():
        got = by_policy[policy]
        assert got.verdict == verdict, f"{policy}: {got.verdict} != {verdict} ({got})"
    for policy, rules in expect.fired.items():
        fired = {hit.rule for hit in by_policy[policy].fired}
        assert set(rules) <= fired, f"{policy} fired {sorted(fired)}, expected {rules}"
    for policy, rules in expect.not_fired.items():
        fired = {hit.rule for hit in by_policy[policy].fired}
        assert not set(rules) & fired, f"{policy} fired {sorted(fired)}"
    for policy, rules in expect.near_misses.items():
        near = {miss.rule for miss in by_policy[policy].near_misses}
        assert set(rules) <= near, f"{policy} near misses {sorted(near)}, expected {rules}"
    for policy, names in expect.missing.items():
        missing = {m.fact for m in by_policy[policy].missing_facts}
        assert set(names) <= missing, f"{policy} missing {sorted(missing)}, expected {names}"
    for policy, snippets in expect.conditions_contain.items():
        text = " ".join(by_policy[policy].conditions).lower()
        for snippet in snippets:
            assert snippet.lower() in text, f"{policy} conditions lack {snippet!r}: {text}"
    for policy, version in expect.version.items():
        assert by_policy[policy].version == version
    for snippet in expect.assumptions_contain:
        assert any(snippet.lower() in a.lower() for a in facts.assumptions), facts.assumptions
    if expect.policies_named is not None:
        assert sorted(facts.policies_named) == sorted(expect.policies_named)
