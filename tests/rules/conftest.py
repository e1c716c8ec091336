"""Fixtures for the rule tests: the shipped packs, loaded once."""

from __future__ import annotations

import datetime as dt

import pytest

from advisor.config import SHIPPED_CORPUS
from advisor.rules import Pack, load_packs

TODAY = dt.date(2026, 11, 26)


@pytest.fixture(scope="session")
def packs() -> list[Pack]:
    return load_packs(SHIPPED_CORPUS)
