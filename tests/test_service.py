"""The Advisor facade end to end: real embedded Chroma index, real packs, offline composer.

The LLM composer is exercised through the scripted OpenAI-compatible server on loopback.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from advisor.config import SHIPPED_CORPUS, Settings
from advisor.errors import InputError
from advisor.llm import Reply, ScriptedOpenAIServer
from advisor.llm.scripted import faithful, faithful_answer
from advisor.schema import ComposeRequest, Draft
from advisor.service import Advisor

LOBBY = "Can a European agency use this on a fixed lobby camera?"
TODAY = dt.date(2026, 11, 26)
SNAPSHOTS = Path(__file__).parent / "snapshots"
# The worked examples of POLICY-FACTS.md (and the lobby question): id, question, as_of.
WORKED = [
    ("01-eu-fixed-lobby", LOBBY, None),
    ("02-uk-patrol-body-worn", "UK officers on patrol want live face matching from body-worn "
     "cameras with Azure OpenAI. Is that allowed?", "2024-06-15"),
    ("03-us-police-report-drafting", "Can a US police department use Azure OpenAI to draft "
     "incident reports from body-cam audio transcripts?", None),
    ("04-dutch-post-review", "Dutch police want to review body-cam footage later at the station "
     "and match faces with Azure OpenAI. Can they?", None),
    ("05a-belgian-concert-dec-2024", "Can Belgian police use live face recognition with Azure "
     "OpenAI at a concert?", "2024-12-15"),
    ("05b-belgian-concert-mar-2025", "Can Belgian police use live face recognition with Azure "
     "OpenAI at a concert?", "2025-03-15"),
    ("06-spanish-kidnapping-victim", "Spanish police want real-time face recognition on fixed "
     "station cameras to find a specific kidnapping victim, with a judge's authorisation and "
     "national law in place. Can they?", "2025-03-15"),
    ("07-eu-employer-engagement", "Can an EU employer use Azure OpenAI to score employees' "
     "engagement from their facial expressions?", None),
    ("08-us-sheriff-jail-intake", "Can a US county sheriff use Azure AI Face to identify people "
     "at jail intake?", None),
]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("service-home")


@pytest.fixture(scope="module")
def advisor(home: Path) -> Iterator[Advisor]:
    advisor = Advisor(Settings(home=home, corpus=SHIPPED_CORPUS))
    advisor.today = lambda: TODAY
    yield advisor


def test_the_lobby_question_meets_the_acceptance_bar(advisor: Advisor, home: Path) -> None:
    answer = advisor.ask(LOBBY)
    assert (home / "index").exists()  # built on first use
    assert answer.verdict == "prohibited"
    verdicts = {p.policy: p.verdict for p in answer.policies}
    assert verdicts["azure-openai-coc"] == "prohibited"
    assert verdicts["eu-ai-act"] == "conditional"
    assert answer.guardrail.status == "passed", answer.guardrail.notes
    # the identification clause, quoted verbatim and verified
    id1 = next(c for c in answer.citations if c.chunk_id.endswith("-2024-05#ID-1"))
    assert id1.verified and "identify or verify" in id1.quote
    doc = advisor.document(id1.document)
    assert doc["text"][id1.start:id1.end] == id1.quote
    coc = next(p for p in answer.policies if p.policy == "azure-openai-coc")
    assert coc.fired[0].rule == "ID-1" and coc.fired[0].citations == (id1.n,)
    # LE-2 named as a near miss, answered by ID-1
    assert "LE-2" in {m.rule for m in coc.near_misses}
    assert re.search(r"LE-2 \(.*\) does not reach this case: .*fixed.*, but ID-1 does",
                     answer.answer)
    # the EU AI Act facts that decide it, and the assumptions
    assert {m.fact for m in answer.missing_facts} >= {"timing", "public_access"}
    assert "### What would change the answer" in answer.answer
    assert answer.assumptions and "### Assumptions" in answer.answer
    # the article, cited only as reporting
    articles = [c for c in answer.citations if c.kind == "article"]
    assert articles, "the press article should be cited as reporting"
    press = answer.answer.split("### Reporting and background (not policy text)")
    assert len(press) == 2
    for c in articles:
        assert f"[{c.n}]" not in press[0] and f"[{c.n}]" in press[1]
        assert all(c.n not in hit.citations for p in answer.policies for hit in p.fired)
    assert "Limited Access" in answer.answer
    assert answer.corpus_version and answer.trace_id


def test_search_documents_and_health(advisor: Advisor) -> None:
    hits = advisor.search("real-time facial recognition on mobile cameras", k=3)
    assert 1 <= len(hits) <= 3 and any("LE-2" in h.chunk_id for h in hits)
    docs = advisor.documents()
    assert {d["id"] for d in docs} >= {"azure-openai-coc-2024-05", "eu-ai-act-art5"}
    with pytest.raises(InputError, match="advisor documents"):
        advisor.document("no-such-document")
    health = advisor.health()
    assert health["status"] == "ok" and health["index"] == "ok"
    assert health["composer"] == "offline" and health["documents"] >= 5
    with pytest.raises(InputError):
        advisor.search("  ")


def test_audit_and_replay_hold_on_an_unchanged_corpus(advisor: Advisor) -> None:
    answer = advisor.ask(LOBBY)
    record = advisor.audit(answer.trace_id)
    assert record["question"] == LOBBY and record["overall"] == "prohibited"
    replay = advisor.replay(answer.trace_id)
    assert replay["holds"] is True and replay["changes"] == []
    assert replay["verdicts_now"] == replay["verdicts_then"]
    checked = advisor.check(LOBBY, as_of="2024-03-01")
    assert advisor.audit(checked.trace_id)["composer"] == "none"
    again = advisor.replay(checked.trace_id)
    assert again["holds"] is True and again["as_of"] == "2024-03-01" and again["cited_now"] == {}


def test_replay_reports_a_changed_clause(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SHIPPED_CORPUS, corpus)
    settings = Settings(home=tmp_path / "home", corpus=corpus)
    first = Advisor(settings)
    answer = first.ask(LOBBY)
    clause = corpus / "azure-openai-coc" / "coc-2024-05.md"
    clause.write_text(clause.read_text().replace("This bar predates the May 2024 update",
                                                 "This bar is older than the May 2024 update"))
    second = Advisor(settings)
    second.ingest(rebuild=True)
    replay = second.replay(answer.trace_id)
    assert replay["holds"] is False
    assert "the text of azure-openai-coc-2024-05#ID-1 changed" in replay["changes"]
    assert replay["verdicts_now"] == replay["verdicts_then"]


class _Overrider:
    """A composer that asserts a different verdict than the engine's."""

    name = "llm:overrider"

    def compose(self, request: ComposeRequest) -> Draft:
        verdicts = {v.policy: v.verdict for v in request.verdicts}
        verdicts["azure-openai-coc"] = "not_prohibited"
        return Draft(verdicts=verdicts, answer="It is fine.", composer=self.name)


