"""Fact extraction: question (+ earlier turns) -> Facts, deterministically (no LLM)."""

from advisor.facts.extractor import MAX_CHARS, extract_facts, extract_uses

__all__ = ["MAX_CHARS", "extract_facts", "extract_uses"]
