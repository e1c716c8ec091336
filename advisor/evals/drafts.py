"""Draft eval cases from thumbs-down chat feedback, for an evaluator to review."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from advisor.config import Settings

_TAG = "from-feedback"


def _get(item: object, name: str) -> Any:
    if isinstance(item, Mapping):
        return item.get(name)
    return getattr(item, name, None)


def _answer(item: object) -> dict[str, Any]:
    raw = _get(item, "answer_json") or _get(item, "answer") or {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            return {}
    return dict(raw) if isinstance(raw, Mapping) else {}


def _history(item: object, answer: Mapping[str, Any]) -> list[dict[str, str]]:
    turns = _get(item, "history") or answer.get("history") or []
    if isinstance(turns, str):
        try:
            turns = json.loads(turns)
        except json.JSONDecodeError:
            return []
    return [{"role": str(t.get("role", "user")), "content": str(t.get("content", ""))}
            for t in turns if isinstance(t, Mapping)]


def _confirmed(answer: Mapping[str, Any]) -> dict[str, Any]:
    """The facts the user confirmed for the rated answer (kept so the case tests the same)."""
    facts = answer.get("facts") or {}
    return {name: fact.get("value") for name, fact in facts.items()
            if isinstance(fact, Mapping) and fact.get("status") == "confirmed"}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:16] or "x"


def draft_cases(items: Iterable[object]) -> str:
    """YAML text of draft cases (one per feedback item), with the verdicts given as comments."""
    blocks = ["# Draft eval cases from thumbs-down feedback. Review each one: write the",
              "# expected verdicts from POLICY-FACTS.md into `expect`, then move it into",
              "# evals/cases/. The comment above each case is what the advisor answered.", ""]
    seen: set[str] = set()
    for n, item in enumerate(items, 1):
        answer = _answer(item)
        question = str(_get(item, "question") or answer.get("question") or "").strip()
        if not question:
            continue
        trace = str(_get(item, "trace_id") or answer.get("trace_id") or n)
        case_id = f"fb-{_slug(trace)}"
        while case_id in seen:
            case_id += "-x"
        seen.add(case_id)
        comment = " ".join(str(_get(item, "comment") or "").split())
        verdicts = ", ".join(f"{p.get('policy')}: {p.get('verdict')}"
                             for p in answer.get("policies") or [] if isinstance(p, Mapping))
        case: dict[str, Any] = {
            "id": case_id,
            "question": question,
            "reason": comment or "thumbs-down in chat feedback; say what was wrong",
        }
        history = _history(item, answer)
        if history:
            case["history"] = history
        if answer.get("as_of"):
            case["as_of"] = str(answer["as_of"])
        confirmed = _confirmed(answer)
        if confirmed:
            case["facts"] = confirmed
        case.update({"must_pass": False, "tags": [_TAG], "expect": {}})
        blocks.append(f"# trace {trace}: the advisor answered verdict "
                      f"{answer.get('verdict', 'unknown')}" + (f" ({verdicts})" if verdicts
                                                                  else ""))
        blocks.append(yaml.safe_dump([case], sort_keys=False, allow_unicode=True).rstrip())
        blocks.append("")
    return "\n".join(blocks) + "\n"


def feedback_to_cases(settings: Settings, out: Path) -> int:
    """Write draft cases for every thumbs-down in the feedback store; return how many."""
    from advisor.feedback import FeedbackStore

    items = list(FeedbackStore(settings.feedback_db).list(rating=-1))
    text = draft_cases(items)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return text.count("\n- id: ") + int(text.startswith("- id: "))
