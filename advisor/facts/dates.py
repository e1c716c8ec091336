"""Dates in a question ("before May 2024", "in March 2025", "2023", ISO) -> an as-of date."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable
from typing import Any, NamedTuple

_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}

_ENGLISH_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
                   "september", "october", "november", "december")


def _localised() -> tuple[dict[str, int], dict[str, str]]:
    """Month names in the supported languages (babel) and lead words (vocab/dates.yaml)."""
    from importlib import import_module
    from pathlib import Path

    from babel import Locale

    from advisor.facts.datafile import read_yaml

    months: dict[str, int] = {}
    for lang in ("de", "fr", "es", "it", "nl", "pl"):
        locale = Locale.parse(lang)
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in locale.months[context][width].items():
                    key = name.lower().rstrip(".")
                    if len(key) >= 3 and key not in _MONTHS:
                        months.setdefault(key, number)
        # declined forms babel lacks ("w marcu", "w grudniu"): dateparser's month names
        names = import_module(f"dateparser.data.date_translation_data.{lang}").info
        for number, month in enumerate(_ENGLISH_MONTHS, start=1):
            for name in names.get(month, ()):
                key = str(name).lower().rstrip(".")
                if len(key) >= 3 and key not in _MONTHS:
                    months.setdefault(key, number)
    path = Path(__file__).parent / "vocab" / "dates.yaml"
    data = read_yaml(path)
    leads = {str(word): lead for lead, words in data["leads"].items() for word in words}
    return months, leads


_Numbers = list[tuple[re.Pattern[str], int]]


def _number_words() -> tuple[_Numbers, str, _Numbers, str]:
    """Days (1-31) and years (2015-2035) written in words, from num2words, as patterns that
    take each language's endings (vocab/dates.yaml ``number_words``)."""
    from pathlib import Path

    from num2words import num2words

    from advisor.facts.datafile import read_yaml

    path = Path(__file__).parent / "vocab" / "dates.yaml"
    rules: dict[str, dict[str, Any]] = read_yaml(path)[
        "number_words"]

    def pattern(words: str, rule: dict[str, Any]) -> str:
        strip = str(rule["strip"])
        endings = "|".join(sorted((str(e) for e in rule["endings"]), key=len, reverse=True))
        parts = []
        for word in words.split():
            if strip and word[-1] not in strip:  # a word that does not decline: "dwa tysiące"
                parts.append(re.escape(word))
            else:
                parts.append(re.escape(word[:-1] if strip else word) + f"(?:{endings})")
        thousand = re.escape(str(rule["thousand"]))  # "tweeduizend vierentwintig"
        return r"\s+".join(parts).replace(thousand, thousand + r"\s*")

    days: _Numbers = []
    years: _Numbers = []
    for lang, rule in rules.items():
        for number in range(1, 32):
            days += [(re.compile(pattern(num2words(number, lang=lang, to=form), rule), re.I),
                      number) for form in rule["days"]]
        for number in range(2015, 2036):
            words = num2words(number, lang=lang, to=rule["years"])
            years.append((re.compile(pattern(words, rule), re.I), number))

    def alternation(table: _Numbers) -> str:
        return "|".join(sorted((p.pattern for p, _ in table), key=len, reverse=True))

    return days, alternation(days), years, alternation(years)


_OTHER_MONTHS, _OTHER_LEADS = _localised()
_DAY_WORDS, _DAY_WORD, _YEAR_WORDS, _YEAR_WORD = _number_words()
_MONTHS.update(_OTHER_MONTHS)
_MONTH = r"(?P<month>" + "|".join(
    re.escape(m) for m in sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?P<year>(?:19|20)\d{2})(?![\d/\-])"
# a day: "3rd", "3." (German), "1er", "1 de febrero", "1st of"
_DAY = r"(?:(?P<day>\d{1,2})(?:st|nd|rd|th|er|e|º|°|\.)?\s+(?:de\s+|of\s+)?)?"
_LEAD = (r"(?P<lead>" + "|".join(re.escape(w) for w in sorted(
    ["before", "until", "till", "prior to", "up to", "after", "since", "from", "starting",
     "as of", "as at", *_OTHER_LEADS], key=len, reverse=True)) + r")?\s*")

# A day in words just before a month ("am zehnten Dezember"), sought only there, with the
# word before it ("vor dem ersten Februar 2025": before 1 February).
_DAY_IN_WORDS = re.compile(r"(?<!\w)" + _LEAD + r"(?<!\w)(?P<dayword>" + _DAY_WORD + r")\s+$",
                           re.IGNORECASE)
