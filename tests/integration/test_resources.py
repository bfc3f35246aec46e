"""Resources over MCP with the official SDK client, both eras, both stores (docs/resources.md)."""

from __future__ import annotations

import base64
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import anyio
import httpx
import mcp_types as types
import pytest
from mcp.client import Client
from mcp.client.subscriptions import ResourcesListChanged, ResourceUpdated
from mcp.shared.exceptions import MCPError

from tests.integration.conftest import Users
from tests.integration.harness import ADMIN_EMAIL, ADMIN_KEY, ServerProcess
from tests.integration.test_cli import Cli, clean_env, run
from tests.integration.test_modern_era import MODERN, Events, call_ok

pytestmark = pytest.mark.filterwarnings("ignore::mcp.shared.exceptions.MCPDeprecationWarning")

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(range(16))).decode()


class Inbox:
    """Handshake-era notifications one session received."""

    def __init__(self) -> None:
        self.seen: list[Any] = []

    async def __call__(self, message: Any) -> None:
        if hasattr(getattr(message, "root", message), "method"):  # notifications, not requests' errors
            self.seen.append(message)

    def methods(self) -> list[str]:
        return [getattr(getattr(m, "root", m), "method", "") for m in self.seen]

    async def wait_for(self, method: str, timeout: float = 10.0) -> bool:
        with anyio.move_on_after(timeout):
            while method not in self.methods():
                await anyio.sleep(0.05)
            return True
        return False


@contextlib.asynccontextmanager
async def client(server: ServerProcess, key: str, mode: str, inbox: Inbox | None = None) -> AsyncIterator[Client]:
    async with Client(f"{server.url}/mcp?apiKey={key}", mode=mode, message_handler=inbox) as c:  # type: ignore[arg-type]
        yield c


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.mark.parametrize("mode", ["legacy", MODERN])
async def test_text_blob_and_private_resources(server: ServerProcess, users: Users, mode: str) -> None:
    _, power_key = await users.add("power-user")
    _, user_key = await users.add("user")
    text_uri, blob_uri, private_uri = (f"test://{unique(k)}" for k in ("text", "blob", "private"))
    async with client(server, power_key, mode) as owner, client(server, user_key, mode) as reader:
        await call_ok(
            owner,
            "add-resource",
            {
                "resourceDefinition": {
                    "uri": text_uri,
                    "name": "notes",
                    "mimeType": "text/plain",
                    "text": "héllo",
                    "rolesPermitted": ["user"],
                }
            },
        )
        await call_ok(
            owner,
            "add-resource",
            {
                "resourceDefinition": {
                    "uri": blob_uri,
                    "name": "logo",
                    "mimeType": "image/png",
                    "blob": PNG,
                    "rolesPermitted": ["user"],
                }
            },
        )
        await call_ok(owner, "add-resource", {"resourceDefinition": {"uri": private_uri, "name": "mine", "text": "x"}})
        listed = {str(r.uri): r for r in (await reader.list_resources()).resources}
        assert text_uri in listed and blob_uri in listed and private_uri not in listed
        assert (listed[text_uri].mime_type, listed[text_uri].size) == ("text/plain", len("héllo".encode()))
        text = (await reader.read_resource(text_uri)).contents[0]
        assert isinstance(text, types.TextResourceContents) and text.text == "héllo" and text.mime_type == "text/plain"
        blob = (await reader.read_resource(blob_uri)).contents[0]
        assert isinstance(blob, types.BlobResourceContents) and blob.blob == PNG
        with pytest.raises(MCPError) as refused:
            await reader.read_resource(private_uri)  # exists, but not for this reader: same answer as missing
        assert refused.value.error.code == -32602 and refused.value.error.data == {"uri": private_uri}
        assert private_uri in {str(r.uri) for r in (await owner.list_resources()).resources}


