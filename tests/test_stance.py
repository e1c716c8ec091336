"""The stance reader: what a sentence says about a policy, in the seven languages, negated or not.

Each language has a sentence per stance, and the same verb negated must flip bars to
allows and allows to bars. The vocabulary is advisor/stance.yaml; these sentences are not
taken from it.
"""

from __future__ import annotations

import pytest

from advisor.stance import placeholders, read, sentences

COC, FACE, ACT = "azure-openai-coc", "azure-ai-face", "eu-ai-act"

CASES: list[tuple[str, str, str, set[str]]] = [
    # English: the drafts a real model wrote, then plain forms.
    ("en", "The Azure OpenAI code of conduct does not prohibit the use of Azure OpenAI for "
           "facial recognition", COC, {"allows"}),
    ("en", "The EU AI Act does not allow any identification.", ACT, {"bars"}),
    ("en", "The code of conduct prohibits identifying people from their faces.", COC, {"bars"}),
    ("en", "Under the EU AI Act this use is not banned.", ACT, {"allows"}),
    ("en", "Nothing in the AI Act stops a city council from doing this.", ACT, {"allows"}),
    ("en", "The code of conduct isn't an obstacle: Azure OpenAI may be used here.", COC,
     {"allows"}),
    ("en", "Azure AI Face cannot be used by US police for this.", FACE, {"bars"}),
    ("en", "The EU AI Act does not apply to a use in Texas.", ACT, {"not_governed"}),
    ("en", "Under Article 5 it would be prohibited if the lobby were public.", ACT,
     {"bars", "depends"}),
    ("en", "- eu-ai-act: `not_prohibited`.", ACT, {"allows"}),
    ("en", "- azure-openai-coc: `prohibited`.", COC, {"bars"}),
    ("en", "- eu-ai-act: `not_applicable`.", ACT, {"not_governed"}),
    # German: negation after the verb.
    ("de", "Der Verhaltenskodex verbietet die Gesichtserkennung nicht.", COC, {"allows"}),
    ("de", "Die KI-Verordnung verbietet diese Nutzung.", ACT, {"bars"}),
    ("de", "Nach der KI-Verordnung ist das nicht erlaubt.", ACT, {"bars"}),
    ("de", "Die KI-Verordnung gilt nicht für die USA.", ACT, {"not_governed"}),
    # French: ne ... pas around the verb.
    ("fr", "Le code de conduite d'Azure OpenAI n'interdit pas la reconnaissance faciale.", COC,
     {"allows"}),
    ("fr", "Le règlement sur l'IA interdit cette utilisation.", ACT, {"bars"}),
    ("fr", "Le règlement sur l'IA n'autorise pas cette utilisation.", ACT, {"bars"}),
    ("fr", "Le règlement sur l'IA ne s'applique pas aux États-Unis.", ACT, {"not_governed"}),
    # Spanish.
    ("es", "La Ley de IA no prohíbe este uso.", ACT, {"allows"}),
    ("es", "El código de conducta prohíbe la identificación facial.", COC, {"bars"}),
    ("es", "La Ley de IA no permite esta identificación.", ACT, {"bars"}),
    ("es", "La Ley de IA no se aplica en Estados Unidos.", ACT, {"not_governed"}),
    # Italian.
    ("it", "L'AI Act non vieta questo uso.", ACT, {"allows"}),
    ("it", "Il codice di condotta vieta l'identificazione.", COC, {"bars"}),
    ("it", "L'AI Act non consente questa identificazione.", ACT, {"bars"}),
    ("it", "L'AI Act non si applica negli Stati Uniti.", ACT, {"not_governed"}),
    # Dutch: negation after the verb.
    ("nl", "De AI-verordening verbiedt dit niet.", ACT, {"allows"}),
    ("nl", "De gedragscode verbiedt gezichtsherkenning.", COC, {"bars"}),
    ("nl", "Onder de AI-verordening is dit niet toegestaan.", ACT, {"bars"}),
    ("nl", "De AI-verordening is niet van toepassing in de VS.", ACT, {"not_governed"}),
    # Polish.
    ("pl", "Akt o sztucznej inteligencji nie zakazuje tego.", ACT, {"allows"}),
    ("pl", "Kodeks postępowania zakazuje identyfikacji twarzy.", COC, {"bars"}),
    ("pl", "Akt o sztucznej inteligencji nie pozwala na to.", ACT, {"bars"}),
    ("pl", "Akt o sztucznej inteligencji nie ma zastosowania w USA.", ACT, {"not_governed"}),
]


@pytest.mark.parametrize(("lang", "sentence", "policy", "expected"), CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_the_stance_of_a_sentence_on_the_policy_it_names(
    lang: str, sentence: str, policy: str, expected: set[str]
) -> None:
    assert set(read(sentence).policies.get(policy, ())) == expected


def test_every_language_has_each_stance_and_a_negation() -> None:
    for lang in ("en", "de", "fr", "es", "it", "nl", "pl"):
        mine = [c for c in CASES if c[0] == lang]
        assert {s for c in mine for s in c[3]} >= {"bars", "allows", "not_governed"}, lang


def test_each_policy_named_in_a_sentence_gets_its_own_stance() -> None:
    said = read("The code of conduct prohibits it, while the EU AI Act does not apply.")
    assert said.policies == {COC: {"bars"}, ACT: {"not_governed"}}


def test_a_title_names_its_policy_without_taking_a_stance() -> None:
    titles = {ACT: "EU AI Act, Article 5 prohibited practices"}
    said = read("EU AI Act, Article 5 prohibited practices governs uses in the EU.", titles)
    assert said.policies == {ACT: frozenset()}


def test_quotations_are_set_aside_only_when_they_are_someone_elses_words() -> None:
    sentence = 'The code of conduct reads: "Azure OpenAI may be used for drafting" [1].'
    assert read(sentence).policies[COC] == frozenset()  # without a check, every quote is
    assert read(sentence, quoted=lambda q: False).policies[COC] == {"allows"}
    assert read(sentence, quoted=lambda q: "drafting" in q).policies[COC] == frozenset()


def test_a_question_takes_no_stance() -> None:
    assert read("Does the EU AI Act allow this use?").policies == {}


def test_an_unnamed_sentence_keeps_its_stance() -> None:
    assert read("It is not banned.").unnamed == {"allows"}
    assert read("This use is prohibited.").unnamed == {"bars"}


def test_sentences_are_not_cut_inside_article_numbers() -> None:
    assert sentences("Under Art. 5(1)(h) it is banned. The code of conduct bars it.") == [
        "Under Art. 5(1)(h) it is banned.", "The code of conduct bars it."]


@pytest.mark.parametrize("text", [
    "ID-1 bars identification [passages P1, P2, ...].",
    "See the clauses [1, 2, ...].",
    "TODO: explain the exception.",
    "The policy says <insert clause here>.",
    "It is barred [n].",
])
def test_placeholders_are_found(text: str) -> None:
    assert placeholders(text)


def test_ordinary_text_has_no_placeholder() -> None:
    assert placeholders("ID-1 bars identification [1]; see also LE-2 [2] and Art. 5(1)(h).") == []