_A_YEAR = re.compile(r"(?:19|20)\d{2}")
_ISO = re.compile(r"(?<![\d/])(?P<year>(?:19|20)\d{2})-(?P<month>\d{1,2})-(?P<day>\d{1,2})(?!\d)")
_MONTH_YEAR = re.compile(r"\b" + _LEAD + _DAY + r"\b" + _MONTH + r",?\s+(?:de\s+|del\s+)?"
                         + r"(?:" + _YEAR + r"|(?P<yearword>" + _YEAR_WORD + r")(?!\w))",
                         re.IGNORECASE)
_A_YEAR_WORD = re.compile(r"(?<!\w)(?:" + _YEAR_WORD + r")(?!\w)", re.IGNORECASE)
_DAY_AFTER = re.compile(r"\b" + _LEAD + r"\b" + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+"
                        + _YEAR, re.IGNORECASE)
_YEAR_ONLY = re.compile(r"\b" + _LEAD + r"(?:(?:in|during|back in|for|early|late|mid)\s+)*"
                        + r"(?<![\d/\-])" + _YEAR, re.IGNORECASE)
# References to a policy's version are not dates of use: "the May 2024 change", "2024/1689".
_REFERENCE = re.compile(r"^\s*(?:change|update|updates|version|revision|rules?|code|amendment|"
                        r"policy|wording|text|clause|edition)\b", re.IGNORECASE)
_BEFORE_REFERENCE = re.compile(r"\b(?:the|its|their|this|that)\s+$", re.IGNORECASE)
# A date that says when a policy changed is not the date of use: "changed the rules in May
# 2024", "since the update in May 2024", "introduced in 2024".
_CHANGED_AT = re.compile(
    r"\b(?:chang\w*|updat\w*|introduc\w*|amend\w*|revis\w*|rewr\w*|added|add|announc\w*|"
    r"publish\w*|tighten\w*|loosen\w*|relax\w*|modif\w*|adopt\w*|came\s+into\s+force|"
    r"took\s+effect|rolled\s+out|new\s+rules?|new\s+(?:version|wording|clause)|"
    r"appl(?:ies|ied)|kick(?:s|ed)\s+in|takes\s+effect|(?:enter\w*|came)\s+into\s+"
    r"(?:force|effect|application)|bec(?:a|o)me\s+applicable)\b"
    r"(?:\s+[\w'’]+){0,4}?\s*(?:in|on|from|back\s+in|around|during)?\s*$", re.IGNORECASE)
# The question asks about the present: a "since <date>" only says when something started.
_NOW = re.compile(r"\b(?:now|today|currently|current|these\s+days|nowadays|at\s+present|"
                  r"at\s+the\s+moment|any\s*more|still)\b", re.IGNORECASE)


def _day_names() -> frozenset[str]:
    from babel import Locale

    return frozenset(name.lower() for lang in ("en", "de", "fr", "es", "it", "nl", "pl")
                     for context in ("format", "stand-alone")
                     for name in Locale.parse(lang).days[context]["wide"].values())


_DAY_NAMES = _day_names()


def calendar_word(word: str) -> bool:
    """True for a month's or a weekday's name in a supported language ("in March", "am
    Montag"): a date, not a place."""
    key = word.lower().rstrip(".")
    return key in _MONTHS or key in _DAY_NAMES


def find_date(text: str) -> tuple[dt.date, str] | None:
    """The first date of use in ``text`` and the words that set it, or None."""
    windows = _windows(text)
    if not windows:
        return None  # every date read here names its year
    found: list[tuple[int, int, dt.date, str]] = []
    taken: list[tuple[int, int]] = []  # spans already read, as a date or as a reference
    for pattern in (_ISO, _DAY_AFTER, _MONTH_YEAR, _YEAR_ONLY):
        for match in (m for lo, hi in windows for m in pattern.finditer(text, lo, hi)):
            start, end = match.span()
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            taken.append((start, end))
            if _is_reference(text, match):
                continue
            before = _day_in_words(text, match) if pattern is _MONTH_YEAR else None
            day = _to_date(match, before and _number(before.group("dayword"), _DAY_WORDS),
                           before and before.group("lead"))
            if before is not None:
                start = before.start()
            if day is not None:
                found.append((start, end, day, text[start:end].strip()))
    if not found:
        return None
    _, _, day, words = min(found, key=lambda item: item[0])
    return day, words


_REACH = 80  # characters a date's words may stand before its year ("before the 1st of ...")


