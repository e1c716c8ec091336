"""The generated inflected forms match the vocabulary files they were built from."""

from __future__ import annotations

import json

import pytest

from advisor.facts.forms import vocabulary_words
from advisor.facts.language import SUPPORTED
from advisor.facts.vocab import VOCAB_DIR


@pytest.mark.parametrize("lang", [code for code in SUPPORTED if code != "en"])
def test_forms_are_current(lang: str) -> None:
    data = json.loads((VOCAB_DIR / "forms" / f"{lang}.json").read_text(encoding="utf-8"))
    assert set(data["words"]) == vocabulary_words(lang), (
        f"vocab/{lang}.yaml changed since its forms were built: run"
        f" 'python -m advisor.facts.forms {lang}'")
