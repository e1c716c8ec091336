"""Several listed uses: split at markers in sequence, each read with the shared preamble."""

from __future__ import annotations

from advisor.facts.uses import split_uses


def test_numbered_uses_share_the_preamble() -> None:
    parts = split_uses("A Czech hospital wants (1) to transcribe ward rounds and (2) to check"
                       " visitors' faces at the door.")
    assert [item for item, _ in parts] == ["to transcribe ward rounds and",
                                           "to check visitors' faces at the door."]
    assert all(text.startswith("A Czech hospital wants") for _, text in parts)


def test_lettered_uses() -> None:
    assert len(split_uses("Wir möchten a) Berichte übersetzen, b) Gesichter live abgleichen.")) == 2


def test_numbers_with_a_full_stop() -> None:
    parts = split_uses("For a Lisbon mall on Azure OpenAI: 1. count shoppers per floor 2. match"
                       " faces at the doors against a list of barred people.")
    assert [item for item, _ in parts] == ["count shoppers per floor",
                                           "match faces at the doors against a list of barred"
                                           " people."]
    assert split_uses("Under Article 5. 1 camera is enough.") == []


def test_a_lone_or_out_of_order_marker_is_no_list() -> None:
    assert split_uses("Police want live matching (1) at the station.") == []
    assert split_uses("Options 2) live and 1) recorded footage.") == []


def test_a_use_takes_the_service_and_party_said_in_another_use() -> None:
    """Who, where and which service, said once inside one use, hold for the other uses;
    a use that names its own keeps it."""
    import datetime as dt

    from advisor.facts import extract_uses

    today = dt.date(2026, 11, 26)
    uses = extract_uses("Two requests: (1) Estonian police drafting reports with Azure OpenAI,"
                        " (2) later live face matching from the same bodycams.", today=today)
    assert [f.value("service") for _, f in uses] == ["azure_openai", "azure_openai"]
    assert [f.value("jurisdiction") for _, f in uses] == ["eu", "eu"]
    assert uses[1][1].value("purpose") == "identification"
    own = extract_uses("For a Madrid hotel: (1) summaries with Azure OpenAI, (2) door access by"
                       " face with Azure AI Face.", today=today)
    assert [f.value("service") for _, f in own] == ["azure_openai", "azure_ai_face"]


def test_ordinal_words_list_uses_in_each_language() -> None:
    """"first, ... second, ...", "erstens ... zweitens", "po pierwsze ... po drugie": the
    words are data (vocab/uses.yaml) and count only where a clause starts, in sequence."""
    english = split_uses("Two asks from a Cork hospital: first, summarise discharge letters;"
                         " second, maybe later, recognise returning visitors at the doors.")
    assert [item for item, _ in english] == [
        "summarise discharge letters", "maybe later, recognise returning visitors at the doors."]
    assert all(text.startswith("Two asks from a Cork hospital:") for _, text in english)
    assert len(split_uses("First we would caption the videos, and second we might match the"
                          " faces in them.")) == 2
    assert len(split_uses("Ein Landratsamt plant erstens einen Chatbot für Anfragen und"
                          " zweitens einen Gesichtsabgleich am Eingang.")) == 2
    assert len(split_uses("Po pierwsze chcemy streszczać notatki, po drugie rozpoznawać"
                          " twarze klientów.")) == 2
    assert len(split_uses("Para un hotel: en primer lugar, traducir reseñas; en segundo lugar,"
                          " abrir las puertas con la cara.")) == 2


def test_ordinal_words_that_list_nothing() -> None:
    assert split_uses("Cameras on the first and second floor would count visitors.") == []
    assert split_uses("First and second line support would use the chatbot.") == []
    assert split_uses("Secondo il codice, primo passo: identificare i volti.") == []
    assert split_uses("Second question: may a Graz shop blur faces?") == []
    # mixed languages do not make a sequence
    assert split_uses("First, blur the faces; zweitens, count the people.") == []


def test_a_use_takes_what_the_question_assumes() -> None:
    """"... All with this.": the pronoun after the last use speaks for every use."""
    import datetime as dt

    from advisor.facts import extract_uses

    uses = extract_uses("For a Tucson hospital: first, draft shift rotas; second, spot"
                        " returning patients by face at reception. All with this service.",
                        today=dt.date(2026, 11, 26))
    assert [f.value("service") for _, f in uses] == ["azure_openai", "azure_openai"]
    assert [f.service.status for _, f in uses] == ["assumed", "assumed"]
