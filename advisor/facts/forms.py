"""Build step: the inflected forms of the vocabulary's words, from simplemma's dictionaries.

    python -m advisor.facts.forms            # rewrites advisor/facts/vocab/forms/<lang>.json,
                                             # the patterns' gates, forms/gates.json, and
                                             # the GeoNames tables, forms/places.json

simplemma maps a word form to its lemma; loading a language's dictionary takes seconds
(Polish: about 7 s), too slow for a first answer. So the reverse is computed here, once,
for the words the vocabulary files and babel's place names use: every form whose lemma is
the lemma of a vocabulary word. The reader then matches those forms without loading
simplemma at all. Rerun after editing a vocabulary file (tests/facts/test_forms.py fails
until you do).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from typing import Any

from advisor.facts.datafile import read_yaml
from advisor.facts.language import SUPPORTED
from advisor.facts.places import declined_names, islands, place_names
from advisor.facts.vocab import VOCAB_DIR

__all__ = ["main", "vocabulary_words"]

_MAX_FORMS = 150  # a word with more forms than this is a clash of lemmas, not inflection


def _words(spec: Any) -> Iterable[str]:
    if isinstance(spec, dict):
        for phrase in spec.get("words", ()):
            yield from str(phrase).split()
    elif isinstance(spec, list):
        for item in spec:
            yield from _words(item)


def vocabulary_words(lang: str) -> set[str]:
    """The plain words (no ``*`` stems) of a language's vocabulary and place names, and the
    towns and cities a declining language's file declines ("w Wiedniu": Wiedeń)."""
    return _plain_words(lang) | _declined_towns(lang)


def _declined_towns(lang: str) -> set[str]:
    """The one-word towns and cities a declining language's file declines ("Wiedeń")."""
    if not (read_yaml(VOCAB_DIR / "places" / f"{lang}.yaml") or {}).get("declension"):
        return set()
    return {name for name in declined_names(lang) if re.fullmatch(r"[^\W\d_]+", name)}


def _plain_words(lang: str) -> set[str]:
    """The vocabulary's words and place names without the declined towns."""
    data = read_yaml(VOCAB_DIR / f"{lang}.yaml") or {}
    words: set[str] = set()
    for section in ("facts", "cues", "masks"):
        for spec in (data.get(section) or {}).values():
            words.update(_words(spec))
    for spec in (data.get("scope") or {}).values():
        words.update(_words(spec))
    words.update(name for name in place_names(lang) if " " not in name)
    words.update(name for name in islands() if " " not in name)  # "na Krecie", "op Texel"
    return {w.lower() for w in words if "*" not in w and re.fullmatch(r"[\w'-]+", w)}


def _forms(lang: str, words: set[str]) -> dict[str, list[str]]:
    import simplemma
    from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory

    # A word may be a noun or a name when capitalised ("Polska" the country, "polska" the
    # adjective): the forms of both lemmas are kept.
    lemmas_of = {w: {simplemma.lemmatize(v, lang=lang).lower() for v in (w, w.capitalize())}
                 for w in words}
    # a declined town's name: only the forms of the name itself, when simplemma has it as a
    # name of its own ("Wiedeń": "Wiedniu"), never a word's it is a form of ("Lutych", Liège,
    # is a form of "luty", February; "radom" of "rada", a council)
    towns = _declined_towns(lang)
    for w in words & towns - _plain_words(lang):
        lemma = simplemma.lemmatize(w.capitalize(), lang=lang)
        lemmas_of[w] = {w} if lemma.lower() == w and lemma[:1].isupper() else set()
    found: dict[str, set[str]] = {lemma: {lemma} for ls in lemmas_of.values() for lemma in ls}
    dictionary = DefaultDictionaryFactory().get_dictionary(lang)
    for form, lemma in dictionary.items():
        key = str(lemma).lower()
        if key in found:
            found[key].add(str(form).lower())
    out: dict[str, list[str]] = {}
    _LAST_DICTIONARY.clear()
    _LAST_DICTIONARY.update(str(k).lower() for k in dictionary)
    _LAST_DICTIONARY.update(str(v).lower() for v in dictionary.values())
    for word, lemmas in sorted(lemmas_of.items()):
        forms: set[str] = set()
        for lemma in lemmas:
            if len(found[lemma]) <= _MAX_FORMS:  # more is a clash of lemmas, not inflection
                forms |= found[lemma]
        forms.discard(word)
        if forms:
            out[word] = sorted(forms)
    return out


_LAST_DICTIONARY: set[str] = set()  # every form and lemma of the last language built


def _clashes(words: set[str], forms: dict[str, list[str]]) -> list[str]:
    """The vocabulary's accented words and forms that, typed without their accents, are
    other words of the language ("pisté" -> "piste", "nombré" -> "nombre"): such a word
    typed without accents is read as written, not as the vocabulary's word."""
    from advisor.facts.vocab import unmarked

    every = set(words) | {f for fs in forms.values() for f in fs}
    return sorted({unmarked(w) for w in every
                   if not w.isascii() and unmarked(w) != w and unmarked(w) in _LAST_DICTIONARY})


def main(argv: list[str] | None = None) -> int:
    """Rewrite the forms files for the given languages (all supported but English)."""
    langs = argv if argv else [code for code in SUPPORTED if code != "en"]
    for lang in langs:
        words = vocabulary_words(lang)
        forms = _forms(lang, words)
        path = VOCAB_DIR / "forms" / f"{lang}.json"
        data = {"words": sorted(words), "forms": forms,  # "words": what it was built from
                "clashes": _clashes(words, forms)}
        path.write_text(json.dumps(data, ensure_ascii=False, indent=0, sort_keys=True) + "\n",
                        encoding="utf-8")
        print(f"{lang}: {len(forms)} words with forms -> {path}")
    write_gates()
    from advisor.facts import stored

    stored.write()  # the GeoNames and pycountry tables (see advisor.facts.stored)
    return 0


def write_gates() -> None:
    """Work out the gates of every supported language's patterns (as typed and without
    accents) and store them (see advisor.facts.gate), so a first question parses (almost) none."""
    from advisor.facts import gate, vocab

    with gate.recording() as table:
        for lang in SUPPORTED:
            for plain in (False, True):
                vocab.load.__wrapped__(lang, plain)
    data = {"code": gate.code_version(), "gates": {kind: dict(sorted(rows.items()))
                                                   for kind, rows in sorted(table.items())}}
    gate.GATES_FILE.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":"))
                               + "\n", encoding="utf-8")
    print(f"gates: {sum(map(len, table.values()))} patterns -> {gate.GATES_FILE}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
