"""The tools/list and tools/call pipelines (docs/access.md)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from dynamic_mcp.application.audit import AuditRecorder
from dynamic_mcp.application.catalog import MAX_CACHED_TOOL_ENTRIES, MAX_CACHED_TOOLSETS, Catalog
from dynamic_mcp.application.context import bound
from dynamic_mcp.application.limits import RateLimitService
from dynamic_mcp.application.lru import LruCache
from dynamic_mcp.application.memo import IdentityMemo
from dynamic_mcp.application.packages import HandlerRegistry, no_progress
from dynamic_mcp.application.results import RichResult, envelope_text, is_rich, parse_rich
from dynamic_mcp.domain.errors import DomainError, Forbidden, Invalid, NotFound, StorageUnavailable
from dynamic_mcp.domain.limits import RateLimited
from dynamic_mcp.domain.templating import (
    MISSING,
    argument_mapping,
    caller_lookup,
    context_values,
    merge_mapped,
    render,
    with_context,
)
from dynamic_mcp.domain.tools import Tool
from dynamic_mcp.domain.toolsets import SessionToolset
from dynamic_mcp.domain.users import User
from dynamic_mcp.ports.environment import Environment
from dynamic_mcp.ports.handlers import ClientChannel, InputRequired, ProgressReporter, ToolContext
from dynamic_mcp.ports.metrics import CallOutcomeKind, Metrics, NoMetrics
from dynamic_mcp.ports.server import HandlerServer
from dynamic_mcp.ports.tracing import NoTracing, Span, Tracing
from dynamic_mcp.ports.validation import SchemaValidator

log = logging.getLogger(__name__)


@attrs.frozen
class CallOutcome:
    """What the transport sends back: one text item (the envelope, or an error); or the handler's
    own rich result (a relayed upstream result is one too); or (2026 era) the questions the client
    must answer first."""

    text: str
    is_error: bool = False
    kind: CallOutcomeKind = "ok"
    rich: RichResult | None = None
    input_required: InputRequired | None = None

    @classmethod
    def error(cls, message: str, kind: CallOutcomeKind = "error") -> CallOutcome:
        return cls(f"Error: {message}", is_error=True, kind=kind)


@attrs.frozen
class ListedTool:
    """Only the MCP fields of a tool (docs/compatibility.md): no handler config, creator or id."""

    name: str
    description: str | None
    input_schema: Mapping[str, Any]
    annotations: Mapping[str, Any] | None
    output_schema: Mapping[str, Any] | None = None
    title: str | None = None
    icons: tuple[Mapping[str, Any], ...] | None = None


def _listed(tool: Tool) -> ListedTool:
    return ListedTool(
        tool.name, tool.description, tool.input_schema, tool.annotations, tool.output_schema, tool.title, tool.icons
    )


class CallService:
    def __init__(
        self,
        catalog: Catalog,
        registry: HandlerRegistry,
        validator: SchemaValidator,
        *,
        validate_input: bool = True,
        environment: Environment | None = None,
        env_allowlist: frozenset[str] = frozenset(),
        server: HandlerServer | None = None,
        metrics: Metrics | None = None,
        audit: AuditRecorder | None = None,
        limits: RateLimitService | None = None,
        tracing: Tracing | None = None,
    ) -> None:
        self._tracing: Tracing = tracing or NoTracing()
        self._audit = audit
        self._limits = limits
        self._catalog = catalog
        self._metrics: Metrics = metrics or NoMetrics()
        self._registry = registry
        self._validator = validator
        self._validate_input = validate_input
        self._environment = environment
        self._env_allowlist = env_allowlist
        self.server = server
        # email -> (the toolset it was built from, its listing); one ListedTool per Tool object
        self._listings: LruCache[str, tuple[SessionToolset, tuple[ListedTool, ...]]] = LruCache(
            MAX_CACHED_TOOLSETS, weigh=lambda e: 1 + len(e[1]), max_weight=MAX_CACHED_TOOL_ENTRIES
        )
        self._listed: IdentityMemo[Tool, ListedTool] = IdentityMemo()

    async def list_tools(self, email: str) -> tuple[ListedTool, ...]:
        """The same tuple, of the same ListedTool objects, while the user's toolset is unchanged:
        transports may cache what they derive from them (a 10,000-tool list is not rebuilt per call)."""
        user = await self._catalog.current_user(email)
        toolset = await self._catalog.toolset(user)
        cached = self._listings.get(email)
        if cached is not None and cached[0] is toolset:
            return cached[1]
        listing = tuple(self._listed.get(t) or self._listed.put(t, _listed(t)) for t in toolset.visible)
        self._listings.put(email, (toolset, listing))
        return listing

    async def input_schema(self, email: str, name: str) -> Mapping[str, Any] | None:
        """The input schema of the tool ``name`` resolves to for ``email`` (hidden ones included,
        like a call), or None when it resolves to nothing the user may call."""
        try:
            user = await self._catalog.current_user(email)
            tool = await self._catalog.resolve(user, name)
        except (NotFound, StorageUnavailable):
            return None
        return tool.input_schema if tool is not None else None

    async def call_tool(
        self,
        email: str,
        name: str,
        arguments: Mapping[str, Any] | None,
        *,
        session_id: str | None = None,
        progress: ProgressReporter | None = None,
        channel: ClientChannel | None = None,
    ) -> CallOutcome:
        """Run one call; every call, refused or not, is counted, logged and traced once (without arguments)."""
        with self._tracing.span("tool call") as span:
            return await self._counted(email, name, arguments, session_id, progress, span, channel)

    async def _counted(
        self,
        email: str,
        name: str,
        arguments: Mapping[str, Any] | None,
        session_id: str | None,
        progress: ProgressReporter | None,
        span: Span,
        channel: ClientChannel | None = None,
    ) -> CallOutcome:
        started = time.perf_counter()
        tool: Tool | None = None
        outcome = CallOutcome.error("internal error")
        try:
            tool, outcome = await self._call(email, name, dict(arguments or {}), session_id, progress, channel)
        finally:
            elapsed = time.perf_counter() - started
            # An unresolved name is the caller's text: bounded and escaped before it reaches a log.
            label = tool.namespaced_id if tool is not None else ascii(name[:128])
            if self._tracing.enabled:
                self._trace(span, tool, label, outcome)
            package = tool is not None and tool.is_package_tool(self._catalog.packages)
            self._metrics.tool_call(label if tool is not None else "other", package, outcome.kind, elapsed)
            if self._audit is not None:
                # The door comes from the request context (mcp, rest, console); mcp when none says.
                self._audit.record(label, outcome.kind, elapsed, user=email, arguments=arguments)
            with bound(tool=label, user_email=email):
                log.info(
                    "tool call %s %s",
                    label,
                    outcome.kind,
                    extra={"outcome": outcome.kind, "duration_ms": round(elapsed * 1000, 2)},
                )
        return outcome

    @staticmethod
    def _trace(span: Span, tool: Tool | None, label: str, outcome: CallOutcome) -> None:
        # Only resolved ids name a span: an unknown name is the caller's text.
        span.rename(f"tool call {label}" if tool is not None else "tool call")
        span.set_attribute("dynamic_mcp.outcome", outcome.kind)
        if tool is not None:
            span.set_attribute("dynamic_mcp.tool", label)
        if outcome.is_error:
            span.fail(outcome.kind)

    async def _call(
        self,
        email: str,
        name: str,
        args: dict[str, Any],
        session_id: str | None,
        progress: ProgressReporter | None,
        channel: ClientChannel | None = None,
    ) -> tuple[Tool | None, CallOutcome]:
        try:
            user = await self._catalog.current_user(email)
            if self._limits is not None:
                await self._limits.check("tool_calls", user)
            tool = await self._catalog.resolve(user, name)
        except RateLimited as exc:
            return None, CallOutcome.error(exc.message, "rate_limited")
        except StorageUnavailable as exc:
            return None, CallOutcome.error(exc.message)
        except NotFound:
            tool = None
        if tool is None:
            return None, CallOutcome.error(f"Tool {name} not found or not authorized for user.", "denied")
        package = self._registry.get(tool.handler.type)
        if package is None:
            return tool, CallOutcome.error(f"No handler found for type: {tool.handler.type}")
        try:
            allowed = await self._catalog.acts_within_creator_rights(tool.handler.type, tool.creator)
        except StorageUnavailable as exc:
            return tool, CallOutcome.error(exc.message)
        if not allowed:
            return tool, CallOutcome.error(
                f"Tool {tool.namespaced_id} uses a management handler but its creator is not an admin; it cannot run",
                "denied",
            )
        if self._validate_input:
            problem = await self._validator.validate(tool.input_schema, args)
            if problem:
                return tool, CallOutcome.error(f"Invalid arguments for tool {tool.name}: {problem}", "invalid")
        args = self._map_arguments(tool, args, user, session_id)
        context = ToolContext(
            session_id=session_id, user=user, tool_name=tool.name, tool=tool, server=self.server, channel=channel
        )
        with bound(tool=tool.namespaced_id):
            return tool, await self._invoke(package.handler, tool, args, context, progress or no_progress)

    def _map_arguments(self, tool: Tool, args: dict[str, Any], user: User, session_id: str | None) -> dict[str, Any]:
        """Context, then input, then (package tools or allowlisted names) environment (ADR 0016)."""
        context = context_values(session_id, user.email)
        args = with_context(args, context)
        mapping = argument_mapping(tool.handler.config)
        if mapping is None:
            return args
        trusted = tool.is_package_tool(self._catalog.packages)
        lookup = caller_lookup(args, context, self._env_lookup(trusted))
        return merge_mapped(args, render(mapping, lookup))

    def _env_lookup(self, trusted: bool) -> Callable[[str], Any]:
        environment = self._environment
        allowlist = self._env_allowlist

        def lookup(name: str) -> Any:
            if environment is None or not (trusted or name in allowlist):
                return MISSING
            value = environment.get(name)
            return MISSING if value is None else value

        return lookup

    async def _invoke(
        self, handler: Any, tool: Tool, args: dict[str, Any], context: ToolContext, progress: ProgressReporter
    ) -> CallOutcome:
        try:
            output = await handler(args, context, tool.handler.config, progress)
        except InputRequired as exc:
            return CallOutcome("", input_required=exc)
        except Forbidden as exc:
            return CallOutcome.error(exc.message, "denied")
        except Invalid as exc:
            return CallOutcome.error(exc.message, "invalid")
        except DomainError as exc:
            return CallOutcome.error(exc.message)
        except Exception:
            # The handler is code we do not control: log it here, never send a traceback.
            log.exception("tool handler failed", extra={"tool": tool.namespaced_id})
            return CallOutcome.error(f"Tool {tool.name} failed with an internal error")
        if not is_rich(output):
            if tool.output_schema is not None:
                return CallOutcome.error(f"Tool {tool.name} declares an outputSchema but returned no structuredContent")
            return CallOutcome(envelope_text(output))
        try:
            rich = parse_rich(output)
        except Invalid as exc:
            return CallOutcome.error(f"Tool {tool.name} returned a malformed result: {exc.message}")
        if tool.output_schema is not None and not rich.is_error:
            if rich.structured is None:
                return CallOutcome.error(f"Tool {tool.name} declares an outputSchema but returned no structuredContent")
            problem = await self._validator.validate(tool.output_schema, rich.structured)
            if problem:
                return CallOutcome.error(f"Output of tool {tool.name} does not match its outputSchema: {problem}")
        kind: CallOutcomeKind = "error" if rich.is_error else "ok"
        return CallOutcome(rich.summary(), is_error=rich.is_error, kind=kind, rich=rich)
