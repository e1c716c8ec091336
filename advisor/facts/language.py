"""Step 1 of the reader: which language a question is written in (lingua, offline).

Only the languages the reader has vocabulary for are told apart, plus a few neighbours so a
question in another language is noticed (and answered with a notice) instead of being read
as the nearest supported one without saying so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from advisor.facts.datafile import read_yaml

if TYPE_CHECKING:
    from lingua import LanguageDetector

__all__ = ["NAMES", "SUPPORTED", "Detected", "detect"]

#: ISO 639-1 codes the reader has vocabulary for.
SUPPORTED: tuple[str, ...] = ("en", "de", "fr", "es", "it", "nl", "pl")
NAMES = {"en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian",
         "nl": "Dutch", "pl": "Polish"}
#: Languages told apart only to say "not supported" (neighbours of the supported ones).
_FALLBACK: tuple[str, ...] = ("pt", "sv", "da", "cs", "ro", "ca", "hu", "fi", "tr")
#: Below this many letters a guess is not worth making: short follow-ups ("and in the EU?").
_MIN_LETTERS = 12
_MIN_CONFIDENCE = 0.5
_SAMPLE = 160  # characters read to tell the language: enough, and detection stays cheap


@dataclass(frozen=True)
class Detected:
    """The language a text reads as: ``code`` (ISO 639-1), its English name, and support."""

    code: str
    name: str
    supported: bool
    confidence: float
    nearest: str | None = None  # the closest supported language, for an unsupported one


ENGLISH = Detected("en", "English", True, 1.0)


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))
                 for code in SUPPORTED + _FALLBACK]
    # Low-accuracy mode uses trigrams only: a fraction of the load time, and questions are
    # long enough for it.
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()


@lru_cache(maxsize=1)
def _function_words() -> Mapping[str, frozenset[str]]:
    path = Path(__file__).parent / "vocab" / "function_words.yaml"
    data: dict[str, list[str]] = read_yaml(path)
    return {lang: frozenset(str(w) for w in words) for lang, words in data.items()}


def _reads_as_english(text: str) -> bool:
    words = re.findall(r"[^\W\d_]+", text[:_SAMPLE].lower())
    counts = {lang: sum(w in vocab for w in words) for lang, vocab in _function_words().items()}
    english = counts.pop("en", 0)
    return english >= 2 and english > max(counts.values(), default=0)


#: Function words of another supported language that outweigh a trigram "English": product
#: and brand names ("Rekognition", "Amazon", "VIP", "hotel") tip the detector towards English
#: in a question whose own grammar words are all Spanish or French.
_OWN_GRAMMAR = 3


def _grammar_language(text: str) -> str | None:
    """The supported language whose function words the text is made of, when English has
    fewer than two of them and one other language has at least ``_OWN_GRAMMAR``, more than
    any other."""
    words = re.findall(r"[^\W\d_]+", text[:_SAMPLE].lower())
    counts = {lang: sum(w in vocab for w in words) for lang, vocab in _function_words().items()}
    if counts.pop("en", 0) >= 2 or not counts:
        return None
    ranked = sorted(counts.items(), key=lambda item: -item[1])
    top, n = ranked[0]
    if n < _OWN_GRAMMAR or (len(ranked) > 1 and ranked[1][1] == n):
        return None
    return top


def detect(text: str) -> Detected:
    """The language ``text`` reads as; English when it is too short or unclear to tell."""
    if sum(ch.isalpha() for ch in text) < _MIN_LETTERS or _reads_as_english(text):
        return ENGLISH
    values = _detector().compute_language_confidence_values(text[:_SAMPLE])
    if not values:
        return ENGLISH
    best = values[0]
    code = best.language.iso_code_639_1.name.lower()
    if code == "en" and (own := _grammar_language(text)) is not None:
        best = next((v for v in values if v.language.iso_code_639_1.name.lower() == own), best)
        code = best.language.iso_code_639_1.name.lower()
        if code == own:
            return Detected(code, best.language.name.title(), True, best.value, code)
    if best.value < _MIN_CONFIDENCE and code != "en":
        return ENGLISH
    nearest = next((v.language.iso_code_639_1.name.lower() for v in values
                    if v.language.iso_code_639_1.name.lower() in SUPPORTED), None)
    return Detected(code, best.language.name.title(), code in SUPPORTED, best.value, nearest)
