"""The eval CLI end to end: the real Advisor, a real Chroma index in a temp home."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from advisor.config import SHIPPED_CORPUS
from advisor.evals import main
from advisor.evals.cases import DEFAULT_CASES_DIR, load_cases

# Cases from the shipped suite whose expectations the engine meets (and must keep meeting).
_PICK = ["wx1-eu-agency-fixed-lobby", "wx3-us-pd-bodycam-transcripts", "us-pd-fixed-camera-id",
         "pu-tag-friends-photos", "pu-retail-blur-faces", "oos-football"]


def _subset(tmp_path: Path, ids: list[str]) -> Path:
    """Write the named shipped cases to an external case file (what evaluators do)."""
    import yaml

    by_id = {c.id: c for c in load_cases([DEFAULT_CASES_DIR])}
    data = [by_id[i].model_dump(mode="json", exclude_defaults=True) for i in ids]
    for item, case_id in zip(data, ids, strict=True):
        item["reason"] = by_id[case_id].reason  # required, even where it equals a default
    path = tmp_path / "external.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # rich tables: no folded case ids in assertions


def test_external_cases_and_all_three_reports(advisor_home: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str],
                                              wide: None) -> None:
    cases = _subset(tmp_path, _PICK)
    out = tmp_path / "out"
    code = main(["--cases", str(cases), "--no-progress", "--json", str(out / "r.json"),
                 "--html", str(out / "r.html"), "--junit", str(out / "r.xml")])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "6/6 passed" in printed and "gate passed" in printed

    data = json.loads((out / "r.json").read_text(encoding="utf-8"))
    s = data["summary"]
    assert (s["cases"], s["passed"], s["quote_verification_rate"]) == (6, 6, 1.0)
    assert s["abstention_rate"] == 1.0 and s["hit_at_k"] == 1.0
    assert s["latency_p50_ms"] > 0 and data["gate"]["ok"] is True
    assert [c["id"] for c in data["cases"]] == _PICK
    assert all(c["passed"] and not c["failures"] for c in data["cases"])
    assert re.fullmatch(r"[0-9a-f]{8,}", data["corpus_version"])

    suite = ET.parse(out / "r.xml").getroot().find("testsuite")
    assert suite is not None and suite.get("tests") == "6" and suite.get("failures") == "0"
    assert [tc.get("name") for tc in suite.iter("testcase")] == _PICK

    html = (out / "r.html").read_text(encoding="utf-8")
    assert "6/6" in html and "Every case passed." in html and "<svg" in html


def test_breaking_a_rule_fails_the_gate_with_a_table(advisor_home: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str],
                                                    wide: None) -> None:
    cases = _subset(tmp_path, ["wx1-eu-agency-fixed-lobby", "pu-tag-friends-photos",
                               "wx3-us-pd-bodycam-transcripts"])
    baseline = tmp_path / "baseline.json"
    assert main(["--cases", str(cases), "--baseline", str(baseline), "--update-baseline",
                 "--no-progress"]) == 0
    assert json.loads(baseline.read_text())["summary"]["verdict_accuracy"] == 1.0
    capsys.readouterr()

    broken = tmp_path / "broken-corpus"
    shutil.copytree(SHIPPED_CORPUS, broken)
    rules = broken / "azure-openai-coc" / "rules.yaml"
    text, n = re.subn(r"(- id: ID-1\n\s+effect:) prohibited", r"\1 not_prohibited",
                      rules.read_text(encoding="utf-8"))
    assert n == 2  # both versions of ID-1
    rules.write_text(text, encoding="utf-8")
    monkeypatch.setenv("ADVISOR_CORPUS", str(broken))
    monkeypatch.setenv("ADVISOR_HOME", str(tmp_path / "broken-home"))

    code = main(["--cases", str(cases), "--baseline", str(baseline), "--no-progress"])
    printed = capsys.readouterr().out
    assert code == 1
    assert "Cases that changed" in printed and "Metrics against the baseline" in printed
    for case_id in ("wx1-eu-agency-fixed-lobby", "pu-tag-friends-photos"):
        assert re.search(rf"{case_id}\s+│ newly failing", printed), printed
    assert "wx3-us-pd-bodycam-transcripts" not in printed.split("Metrics against")[0]
    assert re.search(r"verdict_accuracy\s+│\s+1\s+│\s+0\.3333\s+│\s+-0\.6667\s+│ regressed",
                     printed), printed
    assert ("gate failed: must_pass cases failing: pu-tag-friends-photos, "
            "wx1-eu-agency-fixed-lobby") in printed


def test_bad_case_file_is_a_one_line_error(advisor_home: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("- id: x\n  reason: r\n", encoding="utf-8")
    assert main(["--cases", str(bad)]) == 2
    err = capsys.readouterr().out
    assert "bad.yaml:1: case 'x': question: required key is missing" in err
    assert "Traceback" not in err
    assert main(["--update-baseline", "--tags", "eu"]) == 2
    assert "drop --tags" in capsys.readouterr().out
    assert main(["--no-such-flag"]) == 2


def test_update_baseline_shows_the_change_and_still_gates_must_pass(
        advisor_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], wide: None) -> None:
    cases = _subset(tmp_path, ["pu-tag-friends-photos", "oos-football"])
    baseline = tmp_path / "baseline.json"
    assert main(["--cases", str(cases), "--baseline", str(baseline), "--update-baseline",
                 "--no-progress"]) == 0
    broken = tmp_path / "broken-corpus"
    shutil.copytree(SHIPPED_CORPUS, broken)
    rules = broken / "azure-openai-coc" / "rules.yaml"
    rules.write_text(re.sub(r"(- id: ID-1\n\s+effect:) prohibited", r"\1 not_prohibited",
                            rules.read_text(encoding="utf-8")), encoding="utf-8")
    monkeypatch.setenv("ADVISOR_CORPUS", str(broken))
    capsys.readouterr()
    # a deliberate rewrite over a must_pass failure is recorded but still exits 1
    assert main(["--cases", str(cases), "--baseline", str(baseline), "--update-baseline",
                 "--no-progress"]) == 1
    printed = capsys.readouterr().out
    assert re.search(r"pu-tag-friends-photos\s+│ newly failing", printed), printed
    assert "baseline rewritten" in printed
    data = json.loads(baseline.read_text(encoding="utf-8"))
    assert data["cases"]["pu-tag-friends-photos"]["passed"] is False
    assert data["summary"]["verdict_accuracy"] == 0.5
