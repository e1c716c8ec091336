"""Step 4 of the reader: which mentions describe the use being judged.

A mention is out of scope when it is
- negated: a negation word stands before it in the same clause, with only filler words
  between ("not police", "without identifying anyone", "kein Live-Abgleich"), or after it
  where the language puts negation there ("identifizieren ... nicht");
- the user's premise or own legal question: a clause that says what a policy bans or allows
  ("since Microsoft only banned US police, ...") or asks how to label the use just described
  ("... is that banned emotion recognition?"), or the words naming a rule the question leans
  on ("... given the police ban?");
- another party's: a place or body attached to a vendor, supplier or host ("a vendor in
  Ireland", "hosted in Sweden", "an Irish supplier"), or to the one asking, a unit of the
  user's own organisation ("our Singapore office asks whether ...": the office and its
  place are the asker's, not the use's).
The words for each test are per language in the vocabulary files (``scope``).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import replace

from advisor.facts.gate import word_heads
from advisor.facts.mentions import Mention, Scope
from advisor.facts.places import jurisdiction
from advisor.facts.vocab import Vocabulary

__all__ = ["SCOPED_CUES", "mark"]

#: Cues that describe the use and so can be negated or belong to someone else.
SCOPED_CUES = frozenset({"camera_or_face", "patrol", "custody", "mixed_place", "mixed_access",
                         "agency_word", "le_body",
                         "service_pronoun", "camera_words", "face_words", "biometric_any",
                         "purpose_block_id_target", "plates", "purpose_block_id",
                         "access_stated", "rates_people", "detriment", "face_entry",
                         # camera kinds inferred from structure (reading._infer_camera)
                         "camera_spot", "camera_noun", "camera_vehicle", "camera_terminal"})
_BOUNDARY = re.compile(r"[.,;:!?()\[\]\u2014\u2013¿¡]|\s-\s|\"")
#: A numbered provision ("5(1)(h)", "Art. 26(3)"): its brackets do not end a clause.
_PROVISION = re.compile(r"\d+(?:\(\w{1,3}\))+")
_WORD = re.compile(r"[\w'’-]+")
_MAX_GAP_WORDS = 4
#: "our vendor is a start-up based in Zurich": a party's place may sit further from the party
#: than a negated word from its negation, every word between being the party's own.
_MAX_PARTY_WORDS = 6


def _clauses(text: str, vocabularies: Sequence[Vocabulary]) -> list[tuple[int, int]]:
    cuts = {0, len(text)}
    provisions = [m.span() for m in _PROVISION.finditer(text)]
    for match in _BOUNDARY.finditer(text):
        if not any(a < match.start() < b for a, b in provisions):
            cuts.update((match.start(), match.end()))
    for vocab in vocabularies:
        for pattern in vocab.scope_patterns("clause_break"):
            for match in pattern.finditer(text):
                cuts.add(match.start())
    points = sorted(cuts)
    return [(a, b) for a, b in zip(points, points[1:], strict=False) if text[a:b].strip()]


def _clause_of(clauses: list[tuple[int, int]], start: int) -> int:
    for i, (a, b) in enumerate(clauses):
        if a <= start < b:
            return i
    return len(clauses) - 1


def _only_fillers(gap: str, fillers: Sequence[re.Pattern[str]],
                  most: int = _MAX_GAP_WORDS) -> bool:
    words = _WORD.findall(gap)
    if len(words) > most:
        return False
    return all(any(f.fullmatch(w) for f in fillers) for w in words)


class _Cues:
    """A text's scope cues of one kind, tried in a window only when some word there starts
    as one of them must (the kind's gate, see gate.prefixes)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._got: dict[tuple[int, str], tuple[Sequence[re.Pattern[str]],
                                               tuple[int, ...] | None]] = {}
        self._starts: dict[int, dict[str, list[int]]] = {}
        #: (before/after, vocabulary, kind, window, fillers, most) -> whether a cue stands
        #: there, and the fillers (kept, so their id stays theirs): mentions sharing a span
        #: ask the same (never changes what is read)
        self.seen: dict[tuple[bool, int, str, int, int, int, int],
                        tuple[bool, Sequence[re.Pattern[str]]]] = {}

    def get(self, vocab: Vocabulary, kind: str) -> tuple[Sequence[re.Pattern[str]],
                                                         tuple[int, ...] | None]:
        """The kind's patterns and where in the text a match of one may start (None: anywhere)."""
        key = (id(vocab), kind)
        got = self._got.get(key)
        if got is None:
            where: tuple[int, ...] | None = None
            if vocab.scope_gates.get(kind) is not None:
                where = tuple(self._kind_starts(vocab).get(kind, ()))
            got = self._got[key] = (vocab.scope_patterns(kind), where)
        return got

    def _kind_starts(self, vocab: Vocabulary) -> dict[str, list[int]]:
        """Gated kind -> the words one of whose prefixes its gate holds (where they start, in
        order): every kind of the vocabulary in one pass over the words."""
        starts = self._starts.get(id(vocab))
        if starts is None:
            starts = self._starts[id(vocab)] = {}
            opens = vocab.scope_opened
            if len(opens) >= _MAX_OPENS:
                opens.clear()
            for i, head in word_heads(self.text):
                kinds = opens.get(head)
                if kinds is None:
                    kinds = opens[head] = _kinds_opened(vocab, head)
                for kind in kinds:
                    starts.setdefault(kind, []).append(i)
        return starts

    def maybe(self, where: tuple[int, ...] | None, lo: int, hi: int) -> bool:
        """False when no cue can match in text[lo:hi]: no word there starts as one must, and
        the window does not open inside a word (where a cut word reads as a word start)."""
        if where is None or 0 < lo < len(self.text) and _word_char(self.text[lo - 1]) \
                and _word_char(self.text[lo]):
            return True
        i = bisect_left(where, lo)
        return i < len(where) and where[i] < hi


