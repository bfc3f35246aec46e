"""The browser console under /console (docs/console.md): server-rendered pages over the same use
cases as MCP and REST, every asset served from this package."""

from __future__ import annotations

from typing import Any

from litestar import Router
from litestar.di import Provide
from litestar.static_files import create_static_files_router

from dynamic_mcp.adapters.http.console import admin, mine, oauth, prompts, signing, tools, users
from dynamic_mcp.adapters.http.console.errors import domain_error_page
from dynamic_mcp.adapters.http.console.render import STATIC, STATIC_PATH, template_config
from dynamic_mcp.adapters.http.console.services import ConsoleServices
from dynamic_mcp.adapters.http.console.session import CONSOLE_PATH, console_before_request, security_headers
from dynamic_mcp.container import Container
from dynamic_mcp.domain.errors import DomainError

PAGES: list[Any] = [
    *signing.HANDLERS,
    *users.HANDLERS,
    *tools.HANDLERS,
    *mine.HANDLERS,
    *prompts.HANDLERS,
    *admin.HANDLERS,
    *oauth.HANDLERS,
]


def console_router(container: Container) -> Router:
    services = ConsoleServices.from_container(container)

    def provide_services() -> ConsoleServices:
        return services

    return Router(
        path=CONSOLE_PATH,
        route_handlers=PAGES,
        dependencies={"svc": Provide(provide_services, sync_to_thread=False)},
        before_request=console_before_request(services),
        after_request=security_headers,
        exception_handlers={DomainError: domain_error_page},
        include_in_schema=False,
    )


def console_static_router() -> Router:
    return create_static_files_router(
        path=STATIC_PATH, directories=[STATIC], include_in_schema=False, name="console-static"
    )


__all__ = ["CONSOLE_PATH", "console_router", "console_static_router", "template_config"]
