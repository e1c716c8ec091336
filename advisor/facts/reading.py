"""Step 5a of the reader: what one turn says, from its in-scope mentions.

Each fact gets the readings its words support; the choice between readings of one fact is
made here by the documented rank (most restrictive reading first, the order of the
vocabulary file) except for the facts whose disagreements stay open (``CONFLICT_FACTS``):
those keep every distinct reading for the resolve step to leave open.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from advisor.facts.dates import calendar_word
from advisor.facts.mentions import Mention
from advisor.facts.places import (
    NAME_PARTICLES,
    NOUNS_CAPITALISED,
    SMALL,
    border_sides,
    country_named,
    islands,
    jurisdiction,
    overseas_of,
    paired_islands,
    place_countries,
    region_of,
    saint_places,
    territory_of,
    town_also_in,
    town_countries,
)
from advisor.facts.vocab import load, rank
from advisor.schema import Intent

__all__ = ["CONFLICT_FACTS", "Reading", "Said", "read_turn"]

#: Facts where two in-scope readings that disagree leave the fact open (both shown).
CONFLICT_FACTS = frozenset({"timing", "public_access", "jurisdiction"})

#: Actor kinds by precedence: a US federal body over police over other law enforcement.
_ACTOR_RANK = {"federal": 0, "police": 1, "law_enforcement": 2}
_FACE_ID = re.compile(r"face[- ]?id", re.I)


@dataclass(frozen=True)
class Said:
    """A value and the question's words that set it."""

    value: str
    words: str


@dataclass
class Reading:
    """What one turn says: fact -> readings (one, or several that disagree), plus signals."""

    found: dict[str, list[Said]] = field(default_factory=dict)
    actor_kind: str | None = None  # "federal" | "police" | "law_enforcement" | other actor
    actor_words: str | None = None
    actor_detail: str = ""  # an agency's country, "US?" for US usage ("police department")
    #: Another actor offered as an alternative ("the police or the parks department").
    actor_rival: Said | None = None
    acting_for: bool = False
    agency_words: str | None = None
    region_words: str | None = None
    #: A party's place in the EU (the integrator's, the vendor's: "an integrator in Namur"),
    #: when the turn names no place of the use itself.
    party_eu_words: str | None = None
    pronoun: str | None = None
    date: tuple[dt.date, str] | None = None
    #: Words that put this turn's use in the present ("today"), when it names no date.
    present: str | None = None
    #: A stretch of time that moves an earlier turn's date ("und einen Tag später?"), when
    #: this turn names no date: (count, unit, words), the count negative for earlier.
    shift: tuple[int, str, str] | None = None
    camera_or_face: bool = False
    #: This turn's own words name a camera, footage or a face (not an earlier turn's).
    footage: bool = False
    purpose_blocked: bool = False
    #: Purposes this turn's own words rule out or replace ("instead of checking each passenger
    #: against their passport", "statt des Verpixelns"): an earlier turn's use of that kind is
    #: the one replaced, so it is not inherited (see resolve).
    purpose_replaced: frozenset[str] = frozenset()
    mixed_place: str | None = None
    #: A place named only by a proper name the vocabulary does not know ("at Stachus").
    named_place: str | None = None
    policies: list[str] = field(default_factory=list)
    intent: Intent | None = None
    domain: bool = False
    exception_keyword: str | None = None  # "terror" alone: the exception stays open
    purpose_stated: str | None = None  # a purpose the vocabulary does not know
    #: Scraping faces and another practice in one question ("crawl profile photos, then tag
    #: the faces"): each practice with its words, judged as a use of its own.
    practices: list[Said] = field(default_factory=list)
    #: The purpose read is a bodily state (pain, fatigue) read from people ("pain from their
    #: faces"): an attribute of the person inferred, on every service (see resolve).
    state_read: bool = False
    #: A person hunted or sought in this turn ("flag a man suspected of murder",
    #: ``crime_hunt`` or a sought exception): no claimant presents themselves, so a 1:1
    #: verification an earlier turn stated does not carry over (see resolve)
    person_sought: str | None = None
    #: A camera kind no camera word names but the question's structure settles (see
    #: ``_infer_camera``): a face captured at a stationary spot or by the cameras of a place
    #: (fixed), cameras inside vehicles (other_mobile), voice only or "no images" (none).
    camera_inferred: Said | None = None
    #: Words that make a mobile camera possible (a vehicle, a phone, patrol): a fixed camera
    #: is then never inferred.
    camera_mobile_hint: bool = False
    #: The mobile reading an inferred fixed one replaced ("clock in by looking at a tablet"):
    #: it stands again where the camera kind decides a verdict (law enforcement).
    camera_fallback: Said | None = None

    def one(self, name: str) -> Said | None:
        """The single reading of ``name``, or None when absent or disagreeing."""
        readings = self.found.get(name)
        return readings[0] if readings and len(readings) == 1 else None


def _settle_material(mentions: Sequence[Mention]) -> list[Mention]:
    """Material only inferred to be stored ("trail cameras", "videos of the matches",
    ``post_material``) yields to a live word said of the use in the same part of the turn
    ("streamed live to the control room", "within seconds"); without one it is post."""
    live = {m.scope for m in mentions
            if m.kind == "fact" and m.name == "timing" and m.value == "real_time"}
    return [m if m.value != "post_material" or m.kind != "fact" or m.name != "timing"
            else replace(m, value="post") for m in mentions
            if not (m.kind == "fact" and m.name == "timing" and m.value == "post_material"
                    and m.scope in live)]


class _View:
    """In-scope mentions of one turn, by name."""

    def __init__(self, mentions: Iterable[Mention]):
        self.all = [m for m in mentions if m.scope == "use"]
        #: the mentions a negation takes out ("and forget about the faces")
        self.negated = [m for m in mentions if m.scope == "negated"]
        self._by: dict[tuple[str, str], list[Mention]] = {}
        for mention in self.all:
            self._by.setdefault((mention.kind, mention.name), []).append(mention)

    def add(self, extra: Iterable[Mention]) -> None:
        """Readings made from several cues together (a face database built from images taken
        from the web): in scope like the words they are made of."""
        for mention in extra:
            self.all.append(mention)
            self._by.setdefault((mention.kind, mention.name), []).append(mention)

    def of(self, kind: str, name: str) -> list[Mention]:
        return list(self._by.get((kind, name), ()))

    def cue(self, name: str) -> Mention | None:
        hits = self.of("cue", name)
        return hits[0] if hits else None

    def best(self, name: str) -> Mention | None:
        hits = self.of("fact", name)
        return min(hits, key=lambda m: (m.rank, m.start, -m.end)) if hits else None


#: Facts that are yes or no: a negated "yes" mention says no.
_YES_NO = frozenset({"authorisation", "national_law", "minor", "consent"})


def read_turn(text: str, mentions: Sequence[Mention], *, is_current: bool,
              context_cues: frozenset[str] = frozenset()) -> Reading:
    """Read one turn; ``context_cues`` are cues earlier turns set (a camera named before)."""
    mentions = _settle_material(_guarded(mentions))
    view = _View(mentions)
    turn = Reading()
    if not text:
        return turn
    view.add(_scraped_for_faces(text, view))
    view.add(_access_denied(mentions))
    # "the Questura of Venice plans ...", "la comisaría quiere ...": the body that acts, not
    # where it acts (as for public access below). Only a place word within the body's name,
    # and never "in the wild" ("on highway patrol", "a camera on a moving police van"): that
    # reading is the stricter one and stays.
    bodies = [b for b in view.of("agency", "actor") if not _placed_in(text, view, b)]

    def _body_name(m: Mention) -> bool:
        return m.value != "uncontrolled" and any(
            b.start <= m.start and m.end <= b.end for b in bodies)

    for name in ("service", "camera", "setting", "authorisation", "national_law", "minor",
                 "consent"):
        best = view.best(name)
        if name == "service" and best is not None:
            best = _service_used(view) or best
        if name == "setting" and best is not None and _body_name(best):
            rest = [m for m in view.of("fact", name) if not _body_name(m)]
            best = min(rest, key=lambda m: (m.rank, m.start, -m.end)) if rest else None
        if name == "setting" and best is not None and best.value == "uncontrolled":
            # "the airport's border zone", "at passport control in the station": the closed
            # area inside the public place is where the use happens
            inner = _inner_areas(view)
            closed = [m for m in view.of("fact", name) if m.value == "controlled"
                      and any(m.overlaps(c) for c in inner)]
            best = closed[0] if closed else best
        if best is not None:
            turn.found[name] = [Said(best.value, best.words)]
            unsure = next((c for c in view.of("cue", "fact_unsure") if _within(best, c)), None)
            if name in _YES_NO and unsure is not None:
                # "Ob irgendwo in den AGB eine Einwilligung steht, weiß ich nicht": the user
                # does not know; the fact stays open (both readings shown)
                other = "no" if best.value == "yes" else "yes"
                turn.found[name].append(Said(other, unsure.words))
                continue
            rival = _service_rival(text, view, best) if name == "service" else (
                _camera_rival(view, best) if name == "camera" else None)
            if rival is not None:  # "Azure AI Face or a Chinese product": which one is open
                turn.found[name].append(rival)
        elif name in _YES_NO:  # "won't be asked for consent", "kein Richter": the fact is no
            negated = [m for m in mentions if m.kind == "fact" and m.name == name
                       and m.scope == "negated" and m.value == "yes"]
            if negated:
                turn.found[name] = [Said("no", negated[0].words)]
    for name in ("timing", "public_access"):
        _read_open(text, view, turn, name)
    _read_exception(text, view, turn)
    pronoun = view.cue("service_pronoun")
    turn.pronoun = pronoun.words if pronoun else None
    _read_purpose(text, view, turn, context_cues)
    turn.purpose_replaced = frozenset(m.value for m in mentions if m.kind == "fact"
                                      and m.name == "purpose" and m.scope == "negated")
    turn.footage = view.cue("camera_or_face") is not None
    _infer_camera(view, turn, context_cues)
    _carried_from_premise(mentions, view, turn)
    _read_place(text, view, turn, mentions)
    _party_place(mentions, turn)
    _read_actor(text, view, turn, mentions)
    _class_asked(text, mentions, view, turn)
    mixed = view.cue("mixed_place")
    turn.mixed_place = mixed.words if mixed else None
    # "where both staff and visitors pass": the question says the place is mixed, so whether
    # it is publicly accessible stays open, whatever kind of place it is
    both = view.cue("mixed_access")
    if both is not None:
        turn.found.pop("public_access", None)
        turn.mixed_place = both.words
    if "public_access" not in turn.found and turn.mixed_place is None:  # else it is unused
        turn.named_place = _named_place(text, mentions, view)
    turn.policies = list(dict.fromkeys(m.value for m in view.of("fact", "policy")))
    place_only = set(turn.found) <= {"country", "service"}
    turn.domain = bool(view.cue("domain")) or not place_only or turn.actor_kind is not None
    turn.intent = _intent(view, turn) if is_current else None
    return turn


def _access_denied(mentions: Sequence[Mention]) -> list[Mention]:
    """"area chiusa e non accessibile al pubblico", "nicht für die Öffentlichkeit
    zugänglich": an access phrase the language reads as open, negated inside the words that
    state the place's access, says the place is not open to the public (a negated kind of
    place, "not at the station", says nothing and stays unread)."""
    # (not for a time: "not accessible to visitors after 8pm" says nothing of when the use runs)
    when = [m.start for m in mentions if m.kind == "cue" and m.name == "access_when"]
    stated = [m for m in mentions if m.kind == "cue" and m.name == "access_stated"
              and not any(0 <= start - m.end <= 2 for start in when)]
    denied = [replace(m, value="no", scope="use") for m in mentions
              if m.kind == "fact" and m.name == "public_access" and m.value == "yes"
              and m.scope == "negated" and any(_within(m, c) for c in stated)]
    # (the words stating it state the place's access, as they do unnegated)
    return denied + [replace(c, scope="use") for c in stated if c.scope == "negated"
                     and any(_within(m, c) for m in denied)]


def _inner_areas(view: _View) -> list[Mention]:
    """Closed areas inside a public place where the use happens ("at passport control"); not
    those named only as a neighbour ("next to the restricted area", "just after passport
    control": ``inner_near``), whose readings then stay with the others."""
    near = view.of("cue", "inner_near")
    return [c for c in view.of("cue", "inner_area") if not any(c.overlaps(n) for n in near)]


