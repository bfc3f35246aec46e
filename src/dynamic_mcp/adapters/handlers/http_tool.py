"""The ``http`` handler package: tools that call an HTTP API, defined entirely as data (docs/tools.md).

    handler: {type: "http", config: {method, url, headers, query, body, timeoutSeconds}}

Strings in the config take ``{{ name }}`` placeholders from the call's arguments (after the
tool's argMappings) and the context (``sessionId``, ``userEmail``; the context wins). A query
string written in ``url`` is kept; ``query`` entries are added to it (replacing a parameter of
the same name).
``timeoutSeconds`` bounds the whole call, connect to last byte. The response becomes the
result: JSON parsed when possible, else text. Redirects are not followed. When the tool declares
an ``outputSchema``, a JSON object response is its ``structuredContent`` (checked against the
schema); an ``image/*`` response is an image block.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from dynamic_mcp.adapters.handlers.outbound import OutboundPolicy
from dynamic_mcp.application.packages import HandlerPackage
from dynamic_mcp.domain.errors import Invalid, UpstreamFailed
from dynamic_mcp.domain.templating import caller_lookup, context_values, render
from dynamic_mcp.ports.handlers import ProgressReporter, ToolContext

log = logging.getLogger(__name__)

_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # an RFC 9110 token

PACKAGE = "http"
METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"})
DEFAULT_TIMEOUT = 10.0
MAX_TIMEOUT = 60.0
MAX_RESPONSE_BYTES = 1_048_576
MAX_RESPONSE_DEPTH = 64  # a JSON result is walked again to be sent on: keep it well inside the stack


class HttpToolHandler:
    def __init__(self, policy: OutboundPolicy, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._policy = policy
        self._transport = transport

    async def __call__(
        self, args: dict[str, Any], context: ToolContext, config: Mapping[str, Any], progress: ProgressReporter
    ) -> Mapping[str, Any]:
        lookup = caller_lookup(args, context_values(context.session_id, context.user.email))
        spec = render({k: v for k, v in config.items() if k not in ("argMappings", "args")}, lookup)
        method = str(spec.get("method") or "GET").upper()
        if method not in METHODS:
            raise Invalid(f"http tool method must be one of {', '.join(sorted(METHODS))}")
        url = spec.get("url")
        if not isinstance(url, str) or not url:
            raise Invalid("http tool config needs a url")
        try:
            parts = urlsplit(url)
            hostname = parts.hostname
        except ValueError:  # e.g. an unclosed IPv6 bracket
            raise Invalid("http tool url is not a valid URL") from None
        if parts.scheme not in ("http", "https") or not hostname:
            raise Invalid("http tool url must be an absolute http(s) URL")
        port = _port(parts)
        timeout = _timeout(spec.get("timeoutSeconds"))
        headers = _headers(spec.get("headers"))
        query = _query(spec.get("query"))
        headers.setdefault("host", parts.netloc.rsplit("@", 1)[-1])
        address = await self._policy.resolve(hostname, port)
        # httpx's params= would replace the URL's query string; merge instead, so both survive.
        merged = str(httpx.QueryParams(parts.query).merge(query)) if query else parts.query
        pinned = urlunsplit((parts.scheme, _netloc(address, port), parts.path or "/", merged, ""))
        request_kwargs: dict[str, Any] = {"headers": headers}
        body = spec.get("body")
        if body is not None and method not in ("GET", "HEAD"):
            if isinstance(body, str):
                request_kwargs["content"] = body
            else:
                request_kwargs["json"] = body
        await progress(0, 1, f"{method} {parts.hostname}")
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=False, transport=self._transport) as client:
            try:
                request = client.build_request(method, pinned, **request_kwargs)
            except (httpx.HTTPError, httpx.InvalidURL, ValueError, TypeError) as exc:  # e.g. an unencodable header
                log.debug("http tool request could not be built", exc_info=True)
                raise Invalid(f"http tool request is malformed: {type(exc).__name__}") from None
            if parts.scheme == "https":
                request.extensions["sni_hostname"] = parts.hostname
            try:
                # httpx's timeout is per read: a server trickling bytes would reset it forever.
                async with asyncio.timeout(timeout):
                    response = await client.send(request, stream=True)
                    try:
                        content = await _read_capped(response)
                    finally:
                        await response.aclose()
            except (httpx.TimeoutException, TimeoutError):
                raise UpstreamFailed(f"{method} {parts.hostname} timed out after {timeout:g}s") from None
            except httpx.HTTPError as exc:
                log.debug("http tool request failed", exc_info=True)
                raise UpstreamFailed(f"{method} {parts.hostname} failed: {type(exc).__name__}") from None
        await progress(1, 1, "done")
        content_type = response.headers.get("content-type", "")
        media_type = content_type.split(";", 1)[0].strip().lower()
        if response.status_code < 400 and media_type.startswith("image/"):
            data = base64.b64encode(content).decode("ascii")
            return {"content": [{"type": "image", "data": data, "mimeType": media_type}]}
        payload = _decode(content, content_type)
        if response.status_code >= 400:
            excerpt = payload if isinstance(payload, str) else json.dumps(payload)
            raise UpstreamFailed(f"{method} {parts.hostname} answered HTTP {response.status_code}: {excerpt[:500]}")
        if context.tool.output_schema is not None:
            if not isinstance(payload, dict):
                raise Invalid(f"{method} {parts.hostname} answered no JSON object for the tool's outputSchema")
            return {"structuredContent": payload}
        return {"result": payload, "message": f"HTTP {response.status_code}"}


def _netloc(address: str, port: int) -> str:
    host = f"[{address}]" if ":" in address else address
    return f"{host}:{port}"


def _port(parts: Any) -> int:
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise Invalid("http tool url has an invalid port (it must be between 1 and 65535)")
    return int(port or (443 if parts.scheme == "https" else 80))


def _headers(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise Invalid("headers must be an object mapping header names to values")
    headers = {}
    for name, item in value.items():
        if isinstance(item, Mapping | list) or not _HEADER_NAME.fullmatch(str(name)):
            raise Invalid("headers must map header names (letters, digits, -_.!#$%&'*+^`|~) to string values")
        text = item if isinstance(item, str) else json.dumps(item)
        if any(c in text for c in "\r\n\x00"):
            raise Invalid(f"http tool request is malformed: header {name!s} holds a line break or NUL")
        headers[str(name)] = text
    return headers


def _timeout(value: Any) -> float:
    if value in (None, ""):
        return DEFAULT_TIMEOUT
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise Invalid("timeoutSeconds must be a number") from None
    if not 0 < seconds <= MAX_TIMEOUT:
        raise Invalid(f"timeoutSeconds must be between 0 and {MAX_TIMEOUT:g}")
    return seconds


def _query(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise Invalid("query must be an object")
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in value.items() if v not in (None, "")}


async def _read_capped(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise Invalid(f"response larger than {MAX_RESPONSE_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _decode(content: bytes, content_type: str) -> Any:
    text = content.decode("utf-8", errors="replace")
    if "json" in content_type or text[:1] in ("{", "["):
        try:
            parsed = json.loads(text)
        except ValueError:
            return text
        except RecursionError:
            raise Invalid(f"the response JSON nests deeper than {MAX_RESPONSE_DEPTH} levels") from None
        if _depth_exceeds(parsed, MAX_RESPONSE_DEPTH):
            raise Invalid(f"the response JSON nests deeper than {MAX_RESPONSE_DEPTH} levels")
        return parsed
    return text


def _depth_exceeds(value: Any, limit: int) -> bool:
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth >= limit:
                return True
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


def build_package(policy: OutboundPolicy) -> HandlerPackage:
    """No tools of its own: users create http tools at run time with add-tool."""
    from dynamic_mcp.adapters.handlers.http_resource import HttpResourceHandler  # it builds on this module

    handler = HttpToolHandler(policy)
    return HandlerPackage(name=PACKAGE, tools=(), handler=handler, resource_handler=HttpResourceHandler(handler))
