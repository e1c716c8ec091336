"""Step 5b of the reader: one value and a status per fact, over the turns of a conversation.

The rules, in the order they apply:
1. A fact the new turn states replaces the one an earlier turn stated; a self-contained new
   question (it names its own use and does not read as a follow-up) starts from its own facts.
2. Readings that disagree stay open: the fact is ``conflicting``, its value ``unknown``, and
   both readings are kept as candidates, so the engine reports each outcome.
3. A place sets the jurisdiction (inferred); police-like bodies in the US are US police, and
   someone acting for them is treated as them (the clauses say "by or for").
4. "this", "the service" or "it" with no service named means Azure OpenAI (assumed).
5. A camera with no stated purpose is taken to identify people (assumed); any stated
   purpose, even one the vocabulary reads as non-biometric, blocks that default.
6. A bare keyword ("terror") does not make an exception: the fact stays open.
7. A place named only by its proper name ("at Stachus"), where identifying people there
   turns on public access, is taken to be open to the public (assumed, and said so).
8. A question that names no place, in a language spoken mostly in the EU (German, Italian,
   Dutch, Polish: see places.mostly_eu), is taken to be about a use in the EU (assumed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from advisor.facts.dates import shifted
from advisor.facts.language import Detected
from advisor.facts.places import jurisdiction, mostly_eu
from advisor.facts.reading import Reading, Said
from advisor.schema import FACT_NAMES, Fact, Facts, Intent

__all__ = ["Turn", "resolve"]


@dataclass(frozen=True)
class Turn:
    """A read turn and its 1-based number among the user's turns."""

    reading: Reading
    number: int
    self_contained: bool = False


@dataclass
class _Merged:
    said: list[Said]
    turn: int


def _fact(merged: _Merged, latest: int, value: str | None = None,
          status: str | None = None) -> Fact:
    said = merged.said
    inherited = merged.turn != latest
    if len(said) > 1 and value is None:
        return Fact.model_validate({
            "value": "unknown", "from": " / ".join(s.words for s in said),
            "status": "conflicting", "turn": merged.turn if inherited else None,
            "candidates": [{"value": s.value, "from": s.words} for s in said]})
    chosen = value if value is not None else said[0].value
    return Fact.model_validate({
        "value": chosen, "from": said[0].words,
        "status": status or ("inherited" if inherited else "stated"),
        "turn": merged.turn if inherited else None})


