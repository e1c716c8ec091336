"""The LLM fact reader over the real openai client and the scripted server.

The rule reader runs for real on each question; the tests compute its reading first and
script the model relative to it, so they hold whatever the rule reader's wording tables say.
The pipeline runs over real packs with the index down (answers degrade, verdicts stand).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from advisor import pipeline
from advisor.audit import AuditLog
from advisor.compose import OfflineComposer
from advisor.config import Settings
from advisor.facts import extract_facts
from advisor.llm import Reply, ScriptedOpenAIServer
from advisor.llm.reader import check_reading, fact_reader, merge_facts, normalise
from advisor.schema import FACT_VALUES, Answer, Fact, Facts
from tests.test_pipeline import TODAY, _down, _packs, corpus_chunks

from .conftest import llm_settings

POLISH = ("Czy policja w Warszawie może używać rozpoznawania twarzy na żywo z kamer na "
          "stadionie?")
#: Portuguese is outside the rule reader's seven languages: it leaves most facts open.
PORTUGUESE = ("A polícia pode usar reconhecimento facial ao vivo com as câmaras do "
              "estádio de Lisboa?")
STATION = ("Can Dutch police run live facial recognition on a fixed camera in a station hall "
           "that is open to the public?")


def _rules(question: str, history: list[dict[str, str]] | None = None) -> Facts:
    return extract_facts(question, history, None, today=TODAY)


def _reply(*facts: tuple[str, str, str]) -> Reply:
    return Reply.json({"facts": [{"name": n, "value": v, "words": w} for n, v, w in facts]})


def _check(tmp_path: Path, server: ScriptedOpenAIServer, question: str, mode: str = "both",
           history: list[dict[str, str]] | None = None, **settings: Any) -> Answer:
    config = llm_settings(server, home=tmp_path, facts_reader=mode, composer="offline",
                          **settings)
    offline = OfflineComposer()
    deps = pipeline.Deps(
        settings=config, packs=_packs(), index=_down, composer=offline, offline=offline,
        audit=AuditLog(tmp_path / "audit.sqlite3"), today=lambda: TODAY,
        corpus_chunks=corpus_chunks, corpus_version=lambda: "files-v1",
        reader=fact_reader(config),
    )
    return pipeline.check(deps, question, history)


def _verdicts(answer: Answer) -> dict[str, str]:
    return {p.policy: p.verdict for p in answer.policies}


def _rules_only(tmp_path: Path, question: str) -> Answer:
    offline = OfflineComposer()
    deps = pipeline.Deps(
        settings=Settings(home=tmp_path),
        packs=_packs(), index=_down, composer=offline, offline=offline, audit=None,
        today=lambda: TODAY, corpus_chunks=corpus_chunks, corpus_version=lambda: "files-v1",
    )
    return pipeline.check(deps, question)


# ----------------------------------------------------------------------------- good reading


def test_a_good_reading_fills_the_facts_the_rule_reader_left_open(
    tmp_path: Path, server: ScriptedOpenAIServer
) -> None:
    rules = _rules(PORTUGUESE)
    read = [("actor", "law_enforcement", "polícia"), ("jurisdiction", "eu", "Lisboa"),
            ("purpose", "identification", "reconhecimento facial"),
            ("timing", "real_time", "ao vivo"), ("public_access", "yes", "estádio")]
    filled = [n for n, _, _ in read if rules.value(n) == "unknown"]
    assert filled, "the rule reader now reads every fact here: pick facts it leaves open"
    server.add(_reply(*read))

    answer = _check(tmp_path, server, PORTUGUESE)

    for name, value, words in read:
        fact = answer.facts[name]
        assert fact.value == value
        if name in filled:
            assert fact.status == "stated"
            assert fact.source == words  # the model's words, as they stand in the question
    assert answer.guardrail.status == "passed", answer.guardrail.notes
    assert answer.guardrail.notes == ()
    sent = server.chat_requests[0]
    assert PORTUGUESE in sent.text()
    assert sent.body["max_tokens"] > 0  # the output is capped
    # Law enforcement, live, identification, a public stadium in the EU: Article 5(1)(h).
    rules_only = _verdicts(_rules_only(tmp_path, PORTUGUESE))
    assert _verdicts(answer)["eu-ai-act"] != rules_only["eu-ai-act"]
    assert _verdicts(answer)["eu-ai-act"] in ("prohibited", "conditional")


def test_words_from_an_earlier_turn_make_an_inherited_fact(
    tmp_path: Path, server: ScriptedOpenAIServer
) -> None:
    history = [{"role": "user", "content": "We are the city police of Rotterdam."},
               {"role": "assistant", "content": "Noted: police in the Netherlands."}]
    question = "Can we use live face matching on the square?"
    server.add(_reply(("actor", "law_enforcement", "city police"),
                      ("timing", "real_time", "live"),
                      ("jurisdiction", "eu", "Netherlands")))  # the assistant's words only

    answer = _check(tmp_path, server, question, history=history)

    actor = answer.facts["actor"]
    assert actor.value == "law_enforcement"
    assert actor.status in ("inherited", "stated")  # stated if the rule reader also read it
    timing = answer.facts["timing"]
    assert timing.value == "real_time"
    # "Netherlands" is only in the advisor's own turn: no user wrote it, so it is dropped.
    assert any("'Netherlands'" in n and "not in the question" in n
               for n in answer.guardrail.notes)
    assert "- We are the city police of Rotterdam." in server.chat_requests[0].text()
    assert "Noted: police" not in server.chat_requests[0].text()


def test_inherited_words_name_their_turn() -> None:
    history = [{"role": "user", "content": "We are a school in Lyon."},
               {"role": "assistant", "content": "A school: noted."},
               {"role": "user", "content": "It is for the pupils' exams."}]
    reading = check_reading({"facts": [
        {"name": "actor", "value": "education", "words": "a SCHOOL  in lyon"},
        {"name": "minor", "value": "yes", "words": "pupils’"},
        {"name": "timing", "value": "post", "words": "noted"},  # the assistant's words
    ]}, "Can we check faces at the door?", history)
    assert reading.facts["actor"].status == "inherited" and reading.facts["actor"].turn == 1
    assert reading.facts["minor"].status == "inherited" and reading.facts["minor"].turn == 2
    assert "timing" not in reading.facts


# ----------------------------------------------------------------------------- invented words


def test_a_value_resting_on_invented_words_is_dropped(
    tmp_path: Path, server: ScriptedOpenAIServer
) -> None:
    rules = _rules(POLISH)
    assert rules.value("exception") == "unknown"
    server.add(_reply(("timing", "real_time", "na żywo"),
                      ("exception", "victim_search", "to find a missing child"),
                      ("purpose", "identification", "rozpoznawanie twarzy")))  # not verbatim

    answer = _check(tmp_path, server, POLISH)

    assert answer.facts["timing"].value == "real_time"
    assert answer.facts["exception"].value == "unknown"
    assert answer.facts["purpose"].value == rules.value("purpose")
    notes = "\n".join(answer.guardrail.notes)
    assert "dropped exception=victim_search" in notes
    assert "dropped purpose=identification" in notes


def test_a_value_outside_the_vocabulary_is_dropped(
    tmp_path: Path, server: ScriptedOpenAIServer
) -> None:
    server.add(_reply(("actor", "police_force", "policja"), ("camera", "cctv", "kamer")))
    answer = _check(tmp_path, server, POLISH)
    assert answer.facts["actor"] == _rules(POLISH).actor
    assert answer.facts["camera"] == _rules(POLISH).camera
    notes = "\n".join(answer.guardrail.notes)
    assert "'police_force', not a value of actor" in notes and "'cctv'" in notes


# ----------------------------------------------------------------------------- disagreement


def test_a_disagreement_leaves_the_fact_open_with_both_readings(
    tmp_path: Path, server: ScriptedOpenAIServer
) -> None:
    rules = _rules(STATION)
    assert rules.value("public_access") == "yes", "pick a question the rule reader reads"
    server.add(_reply(("public_access", "no", "station hall"),
                      ("timing", "real_time", "live")))

    answer = _check(tmp_path, server, STATION)

    fact = answer.facts["public_access"]
    assert fact.status == "conflicting" and fact.value == "unknown"
    assert {c.value for c in fact.candidates} == {"yes", "no"}
    assert {c.source for c in fact.candidates} >= {"station hall"}
    assert answer.facts["timing"] == rules.timing  # agreement keeps the rule reader's fact
    # The engine reports both outcomes and asks; never the less restrictive one alone.
    asked = [m for m in answer.missing_facts if m.fact == "public_access"]
    assert asked and "prohibited" in asked[0].outcomes.values()
    assert _verdicts(answer)["eu-ai-act"] != "not_prohibited"
    assert any("disagree on public_access" in n for n in answer.guardrail.notes)


def test_in_llm_mode_the_model_reading_stands_and_the_rule_reader_fills_in(
    tmp_path: Path, server: ScriptedOpenAIServer
) -> None:
    rules = _rules(STATION)
    server.add(_reply(("public_access", "no", "station hall")))
    answer = _check(tmp_path, server, STATION, mode="llm")
    assert answer.facts["public_access"].value == "no"
    assert answer.facts["public_access"].source == "station hall"
    assert answer.facts["actor"] == rules.actor  # the model said nothing: the rule reader's


def test_a_disagreement_with_an_assumption_is_left_open() -> None:
    rules = _rules("Can a European agency use this on a fixed lobby camera?")
    assert rules.purpose.status == "assumed"
    model = {"purpose": Fact.model_validate({"value": "verification", "from": "use this"})}
    merged = merge_facts(rules, model, "both")
    assert merged.purpose.status == "conflicting"
    assert {c.value for c in merged.purpose.candidates} == {"identification", "verification"}


def test_a_confirmed_fact_is_never_touched() -> None:
    rules = _rules(STATION).model_copy(update={
        "public_access": Fact(value="yes", status="confirmed")})
    model = {"public_access": Fact.model_validate({"value": "no", "from": "station hall"})}
    for mode in ("llm", "both"):
        merged = merge_facts(rules, model, mode)  # type: ignore[arg-type]
        assert merged.public_access == Fact(value="yes", status="confirmed")


def test_a_model_that_reads_two_values_leaves_the_fact_open(
    tmp_path: Path, server: ScriptedOpenAIServer
) -> None:
    server.add(_reply(("timing", "real_time", "na żywo"), ("timing", "post", "z kamer")))
    answer = _check(tmp_path, server, POLISH, mode="llm")
    assert answer.facts["timing"].status == "conflicting"


def test_an_out_of_scope_rule_reading_is_reopened_by_facts_in_the_question() -> None:
    question = "Mag de gemeente Utrecht live gezichtsherkenning gebruiken op het plein?"
    rules = _rules(question).model_copy(update={"intent": "out_of_scope"})
    model = {"purpose": Fact.model_validate({"value": "identification",
                                             "from": "gezichtsherkenning"})}
    assert merge_facts(rules, model, "both").intent == "assess"
    assert merge_facts(rules, {}, "both").intent == "out_of_scope"


# ----------------------------------------------------------------------------- failures


@pytest.mark.parametrize(("reply", "expected"), [
    (Reply.slow(5.0, {"facts": []}), "did not answer within 1s"),
    (Reply.text("actor: police, timing: live"), "valid JSON"),
    (Reply.text('{"facts": [{"name": "actor"'), "valid JSON"),  # cut off mid-object
    (Reply.json({"facts": "police"}), "schema"),
    (Reply.error(500, "model crashed"), "HTTP 500"),
])
def test_failures_fall_back_to_the_rule_reader_with_a_note(
    tmp_path: Path, server: ScriptedOpenAIServer, reply: Reply, expected: str
) -> None:
    server.add(reply)
    answer = _check(tmp_path, server, STATION)
    alone = _rules_only(tmp_path, STATION)
    assert answer.facts == alone.facts
    assert _verdicts(answer) == _verdicts(alone)
    assert answer.guardrail.status == "degraded"
    notes = "\n".join(answer.guardrail.notes)
    assert "fact reader failed" in notes and expected in notes
    assert "the facts are the rule reader's" in notes


def test_no_endpoint_falls_back_and_names_the_setting(tmp_path: Path,
                                                      server: ScriptedOpenAIServer) -> None:
    answer = _check(tmp_path, server, STATION, llm_base_url=None, llm_api_key=None)
    assert answer.guardrail.status == "degraded"
    assert "ADVISOR_LLM_BASE_URL" in "\n".join(answer.guardrail.notes)
    assert server.chat_requests == []


def test_the_default_rule_reader_makes_no_request(tmp_path: Path,
                                                  server: ScriptedOpenAIServer) -> None:
    answer = _check(tmp_path, server, STATION, mode="rules")
    assert server.chat_requests == []
    assert answer.facts == _rules_only(tmp_path, STATION).facts


def test_normalised_comparison() -> None:
    assert normalise("Na  ŻYWO\u00a0") == "na żywo"
    assert normalise("the “lobby”") == normalise('the "lobby"')


def test_the_prompt_is_small_and_lists_every_value() -> None:
    from advisor.llm.reader import SYSTEM, _Reading

    schema = json.dumps(_Reading.model_json_schema())
    assert len(SYSTEM) < 2000
    for name, values in FACT_VALUES.items():
        assert name in SYSTEM
        for value in values:
            assert value == "unknown" or (value in SYSTEM and value in schema)


def test_the_sent_schema_pairs_each_fact_with_its_own_values() -> None:
    from advisor.llm.client import _is_strict
    from advisor.llm.reader import _Reading

    schema = _Reading.model_json_schema()
    shapes = schema["properties"]["facts"]["items"]["anyOf"]
    by_name = {s["properties"]["name"]["enum"][0]: s["properties"]["value"]["enum"]
               for s in shapes}
    assert by_name == {n: [v for v in vs if v != "unknown"] for n, vs in FACT_VALUES.items()}
    assert _is_strict(schema)
