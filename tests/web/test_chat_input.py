"""The chat's input handling: a bad as-of date, an over-long paste, feedback per answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from advisor.service import Advisor
from advisor.ui import build_ui
from tests.web.conftest import LOBBY


def _handlers(advisor: Advisor) -> dict[str, Callable[..., Any]]:
    blocks = build_ui(lambda: advisor, advisor.settings)
    return {fn.fn.__name__: fn.fn for fn in blocks.fns.values() if fn.fn is not None}


@pytest.fixture(scope="module")
def handlers(real_advisor: Advisor) -> dict[str, Callable[..., Any]]:
    return _handlers(real_advisor)


def _outputs(values: tuple[Any, ...]) -> dict[str, Any]:
    names = ("transcript", "facts", "turns", "question", "memo", "rate_label", "confirmed",
             "as_of_error", "input_error", "feedback_status")
    return dict(zip(names, values, strict=True))


def test_an_invalid_as_of_date_is_an_error_beside_the_box_and_no_answer(
        handlers: dict[str, Callable[..., Any]]) -> None:
    out = _outputs(handlers["ask"](LOBBY, "2025-13-45", [], {}))
    assert "2025-13-45" in out["as_of_error"] and "YYYY-MM-DD" in out["as_of_error"]
    assert out["turns"] == [] or out["turns"] is None or not any(
        "answer" in t for t in out["turns"])
    assert out["question"] == LOBBY  # kept, so it can be sent again


def test_an_over_long_paste_is_refused_naming_the_limit_and_kept(
        handlers: dict[str, Callable[..., Any]], real_advisor: Advisor) -> None:
    limit = real_advisor.settings.max_question_chars
    pasted = (LOBBY + " ") * (limit // len(LOBBY) + 2)
    out = _outputs(handlers["ask"](pasted, None, [], {}))
    assert str(limit) in out["input_error"] and str(len(pasted.strip())) in out["input_error"]
    assert out["question"] == pasted


def test_feedback_messages_are_cleared_by_a_new_answer_and_name_their_answer(
        handlers: dict[str, Callable[..., Any]]) -> None:
    first = _outputs(handlers["ask"](LOBBY, None, [], {}))
    assert first["feedback_status"] == ""
    status, _ = handlers["handler"]("", first["turns"])
    assert "answer 1" in status
    second = _outputs(handlers["ask"]("what about a body-worn camera?", None, first["turns"],
                                       first["confirmed"]))
    assert second["feedback_status"] == ""  # the thanks for answer 1 does not linger
    assert "answer 2" in second["rate_label"]
    reset = handlers["reset"]()
    assert reset[-1] == ""
