"""Pack loading: shipped packs validate; malformed packs fail with file, line, expectation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from advisor.config import SHIPPED_CORPUS
from advisor.errors import CorpusError, PackError
from advisor.retrieval.chunking import chunk_document
from advisor.retrieval.documents import load_corpus
from advisor.rules import load_pack, load_packs
from advisor.schema import POLICY_IDS

_GOOD = """\
id: demo
title: Demo policy
services: [azure_openai]
applies_from: 2024-01-01
versions:
  - id: "v1"
    effective_from: 2024-01-01
rules:
  - id: R-1
    effect: prohibited
    when:
      fact: purpose
      in: [identification]
      label: identifying people
    clauses: [demo#R-1]
    explanation: Identifying people is barred.
"""


def _write(tmp_path: Path, text: str, folder: str = "demo") -> Path:
    path = tmp_path / folder / "rules.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_packs_load_in_policy_order() -> None:
    packs = load_packs(SHIPPED_CORPUS)
    assert [pack.id for pack in packs] == list(POLICY_IDS)


def test_shipped_packs_cite_only_real_chunk_ids() -> None:
    known = {chunk.chunk_id for doc in load_corpus(SHIPPED_CORPUS) for chunk in chunk_document(doc)}
    packs = load_packs(SHIPPED_CORPUS, known_chunk_ids=known)
    cited = {clause for pack in packs for rule in pack.rules for clause in rule.clauses}
    assert cited <= known


def test_a_rule_named_after_a_clause_cites_that_clause_first() -> None:
    """FACE-SURV cites #FACE-SURV, LE-US-REPORTED cites #LE-US-REPORTED, not a stand-in."""
    docs = load_corpus(SHIPPED_CORPUS)
    keys: dict[str, set[str]] = {}
    for doc in docs:
        for chunk in chunk_document(doc):
            keys.setdefault(doc.policy or "", set()).add(chunk.chunk_id)
    checked = 0
    for pack in load_packs(SHIPPED_CORPUS):
        for rule in pack.rules:
            own = {cid for cid in keys.get(pack.id, set()) if cid.split("#", 1)[1] == rule.id}
            if own:
                assert rule.clauses[0] in own, f"{pack.id} {rule.id} cites {rule.clauses}"
                checked += 1
    assert checked >= 20


def test_restored_context_clauses_are_cited() -> None:
    """Clauses whose ids only the all-capitals heading rule produces are cited where they speak."""
    rules = {(pack.id, rule.id, rule.effective_from): rule.clauses
             for pack in load_packs(SHIPPED_CORPUS) for rule in pack.rules}
    may = dt.date(2024, 5, 1)
    assert "azure-openai-coc-2024-05#ROUTE" in rules[("azure-openai-coc", "ID-1", may)]
    assert "azure-openai-coc-2024-05#CLARIFY" in rules[("azure-openai-coc", "LE-1", may)]
    assert "azure-openai-coc-2024-05#CLARIFY" in rules[("azure-openai-coc", "NOT-ID", may)]
    assert "eu-ai-act-art5#FINES" in rules[("eu-ai-act", "5-1-h", None)]
    assert "eu-ai-act-art5#TIMELINE" in rules[("eu-ai-act", "POST-RBI", None)]

def test_coc_versions_switch_on_2024_05_01() -> None:
    coc = load_packs(SHIPPED_CORPUS)[0]
    assert coc.version_on(dt.date(2024, 4, 30)).id == "2023"  # type: ignore[union-attr]
    assert coc.version_on(dt.date(2024, 5, 1)).id == "2024-05-01"  # type: ignore[union-attr]


def test_good_pack_loads(tmp_path: Path) -> None:
    pack = load_pack(_write(tmp_path, _GOOD), known_chunk_ids={"demo#R-1"})
    assert pack.id == "demo" and pack.rules[0].id == "R-1"


def test_yes_and_no_stay_text(tmp_path: Path) -> None:
    text = _GOOD.replace("fact: purpose\n      in: [identification]",
                         "fact: consent\n      in: [no]")
    pack = load_pack(_write(tmp_path, text))
    assert pack.rules[0].when.values == ("no",)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("old", "new", "line", "expected"),
    [
        pytest.param("effect: prohibited", "effect: banned", 10, "effect", id="bad-effect"),
        pytest.param("      label: identifying people\n", "", 12, "label", id="missing-label"),
        pytest.param("      fact: purpose", "      fact: purpos", 12, "fact name",
                     id="unknown-fact"),
        pytest.param("in: [identification]", "in: [identify]", 13, "one of identification",
                     id="unknown-value"),
        pytest.param("    explanation: Identifying people is barred.\n",
                     "    explanation: Identifying people is barred.\n    colour: red\n", 17,
                     "unexpected key", id="extra-key"),
        pytest.param("applies_from: 2024-01-01", "applies_from: soon", 4, "applies_from",
                     id="bad-date"),
        pytest.param("      in: [identification]",
                     "      in: [identification]\n      equals: x", 12,
                     "exactly one of", id="equals-and-in"),
    ],
)
def test_malformed_pack_names_file_line_and_expectation(
    tmp_path: Path, old: str, new: str, line: int, expected: str
) -> None:
    assert old in _GOOD
    path = _write(tmp_path, _GOOD.replace(old, new))
    with pytest.raises(PackError) as info:
        load_pack(path)
    message = str(info.value)
    assert str(path) in message
    assert info.value.line == line, message
    assert f":{line}:" in message
    assert expected in message


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    path = _write(tmp_path, _GOOD.replace("rules:\n", "rules: [\n"))
    with pytest.raises(PackError) as info:
        load_pack(path)
    assert info.value.line is not None and info.value.line >= 9
    assert "invalid YAML" in str(info.value)


def test_missing_clause_id_is_a_pack_error(tmp_path: Path) -> None:
    path = _write(tmp_path, _GOOD)
    with pytest.raises(PackError) as info:
        load_pack(path, known_chunk_ids={"demo#OTHER"})
    assert "demo#R-1" in str(info.value)
    assert info.value.line == 15


def test_conditional_rule_needs_conditions(tmp_path: Path) -> None:
    path = _write(tmp_path, _GOOD.replace("effect: prohibited", "effect: conditional"))
    with pytest.raises(PackError, match="conditions"):
        load_pack(path)


def test_duplicate_rule_ids_with_overlapping_dates(tmp_path: Path) -> None:
    rule = _GOOD[_GOOD.index("  - id: R-1"):]
    path = _write(tmp_path, _GOOD + rule)
    with pytest.raises(PackError, match="used twice"):
        load_pack(path)


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    with pytest.raises(PackError, match="expected a mapping"):
        load_pack(_write(tmp_path, "- just\n- a list\n"))


def test_duplicate_pack_ids_across_files(tmp_path: Path) -> None:
    _write(tmp_path, _GOOD, "one")
    _write(tmp_path, _GOOD, "two")
    with pytest.raises(PackError, match="two packs"):
        load_packs(tmp_path)


def test_missing_corpus_folder(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="not found"):
        load_packs(tmp_path / "nowhere")