def test_a_composer_can_never_override_the_verdict(home: Path) -> None:
    advisor = Advisor(Settings(home=home, corpus=SHIPPED_CORPUS), composer=_Overrider())
    answer = advisor.ask(LOBBY)
    assert answer.guardrail.status == "overridden" and answer.composer == "offline"
    assert answer.answer.startswith("**Overall verdict: prohibited.**")


def test_the_llm_composer_over_a_scripted_endpoint(home: Path) -> None:
    with ScriptedOpenAIServer(faithful) as server:
        settings = Settings(home=home, corpus=SHIPPED_CORPUS, composer="llm",
                            llm_base_url=server.base_url, llm_api_key="test")
        answer = Advisor(settings).ask(LOBBY)
    assert answer.composer.startswith("llm:"), answer.guardrail.notes
    assert answer.guardrail.status == "passed", answer.guardrail.notes
    assert all(c.verified for c in answer.citations)


def test_an_llm_that_changes_a_verdict_is_overridden(home: Path) -> None:
    def liar(request):  # type: ignore[no-untyped-def]
        data = faithful_answer(request)
        data["verdicts"]["azure-openai-coc"] = "not_prohibited"
        return Reply.json(data)

    with ScriptedOpenAIServer(liar) as server:
        settings = Settings(home=home, corpus=SHIPPED_CORPUS, composer="llm",
                            llm_base_url=server.base_url, llm_api_key="test")
        answer = Advisor(settings).ask(LOBBY)
    assert answer.guardrail.status == "overridden" and answer.composer == "offline"
    assert any("differ from the rule engine" in n for n in answer.guardrail.notes)


