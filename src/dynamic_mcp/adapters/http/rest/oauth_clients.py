"""The OAuth clients a user has authorized, revoking them, and one-time sign-in links (docs/oauth.md)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from dynamic_mcp.adapters.http.rest import schemas as s
from dynamic_mcp.adapters.http.rest.params import Caller, Email
from dynamic_mcp.adapters.http.rest.problems import problem_responses
from dynamic_mcp.application.oauth import LINK_SECONDS, OAuthService
from dynamic_mcp.domain.errors import NotFound

OAuth = NamedDependency[OAuthService | None]
ClientId = Annotated[
    str | None, QueryParameter(name="clientId", max_length=2048, description="Only this client (default: every client)")
]


def _enabled(oauth: OAuthService | None) -> OAuthService:
    if oauth is None:
        raise NotFound("OAuth is not enabled on this server (OAUTH_ENABLED)")
    return oauth


class MyOAuthClientsController(Controller):
    path = "/me/oauth-clients"
    tags = ["users"]

    @get("/", summary="The OAuth clients you authorized", responses=problem_responses(404))
    async def list_clients(self, oauth: OAuth, caller: Caller) -> s.OAuthClientList:
        summaries = await _enabled(oauth).clients_of(caller)
        return {
            "clients": [
                {
                    "clientId": c.client_id,
                    "clientName": c.client_name,
                    "scopes": list(c.scopes),
                    "authorizedAt": c.authorized_at.isoformat(),
                    "expiresAt": c.expires_at.isoformat(),
                }
                for c in summaries
            ]
        }

    @delete("/", status_code=200, summary="Revoke OAuth clients", responses=problem_responses(404))
    async def revoke_clients(self, oauth: OAuth, caller: Caller, client_id: ClientId = None) -> s.OAuthClientsRevoked:
        """Ends every token you gave one client (``clientId``), or every client; they must ask again."""
        revoked = await _enabled(oauth).revoke_client(caller, client_id)
        return {"success": True, "revoked": revoked}


class SignInLinksController(Controller):
    path = "/users/{email:str}/sign-in-link"
    tags = ["users"]

    @post("/", status_code=201, summary="A one-time sign-in link (admins)", responses=problem_responses(403, 404))
    async def sign_in_link(self, oauth: OAuth, caller: Caller, email: Email) -> s.SignInLink:
        """Opens the OAuth sign-in page as that user once, within 15 minutes; hand it over privately."""
        url = await _enabled(oauth).issue_sign_in_link(caller, email)
        return {"email": email, "url": url, "expiresInSeconds": LINK_SECONDS}
