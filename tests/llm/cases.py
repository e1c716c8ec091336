"""A small compose request written for these tests: two policies, four passages, one doc."""

from __future__ import annotations

import datetime as dt

from advisor.schema import (
    ComposeRequest,
    Fact,
    Facts,
    MissingFact,
    NearMiss,
    Passage,
    PolicyVerdict,
    RuleHit,
)

ID1 = ("## ID-1: Identification of people\n"
       "Customers must not use the service to identify or verify individuals from their "
       "faces or other physical traits. This applies to every customer.\n")
LE2 = ("## LE-2: Real-time recognition on mobile cameras\n"
       "Police must not run real-time facial recognition on mobile cameras in uncontrolled "
       "settings. Body-worn and dash-mounted cameras on patrol are the examples given.\n")
ART5 = ("### 5-1-h: Real-time remote biometric identification\n"
        "Real-time remote biometric identification in publicly accessible spaces for law "
        "enforcement is banned unless a listed exception applies. Prior authorisation is "
        "needed for an exception.\n")
NEWS = ("## Leeway\n"
        "Reporters wrote that stationary cameras in confined settings seemed to get leeway "
        "under the new terms.\n")

#: The source text the passages are cut from, so offsets can be checked against it.
DOCUMENT = "Preamble of the test document.\n\n" + ID1 + "\n" + LE2 + "\n" + ART5 + "\n" + NEWS


def _passage(chunk_id: str, text: str, kind: str, title: str, score: float) -> Passage:
    start = DOCUMENT.index(text)
    return Passage(chunk_id=chunk_id, document=chunk_id.split("#")[0], title=title,
                   section=text.splitlines()[0].lstrip("# "), kind=kind,  # type: ignore[arg-type]
                   text=text, start=start, end=start + len(text), score=score,
                   version="2024-05-01", url="https://example.test/" + chunk_id)


PASSAGES = (
    _passage("coc-test#ID-1", ID1, "terms", "Test code of conduct", 1.0),
    _passage("coc-test#LE-2", LE2, "terms", "Test code of conduct", 0.9),
    _passage("act-test#5-1-h", ART5, "law", "Test regulation, Article 5", 0.8),
    _passage("news-test#leeway", NEWS, "article", "A test news article", 0.5),
)

VERDICTS = (
    PolicyVerdict(
        policy="azure-openai-coc", title="Test code of conduct", version="2024-05-01",
        verdict="prohibited",
        fired=(RuleHit(rule="ID-1", effect="prohibited",
                       because="identifying people by face is barred for every customer",
                       clauses=("coc-test#ID-1",)),),
        near_misses=(NearMiss(rule="LE-2", because="fixed camera, not mobile",
                              failed=("camera",), clauses=("coc-test#LE-2",)),),
    ),
    PolicyVerdict(
        policy="eu-ai-act", title="Test regulation, Article 5", verdict="conditional",
        conditions=("prior authorisation by a judicial authority",),
        missing_facts=(MissingFact(fact="public_access", ask="Is the lobby open to the public?",
                                   outcomes={"yes": "prohibited", "no": "not_prohibited"}),),
    ),
)

def _fact(value: str, source: str | None = None, assumed: bool = False) -> Fact:
    return Fact.model_validate({"value": value, "from": source, "assumed": assumed})


FACTS = Facts(
    service=_fact("azure_openai", "this"),
    actor=_fact("law_enforcement", "agency"),
    jurisdiction=_fact("eu", "European"),
    purpose=_fact("identification", assumed=True),
    camera=_fact("fixed", "fixed lobby camera"),
    as_of=dt.date(2025, 6, 1),
    assumptions=("the camera is used to identify people by face",),
)

QUESTION = "Can a European agency use this on a fixed lobby camera?"


def request(**overrides: object) -> ComposeRequest:
    """The test compose request, with fields replaced as given."""
    values: dict[str, object] = {
        "question": QUESTION, "facts": FACTS, "verdicts": VERDICTS, "overall": "prohibited",
        "passages": PASSAGES,
        "history": ({"role": "user", "content": "We are a police agency in Belgium."},),
    }
    values.update(overrides)
    return ComposeRequest(**values)  # type: ignore[arg-type]
