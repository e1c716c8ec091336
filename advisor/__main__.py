"""``python -m advisor`` behaves as the ``advisor`` script."""

from advisor.cli import run

run()
