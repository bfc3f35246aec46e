"""A state machine over the in-memory container: tools come and go, are shared, unshared, hidden
and unhidden in any order, and the invariants of docs/access.md hold after
every step."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from dependency_injector import providers
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from dynamic_mcp.config import Settings
from dynamic_mcp.container import build_container
from dynamic_mcp.domain import visibility

from .support import ADMIN, POWER, POWER2, USER, TickingClock, echo_definition, echo_package
from .test_access_properties import spec_can_access

MANAGERS = (ADMIN, POWER, POWER2)
EVERYONE = (*MANAGERS, USER)
NAMES = ("a", "b")
tool_refs = st.one_of(
    st.sampled_from(NAMES), st.builds(lambda c, n: f"{c}:{n}", st.sampled_from(MANAGERS), st.sampled_from(NAMES))
)


class SharingLifecycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.container = build_container(Settings())
        self.container.clock.override(providers.Object(TickingClock()))
        self.run(self.container.lifecycle().start(extra_packages=[echo_package()]))
        for email, roles in ((POWER, ["power-user"]), (POWER2, ["power-user"]), (USER, ["user"])):
            self.call(ADMIN, "add-user", email=email, roles=roles)

    def run(self, coroutine: Any) -> Any:
        return self.loop.run_until_complete(coroutine)

    def call(self, caller: str, tool: str, /, **args: Any) -> dict[str, Any] | None:
        outcome = self.run(self.container.call_service().call_tool(caller, tool, args))
        if outcome.is_error:
            assert outcome.text.startswith("Error: ")
            assert "Traceback" not in outcome.text
            assert "internal error" not in outcome.text
            return None
        envelope: dict[str, Any] = json.loads(outcome.text)
        return envelope

    def teardown(self) -> None:
        self.loop.close()

    @rule(creator=st.sampled_from(MANAGERS), name=st.sampled_from(NAMES), roles=st.sampled_from((None, ["user"])))
    def add_tool(self, creator: str, name: str, roles: list[str] | None) -> None:
        assert self.call(creator, "add-tool", toolDefinition=echo_definition(name, rolesPermitted=roles)) is not None

    @rule(caller=st.sampled_from(MANAGERS), ref=tool_refs)
    def delete_tool(self, caller: str, ref: str) -> None:
        self.call(caller, "delete-tool", name=ref)

    @rule(
        caller=st.sampled_from(EVERYONE),
        to=st.sampled_from(EVERYONE),
        ref=tool_refs,
        level=st.sampled_from(("read", "write")),
    )
    def share(self, caller: str, to: str, ref: str, level: str) -> None:
        self.call(caller, "share-tool", email=to, toolId=ref, accessLevel=level)

    @rule(caller=st.sampled_from(EVERYONE), to=st.sampled_from(EVERYONE), ref=tool_refs)
    def unshare(self, caller: str, to: str, ref: str) -> None:
        self.call(caller, "unshare-tool", email=to, toolId=ref)

    @rule(caller=st.sampled_from(EVERYONE), refs=st.lists(tool_refs, min_size=1, max_size=3))
    def hide(self, caller: str, refs: list[str]) -> None:
        self.call(caller, "hide-tool", toolId=refs)

    @rule(caller=st.sampled_from(EVERYONE), refs=st.lists(tool_refs, min_size=1, max_size=3))
    def unhide(self, caller: str, refs: list[str]) -> None:
        self.call(caller, "unhide-tool", toolId=refs)

    @invariant()
    def rules_hold(self) -> None:
        tools = self.run(self.container.tools().list_all())
        existing = {t.namespaced_id for t in tools}
        creators = {t.namespaced_id: t.creator for t in tools}
        packages = self.container.catalog().packages
        for email in EVERYONE:
            user = self.run(self.container.users().get(email))
            # hidden ids are ids of existing tools, without duplicates.
            assert set(user.hidden_tools) <= existing
            assert len(set(user.hidden_tools)) == len(user.hidden_tools)
            # one share per (toolId, sharedBy); share-tool stores namespaced ids.
            keys = [(s.tool_id, s.shared_by) for s in user.shared_tools]
            assert len(keys) == len(set(keys))
            assert all(":" in s.tool_id for s in user.shared_tools)
            # power users share only their own tools; plain users share nothing.
            for share in user.shared_tools:
                assert share.shared_by != USER
                if share.shared_by in (POWER, POWER2):
                    assert share.tool_id.rpartition(":")[0] == share.shared_by
                    assert creators.get(share.tool_id, share.shared_by) == share.shared_by
            # docs/access.md: the toolset the call path uses is the spec's A(u), and V(u) is inside it.
            toolset = self.run(self.container.catalog().toolset(user))
            assert {t.namespaced_id for t in toolset.accessible} == {
                t.namespaced_id for t in tools if spec_can_access(user, t)
            }
            assert {t.namespaced_id for t in toolset.visible} == {
                t.namespaced_id for t in toolset.accessible if not visibility.is_hidden(user, t)
            }
            assert packages >= {"user-management", "tool-management"}


SharingLifecycle.TestCase.settings = settings(
    derandomize=True,
    max_examples=40,
    stateful_step_count=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestSharingLifecycle = SharingLifecycle.TestCase
