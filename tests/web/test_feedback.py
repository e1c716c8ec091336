"""Feedback store: thumbs up/down with comments in SQLite under ADVISOR_HOME."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.config import Settings
from advisor.errors import InputError
from advisor.feedback import MAX_COMMENT_CHARS, FeedbackStore


def test_add_and_list_round_trip(advisor_home: Path) -> None:
    store = FeedbackStore(Settings().feedback_db)
    assert Settings().feedback_db.parent == advisor_home
    answer = {"verdict": "prohibited", "trace_id": "t1"}
    first = store.add("t1", "Q one?", 1, "  clear  ", answer)
    second = store.add("t2", "Q two?", -1, None, {"verdict": "conditional"},
                       history=[{"role": "user", "content": "Q one?"}])
    assert second > first
    items = FeedbackStore(Settings().feedback_db).list()  # a new store: it persisted
    assert [i.trace_id for i in items] == ["t1", "t2"]
    assert items[0].comment == "clear" and items[0].answer == answer and items[0].rating == 1
    assert items[1].comment == "" and items[1].history == [{"role": "user", "content": "Q one?"}]


def test_list_filters_by_rating(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    store.add("a", "q?", 1, "", {})
    store.add("b", "q?", -1, "wrong verdict", {})
    store.add("c", "q?", -1, "missing citation", {})
    assert [i.trace_id for i in store.list(rating=-1)] == ["b", "c"]
    assert [i.trace_id for i in store.list(rating=1)] == ["a"]


@pytest.mark.parametrize("rating", [0, 2, -5])
def test_rating_must_be_plus_or_minus_one(tmp_path: Path, rating: int) -> None:
    with pytest.raises(InputError, match=r"\+1 \(thumbs up\) or -1"):
        FeedbackStore(tmp_path / "fb.sqlite3").add("a", "q?", rating, "", {})


def test_overlong_comment_is_refused_with_the_limit(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    with pytest.raises(InputError, match=str(MAX_COMMENT_CHARS)):
        store.add("a", "q?", -1, "x" * (MAX_COMMENT_CHARS + 1), {})
    assert store.list() == []


def test_feedback_is_readable_by_the_eval_drafts(tmp_path: Path) -> None:
    from advisor.evals.drafts import draft_cases

    store = FeedbackStore(tmp_path / "fb.sqlite3")
    store.add("t9", "Can a European agency use this on a fixed lobby camera?", -1,
              "eu verdict looks wrong", {"verdict": "prohibited", "policies": [
                  {"policy": "eu-ai-act", "verdict": "conditional"}]})
    text = draft_cases(store.list(rating=-1))
    assert "fixed lobby camera" in text
