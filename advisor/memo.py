"""Markdown memo export of one answer: verdicts, answer, citations with quotes, facts."""

from __future__ import annotations

import re

from advisor.schema import Answer, Fact, PolicyVerdict

#: Human words for the verdict labels (shared with the chat).
VERDICT_WORDS: dict[str, str] = {
    "prohibited": "Prohibited",
    "conditional": "Conditional",
    "not_prohibited": "Not prohibited",
    "not_applicable": "Not applicable",
    "informational": "Informational",
    "out_of_scope": "Out of scope",
}

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|])")


def _inline(text: str) -> str:
    """Corpus or user text made safe inside Markdown: no raw HTML, no table breaks."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("|", "\\|").replace("\n", " ").strip()


def _block(text: str) -> str:
    """Multi-line text as a Markdown blockquote, raw HTML neutralised."""
    safe = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "\n".join(f"> {line}" if line.strip() else ">" for line in safe.strip().splitlines())


def _verdict(label: str) -> str:
    return VERDICT_WORDS.get(label, label)


def _fact_value(fact: Fact) -> str:
    value = fact.value
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _policy_lines(policy: PolicyVerdict) -> list[str]:
    head = f"### {_inline(policy.title)} (`{policy.policy}`"
    head += f", version {policy.version})" if policy.version else ")"
    lines = [head, "", f"**Verdict: {_verdict(policy.verdict)}**", ""]
    if policy.reason:
        lines += [_inline(policy.reason), ""]
    for hit in policy.fired:
        refs = "".join(f"[{n}]" for n in hit.citations)
        lines.append(f"- Rule {hit.rule} applies: {_inline(hit.because)} {refs}".rstrip())
    for miss in policy.near_misses:
        lines.append(f"- Rule {miss.rule} does not apply: {_inline(miss.because)}")
    for condition in policy.conditions:
        lines.append(f"- Condition: {_inline(condition)}")
    for missing in policy.missing_facts:
        outcomes = ", ".join(f"{k}: {_verdict(v)}" for k, v in missing.outcomes.items())
        lines.append(
            f"- Open fact `{missing.fact}`: {_inline(missing.ask)}"
            + (f" ({outcomes})" if outcomes else "")
        )
    return [*lines, ""]


def render_memo(answer: Answer) -> str:
    """The answer as a Markdown memo a legal reader can file: verdicts, text, sources, facts."""
    lines = [
        "# Policy advisor memo",
        "",
        f"- **Question:** {_inline(answer.question)}",
        f"- **As of:** {answer.as_of.isoformat()}",
        f"- **Overall verdict:** {_verdict(answer.verdict)}",
        f"- **Composer:** {answer.composer}; guardrail {answer.guardrail.status}",
    ]
    if answer.corpus_version:
        lines.append(f"- **Corpus version:** `{answer.corpus_version}`")
    if answer.trace_id:
        lines.append(f"- **Trace id:** `{answer.trace_id}`")
    lines.append("")

    if answer.policies:
        lines += ["## Verdicts by policy", "", "| Policy | Verdict |", "|---|---|"]
        lines += [f"| {_inline(p.title)} (`{p.policy}`) | {_verdict(p.verdict)} |"
                  for p in answer.policies]
        lines.append("")

    if answer.answer.strip():
        # The answer is the composer's Markdown; raw HTML in it is neutralised.
        safe = answer.answer.replace("<", "&lt;").replace(">", "&gt;")
        lines += ["## Answer", "", safe.strip(), ""]

    if answer.policies:
        lines += ["## Reasoning", ""]
        for policy in answer.policies:
            lines += _policy_lines(policy)

    if answer.citations:
        lines += ["## Sources", ""]
        for cite in answer.citations:
            meta = [f"`{cite.chunk_id}`", cite.kind]
            if cite.version:
                meta.append(f"version {cite.version}")
            if cite.effective_date:
                meta.append(f"effective {cite.effective_date.isoformat()}")
            if not cite.verified:
                meta.append("quote NOT verified")
            lines.append(f"**[{cite.n}] {_inline(cite.title)}**, {_inline(cite.section)}  ")
            lines.append(f"{'; '.join(meta)}  ")
            if cite.url:
                lines.append(f"<{cite.url.replace('>', '%3E')}>  ")
            lines += ["", _block(cite.quote), ""]

    confirmed = [(name, fact) for name, fact in answer.facts.items()
                 if fact.status == "confirmed"]
    if confirmed:
        lines += ["## Facts confirmed by the user", ""]
        lines += [f"- **{name}**: {_inline(_fact_value(fact))} (confirmed by the user)"
                  for name, fact in confirmed]
        lines.append("")

    if answer.facts:
        lines += ["## Facts understood", "", "| Fact | Value | Set by |", "|---|---|---|"]
        for name, fact in answer.facts.items():
            if fact.value == "unknown" and not fact.source and fact.status != "confirmed":
                continue
            if fact.status == "confirmed":
                source = "confirmed by the user"
            elif fact.assumed:
                source = f"assumed: {_inline(fact.source or '')}"
            else:
                source = f'"{_inline(fact.source)}"' if fact.source else ""
            lines.append(f"| {name} | {_inline(_fact_value(fact))} | {source} |")
        lines.append("")

    if answer.assumptions:
        lines += ["## Assumptions", ""]
        lines += [f"- {_inline(item)}" for item in answer.assumptions]
        lines.append("")

    if answer.missing_facts:
        lines += ["## What would change the answer", ""]
        for missing in answer.missing_facts:
            outcomes = ", ".join(f"{k}: {_verdict(v)}" for k, v in missing.outcomes.items())
            lines.append(f"- **{missing.fact}**: {_inline(missing.ask)}"
                         + (f" ({outcomes})" if outcomes else ""))
        lines.append("")

    if answer.guardrail.notes:
        lines += ["## Guardrail notes", ""]
        lines += [f"- {_inline(note)}" for note in answer.guardrail.notes]
        lines.append("")

    lines += [
        "---",
        "",
        "_Generated by the policy advisor. The verdicts come from a deterministic rule engine "
        "over the indexed policy texts; this memo is not legal advice._",
        "",
    ]
    return "\n".join(lines)
