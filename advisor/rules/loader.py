"""Loading policy packs (``corpus/*/rules.yaml``) and their clause maps
(``corpus/*/clauses.yaml``) with file-and-line error messages.

A rule cites our restatement's clause chunks; when the pack's clause map accepts an official
text in which that clause was located at ingest (chunk ``<official-id>#<clause>``), the rule
cites the official chunk first, so answers quote the publisher's words.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from advisor.errors import PackError
from advisor.rules.models import ClauseMap, Pack, Rule
from advisor.schema import POLICY_IDS

__all__ = ["CLAUSE_MAP", "load_clause_map", "load_clause_maps", "load_pack", "load_packs"]

#: The clause map's file name, beside ``rules.yaml`` in a pack's folder.
CLAUSE_MAP = "clauses.yaml"


class _PackLoader(yaml.SafeLoader):
    """SafeLoader where only true/false are booleans (fact values such as yes/no stay text)."""


_PackLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_PackLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def load_packs(corpus_root: str | Path,
               known_chunk_ids: Collection[str] | None = None) -> list[Pack]:
    """Load every ``<corpus_root>/*/rules.yaml``, in POLICY_IDS order, or raise PackError."""
    root = Path(corpus_root)
    if not root.is_dir():
        raise PackError(
            "corpus folder not found; pass the folder that holds <pack>/rules.yaml",
            path=str(root),
        )
    packs = [load_pack(path, known_chunk_ids) for path in sorted(root.glob("*/rules.yaml"))]
    seen: dict[str, Pack] = {}
    for pack in packs:
        if pack.id in seen:
            raise PackError(f"two packs declare id {pack.id!r}; give each pack its own id",
                            path=str(root))
        seen[pack.id] = pack

    def _order(pack: Pack) -> tuple[int, str]:
        index = POLICY_IDS.index(pack.id) if pack.id in POLICY_IDS else len(POLICY_IDS)
        return index, pack.id

    if known_chunk_ids is not None:
        maps = load_clause_maps(root)
        known = set(known_chunk_ids)
        packs = [_with_official(pack, maps[pack.id][1], known) if pack.id in maps else pack
                 for pack in packs]
    return sorted(packs, key=_order)


def load_clause_maps(corpus_root: str | Path) -> dict[str, tuple[Path, ClauseMap]]:
    """Every ``<corpus_root>/<pack>/clauses.yaml`` (path, map) by the id of the pack beside it."""
    maps: dict[str, tuple[Path, ClauseMap]] = {}
    for path in sorted(Path(corpus_root).glob(f"*/{CLAUSE_MAP}")):
        pack_id = _pack_id(path.parent / "rules.yaml") or path.parent.name
        maps[pack_id] = (path, load_clause_map(path))
    return maps


def _pack_id(rules: Path) -> str | None:
    try:
        data = yaml.load(rules.read_text(encoding="utf-8"), Loader=_PackLoader)  # noqa: S506
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None  # load_pack reports the problem with its file and line
    value = data.get("id") if isinstance(data, dict) else None
    return str(value) if value is not None else None


def load_clause_map(path: str | Path) -> ClauseMap:
    """Load one clause map; raise PackError naming the file, the line and what was expected."""
    path = Path(path)
    data, node = _read_yaml(path, "a mapping with 'texts': [{restatement, official, clauses}]")
    try:
        return ClauseMap.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = tuple(error["loc"])
        raise PackError(f"{_field_path(loc)}: {_expected(error)}", path=str(path),
                        line=_line_of(node, loc)) from exc


def _with_official(pack: Pack, clause_map: ClauseMap, known: set[str]) -> Pack:
    """The pack with each rule citing the located official clause before our restatement."""
    rules: list[Rule] = []
    for rule in pack.rules:
        clauses: list[str] = []
        for clause in rule.clauses:
            document, _, key = clause.partition("#")
            for text in clause_map.texts:
                if text.restatement == document and key in text.clauses:
                    clauses += [f"{o}#{key}" for o in text.official if f"{o}#{key}" in known]
            clauses.append(clause)
        rules.append(rule.model_copy(update={"clauses": tuple(dict.fromkeys(clauses))}))
    return pack.model_copy(update={"rules": tuple(rules)})


def load_pack(path: str | Path, known_chunk_ids: Collection[str] | None = None) -> Pack:
    """Load one pack file; raise PackError naming the file, the line and what was expected."""
    path = Path(path)
    where = str(path)
    data, node = _read_yaml(path, "a mapping with id, title, applies_from, versions and rules")
    try:
        pack = Pack.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = tuple(error["loc"])
        line = _line_of(node, loc)
        bad = re.search(r"got '([^']*)'", str(error.get("msg", "")))
        if bad is not None:
            line = _line_of_scalar(_node_at(node, loc), bad.group(1)) or line
        field = _field_path(loc)
        raise PackError(f"{field}: {_expected(error)}", path=where, line=line) from exc
    _check_rules(pack, node, where, known_chunk_ids)
    return pack


