"""The reader's data files (vocabulary, places, dates), parsed once per process.

libyaml's parser when PyYAML was built with it (a tenth of the pure-Python parser's time on
the first question); the same safe constructor either way, so the data read is identical.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

__all__ = ["read_yaml"]

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=64)
def read_yaml(path: Path) -> Any:
    """The parsed YAML file at ``path``. Shared by every caller: read it, never change it."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)  # noqa: S506
