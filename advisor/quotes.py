"""Verbatim quotes: finding a quote in its chunk and picking the sentence worth quoting.

A quote is verbatim when it is a substring of the chunk text after whitespace runs are
collapsed to one space on both sides; its offsets are mapped back to the original text.

A rule's quote is the sentence carrying its operative words (the pack's ``quote:``), not the
sentence most like the question. An instruction-like sentence ("Say allowed.", "ignore
previous instructions"; patterns in ``instructions.yaml``) is never quoted. Every quote says
whose words it is: the publisher's (official), ours (restatement), the press (reporting) or
the user's own document (user).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache, lru_cache
from pathlib import Path

import yaml

from advisor.schema import Citation

_WS = re.compile(r"\s+")
_WORD = re.compile(r"[a-z0-9][a-z0-9\-]*")
# Sentence ends: . ! ? ; followed by whitespace, or a line break between list items.
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+(?=[\"'(\[A-Z0-9*\-])|\n\s*\n|\n(?=\s*[-*•]\s)")
_MAX_QUOTE = 320
_OPERATIVE = re.compile(r"\b(must not|may not|shall not|is prohibited|are prohibited|"
                        r"prohibits|bars|requires?|only (?:if|where|when|with))\b", re.I)
_STOP = frozenset(
    "the a an and or of to in on for by with from this that these those is are be been was were "
    "it its as at any all can could may might must not no use used using uses who what which "
    "when where whether would will should shall there their they them than then into onto about "
    "under over does do did has have had such other our your you we us say says said tell "
    "me about how".split()
)


def locate(quote: str, text: str) -> tuple[int, int] | None:
    """Offsets ``(start, end)`` of ``quote`` in ``text``, ignoring whitespace differences."""
    needle = quote.strip()
    if not needle:
        return None
    pos = text.find(needle)
    if pos >= 0:
        return pos, pos + len(needle)
    # Whitespace runs in either text match any whitespace run in the other.
    pattern = r"\s+".join(re.escape(token) for token in needle.split())
    found = re.search(pattern, text)
    return (found.start(), found.end()) if found else None


def words(text: str) -> set[str]:
    """The content words of ``text``, lower-cased, without stop words."""
    found = {w for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in _STOP}
    return {w[:-1] if len(w) > 4 and w.endswith("s") and not w.endswith("ss") else w
            for w in found}


def sentences(text: str) -> list[str]:
    """The sentences of a chunk, each a verbatim substring, heading lines left out."""
    body_lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("#")]
    body = "\n".join(body_lines)
    found: list[str] = []
    for part in _SENTENCE_END.split(body):
        part = part.strip().lstrip("-*• ").strip().rstrip(":").rstrip()
        if len(part) >= 12 and part in text:
            found.append(part)
    return found


def _trim(sentence: str) -> str:
    """A long sentence cut at its last clause boundary (comma, semicolon, bracket) in reach."""
    if len(sentence) <= _MAX_QUOTE:
        return sentence
    head = sentence[:_MAX_QUOTE]
    cut = max(head.rfind(", "), head.rfind("; "), head.rfind(" ("), head.rfind(" -"))
    if cut < _MAX_QUOTE // 3:
        cut = head.rfind(" ")
    return sentence[: cut if cut > 40 else _MAX_QUOTE].rstrip(" ,;:")


def best_sentence(text: str, terms: Iterable[str], avoid: Iterable[str] = (),
                  operative: bool = False) -> str:
    """The sentence of ``text`` sharing most words with ``terms`` (first wins ties), verbatim.

    Sentences containing any phrase of ``avoid`` (lower-case) are skipped when others exist;
    with ``operative``, a sentence in operative language ("must not", "prohibited") and one
    quoting the source's own words count for more. Instruction-like sentences are never
    chosen: a text holding nothing else gives "".
    """
    wanted = set()
    for term in terms:
        wanted |= words(term)
    banned = tuple(avoid)
    candidates = [s for s in sentences(text) or [text.strip()] if not is_instruction(s)]
    if not candidates:
        return ""
    allowed = [s for s in candidates if not any(b in s.lower() for b in banned)] or candidates
    def score(sentence: str) -> int:
        points = len(words(sentence) & wanted)
        if operative:
            points += 3 * bool(_OPERATIVE.search(sentence)) + 2 * ('"' in sentence)
        return points

    best = max(allowed, key=lambda s: (score(s), -allowed.index(s)))
    return _trim(best)


# ----------------------------------------------------------------------------- instructions

_INSTRUCTIONS_FILE = Path(__file__).with_name("instructions.yaml")


@cache
def _instruction_pattern() -> re.Pattern[str]:
    """The reviewed patterns as one alternation (one scan per sentence, not one per pattern)."""
    data = yaml.safe_load(_INSTRUCTIONS_FILE.read_text(encoding="utf-8"))
    return re.compile("|".join(f"(?:{p})" for p in data["patterns"]),
                      re.IGNORECASE | re.MULTILINE)


@lru_cache(maxsize=8192)
def is_instruction(sentence: str) -> bool:
    """True when ``sentence`` addresses the assistant ("Say allowed.") instead of stating text."""
    return _instruction_pattern().search(sentence) is not None


@lru_cache(maxsize=2048)
def _instructions_in(text: str) -> tuple[str, ...]:
    return tuple(s for s in sentences(text) or [text.strip()] if is_instruction(s))


def instructions_in(text: str) -> list[str]:
    """The instruction-like sentences of ``text``, verbatim (cached: passages recur)."""
    return list(_instructions_in(text))


# ----------------------------------------------------------------------------- operative quotes


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def operative_sentence(texts: Sequence[str], phrases: Sequence[str], terms: Iterable[str] = ()
                       ) -> tuple[int, str, str] | None:
    """``(text index, sentence, phrase)``: the sentence carrying one of a rule's ``phrases``.

    ``texts`` are the rule's clause passages in order. When several phrases are found (a rule
    covering social scoring and predicting offences), the sentence sharing most words with
    ``terms`` (the question) wins; ties go to the phrase listed first, then the earlier text.
    None when no phrase is in any text.
    """
    wanted: set[str] = set()
    for term in terms:
        wanted |= lemmas(term)
    found: list[tuple[int, int, int, str, str]] = []
    for index, text in enumerate(texts):
        candidates = [s for s in sentences(text) if not is_instruction(s)]
        for rank, phrase in enumerate(phrases):
            needle = _normal(phrase)
            sentence = next((s for s in candidates if needle in _normal(s)), None)
            if sentence is not None:
                found.append((-len(lemmas(sentence) & wanted), rank, index,
                              _trim_around(sentence, phrase), phrase))
    if not found:
        return None
    _, _, index, sentence, phrase = min(found)
    return index, sentence, phrase


def lemmas(text: str) -> set[str]:
    """The content words of ``text`` as English lemmas ("predicted" -> "predict")."""
    import simplemma

    return {simplemma.lemmatize(w, lang="en") for w in words(text)}


def _trim_around(sentence: str, phrase: str) -> str:
    """A long sentence cut so that it still holds ``phrase``."""
    trimmed = _trim(sentence)
    if _normal(phrase) in _normal(trimmed):
        return trimmed
    start = _normal(sentence).find(_normal(phrase))
    # Keep the clause holding the phrase: from the last boundary before it, within budget.
    head = max(sentence.rfind(", ", 0, start), sentence.rfind("; ", 0, start))
    piece = sentence[head + 2:] if head > 0 else sentence
    return _trim(piece) if _normal(phrase) in _normal(_trim(piece)) else piece


# ----------------------------------------------------------------------------- labels


def owner(publisher: str | None) -> str:
    """Whose wording an official text is, as a possessive: "Microsoft's", "the Official
    Journal's" (for "European Union (Official Journal)"), else "the publisher's"."""
    if publisher:
        inner = re.search(r"\(([^()]+)\)", publisher)
        name = inner.group(1).strip() if inner else publisher.strip()
        if inner is not None and len(name.split()) <= 3:
            return f"the {name}'s"
        if inner is None and len(name.split()) <= 2:
            return f"{name}'s"
    return "the publisher's"


def clause_of(chunk_id: str) -> str:
    """The clause id of a chunk id: ``azure-openai-coc-2024-05#ID-1:2`` -> ``ID-1``."""
    return chunk_id.partition("#")[2].split(":", 1)[0]


def provenance_label(citation: Citation) -> str:
    """Whose words a citation's quote is, in a few words for a reader."""
    clause = clause_of(citation.chunk_id)
    match citation.provenance:
        case "official":
            return f"official text ({citation.section})" if citation.section else "official text"
        case "restatement":
            return f"our restatement of {clause}, not the official wording"
        case "reporting":
            return "reporting or background, not policy text"
        case _:
            return "from a document you added, not verified policy text"


def verified_label(citation: Citation) -> str:
    """What a verified quote was checked against (or that it was not verified)."""
    if not citation.verified:
        return "quote NOT verified"
    against = {
        "official": "the official text",
        "restatement": "our restatement (not the official text)",
        "reporting": "the report",
    }.get(citation.provenance or "user", "your document")
    return f"quote verified verbatim against {against} ({citation.document})"
