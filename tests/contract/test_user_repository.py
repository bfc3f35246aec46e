"""UserRepository contract (docs/access.md): the same behaviour in every adapter."""

from __future__ import annotations

import pytest

from dynamic_mcp.domain.errors import Conflict, NotFound
from dynamic_mcp.domain.sharing import AccessLevel, Share, ShareKind
from dynamic_mcp.domain.users import ApiKeyDigest, User
from dynamic_mcp.ports.repositories import UserFields
from tests.contract.conftest import Repositories

KEY_A = ApiKeyDigest(hash="a" * 64, prefix="aaaaaaaa")
KEY_B = ApiKeyDigest(hash="b" * 64, prefix="bbbbbbbb")


def user(email: str = "ann@example.com", **fields: object) -> User:
    return User(email=email, **fields)  # type: ignore[arg-type]


async def test_added_user_can_be_read_back_with_timestamps(repos: Repositories) -> None:
    stored = await repos.users.add(user(name="Ann", roles=("user",), api_key=KEY_A))
    assert stored.created_at is not None and stored.updated_at is not None
    assert await repos.users.get("ann@example.com") == stored


async def test_unknown_user_reads_as_none(repos: Repositories) -> None:
    assert await repos.users.get("nobody@example.com") is None
    assert await repos.users.get_by_key_hash("f" * 64) is None


async def test_user_is_found_by_key_hash(repos: Repositories) -> None:
    stored = await repos.users.add(user(api_key=KEY_A))
    assert await repos.users.get_by_key_hash(KEY_A.hash) == stored


async def test_duplicate_email_is_a_conflict(repos: Repositories) -> None:
    await repos.users.add(user(api_key=KEY_A))
    with pytest.raises(Conflict, match="already exists"):
        await repos.users.add(user(api_key=KEY_B))


async def test_duplicate_key_hash_is_a_conflict(repos: Repositories) -> None:
    await repos.users.add(user("ann@example.com", api_key=KEY_A))
    with pytest.raises(Conflict, match="API key already in use"):
        await repos.users.add(user("bob@example.com", api_key=KEY_A))
    assert await repos.users.get("bob@example.com") is None


async def test_users_without_a_key_do_not_clash(repos: Repositories) -> None:
    await repos.users.add(user("ann@example.com"))
    await repos.users.add(user("bob@example.com"))
    assert [u.email for u in await repos.users.list_users()] == ["ann@example.com", "bob@example.com"]


async def test_update_fields_changes_only_the_given_fields(repos: Repositories) -> None:
    share = Share("ann@example.com:t", "ann@example.com", AccessLevel.WRITE, repos.clock.now())
    before = await repos.users.add(user(name="Ann", roles=("user",), api_key=KEY_A, hidden_tools=("x:y",)))
    after = await repos.users.update_fields("ann@example.com", UserFields(roles=("power-user",)))
    assert after.roles == ("power-user",)
    assert (after.name, after.api_key, after.hidden_tools) == ("Ann", KEY_A, ("x:y",))
    assert after.created_at == before.created_at and after.updated_at != before.updated_at
    after = await repos.users.update_fields("ann@example.com", UserFields(name=None, shared_tools=(share,)))
    assert (after.name, after.roles, after.shared_tools) == (None, ("power-user",), (share,))
    assert await repos.users.get("ann@example.com") == after


async def test_update_fields_of_unknown_user_is_not_found(repos: Repositories) -> None:
    with pytest.raises(NotFound):
        await repos.users.update_fields("nobody@example.com", UserFields(name="X"))


async def test_set_api_key_replaces_the_lookup_hash(repos: Repositories) -> None:
    await repos.users.add(user(api_key=KEY_A))
    updated = await repos.users.set_api_key("ann@example.com", KEY_B)
    assert updated.api_key == KEY_B
    assert await repos.users.get_by_key_hash(KEY_B.hash) == updated
    assert await repos.users.get_by_key_hash(KEY_A.hash) is None