def resolve(turns: Sequence[Turn], as_of: dt.date | None, today: dt.date,
            notices: Sequence[str] = (), *, unsupported: bool = False,
            language: Detected | None = None) -> Facts:
    """Facts from the read turns (the last one is the question being asked)."""
    latest_turn = turns[-1]
    if latest_turn.self_contained:
        turns = [latest_turn]
    latest = latest_turn.reading
    now = latest_turn.number
    merged: dict[str, _Merged] = {}
    actor: tuple[str, str, int] | None = None
    rival: Said | None = None
    acting_for = False
    party_eu = None
    agency_words = region_words = pronoun = mixed_place = named_place = keyword = stated = None
    region_turn = now
    date: tuple[dt.date, str] | None = None
    camera_or_face = purpose_blocked = state_read = mobile_hint = False
    camera_inferred: Said | None = None
    camera_fallback: Said | None = None
    policies: list[str] = []
    for turn in turns:
        reading = turn.reading
        moved = _moved_date(reading, date)
        for name, said in reading.found.items():
            if moved is not None and name == "timing":
                # "und genau einen Tag später?": the words move the earlier date; they say
                # nothing of when the footage is matched (no review after the fact)
                said = [s for s in said if s.words.lower() not in moved[1].lower()]
                if not said:
                    continue
            merged[name] = _Merged(list(said), turn.number)
        # "and if it only counted them, without recognising anyone?": the new turn rules out
        # the identification an earlier turn stated; it is not inherited
        if reading.purpose_blocked and "purpose" not in reading.found and "purpose" in merged \
                and merged["purpose"].said[0].value in ("identification", "verification"):
            del merged["purpose"]
        # "instead of checking each passenger against their passport, search the manifest":
        # the earlier use is the one replaced; the new one is read from this turn's words,
        # or stays open (never the replaced, milder one)
        elif "purpose" not in reading.found and "purpose" in merged \
                and merged["purpose"].turn < turn.number \
                and merged["purpose"].said[0].value in reading.purpose_replaced:
            del merged["purpose"]
        # "now have Face flag, live, a man suspected of murder": a person hunted in the new
        # turn presents no claim of who they are, so the earlier 1:1 check becomes a search
        # of everyone for that person (identification, never the milder reading carried)
        elif "purpose" not in reading.found and "purpose" in merged \
                and merged["purpose"].turn < turn.number and reading.person_sought \
                and merged["purpose"].said[0].value == "verification":
            merged["purpose"] = _Merged([Said("identification", reading.person_sought)],
                                        turn.number)
        if reading.actor_kind is not None:
            actor = (reading.actor_kind, reading.actor_words or "", turn.number)
            rival = reading.actor_rival
            acting_for = reading.acting_for
        agency_words = reading.agency_words or agency_words
        if reading.region_words:
            region_words, region_turn = reading.region_words, turn.number
            if "country" in merged and "country" not in reading.found:
                del merged["country"]  # "and in the EU?" replaces an earlier country
        elif "country" in reading.found:
            region_words = None
        pronoun = pronoun or reading.pronoun
        party_eu = reading.party_eu_words or party_eu
        mixed_place = reading.mixed_place or mixed_place
        named_place = reading.named_place or named_place
        # "and if they ran it today?": a later turn in the present replaces an earlier date
        date = reading.date or ((today, reading.present) if reading.present and date else date)
        date = moved or date
        camera_or_face = camera_or_face or reading.camera_or_face
        mobile_hint = mobile_hint or reading.camera_mobile_hint
        if reading.camera_inferred is not None:
            camera_inferred, camera_fallback = reading.camera_inferred, reading.camera_fallback
        purpose_blocked = purpose_blocked or reading.purpose_blocked
        keyword = reading.exception_keyword or keyword
        if "purpose" in reading.found:
            stated = None
            state_read = reading.state_read
        stated = reading.purpose_stated or stated
        policies.extend(x for x in reading.policies if x not in policies)

    facts: dict[str, Fact] = {}
    assumptions: list[str] = list(notices)
    for name, found in merged.items():
        if name in FACT_NAMES:
            facts[name] = _fact(found, now)

    intent: Intent = latest.intent or "assess"
    # A question in a language the reader cannot read is never out of scope for that alone.
    if intent == "assess" and not latest.domain and not any(t.reading.domain for t in turns) \
            and not unsupported:
        intent = "out_of_scope"
    if intent == "out_of_scope" and (unsupported or (
            latest.found and any(t.reading.domain for t in turns[:-1]))):
        intent = "assess"  # a follow-up that adds a fact to an earlier use is about that use

    # Place -> jurisdiction (inferred from the country; open when the places disagree).
    country = merged.get("country")
    if country is not None:
        codes = [s.value for s in country.said]
        places = _Merged([Said(jurisdiction(c), s.words) for c, s in zip(codes, country.said,
                                                                           strict=True)],
                         country.turn)
        distinct = list(dict.fromkeys(s.value for s in places.said))
        if len(distinct) == 1:
            inherited = country.turn != now
            facts["jurisdiction"] = _fact(_Merged(places.said[:1], country.turn), now,
                                          status="inherited" if inherited else "inferred")
        else:
            firsts = [next(s for s in places.said if s.value == v) for v in distinct]
            facts["jurisdiction"] = _fact(_Merged(firsts, country.turn), now)
    elif region_words:
        facts["jurisdiction"] = _fact(_Merged([Said("eu", region_words)], region_turn), now)

    # No place named, in a language spoken mostly in the EU: the use is taken to be there,
    # the stricter reading (the EU AI Act only adds prohibitions), and said so.
    if "jurisdiction" not in facts and language is not None and intent == "assess" \
            and mostly_eu(language.code):
        facts["jurisdiction"] = Fact(value="eu", assumed=True)
        assumptions.append(
            f"The question names no place and is written in {language.name},"
            " spoken mostly in the EU: the use is taken to be in the EU, so the EU AI Act is"
            " checked; say where it is if it is elsewhere.")

    # Only a party's place is named (the integrator's, in the EU): the use is taken to be in
    # the EU too, the stricter reading, and said so.
    # (fixr15c) Not for a police or federal body with no rival: a US department stays
    # possible then (a vendor's or a contractor's EU seat does not say where the force is).
    police_open = actor is not None and actor[0] in ("police", "federal") and rival is None
    if "jurisdiction" not in facts and party_eu is not None and intent == "assess" \
            and not police_open:
        facts["jurisdiction"] = Fact(value="eu", assumed=True)
        assumptions.append(
            f"The only place named, '{party_eu}', is where another party is, not where the"
            " system is used: the use is taken to be in the EU too, so the EU AI Act is"
            " checked; say where it is if it is elsewhere.")

    # Actor: police-like bodies in the US are US police; acting "by or for" them counts.
    place = facts.get("jurisdiction", Fact()).value
    # "either in Sweden or Norway": where is open, but no candidate is the US
    candidates = facts.get("jurisdiction", Fact()).candidates
    if place == "unknown" and candidates and all(c.value != "us" for c in candidates):
        place = "not_us"
    if actor is not None:
        kind, words, turn_no = actor
        who = _Merged([Said(kind, words)], turn_no)
        chosen = _actor_value(kind, place)
        facts["actor"] = _fact(who, now, value=chosen)
        if kind == "police" and place == "unknown" and rival is None:
            # No place named: a US police department (barred outright by the Microsoft
            # codes) or another force; neither is assumed, both outcomes are shown.
            facts["actor"] = _fact(_Merged([Said("us_police", words),
                                            Said("law_enforcement", words)], turn_no), now)
            assumptions.append(f"'{words}' could be a police department in the United States"
                               " or a force elsewhere; the question names no place: say where.")
        elif rival is not None and _actor_value(rival.value, place) != chosen:
            # "the police or the parks department": which one acts is open, both are shown
            facts["actor"] = _fact(_Merged([Said(chosen, words),
                                            Said(_actor_value(rival.value, place),
                                                 rival.words)], turn_no), now)
        if kind == "federal" and "jurisdiction" not in facts:
            facts["jurisdiction"] = _fact(who, now, value="us", status="inferred")
        if acting_for:
            assumptions.append(
                f"Someone acting for {words} is treated as {words} itself: the clauses cover"
                " use 'by or for' the police."
            )
    elif agency_words:
        facts["actor"] = Fact.model_validate({"value": "unknown", "from": agency_words})

    # Service: named, "this" = Azure OpenAI, or open (each service's pack checks it).
    if "service" not in facts:
        if pronoun:
            facts["service"] = Fact(value="azure_openai", assumed=True)
            assumptions.append(f"'{pronoun}' is taken to mean Azure OpenAI Service.")
        elif intent == "assess":
            assumptions.append("No service was named, so each service's policy is checked as if"
                               " the use ran on it (Azure OpenAI and Azure AI Face).")

    # Purpose: a camera with no purpose read is taken to identify people. Any purpose read,
    # even a harmless one, blocks that; words that state a purpose the reader does not know
    # are named, and the doubt stays on the restrictive side until the user confirms.
    if "purpose" not in facts and camera_or_face and not purpose_blocked \
            and intent == "assess":
        facts["purpose"] = Fact(value="identification", assumed=True)
        if stated:
            assumptions.append(f"The purpose '{stated}' is not one the reader recognises, so"
                               " identifying people by face is assumed: confirm the purpose.")
        else:
            assumptions.append("No purpose was stated for the camera, so identifying people by"
                               " face is assumed.")

    # A bodily state (pain, fatigue) read from people: an attribute of the person inferred
    # (attribute inference), with any service; with Azure AI Face one of the attributes
    # Microsoft retired (purpose19: the labels read it so on every service, not as a detection).
    purpose = facts.get("purpose")
    if state_read and purpose is not None and purpose.value == "detection_or_redaction":
        facts["purpose"] = purpose.model_copy(update={"value": "attribute_inference"})

    # Police identifying people with body-worn cameras, no place said: worn on the beat, in
    # the wild (the stricter reading); a place the question names (a custody suite) decides.
    if "setting" not in facts and facts.get("camera", Fact()).value == "body_worn" \
            and facts.get("actor", Fact()).value in ("law_enforcement", "us_police",
                                                     "us_federal") and intent == "assess" \
            and facts.get("purpose", Fact()).value in ("identification", "surveillance"):
        facts["setting"] = Fact.model_validate(
            {"value": "uncontrolled", "from": facts["camera"].source, "assumed": True})
        assumptions.append("Police body-worn cameras are taken to be used in the field, in"
                           " uncontrolled places: say if they are only used in a controlled"
                           " place (a custody suite).")

    # Camera kind from the question's structure (reading._infer_camera) when no turn names
    # it. The camera kind decides only the mobile-camera bans (LE-2: law enforcement,
    # real-time, mobile camera, in the wild, identification), so a fixed camera is inferred
    # only where another fact already rules those out (an actor stated and not law
    # enforcement, a purpose that is not identification, matching after the fact, a
    # controlled setting) and nothing mobile is named (a vehicle, phone or patrol): the
    # inference never makes a verdict less restrictive. Otherwise the stated mobile reading
    # stands ("a tablet") or the camera stays open.
    if "camera" not in facts and camera_inferred is not None:
        if camera_inferred.value != "fixed" or (not mobile_hint and _le2_closed(facts)):
            facts["camera"] = Fact.model_validate(
                {"value": camera_inferred.value, "from": camera_inferred.words,
                 "status": "inferred"})
        elif camera_fallback is not None:
            facts["camera"] = Fact.model_validate(
                {"value": camera_fallback.value, "from": camera_fallback.words})

    # A bare keyword is not an exception's substance: left open, and said so.
    if "exception" not in facts and keyword and intent == "assess":
        facts["exception"] = Fact.model_validate({"value": "unknown", "from": keyword})
        assumptions.append(
            f"'{keyword}' alone does not make an exception: the question does not say whether"
            " there is a targeted search for specific victims, a specific and imminent threat,"
            " or a specific suspect of a listed offence.")

    # Setting from the place when only the camera says it: body-worn on patrol is in the wild.
    if "public_access" not in facts and mixed_place:
        facts["public_access"] = Fact.model_validate({"value": "unknown", "from": mixed_place})

    # A place named only by its proper name ("at Stachus"), where identifying people turns on
    # whether it is open to the public: taken to be open (the stricter reading), and said so.
    if "public_access" not in facts and named_place and intent == "assess" \
            and facts.get("purpose", Fact()).value in ("identification", "surveillance") \
            and facts.get("timing", Fact()).value != "post":
        facts["public_access"] = Fact.model_validate(
            {"value": "yes", "from": named_place, "assumed": True})
        assumptions.append(f"'{named_place}' is taken to be a place open to the public; the"
                           " question does not say what kind of place it is: say if the"
                           " public cannot enter it.")

    day = as_of
    as_of_source: str | None = None
    if day is None and date is not None:
        day, as_of_source = date
        if day.isoformat() != as_of_source:
            assumptions.append(f"'{as_of_source}' is read as {day.isoformat()}.")
    if day is None:
        day = today
    return Facts(
        **{name: facts[name] for name in FACT_NAMES if name in facts},
        as_of=day, as_of_source=as_of_source, intent=intent,
        policies_named=tuple(policies), assumptions=tuple(assumptions),
    )