_MAX_OPENS = 50_000  # word starts remembered per vocabulary (Vocabulary.scope_opened)


def _kinds_opened(vocab: Vocabulary, head: str) -> tuple[str, ...]:
    return tuple(kind for kind, gate in vocab.scope_gates.items() if gate is not None
                 and any(head[:n] in gate for n in range(1, len(head) + 1)))


def _word_char(char: str) -> bool:
    """What ``\\w`` matches."""
    return char.isalnum() or char == "_"


def _cue_before(cues: _Cues, vocab: Vocabulary, kind: str, lo: int, mention: Mention,
                fillers: Sequence[re.Pattern[str]], most: int = _MAX_GAP_WORDS) -> bool:
    key = (True, id(vocab), kind, lo, mention.start, id(fillers), most)
    found = cues.seen.get(key)
    if found is None:
        found = cues.seen[key] = (_cue_in_before(cues, vocab, kind, lo, mention.start,
                                                 fillers, most), fillers)
    return found[0]


def _cue_in_before(cues: _Cues, vocab: Vocabulary, kind: str, lo: int, hi: int,
                   fillers: Sequence[re.Pattern[str]], most: int) -> bool:
    patterns, where = cues.get(vocab, kind)
    if not patterns or not cues.maybe(where, lo, hi):
        return False
    window = cues.text[lo:hi]
    for cue in patterns:
        for match in cue.finditer(window):
            if _only_fillers(window[match.end():], fillers, most):
                return True
    return False


def _cue_after(cues: _Cues, vocab: Vocabulary, kind: str, hi: int, mention: Mention,
               fillers: Sequence[re.Pattern[str]]) -> bool:
    key = (False, id(vocab), kind, mention.end, hi, id(fillers), _MAX_GAP_WORDS)
    found = cues.seen.get(key)
    if found is None:
        found = cues.seen[key] = (_cue_in_after(cues, vocab, kind, mention.end, hi, fillers),
                                  fillers)
    return found[0]


def _cue_in_after(cues: _Cues, vocab: Vocabulary, kind: str, lo: int, hi: int,
                  fillers: Sequence[re.Pattern[str]]) -> bool:
    patterns, where = cues.get(vocab, kind)
    if not patterns or not cues.maybe(where, lo, hi):
        return False
    window = cues.text[lo:hi]
    for cue in patterns:
        for match in cue.finditer(window):
            if _only_fillers(window[:match.start()], fillers):
                return True
    return False


def _premise_clauses(text: str, clauses: list[tuple[int, int]],
                     vocabularies: Sequence[Vocabulary], cues: _Cues) -> set[int]:
    out: set[int] = set()
    for i, (a, b) in enumerate(clauses):
        clause = text[a:b]
        question = text[b:b + 1] == "?"
        last = i == len(clauses) - 1
        for vocab in vocabularies:
            statements, where = cues.get(vocab, "premise_statement")
            if any(p.search(clause) for p in vocab.scope_patterns("premise")):
                out.add(i)
            elif not question and not last and statements and cues.maybe(where, a, b) and not any(
                    p.search(clause) for p in vocab.scope_patterns("question_opening")) and any(
                    p.search(clause) for p in statements):
                out.add(i)
            elif i > 0 and _label_question(text, clauses, i, vocab):
                out.add(i)
                # 'Is that "emotion recognition"?': the straight quote (a clause of its own)
                # cuts the question off the class the user asks about; they are one clause
                if _quoted_after(text, clauses, i):
                    out.update((i + 1, i + 2))
            elif i == 0 and _label_first(text, clause, b) and any(
                    p.search(clause) for p in vocab.scope_patterns("label_first")):
                out.add(i)
    return out