async def test_set_api_key_taken_by_another_user_is_a_conflict(repos: Repositories) -> None:
    await repos.users.add(user("ann@example.com", api_key=KEY_A))
    await repos.users.add(user("bob@example.com", api_key=KEY_B))
    with pytest.raises(Conflict):
        await repos.users.set_api_key("bob@example.com", KEY_A)
    assert (await repos.users.get_by_key_hash(KEY_B.hash)).email == "bob@example.com"  # type: ignore[union-attr]


async def test_set_api_key_of_unknown_user_is_not_found(repos: Repositories) -> None:
    with pytest.raises(NotFound):
        await repos.users.set_api_key("nobody@example.com", KEY_A)


async def test_put_share_replaces_a_share_of_the_same_tool_by_the_same_sharer(repos: Repositories) -> None:
    await repos.users.add(user())
    first = Share("bob@example.com:t", "bob@example.com", AccessLevel.READ, repos.clock.now())
    other = Share("bob@example.com:t", "admin@example.com", AccessLevel.READ, repos.clock.now())
    again = Share("bob@example.com:t", "bob@example.com", AccessLevel.WRITE, repos.clock.now())
    await repos.users.put_share("ann@example.com", first)
    await repos.users.put_share("ann@example.com", other)
    updated = await repos.users.put_share("ann@example.com", again)
    assert updated.shared_tools == (other, again)
    assert (await repos.users.get("ann@example.com")) == updated


async def test_put_share_keeps_a_tool_id_that_looks_like_an_operator(repos: Repositories) -> None:
    await repos.users.add(user())
    odd = Share("$sharedTools", "$$s.sharedBy")
    assert (await repos.users.put_share("ann@example.com", odd)).shared_tools == (odd,)
    assert (await repos.users.put_share("ann@example.com", odd)).shared_tools == (odd,)


async def test_put_share_to_unknown_user_is_not_found(repos: Repositories) -> None:
    with pytest.raises(NotFound):
        await repos.users.put_share("nobody@example.com", Share("a:b", "a"))


async def test_remove_shares_by_one_sharer_keeps_other_sharers(repos: Repositories) -> None:
    await repos.users.add(user())
    by_bob = Share("bob@example.com:t", "bob@example.com")
    by_admin = Share("bob@example.com:t", "admin@example.com")
    other_tool = Share("bob@example.com:u", "bob@example.com")
    for share in (by_bob, by_admin, other_tool):
        await repos.users.put_share("ann@example.com", share)
    updated = await repos.users.remove_shares("ann@example.com", frozenset({"bob@example.com:t"}), "bob@example.com")
    assert updated.shared_tools == (by_admin, other_tool)


async def test_remove_shares_by_anyone_removes_every_sharer(repos: Repositories) -> None:
    await repos.users.add(user())
    for share in (Share("x:t", "bob@example.com"), Share("x:t", "admin@example.com"), Share("t", "system")):
        await repos.users.put_share("ann@example.com", share)
    updated = await repos.users.remove_shares("ann@example.com", frozenset({"x:t", "t"}), None)
    assert updated.shared_tools == ()


async def test_add_hidden_never_duplicates(repos: Repositories) -> None:
    await repos.users.add(user(hidden_tools=("a:1",)))
    updated = await repos.users.add_hidden("ann@example.com", ["a:2", "a:1", "a:2", "a:3"])
    assert updated.hidden_tools == ("a:1", "a:2", "a:3")


async def test_remove_hidden_drops_only_the_given_ids(repos: Repositories) -> None:
    await repos.users.add(user(hidden_tools=("a:1", "a:2", "a:3")))
    updated = await repos.users.remove_hidden("ann@example.com", ["a:2", "a:9"])
    assert updated.hidden_tools == ("a:1", "a:3")


