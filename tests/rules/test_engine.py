"""The engine on hand-built Facts: precedence, missing facts, near misses, overall, purity."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.rules import Pack, evaluate, overall
from advisor.schema import FACT_VALUES, POLICY_IDS, Fact, Facts

DAY = dt.date(2025, 6, 1)
_SETTINGS = settings(max_examples=250, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])


def _facts(as_of: dt.date = DAY, intent: str = "assess", **values: str) -> Facts:
    data: dict[str, object] = {name: {"value": value} for name, value in values.items()}
    return Facts.model_validate({**data, "as_of": as_of, "intent": intent})


def _by(verdicts: list) -> dict:  # type: ignore[type-arg]
    return {v.policy: v for v in verdicts}


def test_acceptance_lobby_camera_outcomes(packs: list[Pack]) -> None:
    facts = _facts(service="azure_openai", jurisdiction="eu", purpose="identification",
                   camera="fixed", setting="controlled")
    eu = _by(evaluate(facts, packs))["eu-ai-act"]
    assert eu.verdict == "conditional"
    missing = {m.fact: m for m in eu.missing_facts}
    assert set(missing) >= {"actor", "timing", "public_access"}
    assert missing["timing"].outcomes == {"real_time": "conditional", "post": "not_prohibited"}
    assert missing["public_access"].outcomes == {"yes": "conditional", "no": "not_prohibited"}
    assert missing["actor"].outcomes["law_enforcement"] == "conditional"
    assert missing["actor"].outcomes["private"] == "not_prohibited"
    assert all(m.ask.endswith("?") for m in eu.missing_facts)


def test_all_deciding_facts_set_gives_prohibited_then_exception_gives_conditional(
    packs: list[Pack],
) -> None:
    base: dict[str, str] = dict(jurisdiction="eu", actor="law_enforcement",
                                purpose="identification", timing="real_time", public_access="yes")
    eu = _by(evaluate(_facts(DAY, "assess", **base), packs))["eu-ai-act"]
    assert eu.verdict == "prohibited" and [h.rule for h in eu.fired] == ["5-1-h"]
    eu = _by(evaluate(_facts(DAY, "assess", **base, exception="victim_search"), packs))["eu-ai-act"]
    assert eu.verdict == "conditional"
    for article in ("Art. 5(2)", "Art. 5(3)", "Art. 5(4)", "Art. 5(5)"):
        assert any(article in c for c in eu.conditions), article
    # National law left open: the verdict names it with both outcomes.
    law = next(m for m in eu.missing_facts if m.fact == "national_law")
    assert law.outcomes == {"yes": "conditional", "no": "prohibited"}
    eu = _by(evaluate(_facts(DAY, "assess", **base, exception="victim_search", national_law="yes"),
                      packs))["eu-ai-act"]
    assert eu.verdict == "conditional" and not eu.missing_facts
    assert len(eu.conditions) == 5


def test_near_miss_wording_names_the_failing_condition(packs: list[Pack]) -> None:
    facts = _facts(service="azure_openai", jurisdiction="eu", purpose="identification",
                   camera="fixed", setting="controlled", actor="law_enforcement",
                   timing="real_time")
    coc = _by(evaluate(facts, packs))["azure-openai-coc"]
    le2 = next(n for n in coc.near_misses if n.rule == "LE-2")
    assert le2.because.startswith("LE-2 does not apply: ")
    assert "the camera is fixed, not mobile" in le2.because
    assert "the setting is controlled, not in the wild" in le2.because
    assert le2.clauses == ("azure-openai-coc-2024-05#LE-2",)


def test_fired_rules_carry_clauses_and_explanations(packs: list[Pack]) -> None:
    facts = _facts(service="azure_openai", actor="us_police", jurisdiction="us",
                   purpose="identification")
    coc = _by(evaluate(facts, packs))["azure-openai-coc"]
    hits = {h.rule: h for h in coc.fired}
    assert set(hits) == {"ID-1", "LE-1"}
    assert hits["LE-1"].clauses == ("azure-openai-coc-2024-05#LE-1",
                                     "azure-openai-coc-2024-05#CLARIFY")
    assert "police department in the United States" in hits["LE-1"].because


def test_not_applicable_has_a_reason(packs: list[Pack]) -> None:
    facts = _facts(service="azure_ai_face", jurisdiction="uk", purpose="identification")
    verdicts = _by(evaluate(facts, packs))
    assert verdicts["azure-openai-coc"].verdict == "not_applicable"
    assert "Azure OpenAI" in (verdicts["azure-openai-coc"].reason or "").replace("azure openai",
                                                                                   "Azure OpenAI")
    assert "the UK" in (verdicts["eu-ai-act"].reason or "")
    early = _by(evaluate(_facts(as_of=dt.date(2025, 2, 1), jurisdiction="eu"), packs))
    assert "2025-02-02" in (early["eu-ai-act"].reason or "")


def test_missing_pack_is_reported_not_applicable(packs: list[Pack]) -> None:
    verdicts = evaluate(_facts(), packs[:1])
    assert [v.policy for v in verdicts] == list(POLICY_IDS)
    assert verdicts[1].verdict == "not_applicable" and "rules.yaml" in (verdicts[1].reason or "")


@pytest.mark.parametrize(
    ("intent", "verdicts", "expected"),
    [
        ("informational", ["prohibited"], "informational"),
        ("out_of_scope", ["prohibited"], "out_of_scope"),
        ("assess", ["not_applicable", "not_applicable"], "not_applicable"),
        ("assess", ["not_prohibited", "conditional", "not_applicable"], "conditional"),
        ("assess", ["conditional", "prohibited", "not_prohibited"], "prohibited"),
        ("assess", ["not_prohibited", "not_applicable"], "not_prohibited"),
    ],
)
def test_overall(intent: str, verdicts: list[str], expected: str, packs: list[Pack]) -> None:
    from advisor.schema import PolicyVerdict

    items = [PolicyVerdict(policy=f"p{i}", title="t", verdict=v)  # type: ignore[arg-type]
             for i, v in enumerate(verdicts)]
    assert overall(_facts(intent=intent), items) == expected


def test_evaluate_is_pure_and_deterministic(packs: list[Pack]) -> None:
    facts = _facts(jurisdiction="eu", purpose="identification")
    first = evaluate(facts, packs)
    again = evaluate(facts, packs)
    assert first == again
    assert facts == _facts(jurisdiction="eu", purpose="identification")


# ----------------------------------------------------------------------------- properties

_VALUE = {name: st.sampled_from(values) for name, values in FACT_VALUES.items()}
_DATE = st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2030, 12, 31))


@st.composite
def _any_facts(draw: st.DrawFn, **fixed: str) -> Facts:
    values = {name: draw(strategy) for name, strategy in _VALUE.items()}
    values.update(fixed)
    data: dict[str, object] = {k: {"value": v} for k, v in values.items()}
    return Facts.model_validate({**data, "as_of": draw(_DATE)})


@_SETTINGS
@given(facts=_any_facts())
def test_every_combination_yields_one_verdict_per_pack(packs: list[Pack], facts: Facts) -> None:
    verdicts = evaluate(facts, packs)
    assert [v.policy for v in verdicts] == list(POLICY_IDS)
    for verdict in verdicts:
        assert verdict.verdict in ("prohibited", "conditional", "not_prohibited", "not_applicable")
        if verdict.verdict == "not_applicable":
            assert verdict.reason and not verdict.fired
        for missing in verdict.missing_facts:
            assert len(set(missing.outcomes.values())) > 1
    assert overall(facts, verdicts) in ("prohibited", "conditional", "not_prohibited",
                                        "not_applicable")


@_SETTINGS
@given(facts=_any_facts(service="azure_openai", actor="us_police",
                        purpose="identification"),
       jurisdiction=st.sampled_from(["us", "unknown"]),
       purpose=st.sampled_from(["identification", "verification"]))
def test_us_police_facial_recognition_always_prohibited_under_coc(
    packs: list[Pack], facts: Facts, jurisdiction: str, purpose: str
) -> None:
    facts = facts.model_copy(update={"jurisdiction": Fact(value=jurisdiction),
                                     "purpose": Fact(value=purpose)})
    if facts.as_of < dt.date(2023, 1, 1):
        return  # before the code of conduct pack applies (checked below)
    coc = _by(evaluate(facts, packs))["azure-openai-coc"]
    assert coc.verdict == "prohibited"
    rules = {hit.rule for hit in coc.fired}
    if facts.as_of >= dt.date(2024, 5, 1):
        assert "LE-1" in rules


@_SETTINGS
@given(facts=_any_facts(service="azure_openai"),
       purpose=st.sampled_from(["identification", "verification"]))
def test_identification_through_azure_openai_prohibited_for_every_actor(
    packs: list[Pack], facts: Facts, purpose: str
) -> None:
    facts = facts.model_copy(update={"purpose": Fact(value=purpose)})
    coc = _by(evaluate(facts, packs))["azure-openai-coc"]
    if facts.as_of < dt.date(2023, 1, 1):
        assert coc.verdict == "not_applicable"
    else:
        assert coc.verdict == "prohibited"
        assert "ID-1" in {hit.rule for hit in coc.fired}


@_SETTINGS
@given(facts=_any_facts())
def test_no_pack_applies_before_its_date(packs: list[Pack], facts: Facts) -> None:
    for pack, verdict in zip(packs, evaluate(facts, packs), strict=True):
        if facts.as_of < pack.applies_from:
            assert verdict.verdict == "not_applicable"
            assert pack.applies_from.isoformat() in (verdict.reason or "")


@_SETTINGS
@given(facts=_any_facts(service="azure_openai", purpose="identification"))
def test_le2_not_firing_never_creates_permission(packs: list[Pack], facts: Facts) -> None:
    if facts.as_of < dt.date(2023, 1, 1):
        return
    coc = _by(evaluate(facts, packs))["azure-openai-coc"]
    assert coc.verdict == "prohibited"


@_SETTINGS
@given(facts=_any_facts(service="azure_openai"),
       purpose=st.sampled_from(["detection_or_redaction", "non_biometric"]))
def test_uses_that_identify_no_one_are_not_prohibited_under_coc(
    packs: list[Pack], facts: Facts, purpose: str
) -> None:
    facts = facts.model_copy(update={"purpose": Fact(value=purpose)})
    coc = _by(evaluate(facts, packs))["azure-openai-coc"]
    if facts.as_of >= dt.date(2023, 1, 1):
        assert coc.verdict == "not_prohibited"


# ----------------------------------------------------------------------------- open near misses

_LOBBY = "Can a European agency use this on a fixed lobby camera?"
_PATROL = "what about a body-worn camera on patrol?"


def test_follow_up_on_patrol_names_le2_as_also_applying_when_timing_is_open(
    packs: list[Pack],
) -> None:
    from advisor.facts import extract_facts

    facts = extract_facts(_PATROL, [{"role": "user", "content": _LOBBY},
                                    {"role": "assistant", "content": "Prohibited under ID-1."}],
                          today=dt.date(2026, 11, 26))
    assert facts.value("timing") == "unknown" and facts.value("actor") == "law_enforcement"
    coc = _by(evaluate(facts, packs))["azure-openai-coc"]
    assert coc.verdict == "prohibited" and "ID-1" in {h.rule for h in coc.fired}
    assert "LE-2" not in {h.rule for h in coc.fired}
    le2 = next(n for n in coc.near_misses if n.rule == "LE-2")
    assert le2.because == "LE-2 also applies if the matching is live: timing not stated"
    assert le2.open_facts == ("timing",) and le2.failed == ()
    assert le2.clauses == ("azure-openai-coc-2024-05#LE-2",)


def test_a_stated_timing_turns_the_open_near_miss_into_a_hit_or_a_miss(packs: list[Pack]) -> None:
    base: dict[str, str] = dict(service="azure_openai", jurisdiction="eu",
                                actor="law_enforcement", purpose="identification",
                                camera="dash", setting="uncontrolled")
    live = _by(evaluate(_facts(DAY, "assess", **base, timing="real_time"), packs))[
        "azure-openai-coc"]
    assert "LE-2" in {h.rule for h in live.fired}
    assert "LE-2" not in {n.rule for n in live.near_misses}
    later = _by(evaluate(_facts(DAY, "assess", **base, timing="post"), packs))["azure-openai-coc"]
    le2 = next(n for n in later.near_misses if n.rule == "LE-2")
    assert le2.because.startswith("LE-2 does not apply: ") and le2.open_facts == ()


def test_open_near_miss_lists_every_open_fact(packs: list[Pack]) -> None:
    facts = _facts(service="azure_openai", jurisdiction="eu", actor="law_enforcement",
                   purpose="identification", setting="uncontrolled")
    coc = _by(evaluate(facts, packs))["azure-openai-coc"]
    le2 = next(n for n in coc.near_misses if n.rule == "LE-2")
    assert le2.because == ("LE-2 also applies if the matching is live and the camera is mobile:"
                           " timing and camera not stated")
    assert le2.open_facts == ("timing", "camera")


def test_rules_open_on_everything_or_with_another_effect_are_not_reported(
    packs: list[Pack],
) -> None:
    # SURV-1 has no stated condition met (timing and consent both open): not worth naming.
    facts = _facts(service="azure_openai", purpose="identification")
    coc = _by(evaluate(facts, packs))["azure-openai-coc"]
    assert "SURV-1" not in {n.rule for n in coc.near_misses}
    # An open rule whose effect differs from the decided verdict is a missing fact instead.
    eu = _by(evaluate(_facts(jurisdiction="eu", actor="law_enforcement",
                             purpose="identification", public_access="yes"), packs))["eu-ai-act"]
    assert eu.verdict == "conditional"
    assert "5-1-h" not in {n.rule for n in eu.near_misses}
    assert "timing" in {m.fact for m in eu.missing_facts}


def test_open_near_miss_on_a_hand_built_pack() -> None:
    pack = Pack.model_validate({
        "id": "toy", "title": "Toy pack", "applies_from": "2020-01-01",
        "versions": [{"id": "1", "effective_from": "2020-01-01"}],
        "rules": [
            {"id": "A", "effect": "prohibited", "clauses": ["toy#A"], "explanation": "a",
             "when": {"fact": "purpose", "equals": "identification", "label": "identifying"}},
            {"id": "B", "effect": "prohibited", "clauses": ["toy#B"], "explanation": "b",
             "when": {"all": [
                 {"fact": "purpose", "equals": "identification", "label": "identifying"},
                 {"fact": "minor", "equals": "yes", "label": "a minor"}]}},
            {"id": "C", "effect": "conditional", "clauses": ["toy#C"], "explanation": "c",
             "when": {"all": [
                 {"fact": "purpose", "equals": "identification", "label": "identifying"},
                 {"fact": "consent", "equals": "yes", "label": "consent",
                  "met": "everyone consented"}]}},
        ],
    })
    verdict = evaluate(_facts(purpose="identification"), [pack])[-1]
    assert verdict.policy == "toy" and verdict.verdict == "prohibited"
    near = {n.rule: n for n in verdict.near_misses}
    assert set(near) == {"B"}  # C is conditional: less restrictive than the verdict
    assert near["B"].because == "B also applies if a minor is established: minor not stated"


def test_surv1_also_applies_to_live_identification_unless_consent_is_stated(
    packs: list[Pack],
) -> None:
    base: dict[str, str] = dict(service="azure_openai", purpose="identification",
                                timing="real_time")
    coc = _by(evaluate(_facts(DAY, "assess", **base), packs))["azure-openai-coc"]
    surv = next(n for n in coc.near_misses if n.rule == "SURV-1")
    assert surv.because == ("SURV-1 also applies if the people concerned have not given valid"
                            " consent: consent not stated")
    assert surv.open_facts == ("consent",)
    fired = _by(evaluate(_facts(DAY, "assess", **base, consent="no"), packs))["azure-openai-coc"]
    assert "SURV-1" in {h.rule for h in fired.fired}
    consented = _by(evaluate(_facts(DAY, "assess", **base, consent="yes"), packs))[
        "azure-openai-coc"]
    assert "SURV-1" not in {h.rule for h in consented.fired}
    surv = next(n for n in consented.near_misses if n.rule == "SURV-1")
    assert surv.open_facts == () and surv.because.startswith("SURV-1 does not apply: ")


def test_art_5_1_f_reason_is_no_5_1_h_exception_and_makes_no_near_miss(
        packs: list[Pack]) -> None:
    """The medical or safety reason of Art. 5(1)(f) never opens Art. 5(1)(h); and the 5(1)(f)
    guard ('no reason stated') holding alone does not make 5-1-f come close to a police case."""
    police = _by(evaluate(_facts(actor="law_enforcement", purpose="identification",
                                 timing="real_time", public_access="yes", jurisdiction="eu",
                                 exception="medical_or_safety"), packs))["eu-ai-act"]
    assert police.verdict == "prohibited"
    assert "5-1-h" in {rule.rule for rule in police.fired}
    victim = _by(evaluate(_facts(actor="law_enforcement", purpose="identification",
                                 timing="real_time", public_access="yes", jurisdiction="eu",
                                 exception="victim_search"), packs))["eu-ai-act"]
    assert "5-1-f" not in {miss.rule for miss in victim.near_misses}
    work = _by(evaluate(_facts(actor="employer", purpose="emotion_inference", jurisdiction="eu",
                               exception="medical_or_safety"), packs))["eu-ai-act"]
    assert work.verdict == "not_prohibited"
    assert "5-1-f-EXCEPTION" in {rule.rule for rule in work.fired}
