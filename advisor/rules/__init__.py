"""The deterministic rule check: policy packs as data and a pure engine over Facts.

A pack is ``corpus/<pack>/rules.yaml``::

    id: eu-ai-act
    title: EU AI Act, Article 5 prohibited practices
    services: null                 # or [azure_openai]; null = any service
    jurisdictions: [eu]            # null = anywhere
    applies_from: 2025-02-02       # before this date the pack is not_applicable
    versions: [{id: "2024/1689", effective_from: 2025-02-02}]
    questions: {timing: "Would the matching happen in real time?"}   # optional
    rules:
      - id: 5-1-h
        effect: prohibited         # prohibited | conditional | not_prohibited
        when:                      # all / any / not over leaves {fact, equals|in, label, unmet}
                                   # (guard: true on a leaf: it decides, never makes a near miss)
          all:
            - {fact: timing, equals: real_time, label: "real-time identification",
               unmet: "the identification is {value}, not real-time"}
        clauses: [eu-ai-act-art5#5-1-h]      # chunk ids, checked against the index
        explanation: Plain-language reason, used in ``because``.
        conditions: []             # required for conditional rules
        effective_from: null       # optional window (inclusive)
        effective_to: null
        near_miss: true            # report this rule as a near miss when it narrowly fails

Usage::

    packs = load_packs(corpus_root, known_chunk_ids=index.chunk_ids())
    facts = extract_facts(question, history, as_of, today=today)
    verdicts = evaluate(facts, packs)          # one PolicyVerdict per POLICY_IDS entry
    verdict = overall(facts, verdicts)

A fact left ``unknown`` makes a test unknown; such open rules turn a verdict conditional and
are reported as missing facts with the verdict each possible value would give. A leaf that
lists ``unknown`` among its values matches an unknown fact literally.
"""

from advisor.rules.engine import evaluate, overall
from advisor.rules.loader import load_pack, load_packs
from advisor.rules.models import Pack, Rule, Version

__all__ = ["Pack", "Rule", "Version", "evaluate", "load_pack", "load_packs", "overall"]