def _service_used(view: _View) -> Mention | None:
    """"Amazon Rekognition ... do the Azure OpenAI rules apply?": a service named only as the
    name of its rules is not the one used when another service is named; nor is one named
    as given up ("Azure OpenAI à la place de Face", "en lugar de Face": ``service_replaced``)."""
    rules = [*view.of("cue", "service_as_rule"), *view.of("cue", "service_replaced")]
    every = view.of("fact", "service")
    used = [m for m in every if not any(m.overlaps(r) for r in rules)]
    if not rules or not used or len(used) == len(every):
        return None
    return min(used, key=lambda m: (m.rank, m.start, -m.end))


def _read_open(text: str, view: _View, turn: Reading, name: str) -> None:
    """Every distinct reading of a fact whose disagreements stay open, in reading order.
    Access said of the place ("open to the public") outranks what its kind usually is."""
    values: dict[str, Mention] = {}
    mentions = view.of("fact", name)
    if name == "public_access":
        # (not "the control room is restricted": another room's access, not the place's)
        elsewhere = view.of("cue", "access_elsewhere")
        stated = [c for c in view.of("cue", "access_stated")
                  if not any(c.overlaps(e) for e in elsewhere)]
        mentions = [m for m in mentions if any(_within(m, c) for c in stated)] or mentions
        # "at the airport, at passport control": the closed area inside is where it happens
        inner = _inner_areas(view)
        if any(m.value == "no" and any(m.overlaps(c) for c in inner) for m in mentions):
            mentions = [m for m in mentions if m.value == "no"]
        mentions = [m for m in mentions if not any(_part_of(text, part, m) for part in mentions)]
        # "the Questura", "the police station wants": the body that acts, not where it acts
        # (unless the question says it happens in there: "en el calabozo de una comisaría")
        bodies = [b for b in view.of("agency", "actor") if not _placed_in(text, view, b)]
        # (a place word inside the body's name; not words that only contain it, such as "the
        # border guard ... at the Terespol crossing")
        mentions = [m for m in mentions if not any(_within(m, b) for b in bodies)]
    for mention in mentions:
        values.setdefault(mention.value, mention)
    if values:
        turn.found[name] = [Said(m.value, m.words)
                            for m in sorted(values.values(), key=lambda m: m.start)]


#: What a premise says of the practice ("Given the Act allows real-time ID for serious
#: crimes, can the police use it generally?") is what "it" is: carried to the use.
_CARRIED = ("timing", "purpose")


def _carried_from_premise(mentions: Sequence[Mention], view: _View, turn: Reading) -> None:
    """The use names the practice only by a pronoun ("use it", "use this"): the practice's
    timing and purpose that only the premise states are the use's. Who acts, where and which
    service never carry: a rule's subject is not the user."""
    pronoun = view.cue("service_pronoun")
    if pronoun is None:
        return
    for name in _CARRIED:
        if name in turn.found or name == "purpose" and (
                turn.purpose_blocked or turn.purpose_stated):
            continue
        said = [m for m in mentions if m.kind == "fact" and m.name == name
                and m.scope == "premise"]
        if said:
            best = min(said, key=lambda m: (m.rank, m.start))
            turn.found[name] = [Said(best.value, best.words)]


def _read_exception(text: str, view: _View, turn: Reading) -> None:
    said = view.of("fact", "exception")
    substance = [m for m in said if m.value not in ("keyword", "medical_or_safety")]
    # A denial names one reason ("not about terrorism"): a victim, threat or suspect the turn
    # states beside it ("we are looking for a kidnapped child") outranks it; alone, it is none.
    denied = [m for m in substance if m.value == "denied"]
    if denied:
        stated = [m for m in substance if m.value not in ("denied", "none")
                  and not any(m.overlaps(d) for d in denied)]
        substance = ([m for m in substance if m.value != "denied"] if stated
                     else [replace(m, value="none") if m.value == "denied" else m
                           for m in substance])
    custody = view.cue("custody")
    if custody is not None and substance and all(
            m.value == "none" and _within(m, custody) for m in substance):
        # "arrested a shoplifter": the petty offence names the person already in custody (no
        # victim, threat or suspect sought), so the custody is what is read
        substance = []
    if substance:
        best = min(substance, key=lambda m: (m.rank, m.start))
        if best.value == "victim_search" and view.cue("untargeted_search") is not None:
            # "all missing persons in the national database, not one specific person": no
            # targeted search for specific victims, so the exception stays open, as a bare
            # keyword does (the question to ask names it)
            turn.exception_keyword = best.words
            return
        if best.value in _SOUGHT and any(_same_sentence(text, best, d)
                                         for d in view.of("cue", "exception_doubt")):
            # "whether she is missing or did something, they would not say": why the person
            # is sought is not said, so the exception stays open
            turn.exception_keyword = best.words
            return
        if best.value == "imminent_threat" and any(
                _same_sentence(text, best, d) for d in view.of("cue", "threat_doubt")):
            # "suppose someone posts that he will open fire": a threat told as a hypothetical
            # is no specific threat, so the exception stays open
            turn.exception_keyword = best.words
            return
        turn.found["exception"] = [Said(best.value, best.words)]
        return
    keyword = [m for m in view.of("fact", "exception") if m.value == "keyword"]
    if keyword:
        turn.exception_keyword = keyword[0].words
        return
    if custody is not None:  # identifying a suspect already apprehended
        turn.found["exception"] = [Said("apprehended_suspect", custody.words)]
        return
    # The Art. 5(1)(f) reason ("for safety reasons") is no 5(1)(h) exception, so it is read
    # last, and only in the clause that infers the emotions ("for safety reasons our warehouse
    # already has CCTV; now we want to detect stress" gives the cameras' reason, not the
    # use's), and not where another use of the readings is said beside it ("and use it for
    # bonuses": ``reason_other_use``): then it stays open.
    if view.cue("reason_other_use") is not None:
        return
    # (a bodily state read for safety, "fatigue before they go underground. Purely a safety
    # thing.", gives the reason too: it matters only once the emotions are read)
    states = view.of("cue", "physical_state")
    emotions = [m for m in view.of("fact", "purpose") if m.value == "emotion_inference"
                or any(m.overlaps(c) for c in states)]
    reason = [m for m in said if m.value == "medical_or_safety" and emotions and (
        any(_same_sentence(text, m, e, _CLAUSE_END) for e in emotions)
        or _reason_alone(text, m, view))]
    if reason:
        best = min(reason, key=lambda m: (m.rank, m.start))
        turn.found["exception"] = [Said(best.value, best.words)]


def _read_purpose(text: str, view: _View, turn: Reading, context: frozenset[str]) -> None:
    turn.purpose_blocked = any(m.scope == "use" for m in view.of("cue", "purpose_block_id"))
    hunted = [*view.of("cue", "crime_hunt"),
              *(m for m in view.of("fact", "exception") if m.value in _SOUGHT)]
    turn.person_sought = hunted[0].words if hunted else None
    has = {m.name for m in view.all if m.kind == "cue"} | context
    plates = view.cue("plates")
    # faces given up in this turn ("read the plates instead and forget about the faces"): the
    # faces an earlier turn named are no longer part of the use
    faces_dropped = view.cue("face_words") is None and any(
        m.kind == "cue" and m.name == "face_words" for m in view.negated)
    if plates and ("face_words" not in has or faces_dropped):
        turn.found["purpose"] = [Said("non_biometric", plates.words)]
        return
    blocks = view.of("cue", "purpose_block_id")
    compared, many = _compared_with(text, view)
    found = sorted([*view.of("fact", "purpose"), *_scored_for_harm(text, view), *compared],
                   key=lambda m: (m.rank, m.start))
    # beside a 1:1 reading, a search among many said as such ("which of our members", "known
    # shoplifters") is an identification of its own, even where no purpose word names it
    if any(m.value == "verification" for m in found):
        found += [replace(m, kind="fact", name="purpose", value="identification",
                          rank=rank("purpose", "identification"))
                  for m in view.of("cue", "one_to_many")
                  if not any(m.overlaps(b) for b in blocks)]
    if many or view.cue("one_to_many") or _identify_written(view, found, blocks):
        # a search of many faces, or "identify" written out beside a verification word
        # ("verify staff and identify visitors"): identification before verification
        found.sort(key=lambda m: (m.value == "verification", m.rank, m.start))
    if view.cue("physical_state"):
        # "pain read from the facial expression": the expression is how pain is read, so it
        # names no emotion unless a feeling is named too
        channels = view.of("cue", "expression_channel")
        through = [m for m in found if m.value == "emotion_inference"
                   and any(m.overlaps(c) for c in channels)]
        if through and all(any(m.overlaps(c) for c in channels)
                           for m in found if m.value == "emotion_inference"):
            found = [m for m in found if m not in through]
    once = view.cue("counted_once")
    recognised = [m for m in found if m.value == "identification"] if once else []
    # (rev19b) the faces also searched against a list or collection ("... and match them
    # against our list of banned shoplifters"), or identification said apart from the
    # recognition that avoids the double count: a search of many is stated, it stands
    if once is not None and recognised and not (
            many or view.cue("one_to_many") is not None
            or any(not m.overlaps(recognised[0]) for m in recognised[1:])):
        # "recognising faces only so no one is counted twice": a count of people, or each one
        # re-identified; which is not said, so the purpose stays open (both shown)
        turn.found["purpose"] = [Said("identification", recognised[0].words),
                                 Said("detection_or_redaction", once.words)]
        return
    doubted = _doubted(view, found, blocks)
    if doubted is not None:  # "'only detect faces' ... but 'recognise visitors': which is it?"
        turn.found["purpose"] = doubted
        return
    alternative = _alternative_purposes(text, view, found, blocks)
    if alternative is not None:  # "not sure whether it searches the database or checks the card"
        turn.found["purpose"] = alternative
        return
    contradicted = _contradicted(text, view, [m for m in found if not (
        m.value in ("identification", "verification") and any(m.overlaps(b) for b in blocks))])
    if contradicted is not None:
        turn.found["purpose"] = contradicted
        return
    for mention in found:
        value = mention.value
        # "without identifying anyone" rules out the identification or verification read
        # from those words; one stated elsewhere ("to identify suspects ... no live
        # recognition", "a selfie against the ID") stands
        if value in ("identification", "verification") and any(
                mention.overlaps(b) for b in blocks):
            continue
        # speech turned into text ("subtitle the meeting", "transcribe the interviews") tells
        # no one apart only when no face is named beside it ("... and recognise each speaker
        # by face"): then the purpose is read from the rest
        if value == "non_biometric" and "face_words" in has and any(
                mention.overlaps(c) for c in view.of("cue", "speech_text")):
            continue
        # (rev19b) so does text read off signs, labels or screens ("reads street signs aloud
        # and recognises the faces of passers-by"): a face (not the service's name) or another
        # body trait (voice, fingerprints) named beside it leaves the purpose to the rest
        if value == "non_biometric" and any(
                mention.overlaps(c) for c in view.of("cue", "written_text")) and any(
                not any(f.overlaps(s) for s in [mention, *view.of("fact", "service")])
                for f in [*view.of("cue", "face_words"), *view.of("cue", "body_trait")]):
            continue
        if value == "verification" and _FACE_ID.fullmatch(mention.words) and (
                {"camera_words", "police_words"} & has or view.of("agency", "actor")):
            value = "identification"  # "face id" on cameras or for police: who someone is
        # emotions with no face, voice or camera named: of a text, text work; of people away
        # from any text, emotion inference; otherwise how they are read is not said (open)
        if value == "emotion_inference" and "biometric_cue" not in has and not (
                any(_within(m, mention) for m in view.of("cue", "attention"))
                and "people" in has):
            if "text_words" in has or view.cue("text_task"):  # feelings in a text
                turn.found["purpose"] = [Said("non_biometric", mention.words)]
                return
            if "people" not in has:  # how the feelings would be read is not said: open
                turn.purpose_stated = mention.words
                return
            # feelings of people, away from any text: read from them, so emotion inference
        turn.found["purpose"] = [Said(value, mention.words)]
        turn.state_read = value == "detection_or_redaction" and any(
            mention.overlaps(c) for c in view.of("cue", "physical_state"))
        turn.practices = _practices(text, view, turn.purpose_blocked) or _beside_identification(
            text, mention, value, found, blocks)
        return
    task = view.cue("text_task")
    # "write product descriptions from photos of dresses": photos and nothing else biometric
    stills = view.of("cue", "still_images")
    bio = view.of("cue", "biometric_any")
    only_stills = bool(bio) and "biometric_any" not in context and all(
        any(_within(b, s) for s in stills) for b in bio)
    if task is not None and ("biometric_any" not in has or only_stills):
        turn.found["purpose"] = [Said("non_biometric", task.words)]
        return
    # A purpose stated in words the vocabulary does not know still blocks the default.
    stated = view.cue("purpose_stated")
    turn.purpose_stated = stated.words if stated is not None else None
    # "without identifying anyone" and nothing else: no purpose is assumed either.
    turn.camera_or_face = "camera_or_face" in has and not turn.purpose_blocked


