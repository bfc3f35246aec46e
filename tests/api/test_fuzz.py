"""The whole admin API fuzzed from the OpenAPI schema it serves (schemathesis), in both storage
modes: no 5xx, no schema violation.

The schema is loaded eagerly at import: schemathesis' lazy ``from_fixture`` loader does not work with
pytest 9 (it rewrites ``node._nodeid``). The app runs in memory, so importing this costs milliseconds.
Every operation is fuzzed against a fresh app passed to each call (``app=``); in MongoDB mode each
app gets a fresh database on the test session's real mongod. The budget is bounded (MAX_EXAMPLES
per operation and mode) so the whole file stays within about half a minute of CPU.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
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

# One process only: under pytest-xdist schemathesis would not make one item per operation.
pytestmark = pytest.mark.serial

FUZZ_ADMIN = "fuzz-admin@example.com"
FUZZ_KEY = "fuzz-admin-key-0123456789abcdef"
MAX_EXAMPLES = 8
CASES: Counter[tuple[str, str]] = Counter()

# A schema cannot say "handler.type must name a registered package" or "an admin may not delete
# themselves": such requests are well-formed and answered 422 (a rule broken), never 400 (malformed).
CHECKS = {"positive_data_acceptance": {"expected-statuses": ["2xx", "401", "403", "404", "409", "422"]}}
# Every operation tried with every other HTTP method is Litestar's 405, not ours: skip that.
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": CHECKS,
        "generation": {"max-examples": MAX_EXAMPLES},
        "phases": {"coverage": {"unexpected-methods": []}},
    }
)
# MongoDB mode runs the same rules on another store: the boundary-value (coverage) phase, which
# exercises the HTTP layer more than the store, runs in memory mode only, to keep the budget.
MONGO_CONFIG = SchemathesisConfig.from_dict(
    {"checks": CHECKS, "generation": {"max-examples": MAX_EXAMPLES}, "phases": {"coverage": {"enabled": False}}}
)


def fresh_app(**settings: Any) -> Litestar:
    return create_app(
        build_container(
            Settings(
                admin_email=FUZZ_ADMIN,
                admin_api_key=FUZZ_KEY,
                port=0,
                allowed_hosts=("testserver",),
                **{"rate_limit_api": 0, **settings},
            )
        )
    )


def served_schema() -> dict[str, Any]:
    """The document at /schema/openapi.json, fetched with a lifespan that starts and stops here."""
    with TestClient(fresh_app()) as client:
        response = client.get("/schema/openapi.json")
        response.raise_for_status()
        return dict(response.json())


DOCUMENT = served_schema()
schema = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG)
schema.app = fresh_app()  # selects the in-process ASGI transport (as from_asgi does); each call gets its own app
mongo_schema = schemathesis.openapi.from_dict(DOCUMENT, config=MONGO_CONFIG)
mongo_schema.app = schema.app
BUDGET = settings(
    max_examples=MAX_EXAMPLES, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck)
)


@pytest.fixture
def app() -> Litestar:
    """One app per operation: schemathesis ends the ASGI lifespan after each test, and the MCP
    session manager inside the app can run only once."""
    return fresh_app()


@pytest.fixture
def mongo_app(mongo_uri: str, fresh_database_name: Callable[[str], str]) -> Litestar:
    """The same, on a fresh database of the test session's real mongod."""
    return fresh_app(mongodb_uri=mongo_uri, mongodb_db=fresh_database_name("fuzz"))


@schema.parametrize()
@BUDGET
def test_api_answers_within_its_schema(case: Any, app: Litestar) -> None:
    CASES[("memory", case.operation.label)] += 1
    response = case.call_and_validate(headers={"x-apikey": FUZZ_KEY}, app=app)
    assert response.status_code < 500


@pytest.mark.mongo
@mongo_schema.parametrize()
@BUDGET
def test_api_on_mongodb_answers_within_its_schema(case: Any, mongo_app: Litestar) -> None:
    CASES[("mongo", case.operation.label)] += 1
    response = case.call_and_validate(headers={"x-apikey": FUZZ_KEY}, app=mongo_app)
    assert response.status_code < 500


def test_every_operation_was_fuzzed() -> None:
    """Runs after the fuzz (file order): every documented operation got cases; the count is reported."""
    operations = {op.ok().label for op in schema.get_all_operations()}
    assert operations, "the schema lists no operations"
    for mode in sorted({mode for mode, _ in CASES}):  # none when only this test was selected
        fuzzed = {label for m, label in CASES if m == mode}
        assert fuzzed == operations, (mode, operations - fuzzed)
        cases = sum(n for (m, _), n in CASES.items() if m == mode)
        print(f"\nfuzz ({mode}): {cases} cases over {len(operations)} operations")
