"""Fact extraction: question (+ earlier turns) -> Facts, deterministically (no LLM)."""

from advisor.facts.extractor import MAX_CHARS, extract_facts

__all__ = ["MAX_CHARS", "extract_facts"]
