"""A bounded schemathesis pass over the real app: no 5xx, and what the spec allows is accepted.

Runs in `make check` with a token set (so the spec is read and every call made with it) over
a real Advisor (embedded Chroma, offline composer).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import positive_data_acceptance

from advisor.api import create_app
from advisor.config import SHIPPED_CORPUS, Settings
from advisor.service import Advisor

TOKEN = "schemathesis-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
_HOME = Path(__file__).resolve().parents[2] / "reports" / "schemathesis-home"


def _app():  # type: ignore[no-untyped-def]
    config = Settings(home=_HOME, corpus=SHIPPED_CORPUS, composer="offline", api_token=TOKEN)
    return create_app(config, advisor=Advisor(config), ui=False)


APP = _app()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP, headers=AUTH)


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_the_api_holds_against_its_own_spec(case: schemathesis.Case) -> None:
    checks = [not_a_server_error]
    if case.operation.path != "/v1/chat/completions":
        # The OpenAI format cannot say "the last message is the user's"; our own routes'
        # specs state every limit, so what they allow must be accepted.
        checks.append(positive_data_acceptance)
    case.call_and_validate(headers=AUTH, checks=checks)
