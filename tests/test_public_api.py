"""The public API is exactly what __all__ says (httpx's test_exported_members habit)."""

import advisor

EXPECTED = {
    "Advisor", "AdvisorError", "Answer", "Citation", "ConfigError", "CorpusError", "Facts",
    "InputError", "LLMError", "PackError", "Passage", "PolicyVerdict", "RetrievalError",
    "Settings",
}


def test_all_is_sorted_and_exact() -> None:
    assert advisor.__all__ == sorted(advisor.__all__)
    assert set(advisor.__all__) == EXPECTED


def test_every_exported_name_exists_and_is_documented() -> None:
    for name in advisor.__all__:
        member = getattr(advisor, name)
        assert member.__doc__, f"{name} has no docstring"
        assert member.__module__.startswith("advisor."), name