async def test_hiding_for_unknown_user_is_not_found(repos: Repositories) -> None:
    with pytest.raises(NotFound):
        await repos.users.add_hidden("nobody@example.com", ["a:1"])
    with pytest.raises(NotFound):
        await repos.users.remove_hidden("nobody@example.com", ["a:1"])


async def test_remove_hidden_everywhere_returns_the_changed_emails(repos: Repositories) -> None:
    await repos.users.add(user("ann@example.com", hidden_tools=("x:t", "x:u")))
    await repos.users.add(user("bob@example.com", hidden_tools=("x:u",)))
    await repos.users.add(user("cat@example.com", hidden_tools=("x:t",)))
    changed = await repos.users.remove_hidden_everywhere("x:t")
    assert sorted(changed) == ["ann@example.com", "cat@example.com"]
    hidden = {u.email: u.hidden_tools for u in await repos.users.list_users()}
    assert hidden == {"ann@example.com": ("x:u",), "bob@example.com": ("x:u",), "cat@example.com": ()}
    assert await repos.users.remove_hidden_everywhere("x:t") == []


async def test_forget_tools_everywhere_drops_their_shares_and_hidden_entries(repos: Repositories) -> None:
    gone = Share("bob@example.com:t", "bob@example.com", AccessLevel.WRITE)
    kept = Share("cat@example.com:t", "bob@example.com")
    legacy = Share("t", "bob@example.com")  # a plain-name share names no one tool: it stays
    await repos.users.add(user("ann@example.com", shared_tools=(gone, kept, legacy), hidden_tools=("x:u",)))
    await repos.users.add(user("dan@example.com", hidden_tools=("bob@example.com:u", "x:u")))
    await repos.users.add(user("eve@example.com", shared_tools=(kept,)))
    changed = await repos.users.forget_tools_everywhere(frozenset({"bob@example.com:t", "bob@example.com:u"}))
    assert sorted(changed) == ["ann@example.com", "dan@example.com"]
    by_email = {u.email: u for u in await repos.users.list_users()}
    assert by_email["ann@example.com"].shared_tools == (kept, legacy)
    assert by_email["ann@example.com"].hidden_tools == ("x:u",)
    assert by_email["dan@example.com"].hidden_tools == ("x:u",)
    assert by_email["eve@example.com"].shared_tools == (kept,)
    assert await repos.users.forget_tools_everywhere(frozenset({"bob@example.com:t"})) == []
    assert await repos.users.forget_tools_everywhere(frozenset()) == []


async def test_set_app_params_keeps_other_applications(repos: Repositories) -> None:
    await repos.users.add(user(application_authentication={"crm": {"token": "t1"}}))
    updated = await repos.users.set_app_params("ann@example.com", "erp", {"user": "u", "nested": {"a": [1, 2]}})
    assert updated.application_authentication == {"crm": {"token": "t1"}, "erp": {"user": "u", "nested": {"a": [1, 2]}}}
    updated = await repos.users.set_app_params("ann@example.com", "crm", None)
    assert updated.application_authentication == {"crm": None, "erp": {"user": "u", "nested": {"a": [1, 2]}}}
    assert await repos.users.get("ann@example.com") == updated


async def test_set_app_params_treats_the_app_key_literally(repos: Repositories) -> None:
    await repos.users.add(user())
    updated = await repos.users.set_app_params("ann@example.com", "my.app$v2", {"$k": "v"})
    assert updated.application_authentication == {"my.app$v2": {"$k": "v"}}


async def test_set_app_params_of_unknown_user_is_not_found(repos: Repositories) -> None:
    with pytest.raises(NotFound):
        await repos.users.set_app_params("nobody@example.com", "crm", {})


async def test_deleted_user_and_its_key_are_gone(repos: Repositories) -> None:
    await repos.users.add(user(api_key=KEY_A))
    assert await repos.users.delete("ann@example.com") is True
    assert await repos.users.get("ann@example.com") is None
    assert await repos.users.get_by_key_hash(KEY_A.hash) is None
    assert await repos.users.delete("ann@example.com") is False
    await repos.users.add(user("bob@example.com", api_key=KEY_A))  # the key is free again