@pytest.mark.parametrize("mode", ["legacy", MODERN])
async def test_template_reads_and_completes_its_variables(server: ServerProcess, users: Users, mode: str) -> None:
    _, power_key = await users.add("power-user")
    _, user_key = await users.add("user")
    base = f"test://{unique('tpl')}"
    definition = {
        "uriTemplate": base + "/{id}/data",
        "name": "data",
        "mimeType": "application/json",
        "text": '{"id": "{{id}}", "templateTest": true}',
        "rolesPermitted": ["user"],
        "completions": {"id": ["123", "124", "200"]},
    }
    async with client(server, power_key, mode) as owner, client(server, user_key, mode) as reader:
        await call_ok(owner, "add-resource", {"resourceDefinition": definition})
        templates = [t.uri_template for t in (await reader.list_resource_templates()).resource_templates]
        assert base + "/{id}/data" in templates
        content = (await reader.read_resource(base + "/123/data")).contents[0]
        assert isinstance(content, types.TextResourceContents)
        assert content.uri == base + "/123/data" and content.text == '{"id": "123", "templateTest": true}'
        done = await reader.complete(
            types.ResourceTemplateReference(uri=base + "/{id}/data"), {"name": "id", "value": "12"}
        )
        assert done.completion.values == ["123", "124"]


async def test_updates_reach_subscribed_sessions_only_handshake_era(server: ServerProcess, users: Users) -> None:
    _, power_key = await users.add("power-user")
    _, user_key = await users.add("user")
    _, outsider_key = await users.add(None)
    uri = f"test://{unique('watched')}"
    watching, idle, outsider = Inbox(), Inbox(), Inbox()
    async with (
        client(server, power_key, "legacy") as owner,
        client(server, user_key, "legacy", watching) as w,
        client(server, user_key, "legacy", idle),
        client(server, outsider_key, "legacy", outsider) as o,
    ):
        await call_ok(
            owner,
            "add-resource",
            {"resourceDefinition": {"uri": uri, "name": "w", "text": "v1", "rolesPermitted": ["user"]}},
        )
        assert await watching.wait_for("notifications/resources/list_changed")
        assert await idle.wait_for("notifications/resources/list_changed")
        await w.subscribe_resource(uri)
        await o.subscribe_resource(uri)  # may subscribe, but cannot read it: never told
        await call_ok(owner, "update-resource", {"uri": uri, "updates": {"text": "v2"}})
        assert await watching.wait_for("notifications/resources/updated")
        assert (await w.read_resource(uri)).contents[0].text == "v2"  # type: ignore[union-attr]
        await anyio.sleep(0.5)  # had the others been sent it, it would be here by now
        assert "notifications/resources/updated" not in idle.methods()
        assert outsider.methods() == []
        await w.unsubscribe_resource(uri)
        await call_ok(owner, "update-resource", {"uri": uri, "updates": {"text": "v3"}})
        await anyio.sleep(0.5)
        assert watching.methods().count("notifications/resources/updated") == 1


async def test_listen_streams_get_resource_events_of_their_filter(server: ServerProcess, users: Users) -> None:
    _, power_key = await users.add("power-user")
    _, user_key = await users.add("user")
    _, outsider_key = await users.add(None)
    uri = f"test://{unique('listened')}"
    mine, other = Events(), Events()
    async with (
        client(server, power_key, MODERN) as owner,
        client(server, user_key, MODERN) as reader,
        client(server, outsider_key, MODERN) as stranger,
        reader.listen(resources_list_changed=True, resource_subscriptions=[uri]) as sub,
        stranger.listen(resources_list_changed=True, resource_subscriptions=[uri]) as stranger_sub,
        anyio.create_task_group() as tg,
    ):
        tg.start_soon(mine.collect, sub)
        tg.start_soon(other.collect, stranger_sub)
        await call_ok(
            owner,
            "add-resource",
            {"resourceDefinition": {"uri": uri, "name": "l", "text": "v1", "rolesPermitted": ["user"]}},
        )
        assert await mine.wait(lambda: mine.count(ResourcesListChanged) >= 1)
        await call_ok(owner, "update-resource", {"uri": uri, "updates": {"text": "v2"}})
        assert await mine.wait(lambda: any(isinstance(e, ResourceUpdated) and e.uri == uri for e in mine.seen))
        await anyio.sleep(0.5)
        assert other.seen == []
        tg.cancel_scope.cancel()


