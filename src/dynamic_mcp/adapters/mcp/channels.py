"""The way back to the calling MCP client for ``context.log/elicit/elicit_url/sample`` (docs/tools.md).

Handshake era: requests and notifications go over the session, related to the call, so they ride
the call's own response stream. 2026-07-28: there is no back channel; a question ends the call with
an ``InputRequiredResult`` and the client retries with the answer, so the handler runs again from
the start and gets, question by question, the answers given so far (they travel in the sealed
``requestState``). Log messages in that era reach the client only when its request opted in.
"""

from __future__ import annotations

import json
import uuid
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, cast

import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp.shared.exceptions import MCPDeprecationWarning
from mcp.shared.message import ServerMessageMetadata
from pydantic import ValidationError

from dynamic_mcp.domain.errors import Invalid
from dynamic_mcp.ports.handlers import LOG_LEVELS, InputRequired

# The SDK marks logging and sampling deprecated for 2026-07-28; the handshake era still has them.
warnings.filterwarnings("ignore", category=MCPDeprecationWarning, module=r"dynamic_mcp\.adapters\.mcp\..*")

ELICIT = "elicitation/create"
SAMPLE = "sampling/createMessage"
STATE_KEY = "answers"


def _dump(model: Any) -> dict[str, Any]:
    return dict(model.model_dump(by_alias=True, mode="json", exclude_none=True))


def _elicit_request(message: str, schema: Mapping[str, Any]) -> types.ElicitRequest:
    if not isinstance(message, str) or not isinstance(schema, Mapping):
        raise Invalid("elicit needs a message string and a schema object")
    try:
        return types.ElicitRequest.model_validate(
            {"method": ELICIT, "params": {"mode": "form", "message": message, "requestedSchema": dict(schema)}}
        )
    except ValidationError as exc:
        raise Invalid(f"Not a valid elicitation request: {exc.errors()[0]['msg']}") from exc


def _elicit_url_request(message: str, url: str) -> types.ElicitRequest:
    if not isinstance(message, str) or not isinstance(url, str) or not url.startswith(("https://", "http://")):
        raise Invalid("elicit_url needs a message and an http(s) URL")
    return types.ElicitRequest.model_validate(
        {
            "method": ELICIT,
            "params": {"mode": "url", "message": message, "url": url, "elicitationId": uuid.uuid4().hex},
        }
    )


def _sample_request(messages: Sequence[Mapping[str, Any]], options: Mapping[str, Any]) -> types.CreateMessageRequest:
    try:
        return types.CreateMessageRequest.model_validate(
            {"method": SAMPLE, "params": {**dict(options), "messages": [dict(m) for m in messages]}}
        )
    except ValidationError as exc:
        raise Invalid(f"Not a valid sampling request: {exc.errors()[0]['msg']}") from exc


class _Base:
    def __init__(self, ctx: ServerRequestContext[Any, Any], logger: str | None) -> None:
        self._ctx = ctx
        self._logger = logger

    def _capabilities(self) -> types.ClientCapabilities | None:
        try:
            caps = self._ctx.session.client_capabilities
        except Exception:
            return None
        return caps if isinstance(caps, types.ClientCapabilities) else None

    def _require(self, what: str) -> None:
        caps = self._capabilities()
        if what == "sampling":
            ok = caps is not None and caps.sampling is not None
        elif what == "url":
            ok = caps is not None and caps.elicitation is not None and caps.elicitation.url is not None
        else:
            # An empty elicitation capability means form mode (the 2025-06-18 shape).
            ok = (
                caps is not None
                and caps.elicitation is not None
                and (caps.elicitation.form is not None or caps.elicitation.url is None)
            )
        if not ok:
            names = {"sampling": "sampling", "url": "URL-mode elicitation", "form": "elicitation"}
            raise Invalid(f"The client did not declare the {names[what]} capability; it cannot be asked")

    async def log(self, level: str, message: str, data: Any = None) -> None:
        payload = message if data is None else {"message": message, "data": data}
        related = self._ctx.request_id
        await self._ctx.session.send_log_message(
            level,  # type: ignore[arg-type]
            payload,
            logger=self._logger,
            related_request_id=related,
        )


class SessionChannel(_Base):
    """Handshake era: ask over the session, on the call's stream; honours ``logging/setLevel``."""

    def __init__(self, ctx: ServerRequestContext[Any, Any], logger: str | None, min_level: str | None) -> None:
        super().__init__(ctx, logger)
        self._min = LOG_LEVELS.index(min_level) if min_level in LOG_LEVELS else 0

    async def log(self, level: str, message: str, data: Any = None) -> None:
        if LOG_LEVELS.index(level) >= self._min:
            await super().log(level, message, data)

    async def _ask(self, request: Any, result_type: type[Any]) -> Mapping[str, Any]:
        metadata = ServerMessageMetadata(related_request_id=self._ctx.request_id)
        try:
            result = await self._ctx.session.send_request(request, result_type, metadata=metadata)
        except Exception as exc:
            raise Invalid(f"The client did not answer {request.method}: {exc}") from exc
        return _dump(result)

    async def elicit(self, message: str, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        request = _elicit_request(message, schema)
        self._require("form")
        return await self._ask(request, types.ElicitResult)

    async def elicit_url(self, message: str, url: str) -> Mapping[str, Any]:
        request = _elicit_url_request(message, url)
        self._require("url")
        return await self._ask(request, types.ElicitResult)

    async def sample(self, messages: Sequence[Mapping[str, Any]], options: Mapping[str, Any]) -> Mapping[str, Any]:
        request = _sample_request(messages, options)
        self._require("sampling")
        return await self._ask(request, types.CreateMessageResult)


class RoundTripChannel(_Base):
    """2026 era: the n-th question of a run is answered by the n-th answer, or ends the round."""

    def __init__(self, ctx: ServerRequestContext[Any, Any], logger: str | None, answers: Mapping[str, Any]) -> None:
        super().__init__(ctx, logger)
        self._answers = dict(answers)
        self._asked = 0

    def _next(self, request: Any) -> Mapping[str, Any]:
        self._asked += 1
        key = f"q{self._asked}"
        answer = self._answers.get(key)
        if isinstance(answer, Mapping):
            return answer
        raise InputRequired({key: request}, self._answers)

    async def elicit(self, message: str, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        request = _elicit_request(message, schema)
        self._require("form")
        return self._next(request)

    async def elicit_url(self, message: str, url: str) -> Mapping[str, Any]:
        request = _elicit_url_request(message, url)
        self._require("url")
        return self._next(request)

    async def sample(self, messages: Sequence[Mapping[str, Any]], options: Mapping[str, Any]) -> Mapping[str, Any]:
        request = _sample_request(messages, options)
        self._require("sampling")
        return self._next(request)


def answers_of(params: types.CallToolRequestParams) -> dict[str, Any]:
    """The answers so far: those sealed in ``requestState`` (already verified and opened by the
    SDK's boundary) plus the ones this retry carries."""
    answers: dict[str, Any] = {}
    if params.request_state:
        try:
            state = json.loads(params.request_state)
        except ValueError:
            state = None
        if isinstance(state, dict) and isinstance(state.get(STATE_KEY), dict):
            answers.update(state[STATE_KEY])
    for key, response in (params.input_responses or {}).items():
        answers[key] = _dump(response)
    return answers


def input_required_result(signal: InputRequired) -> types.InputRequiredResult:
    return types.InputRequiredResult(
        input_requests=cast("dict[str, types.InputRequest]", dict(signal.requests)),  # the SDK models we made
        request_state=json.dumps({STATE_KEY: signal.answers}, separators=(",", ":")),
    )
