"""The stored GeoNames and pycountry tables (vocab/forms/places.json) are current, equal to
what the functions compute, and a stale one is never used."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from advisor.facts import places, stored


@pytest.fixture(scope="module")
def computed() -> dict[str, dict[str, Any]]:
    return stored.computed()


def _specs() -> list[str]:
    return sorted(stored._SPECS)


def test_every_place_table_is_stored() -> None:
    assert set(_specs()) == {"subdivisions", "world_cities", "town_countries", "town_names",
                             "small_towns", "word_towns", "subdivision_names", "town_words",
                             "territories", "region_owners", "short_towns", "home_towns",
                             "small_word_towns", "lower_towns", "us_counties",
                             "municipal_word_towns", "town_spellings", "place_countries"}


@pytest.mark.parametrize("name", _specs())
def test_stored_table_is_current(name: str) -> None:
    assert stored._stored_key(name) == stored.key(name), (
        f"the code, data or libraries of the stored table {name!r} changed since it was"
        " built: run 'python -m advisor.facts.forms'")


@pytest.mark.parametrize("name", _specs())
def test_stored_table_equals_computed(name: str, computed: dict[str, dict[str, Any]]) -> None:
    spec = stored._SPECS[name]
    assert stored._stored()[name] == computed[name]
    # read back, a stored table is the very value the function computes (types and order)
    function = getattr(places, spec.func.__name__)
    for kwargs in spec.calls:
        with stored.computing():
            expected = function(**kwargs)
        function.cache_clear()
        got = function(**kwargs)
        assert got == expected
        assert type(got) is type(expected)
        if isinstance(got, dict):
            assert list(got) == list(expected)
            assert all(type(got[k]) is type(expected[k]) for k in got)
    function.cache_clear()


@pytest.fixture
def stale(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    good = stored._file()
    bad = {"keys": {**good["keys"], "subdivisions": "0" * 16},
           "tables": {**good["tables"], "subdivisions": {'{}': "XX\tnowhere"}}}
    monkeypatch.setattr(stored, "_file", lambda: bad)
    places._subdivisions.cache_clear()
    yield
    places._subdivisions.cache_clear()


def test_stale_table_is_computed(stale: None) -> None:
    got = places._subdivisions()
    assert "XX" not in got
    with stored.computing():
        assert got == places._subdivisions()


def test_codecs_round_trip() -> None:
    rows = (("łódź", ("PL", 0, "big")), ("halle (saale)", ("DE", 1, "")))
    assert stored.ROWS[1](stored.ROWS[0](rows)) == rows
    sets = {"paris": {"FR", "US"}, "nice": {"FR"}}
    assert stored.SETS[1](stored.SETS[0](sets)) == sets
    tuples = {"PL": ("mazowieckie", "śląskie"), "AD": ()}
    assert stored.TUPLES[1](stored.TUPLES[0](tuples)) == tuples
    with pytest.raises(ValueError):
        stored.ROWS[0]((("a\tb", ("PL", 0, "")),))