def _read_yaml(path: Path, expected: str) -> tuple[dict[str, Any], yaml.Node]:
    where = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PackError(f"cannot read the file ({exc}); check the file exists and is UTF-8",
                        path=where) from exc
    try:
        node = yaml.compose(text, Loader=_PackLoader)
        data = yaml.load(text, Loader=_PackLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise PackError(f"invalid YAML: {problem}; fix the syntax", path=where, line=line) from exc
    if not isinstance(data, dict) or node is None:
        raise PackError(f"expected {expected}", path=where, line=1)
    return data, node


def _field_path(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for part in loc:
        text = {"in_": "in", "not_": "not"}.get(str(part), str(part))
        if text == "leaf" or (parts and parts[-1] == text and text in ("all", "any", "not")):
            continue  # union tags added by the discriminator
        parts.append(text)
    return ".".join(parts) or "(top level)"


def _expected(error: Any) -> str:
    kind = error.get("type", "")
    message = str(error.get("msg", "invalid value"))
    if kind == "missing":
        return "expected this field; it is missing"
    if kind == "extra_forbidden":
        return "unexpected key; remove it or fix its spelling"
    if message.startswith("Value error, "):
        message = message[len("Value error, "):]
    if not message.startswith("expected"):
        message = f"expected a valid value: {message}"
    return f"{message} (got {error.get('input')!r})" if kind != "value_error" else message


def _line_of(node: yaml.Node, loc: tuple[Any, ...]) -> int:
    """The 1-based line of the YAML node at ``loc`` (as deep as the path can be followed)."""
    return _node_at(node, loc).start_mark.line + 1


def _line_of_scalar(node: yaml.Node, value: str) -> int | None:
    """The line of the first scalar under ``node`` whose text is ``value``."""
    if isinstance(node, yaml.ScalarNode):
        return node.start_mark.line + 1 if node.value == value else None
    children: list[yaml.Node] = []
    if isinstance(node, yaml.MappingNode):
        children = [child for pair in node.value for child in pair]
    elif isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    for child in children:
        line = _line_of_scalar(child, value)
        if line is not None:
            return line
    return None


def _node_at(node: yaml.Node, loc: tuple[Any, ...]) -> yaml.Node:
    current = node
    for part in loc:
        child: yaml.Node | None = None
        if isinstance(current, yaml.MappingNode) and isinstance(part, str):
            key = "not" if part == "not_" else "in" if part == "in_" else part
            for key_node, value_node in current.value:
                if getattr(key_node, "value", None) == key:
                    child = value_node
                    break
        elif isinstance(current, yaml.SequenceNode) and isinstance(part, int):
            if 0 <= part < len(current.value):
                child = current.value[part]
        if child is None:
            continue  # a union tag or a missing key: stay on the nearest enclosing node
        current = child
    return current


def _check_rules(pack: Pack, node: yaml.Node, where: str,
                 known_chunk_ids: Collection[str] | None) -> None:
    known = set(known_chunk_ids) if known_chunk_ids is not None else None
    for index, rule in enumerate(pack.rules):
        if known is not None:
            for clause_index, clause in enumerate(rule.clauses):
                if clause not in known:
                    line = _line_of(node, ("rules", index, "clauses", clause_index))
                    raise PackError(
                        f"rule {rule.id} cites clause {clause!r}, which is not a chunk id in the"
                        " corpus; fix the id or add the clause to the document and re-ingest",
                        path=where, line=line,
                    )
        if rule.effect == "conditional" and not rule.conditions:
            line = _line_of(node, ("rules", index))
            raise PackError(f"rule {rule.id} is conditional; expected a 'conditions' list",
                            path=where, line=line)
        for other in pack.rules[:index]:
            if other.id == rule.id and _overlap(other.effective_from, other.effective_to,
                                                rule.effective_from, rule.effective_to):
                line = _line_of(node, ("rules", index, "id"))
                raise PackError(
                    f"rule id {rule.id!r} is used twice with overlapping dates; expected"
                    " distinct ids or non-overlapping effective_from/effective_to",
                    path=where, line=line,
                )


def _overlap(a_from: Any, a_to: Any, b_from: Any, b_to: Any) -> bool:
    starts_before_b_ends = a_from is None or b_to is None or a_from <= b_to
    b_starts_before_a_ends = b_from is None or a_to is None or b_from <= a_to
    return bool(starts_before_b_ends and b_starts_before_a_ends)