def _quoted_after(text: str, clauses: list[tuple[int, int]], i: int) -> bool:
    """Clause ``i`` ends at a straight double quote that opens the clause after it."""
    return text[clauses[i][1]:clauses[i][1] + 1] == '"' and i + 2 < len(clauses)


def _label_question(text: str, clauses: list[tuple[int, int]], i: int,
                    vocab: Vocabulary) -> bool:
    """Clause ``i`` asks how to class the use, read together with a class it quotes."""
    a, b = clauses[i]
    patterns = vocab.scope_patterns("label_question")
    if any(p.search(text[a:b]) for p in patterns):
        return True
    return _quoted_after(text, clauses, i) and any(
        p.search(text[a:clauses[i + 2][1]]) for p in patterns)


_LABEL_FIRST_WORDS = 7  # "Is that banned emotion recognition?" before the use it labels


def _label_first(text: str, clause: str, end: int) -> bool:
    """A short question that opens the text, before the sentences that describe the use
    ("Ist das schon verbotene Emotionserkennung? Ein Busunternehmen ..."): the language's
    ``label_first`` words say whether it labels that use ("is that ...?", not "is it ...?",
    which opens a question stating the use itself)."""
    return (text[end:end + 1] == "?" and bool(text[end + 1:].strip())
            and len(_WORD.findall(clause)) <= _LABEL_FIRST_WORDS)


def _scope(cues: _Cues, mention: Mention, clause: tuple[int, int], premise: bool,
           vocabularies: Sequence[Vocabulary], previous: int | None = None) -> Scope:
    if premise:
        return "premise"
    lo, hi = clause
    before_comma = previous  # the clause before a comma that opens this one
    for vocab in vocabularies:
        fillers = vocab.scope_patterns("filler")
        if _cue_before(cues, vocab, "negation", lo, mention, fillers):
            return "negated"
        # Negation after the words ("identifizieren ... nicht") is read for what is done, not
        # for who does it: "die Polizei will nicht warten" does not negate the police, nor
        # "die Gemeinde will keine Gesichter speichern" the municipality.
        if mention.kind in ("fact", "cue") and mention.name != "actor" and _cue_after(
                cues, vocab, "negation_after", hi, mention, fillers):
            return "negated"
        # "Police are not involved", "with the gardai nowhere in the picture": the party
        # named takes no part, so it is not who acts.
        party = mention.kind == "agency" or mention.kind == "fact" and mention.name == "actor"
        if party and _cue_after(cues, vocab, "absent_after", hi, mention, ()):
            return "negated"
        # "before sending the clips to the police": who receives the output does not use it
        # ("die Treffer an die Polizei weitergeben": the verb after, where the language puts it)
        if party and (_cue_before(cues, vocab, "recipient", lo, mention, ()) or _cue_before(
                cues, vocab, "recipient_to", lo, mention, ()) and _cue_after(
                cues, vocab, "recipient_after", hi, mention, ())) \
                and not any(p.match(cues.text, mention.end) for p in vocab.scope_patterns(
                    "recipient_acts")):
            return "other_party"
        if mention.kind in ("place", "agency"):
            party_fillers = vocab.scope_patterns("party_filler")
            # "an Irish vendor": the vendor's place. "a Chicago PD contractor" works for the
            # police, so the police stay the user (the clauses say "by or for").
            if (_cue_before(cues, vocab, "other_party", lo, mention, party_fillers,
                            _MAX_PARTY_WORDS) or mention.kind == "place" and (
                    _cue_after(cues, vocab, "other_party_after", hi, mention, party_fillers))) \
                    and not (mention.kind == "place" and any(
                        p.match(cues.text, mention.end)
                        for p in vocab.scope_patterns("party_uses"))):
                # ... unless the party itself does the use right after its place ("for a
                # vendor in Madrid to infer employees' religion"): then it is the user's place
                return "other_party"
            # "Chinese software", "an Israeli face recognition system": a nationality (not a
            # city: "the Rome cameras" are where the use is) naming where a product comes from
            if mention.kind == "place" and mention.rank != 0 and _cue_after(
                    cues, vocab, "origin_after", hi, mention, ()):
                return "other_party"
            # "the integrator, based in Austin": a comma between the party and its place
            if before_comma is not None and _cue_before(
                    cues, vocab, "other_party", before_comma, mention, party_fillers):
                return "other_party"
    return "use"


