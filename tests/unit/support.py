"""Test support for application-level tests: a ticking clock, an event recorder, a caller."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

from dynamic_mcp.application.calls import CallOutcome
from dynamic_mcp.application.packages import HandlerPackage
from dynamic_mcp.container import Container
from dynamic_mcp.domain.events import ChangeEvent, ToolListChanged
from dynamic_mcp.ports.clock import Clock
from dynamic_mcp.ports.handlers import ProgressReporter, ToolContext

ADMIN = "admin@localhost"  # the in-memory bootstrap admin (docs/configuration.md)
POWER = "pu@x.io"
POWER2 = "pu2@x.io"
USER = "u@x.io"
USER2 = "u2@x.io"
CUSTOM = "c@x.io"  # holds only a non-built-in role (docs/access.md)


class TickingClock(Clock):
    """Each reading is one millisecond after the last: createdAt order is the creation order."""

    def __init__(self) -> None:
        self._now = datetime(2025, 1, 1, tzinfo=UTC)

    def now(self) -> datetime:
        self._now += timedelta(milliseconds=1)
        return self._now


class EventRecorder:
    def __init__(self) -> None:
        self.events: list[ChangeEvent] = []

    async def __call__(self, event: ChangeEvent) -> None:
        self.events.append(event)

    def clear(self) -> None:
        self.events.clear()

    def tool_audiences(self) -> list[frozenset[str] | None]:
        return [e.emails for e in self.events if isinstance(e, ToolListChanged)]


@attrs.define
class Caller:
    """Calls tools as one user through CallService, the path every transport takes (docs/access.md)."""

    container: Container
    email: str

    async def call(self, tool: str, /, **args: Any) -> CallOutcome:
        return await self.container.call_service().call_tool(self.email, tool, args)

    async def ok(self, tool: str, /, **args: Any) -> dict[str, Any]:
        outcome = await self.call(tool, **args)
        assert not outcome.is_error, outcome.text
        envelope: dict[str, Any] = json.loads(outcome.text)
        assert "result" in envelope
        assert set(envelope) <= {"result", "message", "nextSteps"}
        return envelope

    async def fails(self, tool: str, /, **args: Any) -> str:
        """The error message without its ``Error: `` prefix."""
        outcome = await self.call(tool, **args)
        assert outcome.is_error, outcome.text
        assert outcome.text.startswith("Error: "), outcome.text
        return outcome.text.removeprefix("Error: ")


def tool_definition(name: str, **overrides: Any) -> dict[str, Any]:
    """A runtime tool handled by the built-in ``echo`` package (harmless to call). Only admins may
    point tools at management handlers, so power users' tools must use a plain package."""
    definition: dict[str, Any] = {
        "name": name,
        "description": f"the {name} tool",
        "inputSchema": {"type": "object", "properties": {"nameContains": {"type": "string"}}},
        "handler": {"type": "echo", "config": {}},
    }
    definition.update(overrides)
    return definition


ECHO = "test-echo"


async def echo_handler(
    args: dict[str, Any], context: ToolContext, config: Mapping[str, Any], progress: ProgressReporter
) -> Mapping[str, Any]:
    """Says which stored tool ran, for whom, with what: makes resolution observable."""
    return {"result": {"tool": context.tool.namespaced_id, "caller": context.user.email, "args": args}}


def echo_package(*tools: Mapping[str, Any], name: str = ECHO) -> HandlerPackage:
    """A handler package whose handler echoes; the ``test-echo`` one is registered in every test container."""
    return HandlerPackage(name=name, tools=list(tools), handler=echo_handler)


def echo_definition(name: str, package: str = ECHO, **overrides: Any) -> dict[str, Any]:
    return tool_definition(name, handler={"type": package, "config": {}}, **overrides)