def _scored_for_harm(text: str, view: _View) -> list[Mention]:
    """Social scoring said in substance: people rated, scored or ranked (``rates_people``)
    and a detriment in the same sentence (``detriment``: sanctions, higher premiums, cut
    benefits, priority for checks), read as a social scoring mention on the rating's words."""
    if any(m.value == "social_scoring" for m in view.of("fact", "purpose")):
        return []
    for rating in view.of("cue", "rates_people"):
        for harm in view.of("cue", "detriment"):
            first, second = sorted((rating, harm), key=lambda m: m.start)
            # a semicolon or colon joins the rating to what follows from it ("a fraud risk
            # profile; whoever scores high gets extra checks"): only a full stop parts them
            if not _FULL_STOP.search(text, first.end, max(first.end, second.start)):
                return [replace(rating, kind="fact", name="purpose", value="social_scoring",
                                rank=rank("purpose", "social_scoring"))]
    return []


def _scraped_for_faces(text: str, view: _View) -> list[Mention]:
    """Scraping said in substance: a face database, archive or search engine built or filled
    (``face_collection_built``) and, in the same sentence, images taken without aim from the
    web, social media, public webcams or en masse (``untargeted_images``), in either order
    ("ein Gesichtsarchiv aufbauen, indem sie systematisch Profilbilder von XING abgreift",
    "een gezichtendatabase vullen met beelden van openbare webcams"). Read as a scraping
    mention over both."""
    if any(m.value == "scraping" for m in view.of("fact", "purpose")):
        return []
    for built in view.of("cue", "face_collection_built"):
        for images in view.of("cue", "untargeted_images"):
            first, second = sorted((built, images), key=lambda m: m.start)
            if _SENTENCE_END.search(text, first.end, max(first.end, second.start)):
                continue
            start, end = first.start, max(first.end, second.end)
            return [replace(built, kind="fact", name="purpose", value="scraping",
                            start=start, end=end, words=text[start:end],
                            rank=rank("purpose", "scraping"))]
    return []


_BLOCK_NEAR = 4  # characters: "nobody is identified unless ...": the condition right after


def _guarded(mentions: Sequence[Mention]) -> list[Mention]:
    """Readings other words of the turn take back, in any language (fixr15b):
    - a person named through an animal ("Halter der Pferde", "propriétaires de chiens",
      "lone wolves", ``animal_keeper``) is a person: no animal-only (non-biometric) reading
      nor an "animals, not people" block comes from those words;
    - "nobody gets in unless matched", "nadie entra sin ser identificado" (``block_condition``
      within or right after the words): a condition under which everyone is identified, so
      no "nobody is identified" block;
    - "instead of matching them manually", "statt sie vor Ort zu erkennen"
      (``replaced_manner``): only the manner or time is replaced, the use stays, so neither
      a block nor a replaced purpose is read from those words."""
    keepers = [m for m in mentions if m.kind == "cue" and m.name == "animal_keeper"]
    conditions = [m for m in mentions if m.kind == "cue" and m.name == "block_condition"]
    manners = [m for m in mentions if m.kind == "cue" and m.name == "replaced_manner"]
    if not (keepers or conditions or manners):
        return list(mentions)

    def dropped(m: Mention) -> bool:
        block = m.kind == "cue" and m.name == "purpose_block_id"
        purpose = m.kind == "fact" and m.name == "purpose"
        if (block or (purpose and m.value == "non_biometric")) and any(
                m.overlaps(k) for k in keepers):
            return True
        if block and any(c.start != m.start and c.start < m.end + _BLOCK_NEAR
                         and c.end > m.start for c in conditions):
            return True
        return (block or (purpose and m.scope == "negated")) and any(
            m.overlaps(w) for w in manners)

    return [m for m in mentions if not dropped(m)]


#: Exceptions that name a person searched for among everyone the cameras see.
_SOUGHT = frozenset({"victim_search", "serious_crime_suspect"})


def _compared_with(text: str, view: _View) -> tuple[list[Mention], bool]:
    """What the face (or voice) is compared with, read from the structure in any language:
    the person's own single reference after a claim of who they are (``own_reference``: "the
    photo on their passport", "the voiceprint they enrolled", "is the passport holder",
    "bij de pas hoort") is verification (1:1); a collection of other people
    (``compared_collection``: "against a list of persons of interest", "against earlier
    arrest photos", "z listą osób poszukiwanych") is identification (1:N), and then
    identification goes first. The face and nothing else (``face_alone``: "clock in with
    just their face", "solo con la cara") claims no identity, so the system must search
    everyone enrolled: identification, unless a 1:1 comparison or the person's own
    reference is said as well (a card merely replaced by the face, "instead of a badge", is
    left to the other words). Returns the mentions read and whether
    identification goes first. Doubt never falls to verification: a collection anywhere in
    the sentence of an own reference cancels that verification reading."""
    many = view.of("cue", "compared_collection")
    out = [replace(m, kind="fact", name="purpose", value="identification",
                   rank=rank("purpose", "identification")) for m in many]
    # a person sought (a missing child, a suspect) compared with "his photo": the cameras
    # search everyone for that one person, so no own reference of a claimant is said
    # (fixr15b) so do everyone, every face, a crowd, a place's cameras or a goal of finding
    # someone ("to catch the one who stole", ``sought_among``), before the match or after it:
    # 1:1 needs a claimant presenting themselves
    sought = [m for m in view.of("fact", "exception") if m.value in _SOUGHT]
    sought += view.of("cue", "sought_among")
    # (rev20b) weaker signs of 1:1 (a photo taken at the till or sign-up, entry "by face"
    # with no card): identification said anywhere else in the turn ("... and later we
    # recognise them in every branch") makes the search of many the reading
    # ("... and the gate compares the face with that photo": the comparison itself, no search)
    recalled = view.of("cue", "photo_recalled")
    named = [m for m in view.of("fact", "purpose") if m.value == "identification"
             and not any(m.overlaps(r) for r in recalled)]
    weak = [m for m in [*view.of("cue", "enrolment_photo"), *view.of("cue", "face_entry")]
            if all(m.overlaps(n) for n in named)]
    own = [m for m in [*view.of("cue", "own_reference"), *weak]
           if not any(_same_sentence(text, m, c) for c in [*many, *sought])]
    out += [replace(m, kind="fact", name="purpose", value="verification",
                    rank=rank("purpose", "verification")) for m in own]
    first = bool(many)
    alone = view.of("cue", "face_alone")
    entry = [m for m in own if m.name == "face_entry"]
    if alone and len(own) == len(entry) and not view.cue("one_to_one") and (entry or any(
            m.value == "verification" for m in view.of("fact", "purpose"))):
        out += [replace(m, kind="fact", name="purpose", value="identification",
                        rank=rank("purpose", "identification")) for m in alone]
        first = True
    return out, first


def _reason_alone(text: str, reason: Mention, view: _View) -> bool:
    """The reason is a sentence of its own, about the use and nothing else ("It's purely about
    safety.", "Es geht ausschließlich um Arbeitssicherheit."): a few words beside it and no
    other in-scope mention (not "for safety reasons we already have CCTV")."""
    start = max((m.end() for m in _CLAUSE_END.finditer(text, 0, reason.start)), default=0)
    end_at = _CLAUSE_END.search(text, reason.end)
    end = end_at.start() if end_at else len(text)
    # its own clause holds a few words beside it; its sentence, no other in-scope mention
    near = max((m.end() for m in _COMMA.finditer(text, start, reason.start)), default=start)
    far = _COMMA.search(text, reason.end, end)
    rest = text[near:reason.start] + " " + text[reason.end:far.start() if far else end]
    if len(re.findall(r"\w+", rest)) > _REASON_WORDS:
        return False
    clause_end = far.start() if far else end
    # ("Nur aus Sicherheitsgründen.": the word for "only" qualifies the reason itself)
    return not any(
        m is not reason and not (reason.start <= m.start and m.end <= reason.end)
        and not (m.kind == "cue" and m.name == "purpose_only") and (
            (m.kind == "fact" and m.start < end and m.end > start)
            or (m.start < clause_end and m.end > near))  # ("the cameras hang there for safety")
        for m in view.all)


_COMMA = re.compile(r"[,–—]")
_REASON_WORDS = 4  # words beside a reason that stands as a sentence of its own


def _same_sentence(text: str, a: Mention, b: Mention,
                   ends: re.Pattern[str] | None = None) -> bool:
    """No sentence end (``_SENTENCE_END``, or the ``ends`` given) stands between two mentions."""
    first, second = sorted((a, b), key=lambda m: m.start)
    return not (ends or _SENTENCE_END).search(text, first.end, max(first.end, second.start))


def _identify_written(view: _View, found: Sequence[Mention],
                      blocks: Sequence[Mention]) -> bool:
    """The language's word for "identify" written out (``id_explicit``), read as an in-scope
    identification that is no part of a verification reading: identification is named
    explicitly, so a verification word elsewhere does not outrank it."""
    checks = [m for m in found if m.value == "verification"]
    if not checks:
        return False
    named = view.of("cue", "id_explicit")
    return any(m.value == "identification" and any(m.overlaps(c) for c in named)
               and not any(m.overlaps(v) for v in checks)
               and not any(m.overlaps(b) for b in blocks) for m in found)


#: Purposes that tell who someone is, and purposes that tell no one apart.
_IDENTIFYING = frozenset({"identification", "verification", "surveillance"})
_NOT_IDENTIFYING = frozenset({"detection_or_redaction", "non_biometric"})


def _doubted(view: _View, found: Sequence[Mention],
             blocks: Sequence[Mention]) -> list[Said] | None:
    """The user says the purposes they quote disagree ("'only detect faces' ... then 'recognise
    visitors from a list'. Which is it?"): one that identifies and one that does not are both
    kept, so the purpose is open and each outcome is shown. Without such words the stricter
    reading stands."""
    if view.cue("purpose_doubt") is None:
        return None
    kept = [m for m in found
            if not (m.value in _IDENTIFYING and any(m.overlaps(b) for b in blocks))]
    who = next((m for m in kept if m.value in _IDENTIFYING), None)
    other = next((m for m in kept if m.value in _NOT_IDENTIFYING), None)
    if who is None or other is None:
        return None
    first, second = sorted((who, other), key=lambda m: m.start)
    return [Said(first.value, first.words), Said(second.value, second.words)]


_UNSURE_WORDS = 3  # words between "maybe" and the first of two purposes ("maybe it's X", Dutch
#: puts the verb last: "misschien alleen bezoekers tellen") ...
#: ... or up to this many characters in the same clause ("misschien alleen bezoekers tellen,
#: misschien herkennen ...", "vielleicht nur Besucher zählen, vielleicht erkennen ...")
_UNSURE_CLAUSE = 40
_CLAUSE_MARK = re.compile(r"[,.;:!?()\n]")