def _listed(text: str, mention: Mention, out: Sequence[Mention],
            vocabularies: Sequence[Vocabulary]) -> bool:
    """A mention right after a negated mention of the same reading, with only a comma or a word
    that joins list items between ("not by origin, religion or the like", "nicht nach Herkunft
    oder Religion"): one more item of the negated list (the language's ``list_joiner``).
    ``out``: the mentions marked so far of the same reading (kind, name and value)."""
    before = [o for o in out if o.end <= mention.start and mention.start - o.end <= _LIST_GAP]
    if not before or before[-1].scope != "negated":
        return False
    gap = text[before[-1].end:mention.start]
    if not gap.strip(" ,"):
        return bool(gap.strip())  # "A, B" (a comma), not "A B"
    for vocab in vocabularies:
        joiners = vocab.scope_patterns("list_joiner")
        # a joining word and, where the language puts one there, an article ("ou l'origine",
        # "o la etnia", "né l'etnia"): at most two words, each a joiner
        if joiners and _only_fillers(gap, joiners, 2) and gap.count(",") <= 1:
            return True
    return False


_LIST_GAP = 16  # characters: ", oder ", " lub "


def _asker_spans(cues: _Cues, vocabularies: Sequence[Vocabulary]) -> list[tuple[int, int]]:
    """Where the question names who asks it, from the start of the sentence to the asking
    words ("A colleague in our Toronto office wants to know if"): the language's ``asker``
    words, a unit of the user's own organisation followed by a verb of asking."""
    text = cues.text
    spans: list[tuple[int, int]] = []
    for vocab in vocabularies:
        patterns, where = cues.get(vocab, "asker")
        for pattern in patterns:
            found = pattern.finditer(text) if where is None else (
                m for at in where if (m := pattern.match(text, at)) is not None)
            for match in found:
                start = max(text.rfind(end, 0, match.start()) for end in ".!?\n") + 1
                spans.append((start, match.end()))
    return spans


#: A sentence's end: ".", "!" or "?" before a capital or the text's end, not the dot of a
#: short capitalised abbreviation ("EE. UU.", "St. Gallen").
_SENTENCE_END = re.compile(r"(?<!\b[A-Z])(?<!\b[A-Z][A-Za-z])(?<!\b[A-Z][A-Za-z]{2})[.!?]+"
                           r"(?=\s+[\"'«„“¿¡(]?[^\W\d_a-z]|\s*$)")
#: What a claim may not decide: where the use is and whether the place is open to the public.
CLAIMED = frozenset({("place", "country"), ("fact", "public_access")})


