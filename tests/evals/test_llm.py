"""``advisor eval --llm`` against the scripted OpenAI-compatible server on loopback."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from advisor.evals import main
from advisor.llm import Reply, ScriptedOpenAIServer
from advisor.llm.scripted import RecordedRequest, faithful_answer
from tests.evals.test_cli import _subset

_IDS = ["wx1-eu-agency-fixed-lobby", "us-pd-fixed-camera-id", "pu-retail-blur-faces"]


def _model(request: RecordedRequest) -> Reply:
    """Faithful, except that it claims the US police question is not prohibited."""
    data = faithful_answer(request)
    if "Chicago" in request.text():
        data["verdicts"]["azure-openai-coc"] = "not_prohibited"
        data["answer"] = "Go ahead, this is fine."
    return Reply.json(data)


def test_llm_column_shows_what_the_guardrail_caught(advisor_home: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    cases = _subset(tmp_path, _IDS)
    out = tmp_path / "out"
    with ScriptedOpenAIServer(_model) as server:
        monkeypatch.setenv("ADVISOR_LLM_BASE_URL", server.base_url)
        monkeypatch.setenv("ADVISOR_LLM_API_KEY", "test")
        code = main(["--cases", str(cases), "--llm", "--no-progress",
                     "--json", str(out / "r.json"), "--html", str(out / "r.html"),
                     "--junit", str(out / "r.xml")])
        asked = len(server.requests)
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert asked >= len(_IDS)  # every case went through the endpoint
    assert "llm guardrail" in printed and "overridden 1" in printed

    data = json.loads((out / "r.json").read_text(encoding="utf-8"))
    rows = {c["id"]: c for c in data["cases"]}
    liar = rows["us-pd-fixed-camera-id"]["llm"]
    assert liar["guardrail"] == "overridden" and liar["composer"] == "offline"
    assert liar["passed"] is True  # the engine's verdict was served, so the case holds
    assert "Go ahead" not in liar["answer"]
    honest = rows["wx1-eu-agency-fixed-lobby"]["llm"]
    assert honest["guardrail"] == "passed" and honest["composer"].startswith("llm:")
    assert data["llm_summary"]["guardrail"] == {"overridden": 1, "passed": 2}
    assert data["llm_summary"]["quote_verification_rate"] == 1.0
    assert all(c["composer"] == "offline" for c in data["cases"])  # offline column intact

    suites = ET.parse(out / "r.xml").getroot().findall("testsuite")
    assert [s.get("name") for s in suites] == ["advisor-eval", "advisor-eval-llm"]
    html = (out / "r.html").read_text(encoding="utf-8")
    assert "LLM composer passed" in html and "overridden" in html


def test_llm_without_an_endpoint_is_a_clear_error(advisor_home: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    cases = _subset(tmp_path, _IDS[:1])
    assert main(["--cases", str(cases), "--llm", "--no-progress"]) == 2
    assert "set ADVISOR_LLM_BASE_URL" in capsys.readouterr().out