def _alternative_purposes(text: str, view: _View, found: Sequence[Mention],
                          blocks: Sequence[Mention]) -> list[Said] | None:
    """Two purposes offered as alternatives in one sentence, with the choice said to be open
    ("not sure whether it searches the whole database or only checks the card", "either
    verify or identify", "maybe verification, maybe identification"): both are kept, so the
    purpose is open and each outcome is shown, neither the milder nor the stricter."""
    unsure = view.of("cue", "purpose_unsure")
    if not unsure:
        return None
    kept = sorted((m for m in found if not (
        m.value in _IDENTIFYING and any(m.overlaps(b) for b in blocks))),
        key=lambda m: m.start)
    ors = view.of("cue", "or_word")
    for i, first in enumerate(kept):
        for second in kept[i + 1:]:
            if second.value == first.value or second.start < first.end:
                continue
            # joined by "or", or "maybe X, maybe Y" (a doubt before each); "first X, then
            # maybe Y" is two uses, not a choice
            joined = _between(ors, first.end, second.start) or (
                _between(unsure, first.end, second.start)
                and any(m.end <= first.start and (
                    (len(text[m.end:first.start].split()) <= _UNSURE_WORDS
                     and not _ONLY_BREAK.search(text[m.end:first.start]))
                    or (first.start - m.end <= _UNSURE_CLAUSE
                        and not _CLAUSE_MARK.search(text, m.end, first.start)))
                        for m in unsure))
            if _SENTENCE_END.search(text, first.end, second.start) or not joined:
                continue
            lo = max(text.rfind(c, 0, first.start) for c in ".;!?\n") + 1
            ends = [e for e in (text.find(c, second.end) for c in ".;!?\n") if e >= 0]
            hi = min(ends) if ends else len(text)
            if any(lo <= m.start and m.end <= hi for m in unsure):
                return [Said(first.value, first.words), Said(second.value, second.words)]
    return None


_ONLY_WORDS = 5  # words between "only" and the purpose it limits ("only want to blur"; German
#: puts the verb last: "nur Gesichter in den Videos verpixeln")
_ONLY_BREAK = re.compile(r"[.;,:!?]")


def _contradicted(text: str, view: _View, found: list[Mention]) -> list[Said] | None:
    """"It would only detect faces ..., then recognise returning visitors": a purpose said to
    be the only one, and another purpose stated beside it. The question contradicts itself,
    so the purpose stays open (both readings shown), neither the milder nor the stricter."""
    only = view.of("cue", "purpose_only")
    if not only or len({m.value for m in found}) < 2:
        return None
    limited = [m for m in found if any(
        c.end <= m.start and len(text[c.end:m.start].split()) <= _ONLY_WORDS
        and not _ONLY_BREAK.search(text[c.end:m.start]) for c in only)]
    if not limited:
        return None
    kept = limited[0]
    # stated after it as a further step ("..., then recognise", "and flag", "; afterwards"),
    # not the same use named twice ("compare a selfie with the ID photo ... only 1:1")
    steps = view.of("cue", "further_step")
    other = next((m for m in found if m.value != kept.value and m.start >= kept.end
                  and any(kept.end <= c.start and c.end <= m.start for c in steps)), None)
    if other is None:
        return None
    return [Said(other.value, other.words), Said(kept.value, kept.words)]


#: Practices that, stated beside scraping, are a second use: building the face database is
#: one practice, what is done with it another.
_BESIDE_SCRAPING = ("identification", "emotion_inference", "categorisation", "social_scoring")


_BESIDE = 30  # characters between a purpose and the collection it describes


@lru_cache(maxsize=1)
def _collections() -> re.Pattern[str]:
    from advisor.facts.datafile import read_yaml

    path = Path(__file__).parent / "vocab" / "practices.yaml"
    words = [str(w) for ws in read_yaml(path)[
        "collection_words"].values() for w in ws]
    return re.compile(r"(?<!\w)(?:" + "|".join(
        re.escape(w) for w in sorted(set(words), key=len, reverse=True)) + r")(?!\w)", re.I)


def _describes_collection(text: str, mention: Mention) -> bool:
    """"a facial recognition database", "une base de données de reconnaissance faciale": the
    purpose names what the scraped collection is for."""
    after = _collections().match(text[mention.end:mention.end + _BESIDE].lstrip())
    before = [m for m in _collections().finditer(text, max(0, mention.start - _BESIDE),
                                                  mention.start)
              if len(text[m.end():mention.start].split()) <= 2]
    return after is not None or bool(before)


def _practices(text: str, view: _View, blocked: bool) -> list[Said]:
    """Scraping and the other practices stated beside it, each once, with its words."""
    found = sorted(view.of("fact", "purpose"), key=lambda m: (m.rank, m.start))
    found = [m for m in found if m.value == "scraping" or not _describes_collection(text, m)]
    scraping = [m for m in found if m.value == "scraping"]
    if not scraping:
        return []
    out = [Said("scraping", scraping[0].words)]
    for value in _BESIDE_SCRAPING:
        if value == "identification" and blocked:
            continue
        hit = next((m for m in found if m.value == value
                    and not any(m.overlaps(s) for s in scraping)), None)
        if hit is not None:
            out.append(Said(value, hit.words))
    return out if len(out) > 1 else []


#: Purposes read from people (their traits, feelings, a score) that outrank identification
#: but do not replace one stated beside them: each is a use of its own.
_BESIDE_IDENTIFICATION = ("social_scoring", "categorisation", "emotion_inference",
                          "attribute_inference")


def _beside_identification(text: str, chosen: Mention, value: str, found: Sequence[Mention],
                           blocks: Sequence[Mention]) -> list[Said]:
    """"what share of customers are women, and to identify shoplifters live": a read of
    people's traits, feelings or score and an identification stated beside it (in words of
    its own, not ruled out) are two uses; the trait read never replaces the identification."""
    if value not in _BESIDE_IDENTIFICATION:
        return []
    others = [m for m in found if m.value != "identification"]
    hit = next((m for m in found if m.value == "identification"
                and not any(m.overlaps(b) for b in blocks)
                and not any(m.overlaps(o) or _one_phrase(text, m, o) for o in others)
                and _same_sentence(text, m, chosen, _FULL_STOP)), None)
    if hit is None:
        return []
    return [Said(value, chosen.words), Said("identification", hit.words)]


#: Words at most between an identification word and the read it names ("recognition of the
#: emotions"); after the read ("emotion recognition") none.
_PHRASE_GAP = 2


def _one_phrase(text: str, one: Mention, other: Mention) -> bool:
    """"rozpoznawanie emocji", "recognition of the emotions", "emotion recognition": the
    identification word names how the other read is made, not a use of its own."""
    first, second = (one, other) if one.start <= other.start else (other, one)
    gap = text[first.end:second.start]
    most = _PHRASE_GAP if one.start <= other.start else 0
    return not re.search(r"[,;:.!?]", gap) and len(gap.split()) <= most



def _part_of(text: str, part: Mention, whole: Mention) -> bool:
    """True when ``part`` names an area of the place ``whole`` names ("passport control in
    the airport"): a different reading, joined to it by the language's words for "in"/"of"."""
    if part.value == whole.value or not part.end <= whole.start:
        return False
    gap = text[part.end:whole.start]
    return any(p.match(gap) for p in load(part.lang).scope_patterns("part_of"))


#: Capitalised words (joined by the particles of names: "Puerta del Sol", "Place de la
#: Concorde") right after a word for "in"/"at" and at most two short words ("en la").
_CAPITALISED = r"[A-ZÀ-ÖØ-ÞĀ-Ž][\w'’-]+"
_PROPER_RUN = re.compile(
    r"[ \t]+(?:[a-zà-ÿ'’]{1,4}[ \t]+){0,2}(" + _CAPITALISED + r"(?:[ \t]+(?:(?:"
    + "|".join(NAME_PARTICLES) + r")[ \t]+)*" + _CAPITALISED + r")*)")
_ACRONYM = 5  # letters: "in Q3", "at CBP", "in AWS" are no places


def _named_place(text: str, mentions: Sequence[Mention], view: _View) -> str | None:
    """A proper name after the language's word for "in"/"at" that nothing else reads: a named
    place whose kind the vocabulary cannot tell ("at Stachus", "en la Puerta del Sol").
    Not a name the vocabulary reads (a city, an agency, a service), a month or a day, an
    acronym, or a single word where every noun is capitalised (German "am Eingang": no
    dictionary is loaded at run time to tell a noun from a name)."""
    # (a smaller place read only after "in"/"at", "in Ischgl", is as much a named place of
    # unknown kind: a resort, a village, a venue's site)
    # (nor a workplace read as the employer, "im Hamburger Hafen ... Hafenarbeiter": the
    # port is the firm and the place's name alike; the name still leads only to the stricter
    # assumption below)
    others = [m for m in mentions if not (m.kind == "cue" and m.name == "in_place")
              and not (m.kind == "place" and m.detail.endswith(SMALL))
              and not (m.kind == "fact" and m.name == "actor" and m.value == "employer")]
    for cue in view.of("cue", "in_place"):
        match = _PROPER_RUN.match(text, cue.end)
        if match is None:
            continue
        # the name runs up to the first word something else reads ("Konstablerwache Gesichter")
        start = match.start(1)
        end = town_end = start
        for number, word in enumerate(re.finditer(r"\S+", match.group(1))):
            lo, hi = start + word.start(), start + word.end()
            hits = [m for m in others if m.start < hi and lo < m.end]
            # a place inside a town named after it ("at Malmö Central", "Brussels-Midi",
            # "Köln Messe"): the town opens the name, the place's own words follow it
            if hits and number == 0 and all(_town(m) and m.start == lo for m in hits):
                town_end = max(m.end for m in hits)
                if town_end < hi and text[town_end] == "-" and text[town_end + 1:hi][:1].isupper():
                    end = hi
                continue
            if hits:
                break
            if word.group(0)[:1].isupper():  # never end on a particle ("Puerta del")
                end = hi
        if end <= town_end:
            continue
        name = text[start:end]
        first = name.split()[0]
        if (first.isupper() and len(first) <= _ACRONYM) or calendar_word(first) or (
                cue.lang in NOUNS_CAPITALISED and " " not in name):
            continue
        return name
    return None


#: A capitalised name and the region bracketed right after it: "Mora (Toledo)", "Echt
#: (Limburg)", "Ponta Delgada (Azores)".
_BRACKET_PAIR = re.compile(
    r"(?<![\w'’.-])(" + _CAPITALISED + r"(?:[ \t-]+" + _CAPITALISED + r"){0,2})[ \t]*\([ \t]*("
    + _CAPITALISED + r"(?:[ \t-]+[\w'’.-]+){0,3}?)[ \t]*\)")
#: A capitalised name and a region after a comma: "Rome, Georgia", "Hamburg, New York".
_COMMA_PAIR = re.compile(
    r"(?<![\w'’.-])(" + _CAPITALISED + r"(?:[ \t-]+" + _CAPITALISED + r"){0,2})[ \t]*,[ \t]*("
    + _CAPITALISED + r"(?:[ \t]+" + _CAPITALISED + r")?)(?![\w'’-])")