async def _add_people(repos: Repositories) -> None:
    people = [
        ("dan@example.com", "Dan Brown"),
        ("amy@example.com", "Amy BROWNING"),
        ("cy@example.com", None),
        ("bea@example.com", "Bea (a.k.a. B*)"),
        ("eve@example.com", "Eve Smith"),
    ]
    for email, name in people:
        await repos.users.add(user(email, name=name))


async def test_list_users_is_ordered_by_email(repos: Repositories) -> None:
    await _add_people(repos)
    emails = [u.email for u in await repos.users.list_users()]
    assert emails == ["amy@example.com", "bea@example.com", "cy@example.com", "dan@example.com", "eve@example.com"]


async def test_list_users_filters_by_case_insensitive_name_substring(repos: Repositories) -> None:
    await _add_people(repos)
    assert [u.email for u in await repos.users.list_users("brown")] == ["amy@example.com", "dan@example.com"]
    assert [u.email for u in await repos.users.list_users("OWNI")] == ["amy@example.com"]
    assert await repos.users.list_users("nobody") == []


async def test_list_users_treats_regex_characters_literally(repos: Repositories) -> None:
    await _add_people(repos)
    assert [u.email for u in await repos.users.list_users("(a.k.a. b*)")] == ["bea@example.com"]
    assert await repos.users.list_users(".*") == []
    assert await repos.users.list_users("a.k.a. B+") == []


async def test_list_users_pages_with_skip_and_limit(repos: Repositories) -> None:
    await _add_people(repos)
    assert [u.email for u in await repos.users.list_users(skip=1, limit=2)] == ["bea@example.com", "cy@example.com"]
    assert [u.email for u in await repos.users.list_users(skip=4)] == ["eve@example.com"]
    assert await repos.users.list_users(limit=0) == []
    assert await repos.users.list_users(skip=10) == []
    assert [u.email for u in await repos.users.list_users("b", skip=1, limit=5)] == [
        "bea@example.com",
        "dan@example.com",
    ]


async def test_setting_a_taken_key_on_a_missing_user_is_not_found(repos: Repositories) -> None:
    await repos.users.add(user(api_key=KEY_A))
    with pytest.raises(NotFound):
        await repos.users.set_api_key("nobody@example.com", KEY_A)


async def test_resource_shares_and_hides_are_kept_apart_from_the_tool_ones(repos: Repositories) -> None:
    await repos.users.add(user(shared_tools=(Share("bob@example.com:t", "bob@example.com"),), hidden_tools=("a:1",)))
    share = Share("bob@example.com:test://n", "bob@example.com", AccessLevel.READ)
    got = await repos.users.put_share("ann@example.com", share, ShareKind.RESOURCE)
    got = await repos.users.put_share("ann@example.com", share, ShareKind.RESOURCE)  # same sharer: replaced
    assert [s.tool_id for s in got.shared_resources] == ["bob@example.com:test://n"]
    assert [s.tool_id for s in got.shared_tools] == ["bob@example.com:t"]
    got = await repos.users.add_hidden("ann@example.com", ["x:test://a", "x:test://a"], ShareKind.RESOURCE)
    assert (got.hidden_resources, got.hidden_tools) == (("x:test://a",), ("a:1",))
    assert await repos.users.get("ann@example.com") == got  # stored, read back alike
    got = await repos.users.remove_shares(
        "ann@example.com", frozenset({"bob@example.com:test://n"}), "bob@example.com", ShareKind.RESOURCE
    )
    got = await repos.users.remove_hidden("ann@example.com", ["x:test://a"], ShareKind.RESOURCE)
    assert (got.shared_resources, got.hidden_resources) == ((), ())
    assert (len(got.shared_tools), got.hidden_tools) == (1, ("a:1",))