def test_an_unreachable_llm_degrades_to_the_offline_answer(home: Path) -> None:
    with ScriptedOpenAIServer([Reply.error(500)] * 4) as server:
        settings = Settings(home=home, corpus=SHIPPED_CORPUS, composer="llm",
                            llm_base_url=server.base_url, llm_api_key="test",
                            llm_max_retries=0)
        answer = Advisor(settings).ask(LOBBY)
    assert answer.composer == "offline" and answer.guardrail.status == "degraded"
    assert any("composer failed" in n for n in answer.guardrail.notes)
    assert answer.verdict == "prohibited"


def test_llm_selected_without_an_endpoint_says_so_and_answers(home: Path) -> None:
    answer = Advisor(Settings(home=home, corpus=SHIPPED_CORPUS, composer="llm")).ask(LOBBY)
    assert answer.composer == "offline" and answer.guardrail.status == "degraded"
    assert any("LLM composer is not usable" in n for n in answer.guardrail.notes)


def _snapshot(answer: object) -> str:
    from advisor.schema import Answer

    assert isinstance(answer, Answer)
    lines = [f"<!-- question: {answer.question} | as_of: {answer.as_of} -->", "",
             answer.answer.rstrip(), "", "---", ""]
    lines += [f"[{c.n}] {c.chunk_id} ({c.kind}{', verified' if c.verified else ''}): "
              f"\u201c{c.quote}\u201d" for c in answer.citations]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(("name", "question", "as_of"), WORKED, ids=[w[0] for w in WORKED])
def test_worked_example_snapshots(advisor: Advisor, name: str, question: str,
                                  as_of: str | None) -> None:
    """Exact offline answers; regenerate deliberately with ADVISOR_UPDATE_SNAPSHOTS=1."""
    text = _snapshot(advisor.ask(question, as_of=as_of))
    path = SNAPSHOTS / f"{name}.md"
    if os.environ.get("ADVISOR_UPDATE_SNAPSHOTS") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no snapshot {path}: run with ADVISOR_UPDATE_SNAPSHOTS=1 and review it"
    assert text == path.read_text(encoding="utf-8")


def test_as_retriever_is_a_langchain_retriever_over_the_index(advisor: Advisor) -> None:
    from langchain_core.retrievers import BaseRetriever

    retriever = advisor.as_retriever(k=2)
    assert isinstance(retriever, BaseRetriever)
    docs = retriever.invoke("real-time facial recognition on mobile cameras")
    assert 1 <= len(docs) <= 2 and all(d.page_content for d in docs)


class _Recorder:
    """The offline composer, keeping every request it was given."""

    name = "offline"

    def __init__(self) -> None:
        from advisor.compose import OfflineComposer

        self.inner = OfflineComposer()
        self.requests: list[ComposeRequest] = []

    def compose(self, request: ComposeRequest) -> Draft:
        self.requests.append(request)
        return self.inner.compose(request)


