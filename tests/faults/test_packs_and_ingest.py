"""Packs checked at ingest, last good packs kept, state reloaded after ingest, bad corpora."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from advisor.cli import main
from advisor.config import SHIPPED_CORPUS, Settings
from advisor.service import Advisor

LOBBY = "Can a European agency use this on a fixed lobby camera?"


def _corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    shutil.copytree(SHIPPED_CORPUS, corpus)
    return corpus


def _break_pack(corpus: Path) -> Path:
    pack = corpus / "eu-ai-act" / "rules.yaml"
    text = pack.read_text(encoding="utf-8")
    assert "effect: conditional" in text
    pack.write_text(text.replace("effect: conditional", "effect: conditonal", 1), encoding="utf-8")
    return pack


def test_ingest_refuses_a_misspelt_effect_with_file_and_line(
        tmp_path: Path, advisor_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = _corpus(tmp_path)
    assert main(["ingest", "--corpus", str(corpus), "--json"]) == 0
    before = (advisor_home / "index" / "manifest.json").read_text()
    _break_pack(corpus)
    capsys.readouterr()
    assert main(["ingest", "--corpus", str(corpus), "--json"]) == 2
    err = capsys.readouterr().err
    line = next(n for n, text in enumerate(
        (corpus / "eu-ai-act" / "rules.yaml").read_text().splitlines(), 1) if "conditonal" in text)
    assert f"rules.yaml:{line}:" in err.replace("\n", ""), err
    assert "Traceback" not in err
    assert (advisor_home / "index" / "manifest.json").read_text() == before


def test_a_restarted_server_keeps_the_last_good_packs_and_names_the_bad_file(
        tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    settings = Settings(home=tmp_path / "home", corpus=corpus)
    good = Advisor(settings).ask(LOBBY)  # builds the index, which keeps the validated packs
    assert good.verdict == "prohibited"
    _break_pack(corpus)
    restarted = Advisor(settings)
    answer = restarted.check(LOBBY)
    assert answer.verdict == good.verdict
    assert [p.verdict for p in answer.policies] == [p.verdict for p in good.policies]
    health = restarted.health()
    assert health["status"] == "degraded"
    assert "eu-ai-act/rules.yaml" in health["packs_error"]


def test_a_server_reloads_documents_packs_and_versions_after_an_ingest(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    settings = Settings(home=tmp_path / "home", corpus=corpus)
    server = Advisor(settings)
    assert server.ask(LOBBY).verdict == "prohibited"
    old_version = server.health()["corpus_version"]
    (corpus / "articles" / "new-note.md").write_text(
        "---\nid: new-note\ntitle: A new note\nkind: article\n"
        "source_url: https://example.org/note\n---\n\n# Note\n\nLobby cameras are discussed.\n",
        encoding="utf-8")
    report = Advisor(settings).ingest()  # another process: `advisor ingest`
    assert report.added == 1
    assert server.document("new-note")["title"] == "A new note"
    health = server.health()
    assert health["corpus_version"] == health["index_version"] == report.corpus_version
    assert health["corpus_version"] != old_version
    assert server.ask(LOBBY).corpus_version == report.corpus_version


def test_documents_stay_readable_when_one_corpus_file_is_malformed(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    settings = Settings(home=tmp_path / "home", corpus=corpus)
    Advisor(settings).ingest()
    (corpus / "articles" / "broken.md").write_text("---\nid: [unclosed\n---\nText.\n")
    restarted = Advisor(settings)
    ids = [d["id"] for d in restarted.documents()]
    assert ids
    for document_id in ids:
        assert restarted.document(document_id)["text"]


def test_ingest_of_an_empty_folder_is_refused_unless_allowed(
        tmp_path: Path, advisor_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = _corpus(tmp_path)
    assert main(["ingest", "--corpus", str(corpus), "--json"]) == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    capsys.readouterr()
    assert main(["ingest", "--corpus", str(empty), "--json"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "no documents" in err and "--allow-empty" in err
    assert len(Advisor(Settings()).documents()) >= 7
    assert main(["ingest", "--corpus", str(empty), "--json", "--allow-empty"]) == 0


def test_a_symlink_leaving_the_corpus_is_skipped_with_a_warning(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    corpus = _corpus(tmp_path)
    secret = tmp_path / "outside.txt"
    secret.write_text("root:x:0:0:secret outside the corpus\n", encoding="utf-8")
    (corpus / "articles" / "passwd.txt").symlink_to(secret)
    from advisor.retrieval.documents import load_corpus

    with caplog.at_level(logging.WARNING):
        documents = load_corpus(corpus)
    assert all("secret outside" not in d.text for d in documents)
    assert any("passwd.txt" in r.getMessage() and "outside" in r.getMessage()
               for r in caplog.records)


def test_rebuilds_leave_no_orphan_chroma_folders(tmp_path: Path) -> None:
    import re
    import sqlite3

    settings = Settings(home=tmp_path / "home", corpus=SHIPPED_CORPUS)
    for _ in range(3):
        Advisor(settings).ingest(rebuild=True)
    chroma = tmp_path / "home" / "index" / "chroma"
    folders = {p.name for p in chroma.iterdir()
               if p.is_dir() and re.fullmatch(r"[0-9a-f-]{36}", p.name)}
    with sqlite3.connect(chroma / "chroma.sqlite3") as conn:
        live = {row[0] for row in conn.execute("SELECT id FROM segments")}
    assert folders and folders <= live, (folders, live)
