"""What the console's handlers reach: the use cases every other door calls, nothing else."""

from __future__ import annotations

from typing import Annotated, Any

import attrs
from litestar.di import NamedDependency
from litestar.params import PathParameter

from dynamic_mcp.application.audit import AuditQueries
from dynamic_mcp.application.calls import CallService
from dynamic_mcp.application.console_auth import ConsoleAuth, CurrentSession
from dynamic_mcp.application.console_views import ConsoleViews
from dynamic_mcp.application.oauth import OAuthService
from dynamic_mcp.application.operations import OperationsService
from dynamic_mcp.application.prompts import PromptService
from dynamic_mcp.application.queries import CatalogQueries
from dynamic_mcp.application.sharing import SharingService
from dynamic_mcp.application.tools import ToolService
from dynamic_mcp.application.users import UserService
from dynamic_mcp.config import Settings
from dynamic_mcp.container import Container


@attrs.frozen
class ConsoleServices:
    settings: Settings
    auth: ConsoleAuth
    users: UserService
    sharing: SharingService
    tools: ToolService
    prompts: PromptService
    queries: CatalogQueries
    views: ConsoleViews
    calls: CallService
    operations: OperationsService
    audit: AuditQueries
    oauth: OAuthService | None

    @classmethod
    def from_container(cls, container: Container) -> ConsoleServices:
        settings: Settings = container.settings()
        return cls(
            settings=settings,
            auth=container.console_auth(),
            users=container.user_service(),
            sharing=container.sharing_service(),
            tools=container.tool_service(),
            prompts=container.prompt_service(),
            queries=container.catalog_queries(),
            views=container.console_views(),
            calls=container.call_service(),
            operations=container.operations(),
            audit=container.audit_queries(),
            oauth=container.oauth_service() if settings.oauth_enabled and not settings.oauth_external else None,
        )


CURRENT_KEY = "dynamic_mcp_console"


def current_of(state: Any) -> CurrentSession:
    """The signed-in session the console's before-request hook put on this request."""
    current = state.get(CURRENT_KEY)
    if not isinstance(current, CurrentSession):
        raise RuntimeError("console handler reached without a session")  # the hook prevents this
    return current


Svc = NamedDependency[ConsoleServices]
PathText = Annotated[str, PathParameter()]
