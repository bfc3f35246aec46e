"""Request and response bodies of the admin REST API, as TypedDicts.

They document the OpenAPI schema and validate request bodies (msgspec); responses are the
use cases' JSON-ready results, so each shape here mirrors one in ``application``.

No ``from __future__ import annotations`` here: Python 3.11 cannot see ``NotRequired`` inside
string annotations, and every key would become required.
"""

from typing import Any, Literal, NotRequired, TypedDict

AccessLevel = Literal["read", "write"]


class ProblemError(TypedDict):
    message: str
    key: NotRequired[str]
    source: NotRequired[str]


class Problem(TypedDict):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    instance: NotRequired[str]
    errors: NotRequired[list[ProblemError]]


# -- users and keys -----------------------------------------------------------------------------
class UserSummary(TypedDict):
    email: str
    name: str | None


class UserPage(TypedDict):
    users: list[UserSummary]
    skip: int
    limit: int
    hasMore: bool


class NewUser(TypedDict):
    email: str
    name: NotRequired[str | None]
    roles: NotRequired[list[str]]


class CreatedUser(TypedDict):
    email: str
    name: str | None
    roles: list[str]
    apiKey: str


class ShareOut(TypedDict):
    toolId: str
    sharedBy: str
    accessLevel: AccessLevel
    sharedAt: str | None


class UserRecord(TypedDict):
    email: str
    name: str | None
    roles: list[str]
    apiKeyPrefix: str | None
    sharedTools: list[ShareOut]
    hiddenTools: list[str]
    createdAt: str | None
    updatedAt: str | None
    applicationAuthentication: NotRequired[dict[str, Any]]
    rateLimits: NotRequired[dict[str, int]]


class LimitedUser(TypedDict):
    exists: bool
    name: str | None
    email: str


class ShareIn(TypedDict):
    toolId: str
    accessLevel: NotRequired[AccessLevel]
    sharedBy: NotRequired[str]


class RateLimitsIn(TypedDict, total=False):
    toolCalls: int
    api: int
    sessions: int


class UserUpdate(TypedDict, total=False):
    name: str | None
    roles: list[str]
    sharedTools: list[ShareIn]
    rateLimits: RateLimitsIn | None


class DeletedUser(TypedDict):
    success: bool
    email: str


class KeyResetRequest(TypedDict):
    confirm: bool


class IssuedKey(TypedDict):
    email: str
    apiKey: str


# -- tools --------------------------------------------------------------------------------------
class HandlerIn(TypedDict):
    type: str
    config: NotRequired[dict[str, Any] | None]


class HandlerOut(TypedDict):
    type: str
    config: NotRequired[dict[str, Any]]


class ToolSummary(TypedDict):
    id: str
    name: str
    creator: str
    description: str | None
    hidden: bool
    alwaysVisible: bool


class ToolPage(TypedDict):
    tools: list[ToolSummary]
    total: int
    skip: int
    limit: int


class ToolDetail(ToolSummary):
    inputSchema: dict[str, Any]
    annotations: dict[str, Any] | None
    outputSchema: dict[str, Any] | None
    title: str | None
    icons: list[dict[str, Any]] | None
    rolesPermitted: list[str] | None
    handler: HandlerOut


class ToolDefinition(TypedDict):
    name: str
    inputSchema: dict[str, Any]
    handler: HandlerIn
    description: NotRequired[str | None]
    annotations: NotRequired[dict[str, Any] | None]
    rolesPermitted: NotRequired[list[str] | None]
    alwaysVisible: NotRequired[bool]
    outputSchema: NotRequired[dict[str, Any] | None]
    title: NotRequired[str | None]
    icons: NotRequired[list[dict[str, Any]] | None]


class ToolUpdate(TypedDict, total=False):
    description: str | None
    inputSchema: dict[str, Any]
    annotations: dict[str, Any] | None
    handler: HandlerIn
    rolesPermitted: list[str] | None
    alwaysVisible: bool
    outputSchema: dict[str, Any] | None
    title: str | None
    icons: list[dict[str, Any]] | None


class ToolDefinitionIn(ToolUpdate, total=False):
    """A definition, or one wrapped as add-tool's arguments: ``{"toolDefinition": {...}}``. The use
    case checks which fields are required, so both shapes get the same errors at every door."""

    name: str
    toolDefinition: ToolDefinition


class StoredToolDefinition(TypedDict):
    name: str
    creator: str
    description: str | None
    inputSchema: dict[str, Any]
    annotations: dict[str, Any] | None
    handler: HandlerOut
    rolesPermitted: list[str] | None
    alwaysVisible: bool
    outputSchema: dict[str, Any] | None
    title: str | None
    icons: list[dict[str, Any]] | None


class ToolSaved(TypedDict):
    success: bool
    name: str


class ToolUpdated(TypedDict):
    success: bool
    name: str
    updated: StoredToolDefinition


# -- shares and hidden tools ----------------------------------------------------------------------
class ShareRequest(TypedDict):
    email: str
    toolId: str
    accessLevel: AccessLevel


class RecipientShares(TypedDict):
    email: str
    sharedTools: list[ShareOut]


class SharePage(TypedDict):
    shares: list[ShareOut]
    total: int
    skip: int
    limit: int


class GivenShare(ShareOut):
    email: str


class GivenSharePage(TypedDict):
    shares: list[GivenShare]
    total: int
    skip: int
    limit: int


class HideRequest(TypedDict, total=False):
    """``toolId``, as in MCP ``hide-tool`` and every other door; ``toolIds`` is accepted as an alias."""

    toolId: list[str]
    toolIds: list[str]


class HiddenTools(TypedDict):
    success: bool
    hiddenTools: list[str]


# -- prompts ------------------------------------------------------------------------------------
class PromptArgumentIn(TypedDict):
    name: str
    description: NotRequired[str | None]
    required: NotRequired[bool]


class PromptArgumentOut(TypedDict):
    name: str
    description: str | None
    required: bool


class PromptOut(TypedDict):
    name: str
    description: str | None
    arguments: list[PromptArgumentOut]
    handler: HandlerOut
    rolesPermitted: list[str]
    alwaysVisible: bool
    createdBy: str


class PromptPage(TypedDict):
    prompts: list[PromptOut]
    total: int
    skip: int
    limit: int


class NewPrompt(TypedDict):
    name: str
    description: str
    handler: HandlerIn
    arguments: NotRequired[list[PromptArgumentIn] | None]
    rolesPermitted: NotRequired[list[str] | None]
    alwaysVisible: NotRequired[bool]


class PromptUpdate(TypedDict, total=False):
    description: str
    arguments: list[PromptArgumentIn] | None
    handler: HandlerIn
    rolesPermitted: list[str] | None
    alwaysVisible: bool


class PromptSaved(TypedDict):
    success: bool
    prompt: PromptOut


class DeletedPromptInfo(TypedDict):
    name: str
    description: str | None


class PromptDeleted(TypedDict):
    success: bool
    message: str
    deletedPrompt: DeletedPromptInfo


# -- OAuth clients (docs/oauth.md) ------------------------------------------------------------------
class OAuthClientGrant(TypedDict):
    clientId: str
    clientName: str
    scopes: list[str]
    authorizedAt: str
    expiresAt: str


class OAuthClientList(TypedDict):
    clients: list[OAuthClientGrant]


class OAuthClientsRevoked(TypedDict):
    success: bool
    revoked: int


class SignInLink(TypedDict):
    email: str
    url: str
    expiresInSeconds: int
