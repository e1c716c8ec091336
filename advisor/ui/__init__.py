"""The Gradio chat mounted at ``/``: verdict badges, cited answers, facts, feedback, memo export.

A thin shell over the Advisor: it parses the question and the as-of date, calls ``ask`` with
the earlier turns as history, and renders the answer JSON (escaped; see ``render.py``).

Facts are a dialogue: every open, assumed or conflicting fact a verdict turns on is asked
back with one-click answers (``choices.py``); a click, or a change in the facts panel,
re-checks the latest question with that fact confirmed. Confirmed facts carry over to
follow-ups unless the follow-up's own words state the fact; "New conversation" clears them.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr
from fastapi import FastAPI

from advisor.config import Settings
from advisor.errors import AdvisorError, InputError
from advisor.feedback import FeedbackStore
from advisor.memo import render_memo
from advisor.schema import FACT_NAMES, Answer
from advisor.ui.choices import FACT_LABELS, fact_choices, open_questions
from advisor.ui.render import facts_html, question_html, transcript_html
from advisor.ui.style import CSS, TRANSCRIPT_JS

__all__ = ["EXAMPLES", "build_ui", "mount_ui"]

log = logging.getLogger("advisor.ui")

#: Example questions shown under the input, the lobby question first.
EXAMPLES: tuple[str, ...] = (
    "Can a European agency use this on a fixed lobby camera?",
    "UK officers on patrol want live face matching from body-worn cameras in June 2024. Allowed?",
    "Can a US police department draft incident reports from body-cam audio transcripts with "
    "GPT-4 on Azure OpenAI?",
    "Can Belgian police run live face recognition at a concert in March 2025?",
    "Can an EU employer score employee engagement from facial expressions?",
    "What does the Azure OpenAI code of conduct say about facial recognition?",
)

_HEADER = (
    '<div id="adv-header"><div class="adv-title">Policy Advisor &middot; AI service terms</div>'
    '<div class="adv-sub">Verdicts per policy from a deterministic rule engine, with the '
    "clauses they rest on quoted verbatim. Covers the Azure OpenAI Code of Conduct, Azure AI "
    "Face Limited Access and EU AI Act Article 5. Not legal advice.</div></div>"
)

Turns = list[dict[str, Any]]
Confirmed = dict[str, str]

#: Statuses that mean the question's own words set a fact (a carried confirmation yields).
_SAID = ("stated", "inferred", "conflicting")


def _as_of(value: object) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, (int, float)):
        return dt.datetime.fromtimestamp(value, dt.UTC).date()
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise InputError(f"'{text}' is not a date; enter the as-of date as YYYY-MM-DD "
                         "or leave it empty for today") from None


def _history(turns: Turns) -> list[dict[str, str]]:
    history: list[dict[str, str]] = []
    for turn in turns:
        if "answer" in turn:
            history.append({"role": "user", "content": turn["question"]})
            history.append({"role": "assistant", "content": turn["answer"].get("answer", "")})
    return history


def _carried(advisor: Any, question: str, confirmed: Confirmed) -> Confirmed:
    """The conversation's confirmed facts that a new question does not state in its own words."""
    if not confirmed:
        return {}
    read = advisor.read_facts(question)
    return {name: value for name, value in confirmed.items()
            if getattr(read, name).status not in _SAID}


def _last_index(turns: Turns) -> int | None:
    for index in range(len(turns) - 1, -1, -1):
        if "answer" in turns[index]:
            return index
    return None


def _last_answer(turns: Turns) -> Answer | None:
    for turn in reversed(turns):
        if "answer" in turn:
            return Answer.model_validate(turn["answer"])
    return None


def _memo_file(answer: Answer) -> str:
    folder = Path(tempfile.gettempdir()) / "advisor-memos"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"advisor-memo-{answer.trace_id or 'answer'}.md"
    path = folder / "".join(ch for ch in name if ch.isalnum() or ch in "-_.")
    path.write_text(render_memo(answer), encoding="utf-8")
    return str(path)