def _windows(text: str) -> list[tuple[int, int]]:
    """The stretches of text around each year (in digits or words), merged: a date read
    here ends at its year (an ISO date just after it), so only these are scanned."""
    spans = sorted((max(0, m.start() - _REACH), min(len(text), m.end() + 8))
                   for pattern in (_A_YEAR, _A_YEAR_WORD) for m in pattern.finditer(text))
    merged: list[tuple[int, int]] = []
    for lo, hi in spans:
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def _is_reference(text: str, match: re.Match[str]) -> bool:
    after = text[match.end():match.end() + 20]
    whole = match.group(0)
    start = match.start() + len(whole) - len(whole.lstrip())
    before = text[max(0, start - 12):start]
    lead = (match.groupdict().get("lead") or "").lower()
    lead = _OTHER_LEADS.get(lead, lead)
    if not lead and _BEFORE_REFERENCE.search(before) and _REFERENCE.match(after):
        return True
    if _CHANGED_AT.search(text[max(0, start - 60):start]):
        return True
    rest = text[:match.start()] + " " + text[match.end():]
    if lead == "since" and _RULE_STATE.search(_sentence(text, match.start(), match.end())):
        return True  # "verboten seit Februar 2025": since when the rule holds
    return lead in ("since", "after", "from", "starting") and bool(_NOW.search(rest))


def _words(key: str) -> re.Pattern[str]:
    """Any of the words listed under ``key`` in vocab/dates.yaml, longest first."""
    from pathlib import Path

    from advisor.facts.datafile import read_yaml

    words = read_yaml(Path(__file__).parent / "vocab" / "dates.yaml")[key]
    return re.compile(r"(?<!\w)(?:" + "|".join(
        re.escape(str(w)) for w in sorted(words, key=len, reverse=True)) + r")(?!\w)",
        re.IGNORECASE)


#: "verboten seit", "banned since": a rule's state, not the date of use.
_RULE_STATE = _words("rule_state")
#: "today", "heute": the present, for a follow-up that moves an earlier date.
_PRESENT = _words("present")


def says_present(text: str) -> str | None:
    """The words that put the use in the present ("the same campaign today"), or None: in a
    later turn they move the date an earlier turn set to today."""
    match = _PRESENT.search(text)
    return match.group(0) if match else None


_STATE_REACH = 60  # characters either side of a date in which a rule's state is read
_SENTENCE_STOP = re.compile(r"[.;!?]")


def _sentence(text: str, start: int, end: int) -> str:
    """The words around a date within its sentence (up to _STATE_REACH characters each side)."""
    before = text[max(0, start - _STATE_REACH):start]
    after = text[end:end + _STATE_REACH]
    stops = list(_SENTENCE_STOP.finditer(before))
    if stops:
        before = before[stops[-1].end():]
    stop = _SENTENCE_STOP.search(after)
    return before + " " + (after[:stop.start()] if stop else after)


def _day_in_words(text: str, match: re.Match[str]) -> re.Match[str] | None:
    """The day written in words right before a month with no day of its own, if any."""
    if match.group("day") or match.group("lead"):
        return None
    return _DAY_IN_WORDS.search(text, max(0, match.start("month") - 40), match.start("month"))


def _to_date(match: re.Match[str], day_number: int | None = None,
             lead_word: str | None = None) -> dt.date | None:
    groups = match.groupdict()
    try:
        year = int(groups["year"]) if groups.get("year") else _number(groups["yearword"],
                                                                     _YEAR_WORDS)
        raw_month = groups.get("month")
        if raw_month is None:
            month = None
        elif raw_month.isdigit():
            month = int(raw_month)
        else:
            month = _MONTHS[raw_month.lower().rstrip(".")]
        day = int(groups["day"]) if groups.get("day") else day_number
        lead = (lead_word or groups.get("lead") or "").lower()
        lead = _OTHER_LEADS.get(lead, lead)
        if month is None:
            start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        elif day is None:
            start = dt.date(year, month, 1)
            end = dt.date(year, month, calendar.monthrange(year, month)[1])
        else:
            start = end = dt.date(year, month, day)
    except (ValueError, KeyError, OverflowError):
        return None
    if lead in ("before", "until", "till", "prior to", "up to"):
        return start - dt.timedelta(days=1) if lead in ("before", "prior to") else end
    if lead == "after":
        return end + dt.timedelta(days=1)
    if lead in ("since", "from", "starting", "as of", "as at"):
        return start
    # "in March 2025", "December 2024", "2023": the end of the period, so a month that
    # contains a policy's start date counts as after it.
    return end


def _number(words: str, table: list[tuple[re.Pattern[str], int]]) -> int:
    """The number a day or year written in words stands for."""
    return next(number for pattern, number in table if pattern.fullmatch(words))


#: A stretch of time and its direction: (count, unit, words), count negative for earlier.
Shift = tuple[int, str, str]


class _ShiftTable(NamedTuple):
    """One language's table of vocab/dates.yaml ``shift``."""
    stretch: re.Pattern[str]  # "<count> <unit> <later|earlier>"
    fixed: re.Pattern[str]  # "the next day", "am Vortag"
    counts: dict[str, int]
    alone: frozenset[str]
    units: dict[str, str]
    sides: dict[str, int]
    days: dict[str, int]
    rest: frozenset[str]
    #: the most words (_TURN_WORDS) a match of ``stretch`` or of ``fixed`` holds: a turn with
    #: more words outside ``rest`` than this is more than a shift, whatever matches in it
    most: int


