from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest

from tests.integration.harness import ADMIN_KEY, ServerProcess, connect

pytestmark = pytest.mark.integration


def storage_env(request: pytest.FixtureRequest, mode: str, prefix: str = "integration") -> dict[str, str]:
    """Server settings for a storage mode: nothing for memory, a fresh database for mongo."""
    if mode != "mongo":
        return {}
    uri: str = request.getfixturevalue("mongo_uri")
    new_name: Callable[[str], str] = request.getfixturevalue("fresh_database_name")
    return {"MONGODB_URI": uri, "MONGODB_DB": new_name(prefix)}


@pytest.fixture(scope="module", params=["memory", pytest.param("mongo", marks=pytest.mark.mongo)])
def server(request: pytest.FixtureRequest) -> Iterator[ServerProcess]:
    """The foundation suite's server, once per storage mode (a fresh database per mongo start)."""
    process = ServerProcess(storage_env(request, request.param)).start()
    yield process
    process.stop()


class Users:
    """Creates users through the admin's MCP session and remembers every key issued."""

    def __init__(self, server: ServerProcess) -> None:
        self.server = server
        self.keys: list[str] = [ADMIN_KEY]

    async def add(self, role: str | None, name: str | None = None) -> tuple[str, str]:
        email = f"{role or 'nobody'}-{uuid.uuid4().hex[:8]}@example.com"
        async with connect(self.server.url, ADMIN_KEY) as admin:
            body = await admin.ok(
                "add-user", {"email": email, "name": name or email.split("@")[0], "roles": [role] if role else []}
            )
        key = body["result"]["apiKey"]
        self.keys.append(key)
        return email, key


@pytest.fixture(scope="module")
def users(server: ServerProcess) -> Users:
    return Users(server)