def build_ui(get_advisor: Callable[[], Any], settings: Settings) -> gr.Blocks:
    """The chat as a Gradio Blocks app over ``get_advisor()``."""
    store: dict[str, FeedbackStore] = {}

    def feedback_store() -> FeedbackStore:
        if "db" not in store:
            store["db"] = FeedbackStore(settings.feedback_db)
        return store["db"]

    def _outputs(turns: Turns, confirmed: Confirmed, question: Any = "") -> tuple[Any, ...]:
        last = _last_answer(turns)
        memo = gr.DownloadButton(value=_memo_file(last), interactive=True) if last else gr.skip()
        index = _last_index(turns)
        label = "" if index is None else f"**Feedback on answer {index + 1}**"
        return (transcript_html(turns), facts_html(last), turns, question, memo, label,
                confirmed)

    def _answer(turn: dict[str, Any], history: list[dict[str, str]]) -> dict[str, Any]:
        """``turn`` answered (or with its error), asked with its own confirmed facts."""
        question = turn["question"]
        out: dict[str, Any] = {key: turn[key] for key in ("question", "as_of", "confirmed")
                               if key in turn}
        try:
            answer = get_advisor().ask(question, history=history, as_of=turn.get("as_of"),
                                       facts=turn.get("confirmed") or None)
            out["answer"] = answer.model_dump(mode="json")
        except AdvisorError as exc:
            out["error"] = str(exc)
        except Exception:
            log.exception("the chat could not answer %r", question)
            out["error"] = ("The advisor hit an unexpected error; it has been logged. Try "
                            "again or rephrase the question.")
        return out

    def ask(question: str, as_of: object, turns: Turns,
            confirmed: Confirmed) -> tuple[Any, ...]:
        turns = list(turns or [])
        confirmed = dict(confirmed or {})
        question = (question or "").strip()
        if not question:
            return (gr.skip(),) * 7
        try:
            if len(question) > settings.max_question_chars:
                raise InputError(f"the question has {len(question)} characters, over the limit "
                                 f"of {settings.max_question_chars}; shorten it")
            date = _as_of(as_of)
            confirmed = _carried(get_advisor(), question, confirmed)
        except AdvisorError as exc:
            turns.append({"question": question, "error": str(exc)})
            return _outputs(turns, confirmed)
        turn = {"question": question, "as_of": date.isoformat() if date else None,
                "confirmed": dict(confirmed)}
        turns.append(_answer(turn, _history(turns)))
        return _outputs(turns, confirmed)

    def confirm(fact: str, value: str, turns: Turns, confirmed: Confirmed) -> tuple[Any, ...]:
        """Re-check the latest answered question with ``fact`` confirmed as ``value``."""
        turns = list(turns or [])
        index = _last_index(turns)
        if index is None or not fact or value in (None, ""):
            return (gr.skip(),) * 7
        turn = dict(turns[index])
        turn.pop("notice", None)
        turn["confirmed"] = {**(turn.get("confirmed") or {}), fact: value}
        rechecked = _answer(turn, _history(turns[:index]))
        if "error" in rechecked:  # said above the answer it would have replaced: nothing lost
            turns[index] = {**turns[index], "notice": rechecked["error"]}
            return _outputs(turns, dict(confirmed or {}), gr.skip())
        turns[index] = rechecked
        return _outputs(turns, {**(confirmed or {}), fact: value}, gr.skip())

    def choose(fact: str, value: str) -> Callable[[Turns, Confirmed], tuple[Any, ...]]:
        def handler(turns: Turns, confirmed: Confirmed) -> tuple[Any, ...]:
            return confirm(fact, value, turns, confirmed)
        return handler

    def values_for(fact: str | None) -> Any:
        if not fact:
            return gr.Dropdown(choices=[], value=None, interactive=False)
        return gr.Dropdown(choices=fact_choices(fact), value=None, interactive=True)

    def rate(rating: int) -> Callable[[str, Turns], tuple[str, str]]:
        def handler(comment: str, turns: Turns) -> tuple[str, str]:
            for index in range(len(turns or []) - 1, -1, -1):
                turn = turns[index]
                if "answer" in turn:
                    break
            else:
                return "Ask a question first; feedback rates the latest answer.", comment
            try:
                feedback_store().add(turn["answer"].get("trace_id", ""), turn["question"], rating,
                                     comment, turn["answer"], history=_history(turns[:index]))
            except AdvisorError as exc:
                return f"Feedback not saved: {exc}", comment
            word = "helpful" if rating > 0 else "not helpful"
            return f"Thank you: answer {index + 1} recorded as {word}.", ""
        return handler

    def reset() -> tuple[Any, ...]:
        return (transcript_html([]), facts_html(None), [], "",
                gr.DownloadButton(value=None, interactive=False), "", {})

    with gr.Blocks(title="Policy Advisor", analytics_enabled=False, fill_width=True) as blocks:
        turns_state = gr.State([])
        confirmed_state = gr.State({})
        gr.HTML(_HEADER, elem_id="adv-header-wrap")
        with gr.Row(equal_height=False):
            with gr.Column(scale=7, min_width=480):
                transcript = gr.HTML(transcript_html([]), elem_id="adv-transcript",
                                     js_on_load=TRANSCRIPT_JS)

                with gr.Group():
                    question = gr.Textbox(
                        show_label=False, lines=1, max_lines=6, elem_id="adv-question",
                        placeholder="Ask about a use of an AI service, e.g. who uses it, where, "
                                    "on which camera, live or after the fact...",
                        max_length=settings.max_question_chars, autofocus=True)
                with gr.Row():
                    ask_button = gr.Button("Ask", variant="primary", elem_id="adv-ask", scale=3)
                    new_button = gr.Button("New conversation", elem_id="adv-new", scale=1)
                gr.Examples(examples=[[q] for q in EXAMPLES], inputs=[question],
                            label="Start from an example", elem_id="adv-examples")
            with gr.Column(scale=4, min_width=320, elem_id="adv-side"):
                as_of = gr.DateTime(label="Judge as of", include_time=False, type="string",
                                    value=None, elem_id="adv-as-of",
                                    info="Policies and laws in force on this date; "
                                         "empty means today.")

                @gr.render(inputs=[turns_state], triggers=[turns_state.change])
                def _ask_back(turns: Turns) -> None:
                    asked = open_questions(_last_answer(turns or []))
                    if not asked:
                        return
                    gr.HTML('<div class="adv-h">What would change the answer: click to '
                            're-check</div>', elem_classes=["adv-questions-head"])
                    for item in asked:
                        with gr.Column(elem_classes=["adv-ask-back"]):
                            gr.HTML(question_html(item), elem_id=f"adv-q-{item.fact}")
                            with gr.Row(elem_classes=["adv-choices"]):
                                for words, value in item.choices:
                                    button = gr.Button(words, size="sm", min_width=60,
                                                       elem_id=f"adv-q-{item.fact}-{value}",
                                                       elem_classes=["adv-choice"])
                                    button.click(choose(item.fact, value),
                                                 [turns_state, confirmed_state], outputs,
                                                 api_visibility="private")

                facts = gr.HTML(facts_html(None), elem_id="adv-facts")
                with gr.Accordion("Change a fact", open=False, elem_id="adv-change"):
                    fact_name = gr.Dropdown(
                        choices=[(FACT_LABELS.get(n, n), n) for n in FACT_NAMES], value=None,
                        label="Fact", elem_id="adv-change-fact")
                    fact_value = gr.Dropdown(choices=[], value=None, label="Value",
                                             interactive=False, elem_id="adv-change-value")
                    set_fact = gr.Button("Re-check with this fact", size="sm",
                                         elem_id="adv-change-set")
                with gr.Group(elem_id="adv-feedback"):
                    rate_label = gr.Markdown("", elem_id="adv-rate-label")
                    comment = gr.Textbox(label="Feedback on the latest answer (optional)",
                                         lines=2, elem_id="adv-comment",
                                         placeholder="What is wrong or missing?")
                    with gr.Row():
                        up = gr.Button("\N{THUMBS UP SIGN} Helpful", size="sm", elem_id="adv-up")
                        down = gr.Button("\N{THUMBS DOWN SIGN} Not helpful", size="sm",
                                         elem_id="adv-down")
                    feedback_status = gr.Markdown("", elem_id="adv-feedback-status")
                memo = gr.DownloadButton("Export as memo (Markdown)", value=None,
                                         interactive=False, elem_id="adv-memo")

        outputs = [transcript, facts, turns_state, question, memo, rate_label, confirmed_state]
        inputs = [question, as_of, turns_state, confirmed_state]
        ask_button.click(ask, inputs, outputs, api_visibility="private")
        question.submit(ask, inputs, outputs, api_visibility="private")
        new_button.click(reset, None, outputs, api_visibility="private")
        fact_name.change(values_for, [fact_name], [fact_value], api_visibility="private")
        set_fact.click(confirm, [fact_name, fact_value, turns_state, confirmed_state], outputs,
                       api_visibility="private")
        up.click(rate(1), [comment, turns_state], [feedback_status, comment],
                 api_visibility="private")
        down.click(rate(-1), [comment, turns_state], [feedback_status, comment],
                   api_visibility="private")

    return blocks


def _theme() -> gr.themes.Base:
    # System fonts only: nothing is fetched from a font CDN, and no bundled web font is needed.
    sans = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial",
            "Liberation Sans", "sans-serif"]
    mono = ["ui-monospace", "SFMono-Regular", "Consolas", "Liberation Mono", "monospace"]
    return gr.themes.Default(primary_hue="blue", neutral_hue="slate", font=sans, font_mono=mono)


def mount_ui(app: FastAPI, get_advisor: Callable[[], Any], settings: Settings) -> FastAPI:
    """Mount the chat at ``/`` of ``app`` (after the API routes, so /v1 and /docs win)."""
    blocks = build_ui(get_advisor, settings)
    return gr.mount_gradio_app(
        app, blocks, path="/", footer_links=[],
        theme=_theme(),
        css=CSS, ssr_mode=False, show_error=False, mcp_server=False, pwa=False,
    )
