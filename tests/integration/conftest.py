from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.integration.harness import ADMIN_KEY, ServerProcess, connect

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    process = ServerProcess().start()
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
