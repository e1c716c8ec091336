from __future__ import annotations

from pathlib import Path

from advisor.config import load_settings
from advisor.evals import main
from advisor.evals.cases import load_case_file
from advisor.evals.drafts import draft_cases
from advisor.feedback import FeedbackStore
from tests.evals.helpers import answer


def test_thumbs_down_feedback_becomes_draft_cases(advisor_home: Path, tmp_path: Path) -> None:
    store = FeedbackStore(load_settings().feedback_db)
    given = answer("not_prohibited", {"azure-openai-coc": "not_prohibited"})
    given["trace_id"] = "TR-0001"
    store.add("TR-0001", "Can French police identify people on a fixed camera?", -1,
              "Wrong:\nID-1 still applies", given,
              history=[{"role": "user", "content": "about Azure OpenAI"}])
    store.add("TR-0002", "Is blurring allowed?", 1, "great", answer("not_prohibited"))
    store.add("TR-0003", "Can a sheriff use Azure AI Face?", -1, "", answer("prohibited"))

    out = tmp_path / "drafts" / "from-feedback.yaml"
    assert main(["--from-feedback", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "# trace TR-0001: the advisor answered verdict not_prohibited " \
           "(azure-openai-coc: not_prohibited)" in text
    cases = load_case_file(out)  # the drafts are valid case files
    assert [c.id for c in cases] == ["fb-tr-0001", "fb-tr-0003"]
    first, second = cases
    assert first.question == "Can French police identify people on a fixed camera?"
    assert first.reason == "Wrong: ID-1 still applies"
    assert first.history_dicts() == [{"role": "user", "content": "about Azure OpenAI"}]
    assert first.as_of is not None and first.as_of.isoformat() == "2025-06-01"
    assert first.must_pass is False and first.tags == ["from-feedback"]
    assert first.expect.verdict is None  # left for the reviewer
    assert second.reason.startswith("thumbs-down")


def test_no_feedback_writes_an_empty_but_valid_file(tmp_path: Path) -> None:
    out = tmp_path / "d.yaml"
    out.write_text(draft_cases([]), encoding="utf-8")
    assert load_case_file(out) == []


def test_drafts_keep_the_facts_the_user_confirmed(advisor_home: Path, tmp_path: Path) -> None:
    from advisor.service import Advisor

    advisor = Advisor(load_settings())
    question = "Can a European agency use this on a fixed lobby camera?"
    confirmed = {"actor": "law_enforcement", "timing": "real_time", "public_access": "yes"}
    given = advisor.check(question, facts=confirmed)
    store = FeedbackStore(load_settings().feedback_db)
    store.add(given.trace_id, question, -1, "check the exceptions",
              given.model_dump(mode="json"))
    out = tmp_path / "drafts.yaml"
    assert main(["--from-feedback", str(out)]) == 0
    (case,) = load_case_file(out)
    assert case.facts == confirmed
    assert case.question == question
