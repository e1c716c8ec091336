"""Typed values that flow through the pipeline.

question -> Facts -> [PolicyVerdict] -> [Passage] -> Draft -> Answer

Models read from outside (front matter, packs, API bodies, eval cases) forbid extra keys;
the Answer model's ``model_dump(mode="json")`` is the answer JSON of DESIGN.md.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, model_validator

Verdict = Literal["prohibited", "conditional", "not_prohibited", "not_applicable"]
Overall = Literal[
    "prohibited", "conditional", "not_prohibited", "not_applicable", "informational", "out_of_scope"
]
Kind = Literal["terms", "law", "article", "document"]
Intent = Literal["assess", "informational", "out_of_scope"]
GuardrailStatus = Literal["passed", "overridden", "degraded"]
Provenance = Literal["official", "restatement", "reporting", "user"]

POLICY_IDS: tuple[str, ...] = ("azure-openai-coc", "azure-ai-face", "eu-ai-act")

#: Most restrictive first; the overall verdict is the first applicable one.
VERDICT_ORDER: tuple[Verdict, ...] = (
    "prohibited", "conditional", "not_prohibited", "not_applicable",
)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# ----------------------------------------------------------------------------- corpus


class ClauseSpan(_Frozen):
    """Where a pack's clause sits in an official text, found by the pack's clause map."""

    clause: str  # the clause id of the pack ("5-1-h", "ID-1"); the chunk id key
    label: str  # the locator as written ("Article 5(1)(h)"), shown as the section
    start: int
    end: int


class Document(_Frozen):
    """One corpus file, read and parsed; ``text`` is the source after front matter."""

    id: str
    title: str
    kind: Kind = "document"
    publisher: str | None = None
    source_url: str | None = None
    version: str | None = None
    effective_date: dt.date | None = None
    effective_to: dt.date | None = None  # last day in force; None = still in force
    retrieved: dt.date | None = None
    note: str | None = None
    policy: str | None = None  # the pack this document belongs to, if any
    path: str  # path of the source file, relative to the corpus root
    text: str
    body_line: int = 1  # 1-based line of the source file where ``text`` starts
    content_hash: str
    #: Whose words the text is (front matter ``provenance``; no front matter: ``user``).
    provenance: Provenance = "user"
    #: Rule ids a reporting text bears on, per section key ("*": the whole document).
    bears_on: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    #: Clauses of a pack located in this official text by the pack's clause map.
    clause_spans: tuple[ClauseSpan, ...] = ()


class Chunk(_Frozen):
    """A clause or section of a document; ``document.text[start:end] == text``."""

    chunk_id: str  # "<doc-id>#<clause-or-section>", with ":<n>" when a section is split
    document: str
    title: str
    kind: Kind
    version: str | None = None
    effective_date: dt.date | None = None
    effective_to: dt.date | None = None
    section: str  # heading path, " > " joined
    start: int
    end: int
    text: str
    url: str | None = None
    provenance: Provenance = "user"
    publisher: str | None = None
    bears_on: tuple[str, ...] = ()  # rule ids a reporting chunk bears on


class IngestReport(_Frozen):
    """What an ingest did: document counts by change, chunks indexed, time taken."""

    added: int = 0  # documents new to the index
    updated: int = 0  # documents whose chunks changed
    removed: int = 0  # documents no longer in the corpus
    unchanged: int = 0  # documents whose stored vectors were reused
    chunks: int = 0  # chunks in the index after the ingest
    embedded: int = 0  # chunks embedded by this ingest (0 when nothing changed)
    seconds: float = 0.0
    generation: int = 0  # index generation now serving
    corpus_version: str = ""
    corpus: str = ""  # the corpus root that was indexed
    changed: bool = False  # False when the ingest found nothing to do


class Passage(_Frozen):
    """A retrieved chunk with its score (DESIGN.md: search results)."""

    chunk_id: str
    document: str
    title: str
    section: str
    kind: Kind
    text: str
    start: int
    end: int
    score: float
    version: str | None = None
    effective_date: dt.date | None = None
    url: str | None = None
    provenance: Provenance = "user"
    publisher: str | None = None
    bears_on: tuple[str, ...] = ()

    @classmethod
    def from_chunk(cls, chunk: Chunk, score: float) -> Passage:
        """Wrap a chunk as a passage with a retrieval score."""
        return cls(
            chunk_id=chunk.chunk_id, document=chunk.document, title=chunk.title,
            section=chunk.section, kind=chunk.kind, text=chunk.text, start=chunk.start,
            end=chunk.end, score=score, version=chunk.version,
            effective_date=chunk.effective_date, url=chunk.url, provenance=chunk.provenance,
            publisher=chunk.publisher, bears_on=chunk.bears_on,
        )


# ----------------------------------------------------------------------------- facts

FactValue = str | bool | dt.date | None


#: Who or what set a fact (DESIGN.md): the question's words, an earlier turn, another fact by
#: a documented rule, a default, mentions that disagree (left open), the user, or nothing.
FactStatus = Literal[
    "stated", "inherited", "inferred", "assumed", "conflicting", "confirmed", "unknown",
]
FACT_STATUSES: tuple[str, ...] = (
    "stated", "inherited", "inferred", "assumed", "conflicting", "confirmed", "unknown",
)

_ALIASED = ConfigDict(
    frozen=True, extra="forbid", validate_by_name=True, validate_by_alias=True,
    serialize_by_alias=True,
)


class FactCandidate(_Frozen):
    """One reading of a fact that disagrees with another (a ``conflicting`` fact keeps all)."""

    model_config = _ALIASED

    value: FactValue
    source: str | None = Field(default=None, alias="from")


class Fact(_Frozen):
    """A fact value with the words that set it, or the assumption made, and its status.

    ``status`` is derived when not given: ``assumed`` for an assumption, ``stated`` for a
    value with words, ``unknown`` otherwise. A ``conflicting`` fact has value ``unknown`` and
    lists the readings that disagree in ``candidates``; an ``inherited`` one names the user
    turn it came from (1-based) in ``turn``.
    """

    model_config = _ALIASED

    value: FactValue = "unknown"
    source: str | None = Field(default=None, alias="from")
    assumed: bool = False
    status: FactStatus = "unknown"
    turn: int | None = None
    candidates: tuple[FactCandidate, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _derive_status(cls, data: object) -> object:
        if isinstance(data, dict) and data.get("status") is None:
            data = dict(data)
            data.pop("status", None)
            if data.get("assumed"):
                data["status"] = "assumed"
            elif data.get("value", "unknown") not in ("unknown", None):
                data["status"] = "stated"
            else:
                data["status"] = "unknown"
        return data


FACT_NAMES: tuple[str, ...] = (
    "service", "actor", "country", "jurisdiction", "purpose", "timing", "camera", "setting",
    "public_access", "exception", "authorisation", "national_law", "minor", "consent",
)

# Closed vocabularies of the facts (``country`` is an ISO 3166-1 alpha-2 code or "unknown").
FACT_VALUES: dict[str, tuple[str, ...]] = {
    "service": ("azure_openai", "azure_ai_face", "other", "unknown"),
    "actor": ("us_police", "us_federal", "law_enforcement", "government_non_le", "private",
              "education", "employer", "unknown"),
    "jurisdiction": ("us", "eu", "uk", "other", "unknown"),
    "purpose": ("identification", "verification", "detection_or_redaction", "emotion_inference",
                "categorisation", "scraping", "social_scoring", "surveillance", "non_biometric",
                "attribute_inference",  # age, gender, smile, hair, makeup from faces
                "unknown"),
    "timing": ("real_time", "post", "unknown"),
    "camera": ("body_worn", "dash", "other_mobile", "fixed", "none", "unknown"),
    "setting": ("controlled", "uncontrolled", "unknown"),
    "public_access": ("yes", "no", "unknown"),
    "exception": ("victim_search", "imminent_threat", "serious_crime_suspect", "none", "unknown",
                  "apprehended_suspect",  # a suspect already in custody: not a 5(1)(h) search
                  "medical_or_safety"),  # the Art. 5(1)(f) reason, not a 5(1)(h) exception
    "authorisation": ("yes", "no", "unknown"),
    "national_law": ("yes", "no", "unknown"),
    "minor": ("yes", "no", "unknown"),
    "consent": ("yes", "no", "unknown"),
}


class Facts(_Frozen):
    """What the question establishes; every field carries its source words."""

    service: Fact = Fact()
    actor: Fact = Fact()
    country: Fact = Fact()
    jurisdiction: Fact = Fact()
    purpose: Fact = Fact()
    timing: Fact = Fact()
    camera: Fact = Fact()
    setting: Fact = Fact()
    public_access: Fact = Fact()
    exception: Fact = Fact()
    authorisation: Fact = Fact()
    national_law: Fact = Fact()
    minor: Fact = Fact()
    consent: Fact = Fact()
    as_of: dt.date
    as_of_source: str | None = None  # the words that set the date, if the question did
    intent: Intent = "assess"
    policies_named: tuple[str, ...] = ()  # policies the question names explicitly
    assumptions: tuple[str, ...] = ()

    def value(self, name: str) -> FactValue:
        """The value of fact ``name`` ("unknown" when unset)."""
        fact: Fact = getattr(self, name)
        return fact.value

    def as_dict(self) -> dict[str, FactValue]:
        """Fact name -> value, for the rule engine."""
        return {name: self.value(name) for name in FACT_NAMES}


# ----------------------------------------------------------------------------- verdicts


class RuleHit(_Frozen):
    """A rule that fired, with the clause chunks it rests on."""

    rule: str
    effect: Verdict
    because: str
    clauses: tuple[str, ...] = ()
    citations: tuple[int, ...] = ()  # citation numbers, filled in by the composer
    #: The rule's operative words (its pack's ``quote:``), to choose its quote; not in the JSON.
    quote: tuple[str, ...] = Field(default=(), exclude=True)


class NearMiss(_Frozen):
    """A rule that did not fire, and the conditions that failed."""

    rule: str
    because: str
    failed: tuple[str, ...] = ()
    clauses: tuple[str, ...] = ()
    #: Facts the question leaves open on which the rule would also apply (``failed`` is then
    #: empty): the rule matches everything stated and has the effect already decided.
    open_facts: tuple[str, ...] = ()
    #: The rule's operative words (its pack's ``quote:``), to choose its quote; not in the JSON.
    quote: tuple[str, ...] = Field(default=(), exclude=True)


class MissingFact(_Frozen):
    """A fact the question leaves open, and the verdict each value would give."""

    fact: str
    ask: str
    outcomes: dict[str, Verdict] = Field(default_factory=dict)
    policy: str | None = None


class PolicyVerdict(_Frozen):
    """One policy's verdict on the facts."""

    policy: str
    title: str
    version: str | None = None
    verdict: Verdict
    fired: tuple[RuleHit, ...] = ()
    near_misses: tuple[NearMiss, ...] = ()
    conditions: tuple[str, ...] = ()
    missing_facts: tuple[MissingFact, ...] = ()
    reason: str | None = None  # why not_applicable, in a sentence


