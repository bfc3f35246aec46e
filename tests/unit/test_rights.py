"""Rights holes a red-team run found, each closed inside the use cases (ADR 0016).

Every test drives the use case (and, where it is a tool, CallService as every transport does),
so MCP, REST and the CLI get the same answer.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

import httpx
import pytest
from dependency_injector import providers

from dynamic_mcp.adapters.handlers.http_tool import HttpToolHandler
from dynamic_mcp.adapters.handlers.outbound import OutboundPolicy
from dynamic_mcp.config import Settings
from dynamic_mcp.container import Container, build_container
from dynamic_mcp.domain.errors import Conflict, Forbidden, Invalid
from dynamic_mcp.domain.events import PromptListChanged, ToolListChanged
from dynamic_mcp.domain.prompts import Prompt
from dynamic_mcp.domain.sharing import AccessLevel, Share
from dynamic_mcp.domain.tools import HandlerRef, Tool
from dynamic_mcp.domain.users import User
from dynamic_mcp.ports.handlers import ToolContext
from dynamic_mcp.ports.repositories import UserFields

from .support import ADMIN, POWER, POWER2, USER, USER2, Caller, EventRecorder, TickingClock, echo_definition

RENAME = {"type": "user-management", "config": {"action": "update"}}


async def record(container: Container, email: str) -> User:
    return await container.catalog().current_user(email)


# -- prompts on management handlers -------------------------------------------------------------


def prompt_args(handler: Mapping[str, Any]) -> dict[str, Any]:
    return {"name": "rename", "description": "renames", "handler": dict(handler), "rolesPermitted": ["admin"]}


@pytest.mark.parametrize("package", ["user-management", "tool-management", "prompt-management"])
async def test_a_power_user_cannot_point_a_prompt_at_a_management_handler(
    container: Container, power: Caller, package: str
) -> None:
    caller = await record(container, POWER)
    handler = {"type": package, "config": {"action": "update"}}
    with pytest.raises(Forbidden, match="Only admins"):
        await container.prompt_service().add_prompt(caller, prompt_args(handler))
    assert "Only admins" in await power.fails("add-prompt", **prompt_args(handler))
    assert await container.prompts().get("rename") is None
    # nor turn an existing prompt of theirs into one
    await power.ok("add-prompt", **prompt_args({"type": "echo", "config": {}}))
    assert "Only admins" in await power.fails("update-prompt", name="rename", updates={"handler": handler})
    assert (await container.prompts().get("rename")).handler.type == "echo"  # type: ignore[union-attr]


async def test_a_stored_power_user_prompt_on_a_management_handler_never_runs_with_admin_rights(
    container: Container, admin: Caller, power: Caller
) -> None:
    """A prompt written before the rule (or by a since-demoted admin) acts for nobody."""
    await container.prompts().add(Prompt(name="rename", handler=HandlerRef(**RENAME), created_by=POWER))
    with pytest.raises(Forbidden, match="creator is not an admin"):
        await container.prompt_service().get_prompt(ADMIN, "rename", {"email": USER2, "name": "Renamed"})
    assert (await record(container, USER2)).name == "U2"


async def test_a_stored_power_user_tool_on_a_management_handler_never_runs_with_admin_rights(
    container: Container, admin: Caller, power: Caller
) -> None:
    tool = Tool(name="rename", creator=POWER, input_schema={"type": "object"}, handler=HandlerRef(**RENAME))
    await container.tools().upsert(tool)
    for name in ("rename", f"{POWER}:rename"):
        assert "creator is not an admin" in await admin.fails(name, email=USER2, name="Renamed")
    assert (await record(container, USER2)).name == "U2"


async def test_a_management_tool_stops_running_when_its_admin_creator_is_demoted(
    container: Container, admin: Caller, power2: Caller
) -> None:
    await admin.ok("add-user", email="second@x.io", roles=["admin"])
    second = Caller(container, "second@x.io")
    definition = {"name": "who", "inputSchema": {"type": "object"}, "handler": {"type": "user-management"}}
    definition["handler"] = {"type": "user-management", "config": {"action": "user-info"}}
    await second.ok("add-tool", toolDefinition={**definition, "rolesPermitted": ["user"]})
    assert (await power2.ok("who"))["result"]["email"] == POWER2
    await admin.ok("update-user", email="second@x.io", roles=["user"])
    assert "creator is not an admin" in await power2.fails("who")


# -- context values win over the caller's arguments ----------------------------------------------


async def test_context_values_win_over_arguments_in_templates_and_in_what_the_handler_gets(
    power: Caller, user: Caller
) -> None:
    config = {"message": "hi {{userEmail}} on {{sessionId}}", "argMappings": {"who": "{{userEmail}}"}}
    schema = {"type": "object", "properties": {"userEmail": {"type": "string"}, "sessionId": {"type": "string"}}}
    definition = echo_definition("whoami", inputSchema=schema, rolesPermitted=["user"])
    definition["handler"] = {"type": "echo", "config": config}
    await power.ok("add-tool", toolDefinition=definition)
    outcome = await user.container.call_service().call_tool(
        USER, "whoami", {"userEmail": ADMIN, "sessionId": "forged"}, session_id="real-session"
    )
    envelope = json.loads(outcome.text)
    assert envelope["result"] == {"userEmail": USER, "sessionId": "real-session", "who": USER}
    assert envelope["message"] == f"hi {USER} on real-session"


async def test_an_http_tool_sends_the_callers_email_not_the_one_in_the_arguments() -> None:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={})

    handler = HttpToolHandler(OutboundPolicy.from_entries(("127.0.0.1",)), httpx.MockTransport(answer))
    tool = Tool(name="t", creator=POWER, input_schema={"type": "object"}, handler=HandlerRef("http", {}))
    context = ToolContext(session_id="s-1", user=User(email=USER), tool_name="t", tool=tool)
    config = {"url": "http://127.0.0.1:9/x", "headers": {"x-user": "{{userEmail}}", "x-session": "{{sessionId}}"}}

    async def no_progress(progress: float, total: float | None = None, message: str | None = None) -> None:
        return None

    await handler({"userEmail": ADMIN, "sessionId": "forged"}, context, config, no_progress)
    assert sent[0].headers["x-user"] == USER
    assert sent[0].headers["x-session"] == "s-1"


# -- the last admin -------------------------------------------------------------------------------


@pytest.mark.parametrize("roles", [["user"], [], ["power-user", "user"]])
async def test_the_last_admin_cannot_lose_the_admin_role(container: Container, admin: Caller, roles: list[str]) -> None:
    caller = await record(container, ADMIN)
    with pytest.raises(Conflict, match="last admin"):
        await container.user_service().update_user(caller, ADMIN, {"roles": roles})
    assert "last admin" in await admin.fails("update-user", email=ADMIN, roles=roles)
    assert (await record(container, ADMIN)).is_admin
    # other changes to the last admin, and keeping the role, still work
    await admin.ok("update-user", email=ADMIN, name="Still Admin", roles=["admin", "user"])
    assert (await record(container, ADMIN)).roles == ("admin", "user")


async def test_an_admin_may_step_down_while_another_admin_remains(container: Container, admin: Caller) -> None:
    await admin.ok("add-user", email="second@x.io", roles=["admin"])
    await admin.ok("update-user", email=ADMIN, roles=["user"])
    assert not (await record(container, ADMIN)).is_admin
    second = Caller(container, "second@x.io")
    assert "last admin" in await second.fails("update-user", email="second@x.io", roles=["power-user"])


async def test_the_last_admin_cannot_be_deleted_even_by_a_stale_admin_record(container: Container) -> None:
    """Two admins: one demotes themself, then acts with the record read before (a race)."""
    admin = Caller(container, ADMIN)
    await admin.ok("add-user", email="second@x.io", roles=["admin"])
    stale = await record(container, ADMIN)
    await admin.ok("update-user", email=ADMIN, roles=["user"])
    with pytest.raises(Conflict, match="last admin"):
        await container.user_service().delete_user(stale, "second@x.io")
    assert (await record(container, "second@x.io")).is_admin


async def test_start_up_gives_the_bootstrap_admin_the_role_back(caplog: pytest.LogCaptureFixture) -> None:
    """A database left without an admin (demoted before this rule existed, or edited by hand)."""
    built = build_container(Settings())
    built.clock.override(providers.Object(TickingClock()))
    await built.lifecycle().start()
    await built.users().update_fields(ADMIN, UserFields(roles=("user",)))
    with caplog.at_level(logging.WARNING):
        await built.bootstrap().ensure_admin(ADMIN)
    assert (await built.users().get(ADMIN)).roles == ("user", "admin")  # type: ignore[union-attr]
    assert "had lost the admin role" in caplog.text


# -- write shares edit behaviour and text, not reach ---------------------------------------------


@pytest.mark.parametrize(
    "updates", [{"rolesPermitted": ["user"]}, {"alwaysVisible": True}, {"rolesPermitted": None, "description": "x"}]
)
async def test_a_write_share_cannot_change_who_reaches_the_tool(
    container: Container, power: Caller, power2: Caller, updates: dict[str, Any]
) -> None:
    await power2.ok("add-tool", toolDefinition=echo_definition("theirs", rolesPermitted=["custom"]))
    await power2.ok("share-tool", email=POWER, toolId="theirs", accessLevel="write")
    caller = await record(container, POWER)
    with pytest.raises(Forbidden, match="who reaches it"):
        await container.tool_service().update_tool(caller, f"{POWER2}:theirs", updates)
    assert "who reaches it" in await power.fails("update-tool", name=f"{POWER2}:theirs", updates=updates)
    stored = await container.tools().get(POWER2, "theirs")
    assert stored is not None
    assert (stored.roles_permitted, stored.always_visible, stored.description) == (
        ("custom",),
        False,
        "the theirs tool",
    )


async def test_a_write_share_edits_behaviour_and_text(power: Caller, power2: Caller, admin: Caller) -> None:
    await power2.ok("add-tool", toolDefinition=echo_definition("theirs", rolesPermitted=["custom"]))
    await power2.ok("share-tool", email=POWER, toolId="theirs", accessLevel="write")
    updates = {
        "description": "new text",
        "annotations": {"title": "T"},
        "inputSchema": {"type": "object", "properties": {"q": {"type": "string"}}},
        "handler": {"type": "echo", "config": {"message": "m"}},
        "rolesPermitted": ["custom"],  # unchanged: allowed
    }
    updated = (await power.ok("update-tool", name=f"{POWER2}:theirs", updates=updates))["result"]["updated"]
    assert updated["description"] == "new text"
    # the creator and admins still change reach
    await power2.ok("update-tool", name="theirs", updates={"rolesPermitted": ["user"]})
    await admin.ok("update-tool", name=f"{POWER2}:theirs", updates={"alwaysVisible": True})


# -- one role rule for every door -----------------------------------------------------------------


@pytest.mark.parametrize("roles", [["god"], ["user", "superuser"], ["Admin"]])
async def test_unknown_roles_are_refused_on_add_and_update(
    container: Container, admin: Caller, user: Caller, roles: list[str]
) -> None:
    caller = await record(container, ADMIN)
    service = container.user_service()
    with pytest.raises(Invalid, match="Unknown role"):
        await service.add_user(caller, "new@x.io", None, roles)
    with pytest.raises(Invalid, match="Unknown role"):
        await service.update_user(caller, USER, {"roles": roles})
    assert await container.users().get("new@x.io") is None
    assert (await record(container, USER)).roles == ("user",)


async def test_configured_extra_roles_are_accepted_on_every_door() -> None:
    built = build_container(Settings(extra_roles=("auditor",)))
    built.clock.override(providers.Object(TickingClock()))
    await built.lifecycle().start()
    admin = Caller(built, ADMIN)
    await admin.ok("add-user", email="aud@x.io", roles=["auditor"])  # the MCP schema's enum knows it
    assert (await built.users().get("aud@x.io")).roles == ("auditor",)  # type: ignore[union-attr]
    caller = await record(built, ADMIN)
    await built.user_service().update_user(caller, "aud@x.io", {"roles": ["user", "auditor"]})
    with pytest.raises(Invalid, match="Allowed roles: admin, power-user, user, auditor"):
        await built.user_service().update_user(caller, "aud@x.io", {"roles": ["god"]})


async def test_update_user_refuses_unknown_and_fixed_fields(container: Container, user: Caller) -> None:
    caller = await record(container, USER)
    for changes in ({"apiKey": "k"}, {"email": "other@x.io"}, {"name": "x", "apiKeyHash": "h"}):
        with pytest.raises(Invalid, match="Cannot update field"):
            await container.user_service().update_user(caller, USER, changes)


# -- deleting a user deletes what they created ----------------------------------------------------


async def test_deleting_a_user_deletes_their_tools_prompts_and_every_trace_of_them(
    container: Container, admin: Caller, power: Caller, user: Caller, events: EventRecorder
) -> None:
    await power.ok("add-tool", toolDefinition=echo_definition("gadget"))
    await power.ok("add-tool", toolDefinition=echo_definition("widget", rolesPermitted=["user"]))
    await power.ok("add-prompt", name="p1", description="d", handler={"type": "echo", "config": {}})
    await power.ok("share-tool", email=USER, toolId="gadget", accessLevel="write")
    await user.ok("hide-tool", toolId=["widget"])
    events.clear()

    envelope = await admin.ok("delete-user", email=POWER)
    assert "2 tool(s) and 1 prompt(s)" in envelope["message"]

    assert [t for t in await container.tools().list_all() if t.creator == POWER] == []
    assert await container.prompts().get("p1") is None
    held = await record(container, USER)
    assert (held.shared_tools, held.hidden_tools) == ((), ())
    audiences = [e.emails for e in events.events if isinstance(e, ToolListChanged)]
    assert audiences and USER in (audiences[0] or ()) and USER2 in (audiences[0] or ())
    assert any(isinstance(e, PromptListChanged) for e in events.events)

    # the same email again starts with nothing of the old user's
    await admin.ok("add-user", email=POWER, roles=["power-user"])
    assert "gadget" not in {
        t.name for t in (await container.catalog().toolset(await record(container, POWER))).accessible
    }
    assert "not found" in (await Caller(container, USER).fails(f"{POWER}:gadget"))


async def test_shares_the_deleted_user_granted_of_other_tools_stay(
    container: Container, admin: Caller, power2: Caller
) -> None:
    await admin.ok("add-tool", toolDefinition=echo_definition("report"))
    await admin.ok("add-user", email="helper@x.io", roles=["admin"])
    await Caller(container, "helper@x.io").ok("share-tool", email=POWER2, toolId=f"{ADMIN}:report", accessLevel="read")
    await admin.ok("delete-user", email="helper@x.io")
    assert (await record(container, POWER2)).shared_tools == (
        Share(
            f"{ADMIN}:report",
            "helper@x.io",
            AccessLevel.READ,
            (await record(container, POWER2)).shared_tools[0].shared_at,
        ),
    )
    assert (await power2.ok("report"))["result"]["tool"] == f"{ADMIN}:report"