def _shift_tables() -> list[_ShiftTable]:
    """The tables of vocab/dates.yaml ``shift``, one per language: count, unit and side come
    from the same language (English "an" is a count, French "an" a year); count words from
    the table and num2words (2-12) of that language."""
    from pathlib import Path

    from num2words import num2words

    from advisor.facts.datafile import read_yaml

    spec = read_yaml(Path(__file__).parent / "vocab" / "dates.yaml")["shift"]

    def alternation(words: dict[str, int] | dict[str, str]) -> str:
        return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))

    tables = []
    for lang, table in spec.items():
        counts = {str(w).lower(): 1 for w in table["one"]}
        for number in range(2, 13):
            counts.setdefault(num2words(number, lang=lang).lower(), number)
        units = {str(w).lower(): str(unit) for unit, words in table["units"].items()
                 for w in words}
        sides = {str(w).lower(): 1 for w in table["later"]}
        sides.update({str(w).lower(): -1 for w in table["earlier"]})
        days = {str(w).lower(): 1 for w in table["next_day"]}
        days.update({str(w).lower(): -1 for w in table["day_before"]})
        stretch = re.compile(
            r"(?<!\w)(?:(?P<count>\d{1,3}|" + alternation(counts) + r")\s+)?(?P<unit>"
            + alternation(units) + r")\s+(?P<side>" + alternation(sides) + r")(?!\w)",
            re.IGNORECASE)
        fixed = re.compile(r"(?<!\w)(?:" + alternation(days) + r")(?!\w)", re.IGNORECASE)
        def words(keys: Iterable[str]) -> int:
            return max((len(_TURN_WORDS.findall(k)) for k in keys), default=0)

        most = max(words(counts) + words(units) + words(sides), words(days))
        tables.append(_ShiftTable(
            stretch, fixed, counts, frozenset(str(w).lower() for w in table["alone"]), units,
            sides, days, frozenset(str(w).lower() for w in table["rest"]), most))
    return tables


_TURN_WORDS = re.compile(r"[^\W\d_]+", re.UNICODE)
_SHIFT_TABLES = _shift_tables()


def _little_more(text: str, match: re.Match[str], table: _ShiftTable) -> bool:
    """Whether the turn is little more than the shift: every other word of it is a word of
    the table's ``rest`` (connectives, pronouns, the use itself). "And with an earlier version
    of the software?", "if the contract was signed a year before" attach the stretch to another
    event; the use's date is not moved."""
    others = text[:match.start()] + " " + text[match.end():]
    return all(word.lower() in table.rest for word in _TURN_WORDS.findall(others))


def find_shift(text: str) -> Shift | None:
    """A stretch of time a later turn moves the use by ("Und genau einen Tag später?", "and
    a week earlier?", "am nächsten Tag?"), or None. Read only for a turn that names no date
    of its own and is little more than the shift; the earlier turn's date is then moved by
    it (resolve). A unit with no count ("years before") is unread, unless it is one of the
    language's units that stand for one alone (Polish "rok wcześniej")."""
    # (a turn is little more than a shift only when at most the shift's own words are
    # outside the table's ``rest``: a longer turn is not scanned; nothing it holds is read)
    typed = [word.lower() for word in _TURN_WORDS.findall(text)]
    for table in _SHIFT_TABLES:
        if sum(word not in table.rest for word in typed) > table.most:
            continue
        for match in table.stretch.finditer(text):
            raw = (match.group("count") or "").lower()
            unit = match.group("unit").lower()
            if raw.isdigit():
                count = int(raw)
            elif raw:
                count = table.counts[raw]
            elif unit in table.alone:
                count = 1
            else:
                continue
            if not _little_more(text, match, table):
                continue
            sign = table.sides[match.group("side").lower()]
            return sign * count, table.units[unit], match.group(0).strip()
        for fixed in table.fixed.finditer(text):
            if _little_more(text, fixed, table):
                return table.days[fixed.group(0).lower()], "day", fixed.group(0).strip()
    return None


def shifted(day: dt.date, shift: Shift) -> dt.date:
    """``day`` moved by a stretch of time (a month or a year keeps the day of the month where
    it exists, else the month's last day)."""
    count, unit, _ = shift
    if unit in ("day", "week"):
        return day + dt.timedelta(days=count * (7 if unit == "week" else 1))
    months = day.month - 1 + count * (12 if unit == "year" else 1)
    year, month = day.year + months // 12, months % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
