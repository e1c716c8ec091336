"""A near miss's reason is said once: never "LE-1 does not apply: LE-1 does not apply"."""

from __future__ import annotations

import re
from pathlib import Path

from advisor.config import SHIPPED_CORPUS, Settings
from advisor.memo import render_memo
from advisor.service import Advisor
from advisor.ui.render import transcript_html

REPEATED = re.compile(r"([A-Z0-9][\w.-]*)(?:</span>)? does not apply: \1 does not apply")


def test_no_surface_repeats_the_rule_in_a_near_miss(tmp_path: Path) -> None:
    advisor = Advisor(Settings(home=tmp_path / "home", corpus=SHIPPED_CORPUS))
    answer = advisor.check("Can a European agency use this on a fixed lobby camera?")
    assert any(m.because.startswith(f"{m.rule} does not apply")
               for p in answer.policies for m in p.near_misses)  # the engine's own wording
    memo = render_memo(answer)
    page = transcript_html([{"question": answer.question,
                             "answer": answer.model_dump(mode="json")}])
    for text in (memo, re.sub(r"<[^>]+>", "", page)):
        assert not REPEATED.search(text), REPEATED.search(text)
    assert "LE-1 does not apply" in memo
