"""The ask pipeline: the only place that calls the steps in order.

    question -> facts -> verdicts -> passages -> composer -> guardrail -> answer -> audit

Degraded, never down: when the index fails (RetrievalError) the answer still carries the
engine's verdicts and the clauses that decided them, read from the corpus files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from advisor import guardrail
from advisor.audit import AuditLog, new_trace_id
from advisor.compose import missing_facts, pending_rules
from advisor.config import Settings
from advisor.errors import InputError, LLMError, RetrievalError
from advisor.facts import extract_facts, extract_uses
from advisor.facts.confirmed import apply_confirmed, parse_confirmed
from advisor.rules import evaluate, overall
from advisor.schema import (
    FACT_NAMES,
    VERDICT_ORDER,
    Answer,
    Chunk,
    Composer,
    ComposeRequest,
    Draft,
    Facts,
    Guardrail,
    Passage,
    PolicyVerdict,
)

History = Sequence[Mapping[str, str]]
_IDENTIFYING = ("identification", "verification")
_LIMITED_ACCESS_KEY = "#FACE-LA-1"
_PRESS_K = 3  # press passages fetched for an assessment (cited only as reporting, if on point)


class IndexLike(Protocol):
    """What the pipeline needs from the index (advisor.retrieval.index.Index)."""

    @property
    def corpus_version(self) -> str:
        """The version of the indexed corpus."""
        ...

    def search(self, query: str, k: int = 5, document: str | None = None,
               kind: str | None = None, as_of: dt.date | None = None,
               windows: bool = True) -> list[Passage]:
        """Hybrid search (passage windows, or whole chunks with ``windows=False``)."""
        ...

    def get(self, chunk_ids: Sequence[str]) -> list[Passage]:
        """Passages by chunk id."""
        ...


class FactsReader(Protocol):
    """A second fact reader run after the rule reader (advisor.llm.reader.LLMFactReader)."""

    def read(self, question: str, history: Sequence[Mapping[str, str]], facts: Facts
             ) -> tuple[Facts, tuple[str, ...], bool]:
        """The merged facts, notes for the answer, and True when the reader fell back."""
        ...


@dataclass
class Deps:
    """Everything the pipeline calls; built by advisor.service.Advisor from Settings."""

    settings: Settings
    packs: Sequence[Any]
    index: Callable[[], IndexLike]  # lazy; raises RetrievalError when the index is down
    composer: Composer
    offline: Composer
    audit: AuditLog | None
    today: Callable[[], dt.date] = dt.date.today
    # chunk id -> Chunk read from the corpus files (no index): the degraded-mode clause source.
    corpus_chunks: Callable[[], Mapping[str, Chunk]] = field(default=lambda: {})
    corpus_version: Callable[[], str] = field(default=lambda: "")
    reader: FactsReader | None = None  # ADVISOR_FACTS_READER=llm|both; None: rules alone


@dataclass(frozen=True)
class Run:
    """An answer and the text of every passage it was composed from (for audit hashes)."""

    answer: Answer
    chunk_texts: Mapping[str, str]


# ----------------------------------------------------------------------------- input


def _question(question: object, settings: Settings) -> str:
    if not isinstance(question, str) or not question.strip():
        raise InputError("the question is empty: ask about a use of an AI service, e.g. "
                         "'Can a European agency use Azure OpenAI on a fixed lobby camera?'")
    limit = settings.max_question_chars
    if len(question) > limit:
        raise InputError(f"the question is {len(question)} characters long; the limit is "
                         f"{limit} (ADVISOR_MAX_QUESTION_CHARS): shorten it")
    return question.strip()


def parse_as_of(as_of: object) -> dt.date | None:
    """``as_of`` as a date: a date, an ISO ``YYYY-MM-DD`` string, or None."""
    if as_of is None or as_of == "":
        return None
    if isinstance(as_of, dt.datetime):
        return as_of.date()
    if isinstance(as_of, dt.date):
        return as_of
    if isinstance(as_of, str):
        try:
            return dt.date.fromisoformat(as_of.strip())
        except ValueError as exc:
            raise InputError(f"as_of {as_of!r} is not a date: give it as YYYY-MM-DD, "
                             "e.g. 2025-06-01") from exc
    raise InputError(f"as_of must be a date or a YYYY-MM-DD string, not {type(as_of).__name__}")


def _history(history: History | None) -> tuple[dict[str, str], ...]:
    turns: list[dict[str, str]] = []
    for i, turn in enumerate(history or ()):
        if not isinstance(turn, Mapping) or not isinstance(turn.get("content"), str) \
                or turn.get("role") not in ("user", "assistant", "system"):
            raise InputError(f"history turn {i} must be {{'role': 'user'|'assistant', "
                             "'content': '...'}")
        turns.append({"role": str(turn["role"]), "content": str(turn["content"])})
    return tuple(turns)


# ----------------------------------------------------------------------------- passages


def _in_force(passage: Passage, as_of: dt.date, chunks: Mapping[str, Chunk]) -> bool:
    if passage.effective_date is not None and passage.effective_date > as_of:
        return False
    chunk = chunks.get(passage.chunk_id)
    return not (chunk is not None and chunk.effective_to is not None and chunk.effective_to < as_of)


def _rule_clauses(packs: Sequence[Any], policy: str, rules: Sequence[str]) -> list[str]:
    ids: list[str] = []
    for pack in packs:
        if getattr(pack, "id", None) == policy:
            by_id = {r.id: r for r in getattr(pack, "rules", ())}
            for rule in rules:
                ids += getattr(by_id.get(rule), "clauses", ())
    return ids


def _clause_ids(facts: Facts, verdicts: Sequence[PolicyVerdict], packs: Sequence[Any],
                chunks: Mapping[str, Chunk]) -> list[str]:
    """Fired rules' clauses, then those of rules pending on open facts, then near misses'."""
    ids: list[str] = []
    for verdict in verdicts:
        for hit in verdict.fired:
            ids += hit.clauses
    for verdict in verdicts:
        ids += _rule_clauses(packs, verdict.policy, pending_rules(verdict))
    for verdict in verdicts:
        for miss in verdict.near_misses:
            ids += miss.clauses
    if facts.value("service") == "azure_openai" and facts.value("purpose") in _IDENTIFYING:
        ids += sorted(c for c in chunks if c.endswith(_LIMITED_ACCESS_KEY))
    return list(dict.fromkeys(ids))


def _deciding(verdicts: Sequence[PolicyVerdict], packs: Sequence[Any]) -> dict[str, list[str]]:
    """Per policy, the clauses of the rules that decide it: fired, or pending on open facts."""
    return {v.policy: [*(c for hit in v.fired for c in hit.clauses),
                       *_rule_clauses(packs, v.policy, pending_rules(v))] for v in verdicts}


def _press_query(question: str, verdicts: Sequence[PolicyVerdict]) -> str:
    """What press coverage of this case would talk about: the question and the near misses.

    Reporting tends to dwell on the clauses that did not fire (the "leeway" readings), so
    the near misses' reasons find the passages worth setting straight.
    """
    reasons = [m.because for v in verdicts for m in v.near_misses]
    return " ".join([question, *reasons])


def _passages(deps: Deps, question: str, facts: Facts, verdicts: Sequence[PolicyVerdict],
              retrieve: bool) -> tuple[list[Passage], str, str | None]:
    """Rule clauses first, then hybrid results; deduplicated and in force on the as-of date."""
    chunks = deps.corpus_chunks()
    wanted = _clause_ids(facts, verdicts, deps.packs, chunks)
    failure: str | None = None
    version = ""
    try:
        index = deps.index()
        version = index.corpus_version
        found = {p.chunk_id: p for p in index.get(wanted)} if wanted else {}
        # Answers are composed from whole clauses, not search's passage windows.
        hits = (index.search(question, k=deps.settings.top_k, as_of=facts.as_of, windows=False)
                if retrieve else [])
        if retrieve and facts.intent == "assess":
            hits += index.search(_press_query(question, verdicts), k=_PRESS_K, kind="article",
                                 as_of=facts.as_of, windows=False)
    except RetrievalError as exc:
        failure = str(exc)
        found, hits = {}, []
    clauses = [found[c] if c in found else Passage.from_chunk(chunks[c], 1.0)
               for c in wanted if c in found or c in chunks]
    # An informational question is answered from what retrieval ranks first; an assessment
    # from the clauses that decided it.
    ordered = [*hits, *clauses] if facts.intent == "informational" else [*clauses, *hits]
    merged: dict[str, Passage] = {}
    for passage in ordered:
        merged.setdefault(passage.chunk_id, passage)
    kept = [p for p in merged.values() if _in_force(p, facts.as_of, chunks)]
    return kept, version or deps.corpus_version(), failure


# ----------------------------------------------------------------------------- compose


def _compose(deps: Deps, request: ComposeRequest, notes: list[str]) -> tuple[Draft, bool]:
    """The draft and the fallback flag (True when the LLM failed and offline stood in)."""
    if deps.composer is deps.offline:
        return deps.offline.compose(request), False
    try:
        return deps.composer.compose(request), False
    except LLMError as exc:
        notes.append(f"the {deps.composer.name} composer failed ({exc}); served the offline "
                     "answer")
        return deps.offline.compose(request), True


def _with_citations(verdicts: Sequence[PolicyVerdict], draft: Draft) -> tuple[PolicyVerdict, ...]:
    out: list[PolicyVerdict] = []
    for verdict in verdicts:
        hits = []
        for hit in verdict.fired:
            numbers = draft.rule_citations.get(f"{verdict.policy}/{hit.rule}")
            if numbers is None:
                numbers = tuple(c.n for c in draft.citations if c.chunk_id in hit.clauses)
            valid = {c.n for c in draft.citations}
            hits.append(hit.model_copy(update={"citations": tuple(n for n in numbers
                                                                  if n in valid)}))
        out.append(verdict.model_copy(update={"fired": tuple(hits)}))
    return tuple(out)


def _severity(label: str) -> int:
    """Higher for more restrictive verdicts (VERDICT_ORDER is most restrictive first)."""
    return -VERDICT_ORDER.index(label) if label in VERDICT_ORDER else -len(VERDICT_ORDER)


def _judged(uses: Sequence[tuple[str, Facts]],
            packs: Sequence[Any]) -> tuple[Facts, list[PolicyVerdict]]:
    """Facts and verdicts; several listed uses are judged one by one, most restrictive wins.

    Each policy keeps the verdict of the use that fares worst under it; the facts shown are
    those of the use that decides the overall verdict, and the answer names every use.
    """
    judged = [(words, facts, evaluate(facts, packs)) for words, facts in uses]
    if len(judged) == 1:
        return judged[0][1], judged[0][2]
    merged: list[PolicyVerdict] = []
    for i in range(len(judged[0][2])):
        merged.append(max((v[2][i] for v in judged), key=lambda p: _severity(p.verdict)))
    worst = max(judged, key=lambda v: _severity(overall(v[1], v[2])))
    lines = [f"({n}) '{words}': {overall(facts, verdicts).replace('_', ' ')}"
             for n, (words, facts, verdicts) in enumerate(judged, start=1)]
    note = (f"The question describes {len(judged)} uses, judged one by one; the overall verdict is"
            f" the most restrictive of them: {'; '.join(lines)}.")
    facts = worst[1].model_copy(update={"assumptions": (note, *worst[1].assumptions)})
    return facts, merged


def _facts_dict(facts: Facts) -> dict[str, Any]:
    return {name: getattr(facts, name) for name in FACT_NAMES}


# ----------------------------------------------------------------------------- the pipeline


def run(deps: Deps, question: str, history: History | None = None, as_of: object = None,
        *, compose: bool = True, record: bool = True,
        confirmed: Mapping[str, object] | None = None) -> Run:
    """Answer ``question``; ``compose=False`` stops after the verdicts (see ``check``).

    ``confirmed``: facts the user confirms (name -> value); they beat the question's words.
    """
    question = _question(question, deps.settings)
    date = parse_as_of(as_of)
    turns = _history(history)
    given = parse_confirmed(confirmed)

    uses = extract_uses(question, list(turns) or None, date, today=deps.today())
    read_notes: tuple[str, ...] = ()
    read_fell_back = False
    if deps.reader is not None and len(uses) == 1:
        words, read_ = uses[0]
        read_, read_notes, read_fell_back = deps.reader.read(question, turns, read_)
        uses = [(words, read_)]
    elif deps.reader is not None:
        read_notes = ("The question describes several uses: each is read by the rule reader only "
                      "(the LLM reader reads one use at a time).",)
    facts, verdicts = _judged([(words, apply_confirmed(read_, given)) for words, read_ in uses],
                              deps.packs)
    verdict = overall(facts, verdicts)

    if not compose:
        answer = Answer(question=question, as_of=facts.as_of, verdict=verdict,
                        policies=tuple(verdicts), facts=_facts_dict(facts),
                        assumptions=facts.assumptions, missing_facts=missing_facts(verdicts),
                        composer="none", corpus_version=_index_version(deps),
                        trace_id=new_trace_id(),
                        guardrail=Guardrail(status="degraded" if read_fell_back else "passed",
                                            notes=read_notes))
        return _recorded(deps, Run(answer, {}), turns, record)

    retrieve = verdict != "out_of_scope"
    passages, version, failure = _passages(deps, question, facts, verdicts, retrieve)
    if verdict == "out_of_scope":
        passages = []
    request = ComposeRequest(question=question, facts=facts, verdicts=tuple(verdicts),
                             overall=verdict, passages=tuple(passages), history=turns)
    notes: list[str] = list(read_notes)
    draft, fell_back = _compose(deps, request, notes)
    fallback = None if deps.composer is deps.offline or fell_back else (
        lambda: deps.offline.compose(request))
    draft, checked = guardrail.review(
        draft, verdicts, passages, fallback, overall=verdict,
        deciding=_deciding(verdicts, deps.packs),
        said=[question, *(t["content"] for t in turns if t["role"] == "user")])

    status = checked.status
    if failure is not None:
        notes.append(f"retrieval failed ({failure}); the verdicts stand and the deciding "
                     "clauses were read from the corpus files")
    if status == "passed" and (failure is not None or fell_back or read_fell_back):
        status = "degraded"
    answer = Answer(
        question=question, as_of=facts.as_of, verdict=verdict,
        policies=_with_citations(verdicts, draft), answer=draft.answer,
        citations=draft.citations, facts=_facts_dict(facts), assumptions=facts.assumptions,
        missing_facts=missing_facts(verdicts),
        guardrail=Guardrail(status=status, notes=tuple(notes) + checked.notes),
        composer=draft.composer, corpus_version=version, trace_id=new_trace_id(),
    )
    return _recorded(deps, Run(answer, {p.chunk_id: p.text for p in passages}), turns, record)


def _index_version(deps: Deps) -> str:
    """The index's corpus version (building the index on first use), else the files'."""
    try:
        return deps.index().corpus_version
    except RetrievalError:
        return deps.corpus_version()


def _recorded(deps: Deps, result: Run, turns: History, record: bool) -> Run:
    if record and deps.audit is not None:
        deps.audit.append(result.answer, history=turns, chunk_texts=result.chunk_texts)
    return result


def read(deps: Deps, question: str, history: History | None = None,
         as_of: object = None) -> Facts:
    """The facts the reader takes from ``question`` (and earlier turns): no verdicts, no audit."""
    return extract_facts(_question(question, deps.settings), list(_history(history)) or None,
                         parse_as_of(as_of), today=deps.today())


def ask(deps: Deps, question: str, history: History | None = None,
        as_of: object = None, facts: Mapping[str, object] | None = None) -> Answer:
    """Answer ``question``: verdicts, cited passages, a checked explanation; audited."""
    return run(deps, question, history, as_of, confirmed=facts).answer


def check(deps: Deps, question: str, history: History | None = None,
          as_of: object = None, facts: Mapping[str, object] | None = None) -> Answer:
    """Facts and verdicts only: no retrieval, no composer (answer and citations empty)."""
    return run(deps, question, history, as_of, compose=False, confirmed=facts).answer
