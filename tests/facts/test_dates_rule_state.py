"""A "since <date>" said of a rule's state ("verboten seit Februar 2025") is not the date of use."""

from __future__ import annotations

import datetime as dt

import pytest

from advisor.facts.dates import find_date

RULE_STATE = [
    "Ich nehme an, dass Gesichtserkennung in Echtzeit durch die Polizei seit Februar 2025 in der"
    " EU ausnahmslos untersagt ist. Gilt das auch in Linz?",
    "Volgens mij is live gezichtsherkenning door de politie sinds februari 2025 helemaal"
    " verboden. Geldt dat ook in Brugge?",
    "Wydaje mi się, że od lutego 2025 identyfikacja twarzy na żywo przez policję jest zakazana."
    " Czy w Poznaniu też?",
    "My understanding is that live facial recognition by police has been prohibited in the EU"
    " since February 2025. Does that hold in Porto too?",
]

DATE_OF_USE = [
    ("Seit März 2025 gleicht die Stadt Gesichter am Bahnhof ab. Ist das zulässig?",
     dt.date(2025, 3, 1)),
    ("Vanaf juli 2025 wil de gemeente gezichten herkennen. Is dat verboden?", dt.date(2025, 7, 1)),
    ("Od stycznia 2024 sklep liczy klientów kamerą.", dt.date(2024, 1, 1)),
]


@pytest.mark.parametrize("text", RULE_STATE)
def test_since_said_of_the_rule_is_no_date_of_use(text: str) -> None:
    assert find_date(text) is None


@pytest.mark.parametrize(("text", "day"), DATE_OF_USE)
def test_since_said_of_the_use_is_its_date(text: str, day: dt.date) -> None:
    found = find_date(text)
    assert found is not None and found[0] == day
