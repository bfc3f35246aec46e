"""Pytest fixtures for a real MongoDB server; register with ``pytest_plugins = ["tests.support.fixtures"]``."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from tests.support.mongod import MongodProcess, MongodUnavailable, find_mongod


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


@pytest.fixture(scope="session")
def mongo_uri() -> Iterator[str]:
    """URI of a MongoDB replica set for this test session.

    ``MONGODB_TEST_URI`` wins; otherwise a private mongod is started on a free loopback port and
    stopped at the end. Without a binary the test is skipped locally and fails in CI (``CI=true``).
    """
    external = os.environ.get("MONGODB_TEST_URI")
    if external:
        yield external
        return
    try:
        binary = find_mongod()
    except MongodUnavailable as exc:
        if _in_ci():
            pytest.fail(f"mongo tests must run in CI: {exc}")
        pytest.skip(str(exc))
    server = MongodProcess(binary).start()
    try:
        yield server.uri
    finally:
        server.stop()


async def _drop_databases(uri: str, names: list[str]) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri, serverSelectionTimeoutMS=5000)
    try:
        await asyncio.gather(*(client.drop_database(name) for name in names))
    finally:
        await client.close()


@pytest.fixture(scope="session")
def fresh_database_name(mongo_uri: str) -> Iterator[Callable[[str], str]]:
    """``fresh_database_name(prefix)`` -> a new unique database name; all are dropped at session end.

    Dropping a database on a replica set takes ~0.1 s each but hardly longer for many at once, so
    the drops are batched instead of done one per test.
    """
    names: list[str] = []

    def new_name(prefix: str = "test") -> str:
        name = f"{prefix}-{uuid.uuid4().hex}"
        names.append(name)
        return name

    yield new_name
    if names:
        asyncio.run(_drop_databases(mongo_uri, names))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that needs the server (directly or through a fixture) carries the ``mongo`` marker."""
    for item in items:
        if "mongo_uri" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.mongo)