# ----------------------------------------------------------------------------- answer


class Citation(_Frozen):
    """A numbered citation: a chunk id, a verbatim quote and where it sits."""

    n: int
    chunk_id: str
    document: str
    title: str
    section: str
    kind: Kind
    quote: str
    url: str | None = None
    start: int  # offsets of the quote in the document's source text
    end: int
    verified: bool
    version: str | None = None
    effective_date: dt.date | None = None
    #: Whose words the quote is: the publisher's (official), our own (restatement), the press
    #: (reporting) or a document the user added (user). None until the corpus declares it.
    provenance: Provenance | None = None


class Claim(_Frozen):
    """A sentence of a draft answer and the citations that support it."""

    text: str
    citations: tuple[int, ...] = ()


class Draft(_Frozen):
    """What a composer returns, before the guardrail checks it."""

    verdicts: dict[str, Verdict]  # policy id -> verdict the composer asserts
    answer: str
    citations: tuple[Citation, ...] = ()
    claims: tuple[Claim, ...] = ()
    composer: str = "offline"
    notes: tuple[str, ...] = ()
    # "<policy>/<rule>" -> citation numbers the draft rests that fired rule on (optional;
    # the guardrail falls back to the citations of the rule's clause chunks).
    rule_citations: dict[str, tuple[int, ...]] = Field(default_factory=dict)