_LE_ACTORS = frozenset({"law_enforcement", "us_police", "us_federal"})


def _le2_closed(facts: dict[str, Fact]) -> bool:
    """True when a fact other than the camera already rules out the mobile-camera bans
    (LE-2): the actor is stated and no reading of it is law enforcement, the purpose is
    stated and is not identification, the matching is after the fact, or the setting is
    controlled."""
    def values(name: str) -> set[str]:
        fact = facts.get(name)
        if fact is None:
            return set()
        return {str(fact.value), *(str(c.value) for c in fact.candidates)} - {"unknown"}

    actor, purpose = values("actor"), values("purpose")
    return bool(actor and not actor & _LE_ACTORS
                or purpose and "identification" not in purpose
                or values("timing") == {"post"} or values("setting") == {"controlled"})


def _moved_date(reading: Reading, date: tuple[dt.date, str] | None) -> tuple[
        dt.date, str] | None:
    """A later turn that moves the earlier date by a stretch of time ("und genau einen Tag
    später?", "and a week earlier?"): the moved date and the words that moved it. Only for a
    turn that names no date of its own and says nothing of footage or a purpose ("und wenn
    die Aufnahmen einen Tag später ausgewertet werden?" is a review after the fact)."""
    if reading.shift is None or reading.date is not None or date is None \
            or reading.present or reading.footage or "purpose" in reading.found:
        return None
    try:
        return shifted(date[0], reading.shift), reading.shift[2]
    except (OverflowError, ValueError):
        return None


def _actor_value(kind: str, place: object) -> str:
    if kind == "federal":
        return "us_federal" if place in ("us", "unknown") else "law_enforcement"
    if kind == "police":
        return "us_police" if place == "us" else "law_enforcement"
    return kind
