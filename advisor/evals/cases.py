"""Eval cases: the YAML case format (DESIGN.md) as pydantic models, and its loader.

A case file is a YAML list of cases. A malformed file fails with the file, the case id,
the line and what was expected, so an evaluator can fix it without reading a traceback.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from advisor.errors import InputError
from advisor.facts.confirmed import parse_confirmed
from advisor.schema import FACT_NAMES, FACT_VALUES, POLICY_IDS, Overall, Verdict

#: Where the shipped suite lives: ``evals/`` at the repository root.
EVALS_DIR = Path(__file__).resolve().parents[2] / "evals"
DEFAULT_CASES_DIR = EVALS_DIR / "cases"
DEFAULT_BASELINE = EVALS_DIR / "baseline.json"

log = logging.getLogger("advisor.evals")

#: libyaml's safe loader when PyYAML was built with it, else the pure-Python one.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_FACT_KEYS = (*FACT_NAMES, "as_of", "intent")


class CaseFileError(InputError):
    """A case file cannot be read or does not validate; names the file, case and line."""

    code = "case_file_error"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Turn(_Strict):
    """An earlier turn of the conversation."""

    role: Literal["user", "assistant", "system"]
    content: str


class Expect(_Strict):
    """What a case expects of the answer; every key is optional."""

    verdict: Overall | None = None
    policies: dict[str, Verdict] = Field(default_factory=dict)
    cites: list[str] = Field(default_factory=list)
    not_cites: list[str] = Field(default_factory=list)
    answer_contains: list[str] = Field(default_factory=list)
    answer_not_contains: list[str] = Field(default_factory=list)
    facts: dict[str, str | bool | dt.date] = Field(default_factory=dict)
    gold: list[str] = Field(default_factory=list)

    @field_validator("policies")
    @classmethod
    def _known_policies(cls, value: dict[str, Verdict]) -> dict[str, Verdict]:
        unknown = sorted(set(value) - set(POLICY_IDS))
        if unknown:
            raise ValueError(f"unknown policy id {unknown}; use one of {list(POLICY_IDS)}")
        return value

    @field_validator("facts")
    @classmethod
    def _known_facts(cls, value: dict[str, object]) -> dict[str, object]:
        unknown = sorted(set(value) - set(_FACT_KEYS))
        if unknown:
            raise ValueError(f"unknown fact {unknown}; use one of {list(_FACT_KEYS)}")
        # YAML reads an unquoted yes/no as a bool; these facts spell them "yes" and "no".
        return {k: (("yes" if v else "no") if isinstance(v, bool)
                    and "yes" in FACT_VALUES.get(k, ()) else v) for k, v in value.items()}

    @field_validator("gold")
    @classmethod
    def _chunk_ids(cls, value: list[str]) -> list[str]:
        bad = [v for v in value if "#" not in v]
        if bad:
            raise ValueError(f"gold ids must be chunk ids like 'doc-id#LE-2', got {bad}")
        return value


class EvalCase(_Strict):
    """One eval case: a question (with history and date) and what the answer must show."""

    id: str
    question: str = Field(min_length=1)
    # Why the case exists (one line). Optional: an evaluator's own file in the documented
    # format has none; loading it then logs a warning instead of refusing the file.
    reason: str = ""
    history: list[Turn] = Field(default_factory=list)
    as_of: dt.date | None = None
    #: Facts given as confirmed by the user (name -> value): the engine is tested on exactly
    #: these, whatever the question's words say (as ``Advisor.ask(..., facts=...)``).
    facts: dict[str, str | bool] = Field(default_factory=dict)
    expect: Expect = Field(default_factory=Expect)
    tags: list[str] = Field(default_factory=list)
    must_pass: bool = False

    _path: str = PrivateAttr(default="")
    _line: int = PrivateAttr(default=0)

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _ID_RE.match(value):
            raise ValueError("an id is lower-case letters, digits, '.', '_' or '-'")
        return value

    @field_validator("facts")
    @classmethod
    def _confirmed_facts(cls, value: dict[str, str | bool]) -> dict[str, str | bool]:
        try:
            return dict(parse_confirmed(value))
        except InputError as exc:
            raise ValueError(str(exc)) from None

    @field_validator("reason")
    @classmethod
    def _one_line(cls, value: str) -> str:
        if "\n" in value.strip():
            raise ValueError("reason must be one line")
        return value.strip()

    @property
    def path(self) -> str:
        """The file the case was read from ('' when built in code)."""
        return self._path

    @property
    def line(self) -> int:
        """The 1-based line where the case starts in its file (0 when built in code)."""
        return self._line

    @property
    def suite(self) -> str:
        """The case file's stem, used as the JUnit class name."""
        return Path(self._path).stem if self._path else "cases"

    def located(self, path: str, line: int) -> EvalCase:
        """Record where the case was read from (returns self)."""
        self._path = path
        self._line = line
        return self

    def history_dicts(self) -> list[dict[str, str]]:
        """The history as ``{"role", "content"}`` dicts, as ``Advisor.ask`` takes it."""
        return [{"role": t.role, "content": t.content} for t in self.history]