def _bracketed_region(text: str, view: _View, candidates: list[tuple[int, int, str, str]]
                      ) -> list[tuple[int, int, str, str]]:
    """"Mora (Toledo)", "Echt (Limburg)", "Ponta Delgada (Azores)": a name with a region,
    province or island group bracketed right after it (ISO 3166-2, pycountry; common.yaml's
    islands) is read together with it. The bracketed region decides: the name is the place
    of that name (GeoNames, 1,000 people and more) in the region's country ("Mora" is
    Cameroon's town too, and Spain's in Toledo province); several of the region's countries
    with such a place, or none, leave the region's countries to weigh alike ("Limburg":
    Belgium's and the Netherlands'). Not a name that is no place the region's countries or
    any other have (a body's or a product's name)."""
    if "(" not in text and "," not in text:
        return candidates
    out = list(candidates)
    places = view.of("place", "country")
    pairs = [(m, True) for m in _BRACKET_PAIR.finditer(text)] if "(" in text else []
    pairs += [(m, False) for m in _COMMA_PAIR.finditer(text)] if "," in text else []
    for match, bracketed in pairs:
        name, region = match.group(1), match.group(2)
        owners = set(region_of(region))
        # (a region with its town bracketed after it, "La Rioja (Haro)", "Limburg
        # (Maastricht)": the town settles which country's region it is; places20)
        swapped = (set(region_of(name)) & place_countries(region) if bracketed and not owners
                   and not islands().get(region.lower()) else set())
        if swapped:
            owners, region = swapped, name  # (the region is the name before the bracket)
        isle = islands().get(region.lower()) or paired_islands().get(region.lower())
        if isle:
            owners.add(isle)
        # (a country or territory bracketed whole: "Saint-Pierre (Saint Pierre and
        # Miquelon)", the territory's town, not Réunion's; places20)
        if bracketed:
            owners |= {m.value for m in places if m.start == match.start(2)
                       and m.end == match.end(2) and len(m.value) == 2}
        if not owners:
            continue
        start = match.start(1)
        # (a name or region said NOT to be the place, "Paris (not Paris, Texas)", "nicht
        # Paris, Texas": the pair places nothing; rev19a)
        if any(m.start < match.end() and match.start(1) < m.end for m in view.negated
               if m.kind == "place"):
            continue
        here = [c for c in out if c[1] == start]
        # (a place of a territory with a code of its own inside the region's country is the
        # territory's: "Fort-de-France (Martinique)", MQ, not France)
        named = saint_places(name)
        owners |= {code for code in named if any(overseas_of(o, code) for o in owners)}
        if not named and not here:
            continue  # (no place's name: "Azure AI Face (Limburg)")
        if not bracketed and (not owners & named or _in_list(text, places, match)
                              or any(c[0] > 0 and c[1] != start and jurisdiction(c[2]) == "eu"
                                     and c[2] not in owners
                                     and c[3].lower() != name.lower() for c in out)):
            # a comma places the name only where the region's country has a place of that
            # name, not as one item of a list ("Rome, Georgia and Armenia"), and never past
            # an EU place named elsewhere (the reading stays the stricter one)
            continue
        placed = (owners & named) or owners
        pri = max((c[0] for c in here), default=0)
        if not here:
            pri = 2 if any(c.end <= start and not text[c.end:start].strip()
                           for c in view.of("cue", "in_place")) else 1
        # (the pair named right before a body is the body's place: "Ponta Delgada (Azores)
        # police", as "Lisbon police" is)
        if bracketed and any(b.start >= match.end() and not text[match.end():b.start].strip()
                             for b in view.of("agency", "actor")):
            pri = max(pri, 3)
        # (the same name said again elsewhere is the same place: "Rome, so ...")
        out = [c for c in out if not ((c[1] == start or c[3].lower() == name.lower())
                                      and c[2] not in placed)]
        out.extend((pri, start, code, name) for code in sorted(placed)
                   if (pri, start, code, name) not in out)
    return out


def _in_list(text: str, places: Sequence[Mention], match: re.Match[str]) -> bool:
    """True when the comma pair stands in a list of places: another place right before the
    name or right after the region ("Berlin, Hamburg, New York", "Rome, Georgia and Armenia")."""
    return any((p.end <= match.start(1) and _LIST_GAP.fullmatch(text[p.end:match.start(1)]))
               or (p.start >= match.end(2) and _LIST_GAP.fullmatch(text[match.end(2):p.start]))
               for p in places)


def _town(mention: Mention) -> bool:
    """A town or city read for its country (not a country's own name, not an agency)."""
    return mention.kind == "place" and mention.name == "country" and bool(
        re.fullmatch(r"[\w'’.-]+(?:[ \t]+[\w'’.-]+){0,2}", mention.words)) and \
        mention.words[:1].isupper()


_IN_GAP = re.compile(r"^[^\W\d_A-ZÀ-Þ]*(?:\s+[^\W\d_A-ZÀ-Þ]+(?:['’][^\W\d_A-ZÀ-Þ]*)?){0,5}\s*$")


def _placed_in(text: str, view: _View, body: Mention) -> bool:
    """True when a word for "in" opens the phrase that names the body ("en el calabozo de una
    comisaría", "dans la salle du commissariat"): the body's premises are where it happens.
    Only lower-case words between (a town named between is where the body sits)."""
    return any(c.end <= body.start and _IN_GAP.match(text[c.end:body.start])
               for c in view.of("cue", "in_place"))


def _within(inner: Mention | None, outer: Mention) -> bool:
    return inner is not None and outer.start <= inner.start and inner.end <= outer.end


def _read_place(text: str, view: _View, turn: Reading,
                mentions: Sequence[Mention]) -> None:
    candidates: list[tuple[int, int, str, str]] = []  # (priority, position, code, words)
    places = view.of("place", "country")
    for mention in places:
        candidates.append((_place_priority(text, view, mention), mention.start,
                           mention.value, mention.words))
    for mention in view.of("agency", "actor"):
        if any(_joined(text, place, mention) for place in places):
            continue  # "Tokyo Metropolitan Police": the place joined to it names its country
        if any(_force_of(text, view, mention, place) for place in places):
            continue  # "Policía Nacional del Perú": the place named after it is its country
        if mention.detail.endswith("?"):  # a hint ("police department": US usage)
            candidates.append((0, mention.start, mention.detail[:-1], mention.words))
        elif mention.detail and mention.detail != "EU":
            candidates.append((3, mention.start, mention.detail, mention.words))
        elif mention.detail == "EU":
            turn.region_words = turn.region_words or mention.words
    candidates = _bracketed_region(text, view, candidates)
    if candidates:
        negated = [m for m in mentions if m.kind == "place" and m.name == "country"
                   and m.scope == "negated"]
        candidates = _qualified_towns(text, places, view.of("agency", "actor"), negated,
                                      candidates)
        if not candidates:  # a town said not to be the one it names: where stays open
            return
        candidates = _also_us_town(view, places, candidates)
        candidates = _own_territory(candidates)
        candidates = _body_in_territory(text, candidates, places)
        candidates = _body_acts_at(text, view, places, candidates)
        candidates = _alternatives_alike(text, view, candidates)
        candidates.sort(key=lambda item: (-item[0], item[1]))
        top = candidates[0][0]
        best = [c for c in candidates if c[0] == top]
        codes = list(dict.fromkeys(c[2] for c in best))
        turn.found["country"] = [Said(code, next(c[3] for c in best if c[2] == code))
                                 for code in codes]
        return
    region = view.of("place", "region")
    if region:
        turn.region_words = region[0].words


#: A town's name and what places it: "Dublin, Ohio", "Toledo (Ohio", "Ohio's Dublin".
_QUALIFIER_GAP = re.compile(r"\s*[,(]\s*")
_COMMA_GAP = re.compile(r"\s*,\s*")
_REGION_OWNS = re.compile(r"['’]s\s+")
_NOT_THAT_GAP = 48  # characters: " PD (South Carolina, not ", " (Ohio, no el de "
#: What may stand between a region and the next place of a list ("Madrid, Texas and New
#: York", "Lyon, Ohio, or Berlin"): commas and up to two lower-case words.
_LIST_GAP = re.compile(r"[\s,]*(?:[^\W\d_A-ZÀ-Þ]+[\s,]+){0,2}")
#: What may stand between a negation and the country it negates, after the last comma or
#: bracket ("not ", "no el de ", "nicht das in ", "not the one in "): lower-case words only.
_NOT_TAIL = re.compile(r"\s*(?:[^\W\d_A-ZÀ-Þ]+\s+){1,4}")


def _qualified_towns(text: str, places: Sequence[Mention], bodies: Sequence[Mention],
                     negated: Sequence[Mention],
                     candidates: list[tuple[int, int, str, str]]) -> list[
                         tuple[int, int, str, str]]:
    """"Dublin, Ohio", "Florence (South Carolina, not Italy)", "Toledo (Ohio, no el de
    España)": a town's name placed by a region of another country (ISO 3166-2, pycountry) is
    that country's town, wherever the name comes up in the question; and a country the
    question says it is NOT ("not Italy", "nicht in Frankreich") is not where the use is,
    when another place is named.
    "Town, Region" with a comma may as well be a list ("Madrid, Texas and New York"): it
    places the town only when no other place follows the region as the next item of a list,
    and GeoNames has a town of that name in the region's country or no other place comes
    right before the town and the region closes the name ("Hamburg, New York, ...": a village
    GeoNames lacks; not "in Bordeaux, Washington only hosts ..."). A plainly named EU place
    left beside a qualified town keeps the reading the question had without the qualifier
    (the stricter one)."""
    qualified: set[str] = set()
    regions: set[int] = set()  # where the regions that placed a town start
    for town in places:
        for region in places:
            owners = region_of(region.words)
            # (or a country's own name, placing a town or region its country has too:
            # "Limburg (België)", "Valencia, Venezuela"; issue 9 places16b)
            country = not owners and country_named(region.words)
            if country:
                owners = frozenset({region.value})
            if region.value == town.value or region.value not in owners:
                continue
            gap = text[town.end:region.start]
            for body in bodies:  # "Florence PD (South Carolina": the town's body between
                if town.end <= body.start and body.end <= region.start:
                    gap = gap.replace(body.words, " ")
            known = any(town_also_in(town.words, code) or code in region_of(town.words)
                        for code in owners)
            if country and not known:
                continue
            if region.start >= town.end and _QUALIFIER_GAP.fullmatch(gap) and (
                    not _COMMA_GAP.fullmatch(gap)
                    or ((known or (not _listed_before(text, places, town)
                                   and _REGION_CLOSES.match(text, region.end)))
                        and not _listed_after(text, places, region))):
                qualified.add(town.words.lower())
                regions.add(region.start)
            elif (town.start >= region.end and known
                  and _REGION_OWNS.fullmatch(text[region.end:town.start])):
                qualified.add(town.words.lower())
                regions.add(region.start)
    # "Florence PD (not Italy)", "Toledo, no el de España": a town's name another country's
    # town also has, said not to be the one of the country named right after the negation
    # (a country's own name: a town of the same country, "Florence, not Rome", or a demonym,
    # "not the Spanish police", negates no country)
    # (a town GeoNames knows in one country only, placed by another country's region right
    # before the negation: "Berlin PD (the one in New Hampshire, not Germany)"; places18)
    for town in places:
        # (a town of one country is taken away so only when that country is outside the EU:
        # the region may be another party's, "Cork police (like their colleagues in Ohio,
        # not Ireland)", and an EU town then stands against it, left open; rev18b)
        several = len(town_countries(town.words)) > 1
        if any((several or jurisdiction(town.value) != "eu" and any(
                    town.end <= p.start and p.end <= n.start and p.value != town.value
                    and p.value in region_of(p.words) for p in places))
               and n.value == town.value and 0 < n.start - town.end <= _NOT_THAT_GAP
               and country_named(n.words)
               and _NOT_TAIL.fullmatch(re.split(r"[,(;:]", text[town.end:n.start])[-1])
               and not _SENTENCE_END.search(text[town.end:n.start]) for n in negated):
            qualified.add(town.words.lower())
    out = [c for c in candidates if c[3].lower() not in qualified]
    named = {p.start for p in places} - regions  # (a body's hint, "Polizei", is no place)
    if any(c[1] in named and jurisdiction(c[2]) == "eu" for c in out):
        return candidates  # "Dublin, Ohio ... and a store in Berlin": as read without it
    return out if out or qualified else candidates


#: The region closes the town's name ("Hamburg, Pennsylvania, wants", "... in Hamburg, New
#: York."): a town GeoNames lacks in the region's country is placed by the region only then,
#: not where the region opens a clause of its own ("in Bordeaux, Washington only hosts the
#: servers"), which keeps the town's own reading (the stricter one).
_REGION_CLOSES = re.compile(r"\s*(?:[,.;:!?)\]]|$)")


def _listed_before(text: str, places: Sequence[Mention], town: Mention) -> bool:
    """True when ``town`` follows another place as the next item of a list ("Berlin,
    Hamburg, New York"): a town GeoNames lacks in the region's country ("Hamburg, New York",
    a village) is placed by the region only when no list runs into it."""
    return any(p.end <= town.start and _LIST_GAP.fullmatch(text[p.end:town.start])
               for p in places)


def _listed_after(text: str, places: Sequence[Mention], region: Mention) -> bool:
    """True when another place follows ``region`` as the next item of a list ("Texas and
    New York", "Ohio, Berlin")."""
    return any(p.start >= region.end and p.start != region.start
               and _LIST_GAP.fullmatch(text[region.end:p.start]) for p in places)


def _also_us_town(view: _View, places: Sequence[Mention],
                  candidates: list[tuple[int, int, str, str]]) -> list[
                      tuple[int, int, str, str]]:
    """"The ... Police Department in Athens": a body named the US way ("police department",
    "PD") in a town the United States also has (GeoNames) may be the US town's; both stay
    open (a non-US reading would drop the US codes' ban on police use)."""
    hinted = [m for m in view.of("agency", "actor") if m.detail == "US?"]
    if not hinted or any(c[2] == "US" for c in candidates if c[0] > 0):
        return candidates
    out = list(candidates)
    for town in places:
        if town.scope != "negated" and town_also_in(town.words, "US"):
            pri = next((c[0] for c in candidates if c[1] == town.start), None)
            if pri is not None:
                out.append((pri, town.start, "US", town.words))
    return out