def _sentences(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((start, match.end()))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def _claim_spans(cues: _Cues, vocabularies: Sequence[Vocabulary]) -> list[tuple[int, int]]:
    """The user's own claim put up for confirmation: a question sentence after the first one
    that concludes a rule does not bite ("X isn't a state, so the ban wouldn't apply?",
    "Visto che ..., niente AI Act?", the language's ``claim_question``) or ends on a tag after
    a negated claim ("... nie są przestrzenią publiczną, prawda?", ``claim_tag`` and
    ``negation``). Where it says the use is, and whether the place is public, is the user's
    belief being asked about, not a fact of the use (``CLAIMED``): it decides nothing."""
    text = cues.text
    spans: list[tuple[int, int]] = []
    for number, (a, b) in enumerate(_sentences(text)):
        sentence = text[a:b].rstrip()
        if number == 0 or not sentence.endswith("?"):
            continue  # the first sentence names the use itself, even when it asks
        for vocab in vocabularies:
            if any(p.search(sentence) for p in vocab.scope_patterns("claim_question")):
                spans.append((a, b))
                break
            tags = [m for p in vocab.scope_patterns("claim_tag")
                    if (m := p.search(sentence)) is not None]
            if tags and any(
                    p.search(sentence[:m.start()] + " " + sentence[m.end():])
                    for m in tags for p in vocab.scope_patterns("negation")):
                spans.append((a, b))
                break
    return spans


def _within(mention: Mention, spans: Sequence[tuple[int, int]]) -> bool:
    return any(a <= mention.start and mention.end <= b for a, b in spans)


def _loosening_claim(mention: Mention, scope: Scope, claims: Sequence[tuple[int, int]],
                     outside: frozenset[str]) -> bool:
    """Whether a mention inside the user's claim (``_claim_spans``) is the claim itself, to be
    set aside: only what the claim says that would let a rule bite less. A place or public
    access stated in the claim sentence as a plain fact of the use ("The cameras are in the
    Madrid metro, so the AI Act doesn't apply?", "... and the street is public, right?")
    stays. Set aside are: a place open to the public said not to be, or a place said not to
    be public ("przejścia graniczne nie są przestrzenią publiczną, prawda?"); and a country
    that contradicts the places named outside the claim when one of those is in the EU
    ("Campione ... Visto che sono in territorio svizzero, niente AI Act?"): the EU stays
    read; or under the same law ("Policía de Puerto Rico ... isn't a state, so the US
    police restriction wouldn't apply?"). A country that is the only one of the turn, agrees
    with one named elsewhere, or contradicts only places outside the EU under another law,
    stays."""
    if (mention.kind, mention.name) not in CLAIMED or not _within(mention, claims):
        return False
    if mention.name != "country":
        return (mention.value == "yes" and scope == "negated"
                or mention.value == "no" and scope == "use")
    own = jurisdiction(mention.value)
    return (scope == "use" and mention.value not in outside
            and any(jurisdiction(code) in ("eu", own) for code in outside))


def _anywhere(cues: _Cues, vocab: Vocabulary, kind: str) -> Sequence[re.Pattern[str]]:
    """The kind's patterns, or none when no word of the text starts as a match must."""
    patterns, where = cues.get(vocab, kind)
    return patterns if cues.maybe(where, 0, len(cues.text)) else ()


def mark(text: str, mentions: Sequence[Mention],
         vocabularies: Sequence[Vocabulary]) -> tuple[Mention, ...]:
    """The mentions with their scope set; cues about intent and policy names stay in scope."""
    cues = _Cues(text)
    clauses = _clauses(text, vocabularies)
    premises = _premise_clauses(text, clauses, vocabularies, cues)
    spans = [match.span() for vocab in vocabularies
             for pattern in _anywhere(cues, vocab, "premise_span")
             for match in pattern.finditer(text)]
    claims = _claim_spans(cues, vocabularies)
    out: list[Mention] = []
    same: dict[tuple[str, str, str], list[Mention]] = {}  # the scoped ones, by reading
    askers = _asker_spans(cues, vocabularies)
    for mention in mentions:
        if mention.kind == "cue" and mention.name not in SCOPED_CUES or mention.name == "policy":
            out.append(mention)
            continue
        index = _clause_of(clauses, mention.start)
        premise = index in premises or any(a <= mention.start and mention.end <= b
                                           for a, b in spans)
        # "the integrator, based in Austin", "their contractor (based in Munich)": an aside
        # after a comma or an opening bracket reads on from the clause before it
        comma = index >= 2 and text[slice(*clauses[index - 1])].strip() in (",", "(", "[")
        scope = _scope(cues, mention, clauses[index], premise, vocabularies,
                       clauses[index - 2][0] if comma else None)
        if not premise and mention.name == "public_access" and _loosening_claim(
                mention, scope, claims, frozenset()):
            scope = "premise"
        if scope == "use" and mention.name != "service" and any(
                a <= mention.start and mention.end <= b for a, b in askers):
            scope = "other_party"
        # "nicht nach Herkunft, Religion oder Ähnlichem": the next item of a negated list
        reading = (mention.kind, mention.name, mention.value)
        if scope == "use" and _listed(text, mention, same.get(reading, ()), vocabularies):
            scope = "negated"
        # "Austin, Texas": a place in apposition to the place before it shares its scope
        last = out[-1] if out else None
        if (scope == "use" and mention.kind == "place" and last is not None
                and last.kind == "place" and text[last.end:mention.start].strip() == ","):
            scope = last.scope
        if mention.masked and scope != "negated":
            continue  # under a mask of its value ("consent=yes"), unless negated
        out.append(mention if scope == "use" else replace(mention, scope=scope))
        same.setdefault(reading, []).append(out[-1])
    # the countries the use is read in outside the claim (not the country around an enclave,
    # "l'enclave in Svizzera": the weakest place), then the claim's that contradict them
    around = [p for vocab in vocabularies for p in vocab.scope_patterns("surrounding_place")]
    outside = frozenset(m.value for m in out if (m.kind, m.name) == ("place", "country")
                        and m.scope == "use" and not _within(m, claims) and not any(
                            p.search(text[max(0, m.start - 40):m.start]) for p in around))
    return tuple(replace(m, scope="premise") if m.name == "country" and _loosening_claim(
        m, m.scope, claims, outside) else m for m in out)
