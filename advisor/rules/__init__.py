"""The deterministic rule check: policy packs as data and a pure engine over Facts."""

from advisor.rules.engine import evaluate, overall
from advisor.rules.loader import load_pack, load_packs
from advisor.rules.models import Pack, Rule, Version

__all__ = ["Pack", "Rule", "Version", "evaluate", "load_pack", "load_packs", "overall"]
