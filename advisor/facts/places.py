"""Place and agency names per language: babel's localised territory names, plus the
demonyms, regions, cities and agencies babel lacks (``vocab/places/<lang>.yaml``).

No country table lives in Python: the names come from babel (CLDR) and the data files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from advisor.facts.vocab import Entry

__all__ = ["EU_MEMBERS", "jurisdiction", "place_entries", "place_names"]

_DIR = Path(__file__).parent / "vocab" / "places"


@lru_cache(maxsize=1)
def _common() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((_DIR / "common.yaml").read_text(encoding="utf-8"))
    return data


EU_MEMBERS: frozenset[str] = frozenset(_common()["eu_members"])


def jurisdiction(code: str) -> str:
    """The jurisdiction value of an ISO 3166-1 alpha-2 code: eu, uk, us or other."""
    if code in EU_MEMBERS:
        return "eu"
    return {"GB": "uk", "US": "us"}.get(code, "other")


@lru_cache(maxsize=16)
def _data(lang: str) -> dict[str, Any]:
    path = _DIR / f"{lang}.yaml"
    if not path.exists():
        return {}
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return data


@lru_cache(maxsize=16)
def place_names(lang: str) -> Mapping[str, str]:
    """Lower-case place name -> ISO code: babel's territory names in ``lang``, then the file's."""
    from babel import Locale

    common = _common()
    skip_codes = set(common["not_countries"])
    data = _data(lang)
    skip_names = {name.lower() for name in data.get("ambiguous", ())}
    names: dict[str, str] = {}
    for code, name in Locale.parse(lang).territories.items():
        if len(code) == 2 and code.isalpha() and code not in skip_codes:
            if name.lower() not in skip_names:
                names[name.lower()] = code
                # "Bosnia & Herzegovina" is also written with "and".
                names[name.lower().replace(" & ", " and ")] = code
    for section in ("names", "cities"):
        for name, code in (data.get(section) or {}).items():
            names[str(name).lower()] = str(code)
    return names


def _gate(names: Iterable[str]) -> frozenset[str] | None:
    from advisor.facts.gate import prefixes, union

    return union(prefixes(r"\b" + re.escape(name)) for name in names)


def _alternation(names: Iterable[str]) -> str:
    return "|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True))


def _inflected(names: Mapping[str, str], lang: str) -> dict[str, str]:
    from advisor.facts.vocab import _forms  # the same generated forms as the vocabulary

    forms = _forms(lang)
    out = dict(names)
    for name, code in names.items():
        if " " not in name:
            for form in forms.get(name, ()):
                out.setdefault(form.lower(), code)
    return out


def place_entries(lang: str) -> list[Entry]:
    """Entries for countries (by name, demonym, region or city), EU regions and agencies."""
    from advisor.facts.vocab import Entry

    data = _data(lang)
    names = _inflected(place_names(lang), lang)
    cities = {str(n).lower() for n in (data.get("cities") or {})}
    # A city ranks 0, a country, demonym or region 1 (the reading step weighs them).
    lookup = {name: (code, 0 if name in cities else 1, "") for name, code in names.items()}
    entries: list[Entry] = []
    if lookup:
        regex = re.compile(r"(?<![\w.])(?:" + _alternation(lookup) + r")(?!\w)", re.I)
        entries.append(Entry("place", "country", "", 1, regex, lookup=lookup, names=True))
    sensitive = {str(k): (str(v), 1, "") for k, v in (data.get("case_sensitive") or {}).items()}
    if sensitive:
        regex = re.compile(r"(?<![\w.])(?:" + _alternation(sensitive) + r")(?!\w)")
        entries.append(Entry("place", "country", "", 1, _Exact(regex, sensitive).regex,
                             lookup=_Exact(regex, sensitive).lookup))
    regions = [str(r) for r in data.get("eu_regions") or ()]
    if regions:
        regex = re.compile(r"(?<![\w.])(?:" + _alternation(regions) + r")(?!\w)", re.I)
        entries.append(Entry("place", "region", "eu", 0, regex,
                             parts=((_gate(regions), regex),)))
    for case_sensitive, section in ((False, "agencies"), (True, "agencies_case_sensitive")):
        spec = data.get(section) or {}
        if not spec:
            continue
        table = {(str(k) if case_sensitive else str(k).lower()):
                 (str(v["kind"]), 0, str(v.get("country") or "")) for k, v in spec.items()}
        if not case_sensitive:  # declined forms: "policji", "policjantów"
            for form, name in _inflected({k: k for k in table}, lang).items():
                table.setdefault(form, table[name])
        flags = 0 if case_sensitive else re.I
        regex = re.compile(r"(?<![\w])(?:" + _alternation(table) + r")(?![\w])", flags)
        entries.append(Entry("agency", "actor", "", 0, regex,
                             lookup=_Exact(regex, table).lookup if case_sensitive else table,
                             names=not case_sensitive, parts=((_gate(table), regex),)))
    return entries


class _Exact:
    """A case-sensitive name list: looked up by the lower-cased match like the others."""

    def __init__(self, regex: re.Pattern[str], table: Mapping[str, tuple[str, int, str]]):
        self.regex = regex
        self.lookup = {k.lower(): v for k, v in table.items()}
