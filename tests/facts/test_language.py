"""Language detection: the seven supported languages, unsupported ones named, English kept."""

from __future__ import annotations

import pytest

from advisor.facts.language import detect


@pytest.mark.parametrize(("text", "code"), [
    ("Write a short poem about the sea.", "en"),
    ("How many servers does Azure run in Europe?", "en"),
    ("Darf ein Supermarkt in Köln Kunden an der Kasse per Kamera wiedererkennen?", "de"),
    ("Une école peut-elle mesurer l'attention des élèves avec une caméra ?", "fr"),
    ("¿Puede un banco en Bilbao verificar a sus clientes con un selfie?", "es"),
    ("Un comune può usare le telecamere per contare i turisti in piazza?", "it"),
    ("Mag een supermarkt in Utrecht klanten herkennen met camera's bij de kassa?", "nl"),
    ("Czy sklep w Łodzi może rozpoznawać klientów przy kasie?", "pl"),
])
def test_supported_languages(text: str, code: str) -> None:
    found = detect(text)
    assert found.code == code and found.supported


def test_unsupported_language_is_named_with_the_nearest_supported_one() -> None:
    found = detect("Pode uma loja em Braga reconhecer clientes com câmaras à entrada?")
    assert not found.supported and found.name == "Portuguese"
    assert found.nearest in ("es", "it", "fr")


def test_short_text_reads_as_english() -> None:
    assert detect("und?").code == "en"
