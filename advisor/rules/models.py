"""The policy-pack model: packs, versions, rules and their condition trees.

A pack is read from ``corpus/<pack>/rules.yaml``; every model forbids unknown keys so a
typo in a pack fails at load time with the file and line (see ``loader.py``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from advisor.schema import FACT_NAMES, FACT_VALUES, Verdict

#: The effects a rule may have (``not_applicable`` is decided by the pack, never a rule).
Effect = Literal["prohibited", "conditional", "not_prohibited"]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Leaf(_Strict):
    """A test of one fact: ``{fact: camera, in: [body_worn, dash]}`` or ``equals:``.

    A fact whose value is ``unknown`` makes the test unknown (three-valued logic), unless
    ``unknown`` is itself one of the listed values, in which case it is compared literally.
    """

    fact: str
    equals: str | None = None
    in_: tuple[str, ...] | None = Field(default=None, alias="in")
    label: str = Field(min_length=1)
    unmet: str | None = None  # near-miss wording; "{value}" is replaced by the fact's value
    met: str | None = None  # the condition as a clause when it holds: "the matching is live"
    #: a guard ("no medical or safety reason is stated"): it decides the rule, but holding
    #: alone never makes the rule come close to a case (no near miss from it)
    guard: bool = False

    @field_validator("fact")
    @classmethod
    def _known_fact(cls, value: str) -> str:
        if value not in FACT_NAMES:
            raise ValueError(f"expected a fact name, one of {', '.join(FACT_NAMES)}; got {value!r}")
        return value

    @model_validator(mode="after")
    def _one_test(self) -> Leaf:
        if (self.equals is None) == (self.in_ is None):
            raise ValueError("expected exactly one of 'equals' or 'in' beside 'fact'")
        allowed = FACT_VALUES.get(self.fact)
        if allowed is not None:
            for value in self.values:
                if value not in allowed:
                    raise ValueError(
                        f"expected a value of fact {self.fact!r}, one of {', '.join(allowed)};"
                        f" got {value!r}"
                    )
        return self

    @property
    def values(self) -> tuple[str, ...]:
        """The values this leaf accepts."""
        if self.in_ is not None:
            return self.in_
        return (self.equals,) if self.equals is not None else ()


class AllOf(_Strict):
    """True when every child is true."""

    all: tuple[Condition, ...] = Field(min_length=1)
    label: str | None = None


class AnyOf(_Strict):
    """True when some child is true."""

    any: tuple[Condition, ...] = Field(min_length=1)
    label: str | None = None


class Not(_Strict):
    """True when the child is false."""

    not_: Condition = Field(alias="not")
    label: str = Field(min_length=1)
    unmet: str | None = None
    met: str | None = None


def _node_kind(data: Any) -> str:
    if isinstance(data, dict):
        for key in ("all", "any", "not"):
            if key in data:
                return key
        return "leaf"
    if isinstance(data, BaseModel):
        return {AllOf: "all", AnyOf: "any", Not: "not"}.get(type(data), "leaf")
    return "leaf"


Condition = Annotated[
    Annotated[Leaf, Tag("leaf")]
    | Annotated[AllOf, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[Not, Tag("not")],
    Discriminator(_node_kind),
]

AllOf.model_rebuild()
AnyOf.model_rebuild()
Not.model_rebuild()


class Rule(_Strict):
    """One clause encoded as data: when ``when`` holds on the facts, ``effect`` applies."""

    id: str = Field(min_length=1)
    effect: Effect
    when: Condition
    clauses: tuple[str, ...] = Field(min_length=1)
    explanation: str = Field(min_length=1)
    conditions: tuple[str, ...] = ()  # what must be met when a conditional rule fires
    near_miss: bool = True  # report this rule as a near miss when it narrowly fails
    #: The rule's operative words: the quote for this rule is the sentence of its clause that
    #: contains them (the ban or the condition), not the sentence most like the question.
    #: Several phrases when the rule covers several sentences (social scoring and predicting
    #: offences): the one nearest the question is quoted.
    quote: tuple[str, ...] = ()
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None  # last day in force

    @field_validator("quote", mode="before")
    @classmethod
    def _one_or_more(cls, value: object) -> object:
        return (value,) if isinstance(value, str) else value

    @field_validator("quote")
    @classmethod
    def _phrases(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(len(phrase.strip()) < 3 for phrase in value):
            raise ValueError("expected each quote phrase to have at least 3 characters")
        return value

    def in_force(self, day: dt.date) -> bool:
        """Whether the rule is in force on ``day``."""
        if self.effective_from is not None and day < self.effective_from:
            return False
        return self.effective_to is None or day <= self.effective_to


class Version(_Strict):
    """A dated version of the policy text."""

    id: str = Field(min_length=1)
    effective_from: dt.date
    effective_to: dt.date | None = None  # last day in force

    def in_force(self, day: dt.date) -> bool:
        """Whether this version is the one in force on ``day``."""
        ended = self.effective_to is not None and day > self.effective_to
        return self.effective_from <= day and not ended


class Pack(_Strict):
    """A policy pack: what the policy governs, its versions and its rules."""

    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    services: tuple[str, ...] | None = None  # None: any service
    jurisdictions: tuple[str, ...] | None = None  # None: anywhere
    applies_from: dt.date
    versions: tuple[Version, ...] = Field(min_length=1)
    questions: dict[str, str] = Field(default_factory=dict)  # fact -> question to ask
    rules: tuple[Rule, ...] = Field(min_length=1)

    @field_validator("services")
    @classmethod
    def _known_services(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        for service in value or ():
            if service not in FACT_VALUES["service"]:
                raise ValueError(
                    f"expected services from {FACT_VALUES['service']}; got {service!r}")
        return value

    @field_validator("jurisdictions")
    @classmethod
    def _known_jurisdictions(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        for place in value or ():
            if place not in FACT_VALUES["jurisdiction"]:
                raise ValueError(
                    f"expected jurisdictions from {FACT_VALUES['jurisdiction']}; got {place!r}"
                )
        return value

    @field_validator("questions")
    @classmethod
    def _known_question_facts(cls, value: dict[str, str]) -> dict[str, str]:
        for fact in value:
            if fact not in FACT_NAMES:
                raise ValueError(f"expected question keys to be fact names; got {fact!r}")
        return value

    def version_on(self, day: dt.date) -> Version | None:
        """The version in force on ``day``, if any."""
        for version in self.versions:
            if version.in_force(day):
                return version
        return None

    def rules_on(self, day: dt.date) -> tuple[Rule, ...]:
        """The rules in force on ``day``."""
        return tuple(rule for rule in self.rules if rule.in_force(day))


_RANK: dict[str, int] = {"prohibited": 3, "conditional": 2, "not_prohibited": 1,
                         "not_applicable": 0}


def verdict_rank(verdict: Verdict) -> int:
    """Restrictiveness: prohibited 3, conditional 2, not_prohibited 1, not_applicable 0."""
    return _RANK[verdict]


# ----------------------------------------------------------------------------- clause maps


class Locator(_Strict):
    """Where a clause sits in an official text: exactly one of number, heading or phrase.

    ``number`` is an article/paragraph/point reference ("Article 5(1)(h)", "Article 3(42)");
    ``heading`` a heading of the text (matched case-insensitively, in full or in part);
    ``phrase`` a distinctive phrase, whose paragraph or list item is the clause.
    """

    number: str | None = Field(default=None, min_length=1)
    heading: str | None = Field(default=None, min_length=1)
    phrase: str | None = Field(default=None, min_length=3)

    @model_validator(mode="after")
    def _one_locator(self) -> Locator:
        given = [v for v in (self.number, self.heading, self.phrase) if v is not None]
        if len(given) != 1:
            raise ValueError("expected exactly one of 'number', 'heading' or 'phrase'")
        return self

    @property
    def label(self) -> str:
        """The locator as written, shown as the clause's section."""
        return self.number or self.heading or f"\u201c{self.phrase}\u201d"


class ClauseText(_Strict):
    """One of our restatements, the official texts accepted for it, and where each clause is."""

    restatement: str = Field(min_length=1)  # document id of our restatement
    official: tuple[str, ...] = ()  # document ids accepted as this text's official version
    clauses: dict[str, Locator] = Field(default_factory=dict)  # clause id -> locator


class ClauseMap(_Strict):
    """A pack's clause map (``corpus/<pack>/clauses.yaml``).

    It names the documents that may speak as the pack's policy text (our restatements and
    the official texts a legal team adds) and locates each clause in the official text.
    """

    texts: tuple[ClauseText, ...] = Field(min_length=1)

    def accepts(self, document: str) -> bool:
        """Whether ``document`` may claim to be this pack's policy text."""
        return any(document == t.restatement or document in t.official for t in self.texts)

    def official_for(self, document: str) -> tuple[ClauseText, ...]:
        """The entries that accept ``document`` as their official text (one text may hold
        several restatements' clauses: the regulation holds Articles 3 and 5)."""
        return tuple(t for t in self.texts if document in t.official)