class Guardrail(_Frozen):
    """The guardrail's outcome."""

    status: GuardrailStatus = "passed"
    notes: tuple[str, ...] = ()


class Answer(_Frozen):
    """The answer JSON (DESIGN.md)."""

    question: str
    as_of: dt.date
    verdict: Overall
    policies: tuple[PolicyVerdict, ...] = ()
    answer: str = ""
    citations: tuple[Citation, ...] = ()
    facts: dict[str, Fact] = Field(default_factory=dict)
    assumptions: tuple[str, ...] = ()
    missing_facts: tuple[MissingFact, ...] = ()
    guardrail: Guardrail = Guardrail()
    composer: str = "offline"
    corpus_version: str = ""
    trace_id: str = ""

    def to_json(self) -> dict[str, object]:
        """The answer as JSON-ready data (the same as ``model_dump(mode="json")``)."""
        return self.model_dump(mode="json")


class ComposeRequest(_Frozen):
    """Everything a composer may use: the engine's verdicts are fixed facts for it."""

    question: str
    facts: Facts
    verdicts: tuple[PolicyVerdict, ...]
    overall: Overall
    passages: tuple[Passage, ...]  # retrieved and rule-clause chunks, in citation order
    history: tuple[dict[str, str], ...] = ()


class Composer(Protocol):
    """Turns a ComposeRequest into a Draft; raises LLMError when it cannot."""

    name: str

    def compose(self, request: ComposeRequest) -> Draft:
        """Write the draft answer."""
        ...