def _body_in_territory(text: str, candidates: list[tuple[int, int, str, str]],
                       places: Sequence[Mention]) -> list[tuple[int, int, str, str]]:
    """"Op Statia wil de Koninklijke Marechaussee ...", "the Gendarmerie in Nouméa": a state's
    own body (its country read from its name) in a territory of that state with a country
    code of its own (ISO 3166-2 lists it among the state's subdivisions: "NL-BQ3", "FR-NC")
    acts there: the territory named after a word for "in"/"at" is the place of use."""
    at = {p.start: p for p in places}
    there = [c for c in candidates if c[1] in at and c[0] >= 2]
    if not there:
        return candidates
    # (a nationality joined to the body, "a French gendarmerie unit in Cayenne", ranked 3 by
    # ``_place_priority``, gives way only to a territory inside the EU, an outermost region:
    # "Dutch police on Bonaire" keeps the stricter reading; places19)
    return [c for c in candidates if (c[1] in at and c[0] < 3) or not any(
        o[2] != c[2] and overseas_of(c[2], o[2]) and _territory_joined(text, at[o[1]], c[1])
        and (c[1] not in at or jurisdiction(o[2]) == "eu") for o in there)]


#: A clause break between a territory and a body: the territory is another clause's place.
_CLAUSE_BREAK = re.compile(r"[,.;:!?()\[\]\n]")
_TERRITORY_GAP = 3  # words between the territory and the body ("Op Statia wil de ...")
_BODY_WORDS = 6  # words from the body's start to the territory ("the Gendarmerie nationale à")


def _territory_joined(text: str, territory: Mention, body: int) -> bool:
    """True when the territory names where the body acts in the same clause: the
    territory's phrase opens the clause right before the body ("Op Statia wil de Koninklijke
    Marechaussee", "On Sint Eustatius the ...") or follows the body's name closely ("the
    Gendarmerie in Nouméa"). Not a territory said of another event ("Après une mission à
    Nouméa, la Gendarmerie ...", "Na een oefening op Bonaire wil de Marechaussee ..."): the
    body's own (stricter) country stands there."""
    if territory.end <= body:
        gap = text[territory.end:body]
        opening = _CLAUSE_BREAK.split(text[:territory.start])[-1]
        return (not _CLAUSE_BREAK.search(gap) and len(gap.split()) <= _TERRITORY_GAP
                and len(opening.split()) <= 1)
    gap = text[body:territory.start]
    return not _CLAUSE_BREAK.search(gap) and len(gap.split()) <= _BODY_WORDS


#: What may stand between a word for "in"/"at" and the place it opens ("im Hafen von Hamburg",
#: "at Schiphol in", "dans le port de Marseille"): up to three words, no punctuation.
_AT_GAP = re.compile(r"\s*(?:[^\W\d_][\w'’-]*\s+){0,3}")


def _body_acts_at(text: str, view: _View, places: Sequence[Mention],
                  candidates: list[tuple[int, int, str, str]]) -> list[
                      tuple[int, int, str, str]]:
    """"Das FBI will im Hafen von Hamburg ...", "the US Marshals Service ... at Schiphol in
    Amsterdam": a body whose name gives its country (or a nationality joined to it) acting at
    a place named after a word for "in"/"at" in another country uses the system there: the
    place of use is where the system runs. Read only toward the stricter law: a place in the
    EU wins over a body's country outside it; a body of an EU country keeps its reading
    ("een politiezone in Limburg": the name is Dutch and Belgian) (issue 9 bodyplace17)."""
    bodies = [c for c in candidates if c[0] == 3]
    if not bodies or any(jurisdiction(b[2]) == "eu" for b in bodies):
        return candidates  # (an EU body's own country already reads the EU AI Act)
    langs = {m.lang for m in view.all}
    cues = view.of("cue", "in_place")
    others = view.of("agency", "actor") + list(places)

    def opened(place: Mention) -> bool:  # a word for "in"/"at" opens it, only words between
        return any(c.end <= place.start and _AT_GAP.fullmatch(gap := text[c.end:place.start])
                   and (c.lang in NOUNS_CAPITALISED or gap == gap.lower())
                   and not any(c.end <= o.start < place.start for o in others) for c in cues)

    def with_body(place: Mention) -> bool:  # in the sentence that names the body
        return any(not _SENTENCE_END.search(text[min(b[1], place.start):max(b[1], place.start)])
                   for b in bodies)
    at: list[tuple[int, int, str, str]] = []
    for place in places:
        # (every country the name has: "Limburg", Belgian and Dutch)
        cands = [c for c in candidates if c[1] == place.start and c[0] in (1, 2)]
        # (not a small place read only after "in", a "Hauptbahnhof"; not where a party sits,
        # "in our Frankfurt office")
        if not cands or place.scope != "use" or place.detail.endswith(SMALL) or \
                not opened(place) or not with_body(place) or \
                _seated(text, view, place, langs, any(
                    c.end <= place.start and not text[c.end:place.start].strip() for c in cues)):
            continue
        at.extend(c for c in cands if c not in at)
    if not at or any(b[2] == c[2] for b in bodies for c in at):
        return candidates  # "die Kantonspolizei Zürich ... in Zürich": its own country
    at = [c for c in at if jurisdiction(c[2]) == "eu"]
    if not at:
        return candidates
    out = [c for c in candidates if c[0] != 3 or c in at]
    return [(3, *c[1:]) if c in at else c for c in out]


def _own_territory(candidates: list[tuple[int, int, str, str]]) -> list[
        tuple[int, int, str, str]]:
    """"Saint-Pierre-et-Miquelon", "Nouvelle-Calédonie": the same words read both as a
    territory with a country code of its own and as its state's subdivision (ISO 3166-2
    "FR-PM") are the territory (its own law, not always its state's)."""
    if len({c[2] for c in candidates}) < 2:
        return candidates
    return [c for c in candidates if not any(
        o[2] != c[2] and o[1] == c[1] and o[3] == c[3] and territory_of(c[2], o[2])
        for o in candidates)]


def _party_place(mentions: Sequence[Mention], turn: Reading) -> None:
    """"un intégrateur à Namur", "we (Tallinn) build it": the only places named are a party's,
    not the use's. When every one of them is in the EU, the use is taken to be there too (the
    stricter reading: the EU AI Act only adds prohibitions); the country stays open."""
    if "country" in turn.found or turn.region_words is not None:
        return
    party = [m for m in mentions if m.kind == "place" and m.name == "country"
             and m.scope == "other_party"]
    if party and all(jurisdiction(m.value) == "eu" for m in party):
        turn.party_eu_words = party[0].words


_PLACE_OR_GAP = 40  # characters: " or in ", ", or maybe ", " contact centre or the one in "


def _alternatives_alike(text: str, view: _View,
                        candidates: list[tuple[int, int, str, str]]) -> list[
                            tuple[int, int, str, str]]:
    """"either in Sweden or Norway", "Geneva or Lyon": places offered as alternatives weigh
    alike, so where the use is stays open when their countries differ."""
    ors = view.of("cue", "or_word")
    if not ors:
        return candidates
    out = list(candidates)
    best = max(c[0] for c in candidates)
    top_kinds = {jurisdiction(c[2]) for c in candidates if c[0] == best}
    for i, (pri_a, start_a, code_a, words_a) in enumerate(candidates):
        for j, (pri_b, start_b, code_b, _) in enumerate(candidates):
            lo = start_a + len(words_a)
            if code_a == code_b or not 0 < start_b - lo <= _PLACE_OR_GAP or (
                    _SENTENCE_END.search(text[lo:start_b])):
                continue
            if _between(ors, lo, start_b):
                top = max(pri_a, pri_b)
                # (two countries of one jurisdiction offered as the sides of a border, "belge
                # ou néerlandais", "po stronie polskiej czy czeskiej": as strong as anything
                # else named, a body's nationality too; where stays open, the jurisdiction
                # not: places20)
                near = text[max(0, start_a - _PLACE_OR_GAP):start_b + _PLACE_OR_GAP]
                kinds = top_kinds | {jurisdiction(code_a), jurisdiction(code_b)}
                if top < best and len(kinds) == 1 and border_sides().search(near):
                    top = best
                # (a priority another pair raised is never written back down: "Strasbourg
                # or Basel or Zurich" stays open)
                out[i] = (max(top, out[i][0]), *out[i][1:])
                out[j] = (max(top, out[j][0]), *out[j][1:])
    return out


def _force_of(text: str, view: _View, body: Mention, place: Mention) -> bool:
    """True when ``place`` follows the body with only "of" between ("Policía Nacional del
    Perú", "la Police nationale du Congo"): the body is that place's, not the country its
    name alone would give."""
    langs = {m.lang for m in view.all}
    return 0 < place.start - body.end <= _FORCE_GAP and any(
        p.fullmatch(text[body.end:place.start]) for lang in langs
        for p in _scope(lang, "force_place"))


def _place_priority(text: str, view: _View, mention: Mention) -> int:
    langs = {m.lang for m in view.all}
    # "the US Army garrison in Ansbach", "l'ambassade des États-Unis à Rome": a state's army,
    # base or embassy abroad stands where it stands, not in its state: the state's name ranks
    # as a party's seat does, below a place of use (revfix16b: not below another party's
    # nationality, "l'armée française ... une entreprise américaine", which says nothing of
    # where the post stands)
    if any(p.match(text, mention.end) for lang in langs
           for p in _scope(lang, "state_post_after")) or any(
            p.search(text[max(0, mention.start - _SEAT_GAP):mention.start])
            for lang in langs for p in _scope(lang, "state_post")):
        return 1
    # A nationality joined to a police body ("Ukrainian police", "ukrainische Polizei") is
    # that body's country, as a named force's own country is; it outranks a city elsewhere.
    bodies = view.of("agency", "actor")
    # (or runs into the body's name: "Bexar County Sheriff's Office", the county's sheriff)
    if any(_joined(text, mention, m) or mention.start < m.start < mention.end <= m.end
           for m in bodies):
        return 3
    # so is a place named right after the body with only "of" between ("the police of
    # Houston", "politie van Houston", "policji z Dallas"): the force's own place
    if any(_force_of(text, view, m, mention) for m in bodies):
        return 3

    def said(kind: str, before: str) -> bool:  # a scope word of ``kind`` ends right before
        return any(p.search(before) for lang in langs for p in _scope(lang, kind))
    # "Vale il diritto svizzero?", "le droit suisse s'applique-t-il ?": a nationality naming
    # a law the user asks about is where the use happens only when nothing else says where
    before_law = text[max(0, mention.start - _SEAT_GAP):mention.start]
    if said("law_place", before_law):
        return 0
    # "Siamo in Svizzera di fatto", "we're practically in Switzerland": a place said only
    # roughly is the user's own take, where the use happens only when nothing else says where
    # (fixr15c: only a place outside the EU: "practically in Germany, in Basel" leaves the
    # EU open rather than reading the stricter law away on a hedge)
    if not (mention.name == "country" and jurisdiction(mention.value) == "eu") and (any(
            p.match(text, mention.end) for lang in langs
            for p in _scope(lang, "hedged_place_after")) or said("hedged_place", before_law)):
        return 0
    # "the enclave in Switzerland", "umgeben von der Schweiz": the country around a place is
    # not the place's own (an enclave is its own country's), read only when nothing else says
    if said("surrounding_place", before_law):
        return 0
    # "a firm from Lublin supplies the police in Bălți": the supplier's own place is where the
    # use happens only when nothing else says where
    if any(p.match(text, mention.end) for lang in langs for p in _scope(lang, "supplier_after")):
        return 0
    # so is the place on a forwarded mail's sender line ("Da: Shkodra Tech, Tirana ... per il
    # vostro ospedale di Bari"): the sender's own place, not where the use is
    if said("sender", before_law):
        return 0
    # "a vendor in Texas wants Azure OpenAI to identify shoppers in our stores in Lyon": the
    # party that does the use is the user, but the place it names for the use is where the
    # use is: the party's own place only when nothing else says where (revfix16b)
    if _party_user_elsewhere(text, view, mention, langs):
        return 0
    # "mon client est à Genève, mais l'utilisation aurait lieu à Annecy", "the system would
    # run in our stores in Lyon": the place the use is said to happen at is where it is, above
    # a client's or a party's place named elsewhere, and a body's own country (places19:
    # ranked above the body's, 3, which ``_body_acts_at`` weighs as the body's)
    # (rev19a: a place outside the EU said so never takes the reading past an EU place or an
    # EU state's body named elsewhere: "the processing would be in the US", "the system is
    # used in the UK", "installed in China by the vendor" say where data, a comparison or a
    # vendor is, as often as where people are watched; the stricter reading stays, as a comma
    # pair's does)
    if any(p.search(text[max(0, mention.start - _USE_GAP):mention.start])
           for lang in langs for p in _scope(lang, "use_at")) and not _past_eu(view, mention):
        return 4
    # "a bank with its seat in Frankfurt", "a Chicago-based vendor", "our Lyon office": where
    # the body sits, read as where it acts only when the question names no place of the use
    # ("... its branches in Vienna"); an office or branch word only when no word for "in"/"at"
    # opens the place ("in Paris offices of its client", "w Gdańsku oddziały": the use's)
    after_in = any(m.end <= mention.start and not text[m.end:mention.start].strip()
                   for m in view.of("cue", "in_place"))
    if _seated(text, view, mention, langs, after_in):
        return 1
    # "in Germany" (where the use happens) outranks a nationality ("a German company"), and
    # so does a place named with the client who uses it ("our client, a German retailer").
    return 2 if after_in or any(
        0 <= mention.start - m.end <= _CLIENT_GAP and not _SENTENCE_END.search(
            text[m.end:mention.start]) for m in view.of("cue", "client_party")) else 1


