"""MCP request handlers: thin mapping from the SDK's types to the call use cases (docs/access.md)."""

from __future__ import annotations

import logging
from typing import Any

import mcp_types as types
from mcp.server.context import CallNext, ServerRequestContext
from mcp.server.lowlevel import NotificationOptions, Server
from mcp.shared.exceptions import MCPError
from pydantic import ValidationError

from dynamic_mcp.adapters.mcp.channels import (
    RoundTripChannel,
    SessionChannel,
    answers_of,
    input_required_result,
)
from dynamic_mcp.adapters.mcp.listing_pages import ListingOrder, page_bounds
from dynamic_mcp.adapters.mcp.manager import EMAIL_SCOPE_KEY
from dynamic_mcp.adapters.mcp.modern import is_modern
from dynamic_mcp.adapters.mcp.request_context import request_email as _email
from dynamic_mcp.adapters.mcp.request_context import request_session_id as _session_id
from dynamic_mcp.adapters.mcp.resources import mcp_error
from dynamic_mcp.adapters.mcp.sessions import CURRENT_SESSION, SessionRegistry
from dynamic_mcp.adapters.mcp.tool_lists import serve_tool_lists
from dynamic_mcp.application.calls import CallOutcome, CallService, ListedTool
from dynamic_mcp.application.completion import CompletionService
from dynamic_mcp.application.context import REQUEST_ID_SCOPE_KEY, TRACE_SCOPE_KEY, bound, session_prefix
from dynamic_mcp.application.prompts import PromptResult, PromptService
from dynamic_mcp.domain.errors import DomainError, StorageUnavailable
from dynamic_mcp.domain.prompts import Prompt
from dynamic_mcp.ports.metrics import Metrics, NoMetrics
from dynamic_mcp.ports.tracing import NoTracing, Tracing

log = logging.getLogger(__name__)


class DynamicServer(Server[Any]):
    """Advertises listChanged for tools, prompts and resources: the session manager starts sessions without
    initialization options, so the defaults must say it (SDK default is false)."""

    def create_initialization_options(
        self,
        notification_options: NotificationOptions | None = None,
        experimental_capabilities: dict[str, dict[str, Any]] | None = None,
        extensions: dict[str, dict[str, Any]] | None = None,
    ) -> Any:
        return super().create_initialization_options(
            notification_options
            or NotificationOptions(tools_changed=True, prompts_changed=True, resources_changed=True),
            experimental_capabilities,
            extensions,
        )


def _request_id(ctx: ServerRequestContext[Any, Any]) -> str | None:
    request = ctx.request
    value = request.scope.get(REQUEST_ID_SCOPE_KEY) if request is not None else None
    return value if isinstance(value, str) else None


def _mcp_tool(tool: ListedTool) -> types.Tool:
    annotations = None
    if tool.annotations:
        try:
            annotations = types.ToolAnnotations.model_validate(dict(tool.annotations))
        except ValidationError:
            annotations = None  # malformed hints are dropped rather than breaking the whole list
    icons = None
    if tool.icons:
        try:
            icons = [types.Icon.model_validate(dict(i)) for i in tool.icons]
        except ValidationError:
            icons = None
    return types.Tool(
        name=tool.name,
        title=tool.title,
        description=tool.description,
        input_schema=dict(tool.input_schema),
        output_schema=dict(tool.output_schema) if tool.output_schema is not None else None,
        annotations=annotations,
        icons=icons,
    )


def _call_result(outcome: CallOutcome) -> types.CallToolResult | types.InputRequiredResult:
    if outcome.input_required is not None:
        return input_required_result(outcome.input_required)
    if outcome.rich is None:
        return types.CallToolResult(
            content=[types.TextContent(type="text", text=outcome.text)], is_error=outcome.is_error
        )
    try:
        return types.CallToolResult.model_validate(
            {
                "content": [dict(b) for b in outcome.rich.content],
                "structuredContent": dict(outcome.rich.structured) if outcome.rich.structured is not None else None,
                "isError": outcome.rich.is_error,
                **({"_meta": dict(outcome.rich.meta)} if outcome.rich.meta is not None else {}),
            }
        )
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(p) for p in problem["loc"][:3])
        text = f"Error: the tool returned content MCP cannot carry ({where}: {problem['msg']})"
        return types.CallToolResult(content=[types.TextContent(type="text", text=text)], is_error=True)


INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
MAX_LOG_LEVELS = 100_000


def _mcp_prompt(prompt: Prompt) -> types.Prompt:
    return types.Prompt(
        name=prompt.name,
        description=prompt.description,
        arguments=[
            types.PromptArgument(name=a.name, description=a.description, required=a.required) for a in prompt.arguments
        ],
    )


def _mcp_prompt_result(result: PromptResult) -> types.GetPromptResult:
    try:
        messages = [
            types.PromptMessage.model_validate({"role": m.role, "content": dict(m.content)}) for m in result.messages
        ]
    except ValidationError as exc:
        raise MCPError(INTERNAL_ERROR, "The prompt handler returned content MCP cannot carry") from exc
    return types.GetPromptResult(description=result.description, messages=messages)


def build_server(
    name: str,
    version: str,
    calls: CallService,
    prompts: PromptService,
    sessions: SessionRegistry,
    metrics: Metrics | None = None,
    tracing: Tracing | None = None,
    completions: CompletionService | None = None,
    tools_page_size: int = 0,
) -> DynamicServer:
    counted: Metrics = metrics or NoMetrics()
    # session id -> the lowest level it asked for with logging/setLevel (handshake era)
    log_levels: dict[str, str] = {}

    ordered = ListingOrder()

    async def listing(ctx: ServerRequestContext[Any, Any]) -> tuple[str, tuple[ListedTool, ...]]:
        email = _email(ctx)
        try:
            return email, await calls.list_tools(email)
        except DomainError as exc:
            raise MCPError(-32001, exc.message) from exc

    async def list_tools(
        ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        email, tools = await listing(ctx)
        cursor = params.cursor if params is not None else None
        if not (tools_page_size > 0 or cursor is not None):
            if is_modern(ctx):
                tools = ordered(email, tools)
            return types.ListToolsResult(tools=[_mcp_tool(t) for t in tools])
        tools, keys = ordered.sorted(email, tools)
        start, end, next_cursor = page_bounds(keys, cursor, tools_page_size)
        return types.ListToolsResult(tools=[_mcp_tool(t) for t in tools[start:end]], next_cursor=next_cursor)

    async def call_tool(
        ctx: ServerRequestContext[Any, Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult | types.InputRequiredResult:
        session_id = _session_id(ctx)
        channel: Any
        if is_modern(ctx):
            channel = RoundTripChannel(ctx, params.name, answers_of(params))
        else:
            channel = SessionChannel(ctx, params.name, log_levels.get(session_id) if session_id else None)
        token_holder = CURRENT_SESSION.set(session_id)
        try:
            outcome = await calls.call_tool(
                _email(ctx),
                params.name,
                params.arguments,
                session_id=session_id,
                progress=_progress_reporter(ctx, counted),
                channel=channel,
            )
        finally:
            CURRENT_SESSION.reset(token_holder)
        return _call_result(outcome)

    async def set_logging_level(ctx: ServerRequestContext[Any, Any], params: types.SetLevelRequestParams) -> Any:
        session_id = _session_id(ctx)
        if session_id is not None:
            if len(log_levels) >= MAX_LOG_LEVELS:
                log_levels.clear()  # sessions come and go; a forgotten level falls back to everything
            log_levels[session_id] = params.level
        return types.EmptyResult()

    async def complete(
        ctx: ServerRequestContext[Any, Any], params: types.CompleteRequestParams
    ) -> types.CompleteResult:
        values: list[str] = []
        total: int | None = None
        if completions is not None:
            ref = params.ref
            context_args = dict(params.context.arguments or {}) if params.context is not None else {}
            try:
                if isinstance(ref, types.PromptReference):
                    values, total = await completions.prompt_argument(
                        _email(ctx), ref.name, params.argument.name, params.argument.value, context_args
                    )
                else:
                    values, total = await completions.resource_variable(
                        _email(ctx), ref.uri, params.argument.name, params.argument.value, context_args
                    )
            except DomainError as exc:
                raise mcp_error(exc) from exc  # an unknown template carries its uri (as resources/read)
        return types.CompleteResult(
            completion=types.Completion(values=values, total=total, has_more=total is not None and total > len(values))
        )

    async def list_prompts(
        ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
    ) -> types.ListPromptsResult:
        try:
            visible = await prompts.visible_prompts(_email(ctx))
        except DomainError as exc:
            raise MCPError(INVALID_PARAMS, exc.message) from exc
        return types.ListPromptsResult(prompts=[_mcp_prompt(p) for p in visible])

    async def get_prompt(
        ctx: ServerRequestContext[Any, Any], params: types.GetPromptRequestParams
    ) -> types.GetPromptResult:
        try:
            result = await prompts.get_prompt(_email(ctx), params.name, params.arguments, session_id=_session_id(ctx))
        except StorageUnavailable as exc:
            raise MCPError(INTERNAL_ERROR, exc.message) from exc
        except DomainError as exc:
            raise MCPError(INVALID_PARAMS, exc.message) from exc
        return _mcp_prompt_result(result)

    server = DynamicServer(
        name,
        version=version,
        on_list_tools=list_tools,
        on_call_tool=call_tool,
        on_list_prompts=list_prompts,
        on_get_prompt=get_prompt,
        on_completion=complete,
    )
    # Logging is deprecated for 2026-07-28 only; the handshake era has logging/setLevel.
    server.add_request_handler("logging/setLevel", types.SetLevelRequestParams, set_logging_level)
    # Drop the SDK's default OpenTelemetry middleware (a no-op without an exporter, but not free).
    server.middleware.clear()
    server.middleware.append(_track_sessions(sessions, tracing or NoTracing()))
    server.middleware.append(serve_tool_lists(listing, _mcp_tool, server, ordered, tools_page_size))
    return server


def _progress_reporter(ctx: ServerRequestContext[Any, Any], metrics: Metrics) -> Any:
    """progress goes to the calling session only, and only when the call asked for it."""
    meta: dict[str, Any] = dict(ctx.meta or {})
    token = meta.get("progress_token", meta.get("progressToken"))

    async def report(progress: float, total: float | None = None, message: str | None = None) -> None:
        if not isinstance(token, str | int):
            return
        related = str(ctx.request_id) if ctx.request_id is not None else None
        try:
            await ctx.session.send_progress_notification(token, progress, total, message, related_request_id=related)
            metrics.notification_sent("progress")
        except Exception:
            log.warning("progress notification not delivered", exc_info=True)

    return report


def _track_sessions(sessions: SessionRegistry, tracing: Tracing) -> Any:
    """Middleware: remember each session's outbound channel so changes can be pushed to it, and
    give the request its context (log fields, and a span when tracing is on)."""

    async def middleware(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> Any:
        session_id = _session_id(ctx)
        if session_id is not None:
            params = ctx.session.client_params
            sessions.touch(session_id, ctx.session, params.client_info if params else None)
        # A session's handlers run in a task started by its first request: this request's context
        # comes from its own scope, not from the task.
        request = ctx.request
        email = request.scope.get(EMAIL_SCOPE_KEY) if request is not None else None
        with bound(
            request_id=_request_id(ctx),
            user_email=str(email) if email else None,
            session=session_prefix(session_id),
            door="mcp",
        ):
            if not tracing.enabled:
                return await call_next(ctx)
            with _request_span(ctx, tracing):
                return await call_next(ctx)

    return middleware


MAX_TRACED_NAME = 128


def _request_span(ctx: ServerRequestContext[Any, Any], tracing: Tracing) -> Any:
    """One span per MCP request. Its parent: the trace context in the request's ``_meta`` (how MCP
    carries it, and the only place a 2026-era client can), else the HTTP request's span."""
    request = ctx.request
    http_span = request.scope.get(TRACE_SCOPE_KEY) if request is not None else None
    attributes: dict[str, str] = {"mcp.method.name": ctx.method}
    if ctx.protocol_version:
        attributes["mcp.protocol.version"] = str(ctx.protocol_version)
    name = (ctx.params or {}).get("name")
    if ctx.method in ("tools/call", "prompts/get") and isinstance(name, str):
        attributes["gen_ai.tool.name" if ctx.method == "tools/call" else "gen_ai.prompt.name"] = ascii(
            name[:MAX_TRACED_NAME]
        )[1:-1]
    return tracing.span(ctx.method, kind="server", parents=(ctx.meta, http_span), attributes=attributes)
