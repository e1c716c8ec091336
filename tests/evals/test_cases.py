from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from advisor.evals.cases import CaseFileError, load_case_file, load_cases


def _write(tmp_path: Path, text: str, name: str = "cases.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """\
- id: eu-fixed-lobby
  question: "Can a European agency use this on a fixed lobby camera?"
  reason: "worked example 1"
  history: [{role: user, content: "earlier"}]
  as_of: 2025-06-01
  must_pass: true
  expect:
    verdict: prohibited
    policies: {azure-openai-coc: prohibited, eu-ai-act: conditional}
    cites: ["identify or verify"]
    facts: {camera: fixed, as_of: 2025-06-01}
    gold: ["azure-openai-coc-2024-05#ID-1"]
  tags: [eu, fixed-camera]
- id: second
  question: "What is Limited Access?"
  reason: "informational"
"""


def test_loads_every_field_and_records_file_and_line(tmp_path: Path) -> None:
    cases = load_case_file(_write(tmp_path, GOOD))
    first, second = cases
    assert first.id == "eu-fixed-lobby"
    assert first.as_of == dt.date(2025, 6, 1)
    assert first.must_pass is True
    assert first.expect.policies == {"azure-openai-coc": "prohibited", "eu-ai-act": "conditional"}
    assert first.history_dicts() == [{"role": "user", "content": "earlier"}]
    assert first.expect.gold == ["azure-openai-coc-2024-05#ID-1"]
    assert (first.line, second.line) == (1, 14)
    assert first.path.endswith("cases.yaml") and first.suite == "cases"
    assert second.must_pass is False and second.expect.verdict is None


def test_unknown_key_names_file_case_and_line(tmp_path: Path) -> None:
    text = GOOD.replace("    cites:", "    citez:")
    with pytest.raises(CaseFileError) as err:
        load_case_file(_write(tmp_path, text))
    msg = str(err.value)
    assert "cases.yaml:10:" in msg
    assert "'eu-fixed-lobby'" in msg
    assert "expect.citez" in msg and "unknown key" in msg


def test_bad_verdict_label_says_what_was_expected(tmp_path: Path) -> None:
    text = GOOD.replace("verdict: prohibited", "verdict: forbidden")
    with pytest.raises(CaseFileError) as err:
        load_case_file(_write(tmp_path, text))
    msg = str(err.value)
    assert "cases.yaml:8:" in msg and "expect.verdict" in msg
    assert "'prohibited'" in msg  # the allowed labels are listed


def test_unknown_policy_and_fact_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(CaseFileError, match=r"cases.yaml:9: .*unknown policy id \['aws'\]"):
        load_case_file(_write(tmp_path, GOOD.replace("{azure-openai-coc: prohibited,",
                                                      "{aws: prohibited,")))
    with pytest.raises(CaseFileError, match=r"unknown fact \['colour'\]"):
        load_case_file(_write(tmp_path, GOOD.replace("camera: fixed", "colour: red")))


def test_missing_reason_is_an_error(tmp_path: Path) -> None:
    text = GOOD.replace('  reason: "informational"\n', "")
    with pytest.raises(CaseFileError, match=r"cases.yaml:14: case 'second': reason: required"):
        load_case_file(_write(tmp_path, text))


def test_multi_line_reason_and_bad_gold_are_errors(tmp_path: Path) -> None:
    with pytest.raises(CaseFileError, match="reason must be one line"):
        load_case_file(_write(tmp_path, GOOD.replace('"informational"', '"a\\nb"')))
    with pytest.raises(CaseFileError, match="gold ids must be chunk ids"):
        load_case_file(_write(tmp_path, GOOD.replace('"azure-openai-coc-2024-05#ID-1"', "ID-1")))


def test_yaml_syntax_error_and_wrong_shape(tmp_path: Path) -> None:
    with pytest.raises(CaseFileError, match=r"bad.yaml:3: not valid YAML"):
        load_case_file(_write(tmp_path, "- id: a\n  question: [unclosed\n", "bad.yaml"))
    with pytest.raises(CaseFileError, match="expected a YAML list of cases"):
        load_case_file(_write(tmp_path, "id: a\n", "map.yaml"))


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    _write(tmp_path, GOOD, "a.yaml")
    _write(tmp_path, GOOD, "b.yaml")
    with pytest.raises(CaseFileError, match="duplicate id"):
        load_cases([tmp_path])


def test_tags_filter_and_missing_path(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD)
    assert [c.id for c in load_cases([path], tags=["eu"])] == ["eu-fixed-lobby"]
    with pytest.raises(CaseFileError, match="no such case file"):
        load_cases([tmp_path / "nope.yaml"])


def test_shipped_suite_is_large_and_covers_the_categories() -> None:
    cases = load_cases()
    assert len(cases) >= 150
    tags = {t for c in cases for t in c.tags}
    for needed in ("worked-example", "us-police", "sheriff", "us-federal", "integrator",
                   "non-us-police", "mobile-camera", "fixed-camera", "controlled",
                   "public-space", "real-time", "post", "identification", "verification",
                   "detection", "blurring", "transcription", "emotion", "scraping",
                   "categorisation", "social-scoring", "azure-ai-face", "eu-dates",
                   "azure-dates", "false-premise", "multi-turn", "as-of", "informational",
                   "out-of-scope", "hostile"):
        assert needed in tags, needed
    assert all(c.reason for c in cases)
    assert sum(c.expect.verdict == "out_of_scope" for c in cases) >= 5
    assert sum(bool(c.history) for c in cases) >= 8
    assert len({c.id for c in cases if c.id.startswith("wx")}) >= 8


def test_committed_baseline_covers_exactly_the_shipped_suite() -> None:
    from advisor.evals.baseline import load_baseline
    from advisor.evals.cases import DEFAULT_BASELINE

    baseline = load_baseline(DEFAULT_BASELINE)
    assert baseline is not None, "run `advisor eval --update-baseline` and commit it"
    assert set(baseline["cases"]) == {c.id for c in load_cases()}, \
        "the case set changed: rerun `advisor eval --update-baseline` and commit it"


def test_unquoted_yes_no_facts_mean_yes_and_no(tmp_path: Path) -> None:
    text = GOOD.replace("camera: fixed,", "public_access: yes, consent: no, camera: fixed,")
    (case, _) = load_case_file(_write(tmp_path, text))
    assert case.expect.facts["public_access"] == "yes"
    assert case.expect.facts["consent"] == "no"


def test_a_case_may_give_confirmed_facts(tmp_path: Path) -> None:
    text = GOOD.replace('  as_of: 2025-06-01\n  must_pass',
                        '  as_of: 2025-06-01\n  facts: {actor: law_enforcement, public_access: yes,'
                        ' country: nl}\n  must_pass', 1)
    (case, second) = load_case_file(_write(tmp_path, text))
    assert case.facts == {"actor": "law_enforcement", "public_access": "yes", "country": "NL"}
    assert second.facts == {}


@pytest.mark.parametrize(("facts", "says"), [
    ("{actr: law_enforcement}", "unknown fact 'actr'; the facts are: service, actor"),
    ("{timing: soon}", "use one of: real_time, post, unknown"),
])
def test_a_bad_confirmed_fact_names_file_case_line_and_the_allowed_values(
        tmp_path: Path, facts: str, says: str) -> None:
    text = GOOD.replace('  as_of: 2025-06-01\n  must_pass',
                        f'  as_of: 2025-06-01\n  facts: {facts}\n  must_pass', 1)
    path = _write(tmp_path, text)
    with pytest.raises(CaseFileError) as info:
        load_case_file(path)
    message = str(info.value)
    assert f"{path}:6: case 'eu-fixed-lobby': facts" in message and says in message