def _seated(text: str, view: _View, mention: Mention, langs: set[str],
            after_in: bool) -> bool:
    """True when the place is where a body sits ("a bank with its seat in Frankfurt", "a
    Chicago-based vendor", "our Lyon office"); an office or branch word only when no word for
    "in"/"at" opens the place right before it."""
    before = text[max(0, mention.start - _SEAT_GAP):mention.start]
    return any(p.search(before) for lang in langs for p in _scope(lang, "seat")) or any(
        p.match(text, mention.end) for lang in langs for p in _scope(lang, "seat_after")) or (
            not after_in and any(p.match(text, mention.end) for lang in langs
                                 for p in _scope(lang, "seat_after_office")))


def _party_user_elsewhere(text: str, view: _View, mention: Mention,
                          langs: set[str]) -> bool:
    """A party's place ("a vendor in Texas") right before the words saying the party does
    the use ("wants Azure OpenAI to identify ..."), when the same sentence then names a town
    or a country, or any place after a word for "in"/"at" ("... in our stores in Lyon", "en
    nuestras tiendas de Sevilla"): that place is where the use is (a nationality, "American
    tourists", says who is watched, not where)."""
    if not any(p.match(text, mention.end) for lang in langs
               for p in _scope(lang, "party_uses")):
        return False
    before = text[max(0, mention.start - _CLIENT_GAP):mention.start]
    if not any(p.search(before) for lang in langs for p in _scope(lang, "other_party")):
        return False
    end = _SENTENCE_END.search(text, mention.end)
    stop = end.start() if end else len(text)
    return any(m is not mention and m.kind == "place" and m.scope == "use"
               and mention.end < m.start < stop and (
                   country_named(m.words) or bool(town_countries(m.words)) or any(
                       c.end <= m.start and not text[c.end:m.start].strip()
                       for c in view.of("cue", "in_place")))
               for m in view.all)


def _past_eu(view: _View, mention: Mention) -> bool:
    """True when ``mention`` is a place outside the EU and an EU place, or a body of an EU
    member state, is named elsewhere in the turn (``_place_priority``'s place of use)."""
    if jurisdiction(mention.value) == "eu":
        return False
    return any(m.start != mention.start and jurisdiction(m.value) == "eu"
               for m in view.of("place", "country")) or any(
        jurisdiction(m.detail) == "eu" for m in view.of("agency", "actor")
        if m.detail and not m.detail.endswith("?") and m.detail != "EU")


@lru_cache(maxsize=64)
def _scope(lang: str, key: str) -> tuple[re.Pattern[str], ...]:
    """The language's ``scope.<key>`` patterns (a body's seat, a force's place), read from its
    file alone: the compiled vocabulary of the other spelling (with or without accents) is not
    loaded for it."""
    from advisor.facts.datafile import read_yaml

    path = Path(__file__).parent / "vocab" / f"{lang}.yaml"
    data = (read_yaml(path) or {}) if path.exists() else {}
    spec = (data.get("scope") or {}).get(key) or {}
    # English writes its scope cues as plain lists, the other languages as {patterns: [...]}
    patterns = spec.get("patterns", ()) if isinstance(spec, dict) else spec
    return tuple(re.compile(str(p), re.IGNORECASE) for p in patterns)


_SEAT_GAP = 40  # characters: "mit Sitz in", "z siedzibą w"
_USE_GAP = 60  # characters: "l'impianto sarebbe nel loro outlet a "
_FORCE_GAP = 16  # characters: " von der Stadt ", " van "
_CLIENT_GAP = 60  # characters: "our client, a chain of stores in the north of Germany"
_SENTENCE_END = re.compile(r"[.;:!?]")
_CLAUSE_END = re.compile(r"[.;!?]")  # a colon introduces what the clause goes on to say
_FULL_STOP = re.compile(r"[.!?\n]")


def _joined(text: str, a: Mention, b: Mention) -> bool:
    """True when two mentions stand side by side, only spaces between them."""
    if a.end <= b.start:
        return not text[a.end:b.start].strip()
    return b.end <= a.start and not text[b.end:a.start].strip()


def _read_actor(text: str, view: _View, turn: Reading,
                mentions: Sequence[Mention] = ()) -> None:
    best: tuple[int, int, str, str, int, str] | None = None
    # "(a private company, not the port police)", "not the municipal police": the police word
    # of a body the question negates is no party either, though a word of the body's name
    # (read as negated itself, or as the negated body) stands between it and the negation
    negated_bodies = [m for m in mentions if m.scope == "negated" and (
        m.kind == "cue" and m.name == "le_body" or m.name == "actor")]
    for mention in view.of("agency", "actor"):
        if any(_within(mention, d) or d.end <= mention.start and _joined(text, d, mention)
               for d in negated_bodies):
            continue
        key = (_ACTOR_RANK[mention.value], -len(mention.words), mention.value, mention.words,
               mention.start, mention.detail)
        if best is None or key < best:
            best = key
    force = view.cue("police_force")
    if force is not None and (best is None or best[0] > 1):
        best = (1, 0, "police", force.words, force.start, "")
    # a law-enforcement body named by its kind ("the Hellenic Coast Guard"); a firm working
    # "for" or "under contract with" it is read with it below (acting_for)
    body = view.cue("le_body")
    if body is not None and any(m.kind == "agency" and m.scope != "use" and m.overlaps(body)
                                for m in mentions):
        body = None  # "the gendarmerie is not involved": the body named takes no part
    if body is not None and best is None:
        best = (2, 0, "law_enforcement", body.words, body.start, "")
    doubted = best is not None and any(
        0 <= best[4] - c.end <= _DOUBT_GAP and not _SENTENCE_END.search(text[c.end:best[4]])
        for c in view.of("cue", "actor_doubt"))
    if best is not None and doubted:
        # "(not clear whether it acts for the police)": the police are in doubt; the body
        # named beside them, if any, is the other reading, else who acts is open
        other = view.best("actor")
        if other is None:
            turn.agency_words = best[3]
            return
        turn.actor_kind, turn.actor_words = other.value, other.words
        turn.actor_rival = Said(best[2], best[3])
        return
    if best is not None:
        turn.actor_kind, turn.actor_words, turn.actor_detail = best[2], best[3], best[5]
        turn.actor_rival = _rival(text, view, best[2], best[4], best[3])
        denied = view.cue("le_denied")
        if turn.actor_rival is None and denied is not None and best[2] != "federal":
            # "not law enforcement, but the municipal police": the body named and the class
            # denied disagree, so who acts (in law) stays open
            turn.actor_rival = Said("government_non_le", denied.words)
        if turn.actor_rival is None:
            turn.actor_rival = _municipal_rival(view, best[4], best[4] + len(best[3]), best[2])
        turn.acting_for = any(m.end <= best[4] and best[4] - m.end <= 60
                              for m in view.of("cue", "acting_for")) and bool(
            view.cue("acting_party"))
        return
    other = view.best("actor")
    if other is not None:
        turn.actor_kind, turn.actor_words = other.value, other.words
        turn.actor_rival = _rival(text, view, other.value, other.start, other.words) or (
            _municipal_rival(view, other.start, other.end, other.value)) or (
            _police_powers_rival(view, other))
        if other.value == "government_non_le" and _hunts_crime(view) and any(
                c.overlaps(other) for c in (*view.of("cue", "interior_ministry"),
                                            *view.of("cue", "municipal_enforcement"))) and (
                turn.actor_rival is None or turn.actor_rival.value == "law_enforcement"):
            # "the Interior Ministry (the Ordnungsamt) wants to spot people with an arrest
            # warrant": the body that runs the police, or one with police-like powers, hunting
            # people wanted for a crime acts as law enforcement
            turn.actor_kind, turn.actor_rival = "law_enforcement", None
        return
    municipal = view.cue("municipal_enforcement")
    if municipal is not None:  # "Straż Gminna chce ...": a guard no actor word names
        if _hunts_crime(view):
            turn.actor_kind, turn.actor_words = "law_enforcement", municipal.words
            return
        turn.actor_kind, turn.actor_words = "government_non_le", municipal.words
        turn.actor_rival = Said("law_enforcement", municipal.words)
        return
    patrol = view.cue("patrol")
    if patrol is not None:
        turn.actor_kind, turn.actor_words = "police", patrol.words
        return
    agency = view.cue("agency_word")
    turn.agency_words = agency.words if agency else None
    if agency is not None and any(m.kind == "agency" and m.scope == "negated"
                                  and m.value in _POLICE_KINDS for m in mentions):
        # "a public agency (not police)", "un ente, non di polizia": a public body whose
        # police nature the question denies
        turn.actor_kind, turn.actor_words = "government_non_le", agency.words


def _municipal_rival(view: _View, start: int, end: int, kind: str) -> Said | None:
    """A municipal enforcement body chosen as who acts (an Ordnungsamt, boa's, Straż Miejska,
    ``municipal_enforcement``): it enforces rules with police-like powers but is not the
    police, so whether it is law enforcement ("preventing, investigating, detecting or
    prosecuting crime, by police or on their behalf") is not settled. The other class is its
    rival: the actor stays open and both outcomes are shown, never the milder one alone."""
    for cue in view.of("cue", "municipal_enforcement"):
        if cue.start < end and start < cue.end:
            police = kind in _POLICE_KINDS
            if police and _hunts_crime(view):
                return None  # hunting wanted people or suspects: it acts as law enforcement
            return Said("government_non_le" if police else "law_enforcement", cue.words)
    return None


def _hunts_crime(view: _View) -> bool:
    """The question has the body look for people wanted for a crime (a warrant, fugitives,
    suspects: ``crime_hunt``): a municipal enforcement body doing that acts "for the
    prevention, investigation, detection or prosecution of criminal offences", so it is read
    as law enforcement (the stricter reading), not left between the two classes."""
    # (not where the user doubts the body's class: "I don't know whether SOK counts as law
    # enforcement": who acts stays open)
    return view.cue("crime_hunt") is not None and view.cue("class_question") is None


def _police_powers_rival(view: _View, chosen: Mention) -> Said | None:
    """A public body with police powers as well as civil ones (a French or Italian prefecture,
    ``police_powers``) read as a public body, in a question about suspects, wanted people or a
    threat: it may be acting as law enforcement, so that class is its rival and the actor
    stays open (never the milder reading alone). Elsewhere (permits, queues) it stays a
    public body."""
    if chosen.value != "government_non_le" or not (
            view.of("fact", "exception") or view.of("cue", "police_words")
            or _hunts_crime(view)):
        return None
    for cue in view.of("cue", "police_powers"):
        if cue.overlaps(chosen):
            return Said("law_enforcement", cue.words)
    return None


