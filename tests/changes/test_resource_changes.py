"""Resources changed by another instance reach this one's subscribers (docs/resources.md, ADR 0010)."""

from __future__ import annotations

from typing import Any

import pytest

from dynamic_mcp.domain.events import ResourceListChanged, ResourceUpdated
from tests.changes.test_mongo_change_feed import ADMIN, BOB, CAROL, add_user, eventually, two_instances

pytestmark = pytest.mark.mongo
__all__ = ["two_instances"]


async def add_resource(container: Any, caller: str, **definition: Any) -> None:
    outcome = await container.call_service().call_tool(caller, "add-resource", {"resourceDefinition": definition})
    assert not outcome.is_error, outcome.text


async def test_a_resource_written_elsewhere_is_announced_to_who_reaches_it(two_instances: Any) -> None:
    here, recorder, there = two_instances
    await add_user(there, BOB, "user")
    await add_user(there, CAROL, "power-user")
    for email in (BOB, CAROL):
        await here.resource_service().list_resources(email)
        here.live_audience().join(email)  # each holds a session here
    recorder.events.clear()

    await add_resource(there, CAROL, uri="test://shared", name="s", text="v1", rolesPermitted=["power-user"])
    await eventually(lambda: any(isinstance(e, ResourceListChanged) for e in recorder.events))
    lists = [e for e in recorder.events if isinstance(e, ResourceListChanged)]
    assert lists == [ResourceListChanged(frozenset({CAROL, ADMIN}))]  # bob's role does not reach it

    recorder.events.clear()
    outcome = await there.call_service().call_tool(
        CAROL, "update-resource", {"uri": "test://shared", "updates": {"text": "v2"}}
    )
    assert not outcome.is_error, outcome.text
    await eventually(lambda: any(isinstance(e, ResourceUpdated) for e in recorder.events))
    assert ResourceUpdated("test://shared", frozenset({CAROL, ADMIN})) in recorder.events
    read = await here.resource_service().read(CAROL, "test://shared")
    assert read[0].text == "v2"