def test_passages_are_rule_clauses_first_then_hybrid_hits_deduplicated_and_in_force(
        home: Path) -> None:
    recorder = _Recorder()
    advisor = Advisor(Settings(home=home, corpus=SHIPPED_CORPUS), composer=recorder)
    advisor.today = lambda: TODAY
    advisor.ask(LOBBY)
    ids = [p.chunk_id for p in recorder.requests[-1].passages]
    assert len(ids) == len(set(ids))
    kinds = [p.kind for p in recorder.requests[-1].passages]
    assert ids[0] == "azure-openai-coc-2024-05#ID-1"  # the fired rule's clause
    pending = max(ids.index("eu-ai-act-art5#5-1-h"), ids.index("eu-ai-act-art5#5-5"))
    near = min(ids.index("azure-openai-coc-2024-05#LE-1"),
               ids.index("azure-openai-coc-2024-05#LE-2"))
    assert pending < near  # clauses of rules pending on open facts, then near misses
    assert "article" in kinds and kinds.index("article") > near  # hybrid hits come after

    advisor.ask(LOBBY, as_of="2024-03-01")
    early = recorder.requests[-1].passages
    assert early[0].chunk_id == "azure-openai-coc-2023#ID-1"
    assert all(p.effective_date is None or p.effective_date <= dt.date(2024, 3, 1)
               for p in early)
    assert not any(p.chunk_id.startswith("azure-openai-coc-2024-05") for p in early)


def test_document_reads_an_ingested_folder_other_than_the_configured_corpus(
        tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "house-rules.md").write_text("# House rules\n\nNo cameras in the canteen.\n")
    advisor = Advisor(Settings(home=tmp_path / "home", corpus=SHIPPED_CORPUS))
    advisor.ingest(corpus=other)
    doc = advisor.document("house-rules")
    assert doc["kind"] == "document" and "No cameras in the canteen." in doc["text"]
    assert [d["id"] for d in advisor.documents()] == ["house-rules"]


def test_confirmed_facts_beat_the_text_and_are_audited_replayed_and_in_the_memo(
        advisor: Advisor) -> None:
    from advisor.memo import render_memo

    plain = advisor.ask(LOBBY)
    assert {p.policy: p.verdict for p in plain.policies}["eu-ai-act"] == "conditional"
    confirmed = {"actor": "law_enforcement", "timing": "real_time", "public_access": "yes"}
    answer = advisor.ask(LOBBY, facts=confirmed)
    eu = next(p for p in answer.policies if p.policy == "eu-ai-act")
    assert eu.verdict == "prohibited" and [h.rule for h in eu.fired] == ["5-1-h"]
    assert "eu-ai-act-art5#5-1-h" in {c.chunk_id for c in answer.citations}
    for name, value in confirmed.items():
        assert answer.facts[name].value == value
        assert answer.facts[name].status == "confirmed"
        assert answer.facts[name].source == "confirmed by the user"
    # A confirmation beats the question's words: "fixed" is overridden.
    mobile = advisor.check(LOBBY, facts={"camera": "body_worn"})
    assert mobile.facts["camera"].value == "body_worn"
    assert mobile.facts["camera"].status == "confirmed"
    # Confirming an assumed fact settles its assumption; the others stay.
    service = advisor.check(LOBBY, facts={"service": "azure_openai"})
    assert service.facts["service"].status == "confirmed"
    assert not any("Azure OpenAI Service" in a for a in service.assumptions)
    assert any("No purpose was stated" in a for a in service.assumptions)

    assert advisor.audit(answer.trace_id)["confirmed"] == confirmed
    replay = advisor.replay(answer.trace_id)
    assert replay["holds"] is True and replay["verdicts_now"]["eu-ai-act"] == "prohibited"
    memo = render_memo(answer)
    assert "## Facts confirmed by the user" in memo
    assert "- **actor**: law_enforcement (confirmed by the user)" in memo
    assert "| timing | real_time | confirmed by the user |" in memo


@pytest.mark.parametrize(("facts", "says"), [
    ({"who": "police"}, "unknown fact 'who'; the facts are: service, actor"),
    ({"timing": "live"}, "use one of: real_time, post, unknown"),
    ({"country": "XX"}, "ISO 3166-1 alpha-2"),
    ({"country": "DE", "jurisdiction": "us"}, "give one of them, or both consistently"),
    ({"as_of": "2025-03-01"}, "its own as_of parameter"),
    (["actor"], "must be a mapping"),
])
def test_bad_confirmed_facts_are_input_errors_that_list_what_is_allowed(
        advisor: Advisor, facts: object, says: str) -> None:
    for call in (advisor.ask, advisor.check):
        with pytest.raises(InputError) as info:
            call(LOBBY, facts=facts)  # type: ignore[arg-type]
        assert says in str(info.value)