async def uris(c: Client) -> set[str]:
    return {str(r.uri) for r in (await c.list_resources(cache_mode="refresh")).resources}


async def test_sharing_and_hiding_a_resource_tell_only_the_affected_user(server: ServerProcess, users: Users) -> None:
    _, power_key = await users.add("power-user")
    recipient, user_key = await users.add("user")
    _, bystander_key = await users.add("user")
    secret, pinned = f"test://{unique('secret')}", f"test://{unique('pinned')}"
    told, untold, listened = Inbox(), Inbox(), Events()
    async with (
        client(server, power_key, "legacy") as owner,
        client(server, user_key, "legacy", told) as reader,
        client(server, user_key, MODERN) as reader_2026,
        client(server, bystander_key, "legacy", untold) as bystander,
        reader_2026.listen(resources_list_changed=True) as sub,
        anyio.create_task_group() as tg,
    ):
        tg.start_soon(listened.collect, sub)
        await call_ok(owner, "add-resource", {"resourceDefinition": {"uri": secret, "name": "s", "text": "s"}})
        assert secret not in await uris(reader)
        await call_ok(owner, "share-resource", {"email": recipient, "uri": secret})
        assert await told.wait_for("notifications/resources/list_changed")
        assert await listened.wait(lambda: listened.count(ResourcesListChanged) >= 1)
        assert secret in await uris(reader)
        assert (await reader.read_resource(secret)).contents[0].text == "s"  # type: ignore[union-attr]
        await anyio.sleep(0.5)  # had the bystander been told, it would be here by now
        assert untold.methods() == [] and secret not in await uris(bystander)
        told.seen.clear()
        await call_ok(reader, "hide-resource", {"uri": secret})
        assert await told.wait_for("notifications/resources/list_changed")
        assert secret not in await uris(reader)
        assert (await reader.read_resource(secret)).contents[0].text == "s"  # type: ignore[union-attr]
        definition = {"uri": pinned, "name": "p", "text": "p", "rolesPermitted": ["user"], "alwaysVisible": True}
        await call_ok(owner, "add-resource", {"resourceDefinition": definition})
        refused = await reader.call_tool("hide-resource", {"uri": pinned})
        assert refused.is_error and "cannot be hidden" in refused.content[0].text  # type: ignore[union-attr]
        assert pinned in await uris(reader)
        tg.cancel_scope.cancel()


@pytest.mark.slow  # the command is a fresh process per call
def test_the_cli_manages_resources(server: ServerProcess, tmp_path: Any) -> None:
    """Through a running server in memory mode; on MongoDB, in the database, served by the running server."""
    uri = f"test://{unique('cli')}"
    definition = tmp_path / "resource.json"
    definition.write_text(json.dumps({"uri": uri, "name": "cli", "text": "one", "rolesPermitted": ["user"]}))
    if "MONGODB_URI" in server.env:
        env = clean_env(MONGODB_URI=server.env["MONGODB_URI"], MONGODB_DB=server.env["MONGODB_DB"])
        env["MCP_ADMIN_EMAIL"] = ADMIN_EMAIL
        done = run("resources", "add", str(definition), env=env)
        assert done.returncode == 0 and f"Saved resource {uri}." in done.stdout, done.stderr
        listed = httpx.get(f"{server.url}/api/v1/resources", headers={"x-apikey": ADMIN_KEY}, timeout=10).json()
        assert uri in {r.get("uri") for r in listed["resources"]}
        return
    cli = Cli(server.url, ADMIN_KEY)
    assert f"Saved resource {uri}." in cli.ok("resources", "add", str(definition))
    updates = tmp_path / "updates.json"
    updates.write_text(json.dumps({"text": "two"}))
    assert cli.json("resources", "update", uri, str(updates))["resource"]["text"] == "two"
    assert f"Deleted resource {uri}." in cli.ok("resources", "delete", uri)
    assert "(none)" in cli.ok("resources", "list", "--uri-contains", uri)
