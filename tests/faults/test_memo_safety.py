"""Memos: only http(s) links survive, and memo files stay user-only under ADVISOR_HOME."""

from __future__ import annotations

import stat
from pathlib import Path

from advisor.config import SHIPPED_CORPUS, Settings
from advisor.memo import render_memo, write_memo
from advisor.schema import Answer
from advisor.service import Advisor

LOBBY = "Can a European agency use this on a fixed lobby camera?"


def _answer(tmp_path: Path) -> Answer:
    advisor = Advisor(Settings(home=tmp_path / "home", corpus=SHIPPED_CORPUS))
    return advisor.check(LOBBY)


def test_only_http_links_survive_in_a_memo(tmp_path: Path) -> None:
    answer = _answer(tmp_path).model_copy(update={"answer": (
        "See [the terms](https://example.org/terms) and [click](javascript:alert(1)) and "
        "[data](data:text/html;base64,PHNjcmlwdD4=) and [v]( vbscript:msgbox ) too.\n\n"
        "[ref]: javascript:alert(2)\n")})
    memo = render_memo(answer)
    assert "(https://example.org/terms)" in memo
    lowered = memo.lower()
    for scheme in ("javascript:", "data:text", "vbscript:"):
        assert f"]({scheme}" not in lowered.replace(" ", "") and f"]: {scheme}" not in lowered


def test_memo_files_are_user_only_under_home_and_old_ones_are_pruned(tmp_path: Path) -> None:
    answer = _answer(tmp_path)
    settings = Settings(home=tmp_path / "home", corpus=SHIPPED_CORPUS, memo_keep=3)
    paths = [write_memo(answer.model_copy(update={"trace_id": f"t{i:02d}"}), settings)
             for i in range(5)]
    folder = tmp_path / "home" / "memos"
    assert all(Path(p).parent == folder for p in paths)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    kept = sorted(folder.iterdir())
    assert [p.name for p in kept] == [Path(p).name for p in paths[-3:]]
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in kept)