def _class_asked(text: str, mentions: Sequence[Mention], view: _View, turn: Reading) -> None:
    """"A private prison operator ... Do they count as 'police'?": the body named and the class
    the user asks about disagree; the class is offered as a rival, so who acts stays open."""
    asked = view.cue("class_question")
    if asked is None or turn.actor_kind is None or turn.actor_rival is not None:
        return
    police = turn.actor_kind in _POLICE_KINDS
    for m in mentions:
        if (m.start >= asked.start and m.scope == "premise" and m.name == "actor"
                and m.kind in ("agency", "fact") and (m.value in _POLICE_KINDS) != police):
            turn.actor_rival = Said(m.value, m.words)
            return
    # "Zählt das als Polizei?", "Ils comptent comme des forces de l'ordre ?": the class asked
    # about is the police itself, so the body doing it is not plainly the police; read as
    # police, it has a civil body as its rival and who acts stays open (actors17)
    # (only the police named as the class itself, right after the asking words: "count as
    # [the] police", not the police named later as who acts, "does that count as an allowed
    # exception when the police do it?", "vale come eccezione se lo fanno i carabinieri?")
    if police and any(m.name == "actor" and m.kind in ("agency", "fact")
                      and m.value in _POLICE_KINDS and _class_named(text, asked, m)
                      for m in mentions):
        turn.actor_rival = Said("government_non_le", asked.words)


_CLASS_GAP = re.compile(r"[,.;:!?()\n]")


def _class_named(text: str, asked: Mention, named: Mention) -> bool:
    """``named`` is the class the user asks about (``asked``: "zählt das als", "count as"):
    it follows the asking words with at most two words (articles) and no punctuation between."""
    if named.start < asked.end:
        return False
    gap = text[asked.end:named.start]
    return _CLASS_GAP.search(gap) is None and len(gap.split()) <= 2


_DOUBT_GAP = 60  # characters: "no está claro si actúa por encargo de la policía"
_OR_GAP = 40  # characters: "the police or the city's parks department"
_PART_GAP = 30  # characters: "teils im Auftrag der Polizei", "partly by the police"
_POLICE_KINDS = frozenset(_ACTOR_RANK)


def _rival(text: str, view: _View, kind: str, start: int, words: str) -> Said | None:
    """An actor of another kind joined to the chosen one by "or" (either order): the
    question does not say which acts, so the actor stays open."""
    end = start + len(words)
    police = kind in _POLICE_KINDS
    others = [m for m in (*view.of("agency", "actor"), *view.of("fact", "actor"))
              if (m.value in _POLICE_KINDS) != police or (not police and m.value != kind)]
    if not police:  # "could be the port's enforcement officers, could be private guards":
        # a municipal enforcement body offered as the other possibility may be law enforcement
        others += [replace(m, value="law_enforcement")
                   for m in view.of("cue", "municipal_enforcement")]
    # "partly the wardens, partly the traders": each acts in part, so who acts stays open; but
    # "the police, and partly a private firm" has the police acting: the police are one half
    # only with "partly" said of them too ("teils die Polizei, teils ...") (rev18a)
    split = not police or any(
        0 <= start - m.end <= _PART_GAP and not _CLAUSE_MARK.search(text, m.end, start)
        for m in view.of("cue", "partly_mark"))
    ors = [*view.of("cue", "or_word"), *(view.of("cue", "partly_word") if split else ())]
    for other in others:
        lo, hi = (end, other.start) if other.start >= end else (other.end, start)
        if 0 <= hi - lo <= _OR_GAP and _between(ors, lo, hi):
            return Said(other.value, other.words)
    return None


def _service_rival(text: str, view: _View, best: Mention) -> Said | None:
    """Another service offered as an alternative to the chosen one ("either Azure AI Face or
    a Chinese product", "entre Azure OpenAI et un outil israélien"): which one is used is
    not said, so the service stays open and every service's policy is checked."""
    choice = view.of("cue", "service_choice") or view.of("cue", "or_word")
    if view.cue("service_doubt") is not None:
        # "the developer says Azure OpenAI, the diagram says Face API; I'll find out which":
        # another service named (not as a rule's name nor as given up) stays an alternative
        rules = [*view.of("cue", "service_as_rule"), *view.of("cue", "service_replaced")]
        for other in view.of("fact", "service"):
            if other.value != best.value and not other.overlaps(best) and not any(
                    other.overlaps(r) for r in rules):
                return Said(other.value, other.words)
    # "our in-house model, or this service": "this" (Azure OpenAI) is the other option
    pronouns = [replace(m, kind="fact", name="service", value="azure_openai")
                for m in view.of("cue", "service_pronoun")]
    # "Azure or our own software": Azure named without the product is either Azure service,
    # another value than the chosen one (purpose19)
    named = view.of("fact", "service")
    pronouns += [replace(m, kind="fact", name="service", value="azure_ai_face" if
                         best.value == "azure_openai" else "azure_openai")
                 for m in view.of("cue", "service_vague")
                 if not any(m.overlaps(s) for s in named)]
    for other in (*named, *pronouns):
        if other.value == best.value or other.overlaps(best):
            continue
        first, second = (best, other) if best.start < other.start else (other, best)
        lo, hi = first.end, second.start
        if other in pronouns and (_SENTENCE_END.search(text[lo:hi])
                                  or not _between(choice, lo, hi)):
            continue  # "... a day or two later. The product runs on Azure AI Face."
        if 0 <= hi - lo <= _OR_GAP and any(
                lo <= m.start and m.end <= hi or 0 <= first.start - m.end <= _CHOICE_GAP
                for m in choice):
            return Said(other.value, other.words)
    return None


_CHOICE_GAP = 12  # characters: "between" right before the first of two services


def _between(marks: Iterable[Mention], lo: int, hi: int) -> bool:
    """True when one of ``marks`` lies wholly within text[lo:hi]."""
    return any(lo <= m.start and m.end <= hi for m in marks)

#: Purposes read from how a person looks (a camera sees them), for ``_infer_camera``.
_LOOKED_AT = frozenset({"attribute_inference", "emotion_inference", "identification",
                        "verification", "categorisation"})

#: Camera kinds the law-enforcement clauses treat alike (a mobile camera).
_MOBILE = frozenset({"body_worn", "dash", "other_mobile"})


def _camera_rival(view: _View, best: Mention) -> Said | None:
    """A fixed camera and a mobile one offered as alternatives ("a drone or a fixed camera on
    the tower, not decided yet"): which one is used is open, so both outcomes are shown. Two
    mobile kinds ("bodycams or dashcams") decide the same way: the first reading stands.
    A choice word just before the first ("not decided between body cams and the fixed
    ones", "zwischen ... und ...") offers them as alternatives too."""
    choice = view.of("cue", "service_choice") + view.of("cue", "choice_word")
    for other in view.of("fact", "camera"):
        if (other.value in _MOBILE) == (best.value in _MOBILE):
            continue
        first, second = (best, other) if best.start < other.start else (other, best)
        lo, hi = first.end, second.start
        if 0 <= hi - lo <= _OR_GAP and (_between(view.of("cue", "or_word"), lo, hi) or any(
                0 <= first.start - m.end <= _CHOICE_GAP for m in choice)):
            return Said(other.value, other.words)
    return None


def _infer_camera(view: _View, turn: Reading, context: frozenset[str]) -> None:
    """The camera kind the question's structure settles when no camera word names it
    (resolve uses it only when no turn states the camera, and never infers a fixed camera
    for law enforcement, where a mobile camera would decide a ban):

    - voice only (a voice, a call, a voiceprint and no camera, face, image or video word in
      this turn or an earlier one) or "no images": ``none`` (a phone named then is the line
      the voice comes over, not a camera: it yields to this);
    - a camera inside a vehicle ("a camera in each driver's cabin", "Innenkameras seiner
      Busse", "an den Staplern"): ``other_mobile``;
    - a tablet used as a terminal at a spot ("clock in by looking at a tablet", "a bedside
      tablet"): ``fixed``, the mobile reading kept as the fallback;
    - a face captured at a stationary spot (a desk, kiosk, checkout, door, gate, turnstile,
      "as they walk into the lobby", "looking into the camera" to unlock or pay), the
      cameras of a place, or faces taken at a place the question names (a square, a
      platform, a custody suite), with nothing mobile named: ``fixed``."""
    terminals = view.of("cue", "camera_terminal")
    # (the tablet of a terminal is no mobile camera: "look at the tablet at the entrance")
    hint = next((h for h in view.of("cue", "camera_mobile_hint")
                 if not any(h.overlaps(t) for t in terminals)), None)
    vehicle = view.cue("camera_vehicle")
    turn.camera_mobile_hint = hint is not None or vehicle is not None
    found = turn.found.get("camera")
    seen = {m.name for m in view.all if m.kind == "cue"} | context
    voice = view.cue("voice_channel")
    none = view.cue("no_images")
    if none is not None and found is None:
        turn.camera_inferred = Said("none", none.words)
        return
    if voice is not None and "camera_or_face" not in seen and (
            found is None or len(found) == 1 and found[0].value == "other_mobile"):
        turn.found.pop("camera", None)  # "au téléphone par leur voix": the line, no camera
        turn.camera_inferred = Said("none", voice.words)
        return
    if found is not None and vehicle is not None and len(found) == 1 \
            and found[0].value == "fixed" and any(
                _within(m, vehicle) for m in view.of("fact", "camera")):
        # "des caméras dans les autobus": the fixed reading came from the words that put the
        # cameras in vehicles, so they move (not "ceiling cameras in the carriages": mounted)
        turn.found["camera"] = [Said("other_mobile", vehicle.words)]
        return
    if found is not None:
        terminal = terminals[0] if terminals else None
        if terminal is not None and len(found) == 1 and found[0].value == "other_mobile" \
                and vehicle is None:
            turn.found.pop("camera")
            turn.camera_fallback = found[0]
            turn.camera_inferred = Said("fixed", terminal.words)
        return
    if vehicle is not None:
        turn.camera_inferred = Said("other_mobile", vehicle.words)
        return
    spot = view.cue("camera_spot") or view.cue("camera_noun")
    if not {"biometric_any", "camera_or_face", "plates"} & seen:
        # (scene18) no face word, but a purpose read from a person's look ("estimates whether
        # the buyer looks under 25 at the self-checkout"): the spot's camera, not the place
        looked = any(said.value in _LOOKED_AT for said in turn.found.get("purpose", ()))
        if looked and spot is not None and hint is None:
            turn.camera_inferred = Said("fixed", spot.words)
        return
    if spot is not None and hint is None:
        turn.camera_inferred = Said("fixed", spot.words)
        return
    # faces taken at a place the question names ("count people on the square", "at the
    # tram platform", "in the custody suite") with no camera word and nothing mobile: the
    # place's own cameras (resolve keeps it only where the camera kind decides nothing)
    place = next((said for name in ("setting", "public_access")
                  for said in turn.found.get(name, ()) if said.value != "unknown"), None)
    if place is not None and hint is None and len(turn.found.get("public_access", ())) < 2:
        turn.camera_inferred = Said("fixed", place.words)


def _intent(view: _View, turn: Reading) -> Intent:
    # Pricing, recipes, weather or coding with nothing about faces, police or the policies,
    # and no question of what is permitted: not for this advisor, however it is phrased.
    if (view.cue("out_of_scope") and not _strong_domain(view, turn)
            and not view.cue("permission_words")):
        return "out_of_scope"
    if view.cue("informational_strong"):
        return "informational"
    if view.cue("assess"):
        return "assess"
    if view.cue("informational_weak") and turn.domain:
        return "informational"
    return "assess"


def _strong_domain(view: _View, turn: Reading) -> bool:
    # Summarising or translating text is what the service is for, not a policy subject.
    purpose = turn.found.get("purpose")
    biometric = bool(purpose) and purpose[0].value != "non_biometric"  # type: ignore[index]
    return bool(biometric or turn.found.get("camera") or turn.actor_kind in (
        "federal", "police", "law_enforcement") or view.cue("policy_words"))


def jurisdiction_of(code: str) -> str:
    """The jurisdiction a country code falls under."""
    return jurisdiction(code)