def _node_line(node: yaml.Node, loc: Sequence[int | str]) -> int:
    """The 1-based line of the deepest YAML node that ``loc`` reaches."""
    line = node.start_mark.line + 1
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if k.value == key:
                    line = k.start_mark.line + 1
                    node = v
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            if key >= len(node.value):
                return line
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def _describe(error: ValidationError) -> list[tuple[tuple[int | str, ...], str]]:
    out = []
    for err in error.errors():
        loc = tuple(err["loc"])
        field = ".".join(str(p) for p in loc) or "(case)"
        msg = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key; allowed keys are in DESIGN.md (eval case file)"
        elif err["type"] == "missing":
            msg = "required key is missing"
        out.append((loc, f"{field}: {msg}"))
    return out


def load_case_file(path: Path) -> list[EvalCase]:
    """Read one YAML case file; raise CaseFileError naming file, case and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CaseFileError(f"{path}: cannot read the case file ({exc.strerror}); "
                            "check the path given to --cases") from exc
    # One parse (libyaml's when the wheel has it: the pure-Python parser took 12 s for the
    # shipped suite), kept as nodes for the line numbers, then built into Python values.
    loader = _LOADER(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise CaseFileError(f"{where}: not valid YAML ({problem}); fix the syntax") from exc
    finally:
        loader.dispose()
    if data is None:
        return []
    if not isinstance(data, list) or not isinstance(root, yaml.SequenceNode):
        raise CaseFileError(f"{path}:1: expected a YAML list of cases (each item starts "
                            "with '- id: ...')")
    cases: list[EvalCase] = []
    for i, (item, node) in enumerate(zip(data, root.value, strict=True)):
        line = node.start_mark.line + 1
        case_id = item.get("id") if isinstance(item, dict) else None
        label = f"case {case_id!r}" if case_id else f"case #{i + 1}"
        if not isinstance(item, dict):
            raise CaseFileError(f"{path}:{line}: {label}: expected a mapping with id, "
                                "question, reason, expect, tags")
        if not str(item.get("reason") or "").strip():
            log.warning("%s:%d: %s has no reason; it runs, but say in one line why it exists "
                        "(reason: ...)", path, line, label)
        try:
            case = EvalCase.model_validate(item)
        except ValidationError as exc:
            problems = _describe(exc)
            first_line = _node_line(node, problems[0][0])
            details = "; ".join(msg for _, msg in problems)
            raise CaseFileError(f"{path}:{first_line}: {label}: {details}") from exc
        cases.append(case.located(str(path), line))
    return cases


def _expand(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files.extend(sorted([*p.glob("*.yaml"), *p.glob("*.yml")]))
        elif p.exists():
            files.append(p)
        else:
            raise CaseFileError(f"{p}: no such case file or folder; check the --cases path")
    return files


def load_cases(paths: Iterable[Path] | None = None, *, tags: Iterable[str] = ()) -> list[EvalCase]:
    """Load case files (default: the shipped suite), optionally keeping only some tags."""
    files = _expand(list(paths) if paths else [DEFAULT_CASES_DIR])
    if not files:
        raise CaseFileError("no case files found; pass --cases FILE.yaml or a folder of them")
    cases: list[EvalCase] = []
    seen: dict[str, str] = {}
    for f in files:
        for case in load_case_file(f):
            if case.id in seen:
                raise CaseFileError(f"{case.path}:{case.line}: case {case.id!r}: duplicate id, "
                                    f"already used in {seen[case.id]}; ids must be unique")
            seen[case.id] = f"{case.path}:{case.line}"
            cases.append(case)
    wanted = set(tags)
    if wanted:
        cases = [c for c in cases if wanted & set(c.tags)]
    return cases
