"""The CLI shell: commands, --json output, rendered tables, one-line errors and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from advisor.cli import main

LOBBY = "Can a European agency use this on a fixed lobby camera?"


@pytest.fixture
def home(advisor_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COLUMNS", "160")
    return advisor_home


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> object:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_check_json_is_the_answer_contract(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _json(capsys, ["check", LOBBY, "--json"])
    assert isinstance(data, dict)
    assert data["verdict"] == "prohibited"
    verdicts = {p["policy"]: p["verdict"] for p in data["policies"]}
    assert verdicts == {"azure-openai-coc": "prohibited", "azure-ai-face": "not_applicable",
                        "eu-ai-act": "conditional"}
    assert data["answer"] == "" and data["citations"] == []
    assert data["facts"]["camera"] == {"value": "fixed", "from": "fixed", "assumed": False,
                                       "status": "stated", "turn": None, "candidates": []}


def test_ask_renders_verdicts_citations_and_facts(home: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", LOBBY]) == 0
    out = capsys.readouterr().out
    assert "PROHIBITED" in out and "CONDITIONAL" in out
    assert "azure-openai-coc-2024-05#ID-1" in out and "verified" in out
    assert "Facts understood" in out and "European" in out
    assert "guardrail: passed" in out


def test_search_json_puts_the_mobile_camera_clause_first(
        home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _json(capsys, ["search", "body worn cameras used by officers on patrol", "--json"])
    assert isinstance(data, list) and len(data) == 5
    # The Azure OpenAI clause and Azure AI Face's clause of the same wording both carry the
    # mobile-camera ban; the query names neither service, so either may lead, both must rank.
    mobile = {"azure-openai-coc-2024-05#LE-2", "azure-ai-face#FACE-LE-2"}
    assert data[0]["chunk_id"] in mobile
    assert mobile <= {row["chunk_id"] for row in data[:3]}
    assert {"chunk_id", "document", "title", "section", "kind", "text", "start", "end",
            "score"} <= set(data[0])


def test_ask_history_file_and_audit_replay(home: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    history = tmp_path / "history.json"
    history.write_text(json.dumps([{"role": "user", "content": LOBBY}]))
    answer = _json(capsys, ["ask", "what about a body-worn camera on patrol?", "--history",
                            str(history), "--json"])
    assert isinstance(answer, dict)
    assert answer["facts"]["camera"]["value"] == "body_worn"
    assert answer["facts"]["jurisdiction"]["value"] == "eu"  # inherited from the first turn
    replay = _json(capsys, ["audit", answer["trace_id"], "--replay", "--json"])
    assert isinstance(replay, dict) and replay["holds"] is True


def test_errors_are_one_line_with_exit_code_2(home: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "   "]) == 2
    err = capsys.readouterr().err
    assert "error: the question is empty" in err and "Traceback" not in err
    assert main(["audit", "no-such-trace"]) == 2
    assert "no answer with trace id" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main(["check", LOBBY, "--history", str(bad)]) == 2
    assert "cannot read history file" in capsys.readouterr().err


def test_ingest_a_dropped_in_folder(home: Path, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "dropped"
    folder.mkdir()
    (folder / "nda.txt").write_text("1. Confidentiality\nThe recipient keeps secrets.\n")
    report = _json(capsys, ["ingest", "--corpus", str(folder), "--json"])
    assert isinstance(report, dict) and report["chunks"] >= 1
    docs = _json(capsys, ["documents", "--json"])
    assert isinstance(docs, list) and [d["id"] for d in docs] == ["nda"]


def test_python_dash_m_is_the_same_command(home: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "advisor", "check", LOBBY, "--json"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["verdict"] == "prohibited"


def test_unknown_document_filter_is_an_error_not_an_empty_result(
        home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "identify", "--document", "nope"]) == 2
    assert "no document 'nope' in the index" in capsys.readouterr().err


def test_debug_works_after_the_command_and_shows_the_traceback(home: Path) -> None:
    from advisor.errors import InputError

    with pytest.raises(InputError):
        main(["check", "  ", "--debug"])


def test_fact_options_confirm_facts_and_audit_replay_keeps_them(
        home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--fact", "actor=law_enforcement", "--fact", "timing=real_time",
            "--fact", "public_access=yes", "--json"]
    checked = _json(capsys, ["check", LOBBY, *argv])
    assert isinstance(checked, dict)
    verdicts = {p["policy"]: p["verdict"] for p in checked["policies"]}
    assert verdicts["eu-ai-act"] == "prohibited"
    assert checked["facts"]["timing"]["status"] == "confirmed"
    answer = _json(capsys, ["ask", LOBBY, *argv])
    assert isinstance(answer, dict)
    assert "eu-ai-act-art5#5-1-h" in {c["chunk_id"] for c in answer["citations"]}
    record = _json(capsys, ["audit", answer["trace_id"], "--json"])
    assert isinstance(record, dict)
    assert record["confirmed"] == {"actor": "law_enforcement", "timing": "real_time",
                                   "public_access": "yes"}
    replay = _json(capsys, ["audit", answer["trace_id"], "--replay", "--json"])
    assert isinstance(replay, dict)
    assert replay["holds"] is True, "replayed with the confirmed facts, the verdict holds"
    assert replay["verdicts_now"]["eu-ai-act"] == "prohibited"
    assert replay["confirmed"] == record["confirmed"]


@pytest.mark.parametrize(("fact", "says"), [
    ("actor=cop", "use one of: us_police"),
    ("acter=private", "the facts are: service, actor"),
    ("actor", "write it as NAME=VALUE"),
    ("country=Narnia", "ISO 3166-1 alpha-2"),
])
def test_a_bad_fact_option_is_one_line_with_exit_code_2(
        home: Path, capsys: pytest.CaptureFixture[str], fact: str, says: str) -> None:
    assert main(["check", LOBBY, "--fact", fact]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert says in err and "Traceback" not in err


def test_the_advisor_process_runs_one_blas_thread_unless_told(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import advisor.cli as cli

    monkeypatch.setattr(cli, "main", lambda argv=None: 0)
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "")  # recorded, so the test's change is undone
    monkeypatch.delenv("OPENBLAS_NUM_THREADS")
    monkeypatch.setenv("OMP_NUM_THREADS", "3")  # the user's own setting wins
    with pytest.raises(SystemExit) as stop:
        cli.run()
    assert stop.value.code == 0
    assert cli.os.environ["OPENBLAS_NUM_THREADS"] == "1"
    assert cli.os.environ["OMP_NUM_THREADS"] == "3"
