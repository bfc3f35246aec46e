"""Hypothesis strategies for the access rules (docs/access.md).

Every alphabet is deliberately tiny so that collisions happen often: two users with one email,
two tools with one name, a share pointing at a tool that exists, a hidden id that is accessible.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from dynamic_mcp.domain.sharing import AccessLevel, Share
from dynamic_mcp.domain.tools import SYSTEM_CREATOR, HandlerRef, Tool, namespaced_id
from dynamic_mcp.domain.users import User

property_settings = settings(
    derandomize=True,
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
"""Every property in tests/unit runs with these settings: reproducible and quick."""

EMAILS = ("ann@x.io", "bob@x.io", "cat@x.io")
ROLES = ("admin", "power-user", "user", "custom")
NON_ADMIN_ROLES = tuple(r for r in ROLES if r != "admin")
PACKAGES: frozenset[str] = frozenset({"pkg-alpha", "pkg-beta", "tool-management"})
BUILT_IN_PACKAGES = frozenset({"tool-management"})  # a management package: its names are reserved
CREATORS = (*EMAILS, *sorted(PACKAGES), SYSTEM_CREATOR)
TOOL_NAMES = ("echo", "fetch", "sum")
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)

emails = st.sampled_from(EMAILS)
tool_names = st.sampled_from(TOOL_NAMES)
creators = st.sampled_from(CREATORS)
access_levels = st.sampled_from(tuple(AccessLevel))


def role_sets(roles: tuple[str, ...] = ROLES) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(roles), unique=True, max_size=3).map(tuple)


# None, empty and non-empty are all distinct cases of rolesPermitted (docs/access.md and the
# "internal package tool" rule), so each gets real weight.
roles_permitted = st.one_of(st.none(), st.just(()), role_sets().filter(bool))

# A few instants only: ties on createdAt must happen (docs/access.md tie-break).
created_ats = st.integers(min_value=0, max_value=3).map(lambda s: EPOCH + timedelta(seconds=s))

namespaced_ids = st.builds(namespaced_id, creators, tool_names)
legacy_ids = tool_names
share_tool_ids = st.one_of(namespaced_ids, legacy_ids)


@st.composite
def tools(
    draw: st.DrawFn,
    creator: st.SearchStrategy[str] = creators,
    permitted: st.SearchStrategy[tuple[str, ...] | None] = roles_permitted,
) -> Tool:
    name = draw(tool_names)
    return Tool(
        name=name,
        creator=draw(creator),
        input_schema={"type": "object", "properties": {}},
        handler=HandlerRef(type=draw(st.sampled_from(sorted(PACKAGES))), config={}),
        roles_permitted=draw(permitted),
        always_visible=draw(st.booleans()),
        created_at=draw(created_ats),
    )


def catalogues(min_size: int = 0, max_size: int = 12) -> st.SearchStrategy[list[Tool]]:
    """Stored tools: (name, creator) is unique (docs/tools.md), names repeat across creators."""
    return st.lists(tools(), min_size=min_size, max_size=max_size, unique_by=lambda t: (t.creator, t.name))


def shares(tool_ids: st.SearchStrategy[str] = share_tool_ids) -> st.SearchStrategy[Share]:
    return st.builds(
        Share,
        tool_id=tool_ids,
        shared_by=st.sampled_from((*EMAILS, "system")),
        access_level=access_levels,
        shared_at=st.just(EPOCH),
    )


share_lists = st.lists(shares(), max_size=4).map(tuple)
hidden_lists = st.lists(namespaced_ids, max_size=5).map(tuple)


@st.composite
def users(
    draw: st.DrawFn,
    roles: st.SearchStrategy[tuple[str, ...]] | None = None,
    shared: st.SearchStrategy[tuple[Share, ...]] = share_lists,
    hidden: st.SearchStrategy[tuple[str, ...]] = hidden_lists,
) -> User:
    return User(
        email=draw(emails),
        name=draw(st.sampled_from((None, "Ann", "Bob"))),
        roles=draw(roles if roles is not None else role_sets()),
        shared_tools=draw(shared),
        hidden_tools=draw(hidden),
    )


non_admins = users(roles=role_sets(NON_ADMIN_ROLES))
admins = users(roles=role_sets().map(lambda rs: tuple(dict.fromkeys(("admin", *rs)))))
plain_users = users(roles=role_sets(("user", "custom")))
power_users = users(roles=role_sets(("user", "custom")).map(lambda rs: ("power-user", *rs)))
