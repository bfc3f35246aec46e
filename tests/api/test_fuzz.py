"""The whole admin API fuzzed from the OpenAPI schema it serves (schemathesis): no 5xx, no schema violation.

The schema is loaded eagerly at import: schemathesis' lazy ``from_fixture`` loader does not work with
pytest 9 (it rewrites ``node._nodeid``). The app runs in memory, so importing this costs milliseconds.
Every operation is fuzzed against a fresh app passed to each call (``app=``).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from litestar import Litestar
from litestar.testing import TestClient
from schemathesis.config import SchemathesisConfig

from dynamic_mcp.adapters.http.app import create_app
from dynamic_mcp.config import Settings
from dynamic_mcp.container import build_container

FUZZ_ADMIN = "fuzz-admin@example.com"
FUZZ_KEY = "fuzz-admin-key"
MAX_EXAMPLES = 25
CASES: Counter[str] = Counter()

# A schema cannot say "handler.type must name a registered package" or "an admin may not delete
# themselves": such requests are well-formed and answered 422 (a rule broken), never 400 (malformed).
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "401", "403", "404", "409", "422"]}},
        "generation": {"max-examples": MAX_EXAMPLES},
    }
)


def fresh_app() -> Litestar:
    return create_app(
        build_container(Settings(admin_email=FUZZ_ADMIN, admin_api_key=FUZZ_KEY, port=0, allowed_hosts=("testserver",)))
    )


def served_schema() -> dict[str, Any]:
    """The document at /schema/openapi.json, fetched with a lifespan that starts and stops here."""
    with TestClient(fresh_app()) as client:
        response = client.get("/schema/openapi.json")
        response.raise_for_status()
        return dict(response.json())


schema = schemathesis.openapi.from_dict(served_schema(), config=CONFIG)
schema.app = fresh_app()  # selects the in-process ASGI transport (as from_asgi does); each call gets its own app


@pytest.fixture
def app() -> Litestar:
    """One app per operation: schemathesis ends the ASGI lifespan after each test, and the MCP
    session manager inside the app can run only once."""
    return fresh_app()


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck)
)
def test_api_answers_within_its_schema(case: Any, app: Litestar) -> None:
    CASES[case.operation.label] += 1
    response = case.call_and_validate(headers={"x-apikey": FUZZ_KEY}, app=app)
    assert response.status_code < 500


def test_every_operation_was_fuzzed() -> None:
    """Runs after the fuzz (file order): every documented operation got cases; the count is reported."""
    operations = {op.ok().label for op in schema.get_all_operations()}
    assert operations, "the schema lists no operations"
    if CASES:  # empty when only this test was selected
        assert set(CASES) == operations
        print(f"\nfuzz: {sum(CASES.values())} cases over {len(operations)} operations")
