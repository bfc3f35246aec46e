"""Tools and My tools: the JSON editor, test calls, shares, audience, hide and unhide."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from litestar.testing import TestClient

from dynamic_mcp.container import Container
from dynamic_mcp.domain.events import ToolListChanged
from tests.console.conftest import Browser, add_user

GREET = {
    "name": "greet",
    "description": "Say hello",
    "inputSchema": {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "times": {"type": "integer"},
            "loud": {"type": "boolean"},
            "mood": {"enum": ["calm", "glad"]},
        },
        "required": ["name"],
    },
    "handler": {"type": "echo", "config": {"message": "Hello {{name}}"}},
    "rolesPermitted": ["admin"],
}


class Events:
    def __init__(self, container: Container) -> None:
        self.seen: list[Any] = []
        container.event_bus().subscribe(self.record)

    async def record(self, event: Any) -> None:
        self.seen.append(event)

    def tools_changed_for(self, email: str) -> bool:
        return any(isinstance(e, ToolListChanged) and (e.emails is None or email in e.emails) for e in self.seen)


@pytest.fixture
def power(client: TestClient[Any], admin: Browser) -> Browser:
    key = add_user(admin, "pat@example.com", "power-user")
    browser = Browser(client)
    browser.sign_in(key)
    return browser


def create(browser: Browser, definition: dict[str, Any] | str) -> Any:
    browser.get("/console/tools/new")
    source = definition if isinstance(definition, str) else json.dumps(definition)
    return browser.post("/console/tools/new", {"definition": source})


def problems(page: str) -> list[str]:
    block = page.split('id="editor-problems"', 1)[1]
    return [html.unescape(p) for p in re.findall(r"<li>(.*?)</li>", block.split("</div>", 2)[0] + "</div>")]


def test_a_power_user_creates_a_tool_in_the_editor_and_sees_it_listed(power: Browser) -> None:
    response = create(power, GREET)
    assert response.status_code == 200 and "The tool was saved" in response.text
    assert str(response.url).endswith("/console/tools/pat@example.com:greet?done=tool-saved")
    listing = power.get("/console/tools")
    assert "pat@example.com" in listing.text and ">greet</a>" in listing.text


def test_the_editor_explains_syntax_schema_and_rule_errors_inline(power: Browser) -> None:
    syntax = create(power, '{"name": "x",\n  "inputSchema": }')
    assert syntax.status_code == 422 and problems(syntax.text) == ["Line 2, column 18: Expecting value"]
    assert '"inputSchema": }' in html.unescape(syntax.text)  # the draft is kept
    schema = create(power, {"name": "x", "inputSchema": {"type": "object"}, "handler": {}, "colour": 1})
    found = problems(schema.text)
    assert any("'colour' was unexpected" in p for p in found) and any(p.startswith("/handler:") for p in found)
    bad_schema = create(power, {**GREET, "inputSchema": {"type": "object", "properties": 3}})
    assert any("not a valid JSON Schema" in p for p in problems(bad_schema.text))
    rule = create(power, {**GREET, "handler": {"type": "user-management"}})
    assert rule.status_code == 403 and problems(rule.text) == [
        "Only admins may create or change tools that use a management handler"
    ]


def test_the_live_check_returns_only_the_problems(power: Browser) -> None:
    response = power.request(
        "POST", "/console/validate/tool", data={"definition": "[]"}, headers={"x-csrf-token": power.csrf}
    )
    assert response.text.startswith('<div id="editor-problems"') and "must be a JSON object" in response.text
    ok = power.request(
        "POST", "/console/validate/tool", data={"definition": json.dumps(GREET)}, headers={"x-csrf-token": power.csrf}
    )
    assert "matches the schema" in ok.text


def test_the_test_call_form_follows_the_input_schema(power: Browser) -> None:
    create(power, GREET)
    page = power.get("/console/tools/pat@example.com:greet")
    assert '<label for="arg-1">name (required)</label>' in page.text
    assert 'name="arg.times" type="number"' in page.text and "<option>glad</option>" in page.text
    result = power.post(
        "/console/tools/pat@example.com:greet/call",
        {"arg.name": "Ann", "arg.times": "2", "arg.loud": "true", "arg.mood": "glad"},
    )
    body = json.loads(html.unescape(re.search(r'<pre id="call-result"[^>]*>(.*?)</pre>', result.text, re.S).group(1)))
    assert body["result"] == {"name": "Ann", "times": 2, "loud": True, "mood": "glad"}
    assert body["message"] == "Hello Ann"
    wrong = power.post("/console/tools/pat@example.com:greet/call", {"arg.name": "Ann", "arg.times": "two"})
    assert wrong.status_code == 422 and "times: not a valid integer value" in wrong.text


def test_share_notifies_the_recipient_and_shows_who_can_see_it(
    container: Container, client: TestClient[Any], admin: Browser, power: Browser
) -> None:
    quinn_key = add_user(admin, "quinn@example.com", "user")
    create(power, GREET)
    events = Events(container)
    shared = power.post("/console/tools/pat@example.com:greet/share", {"email": "quinn@example.com"})
    assert "The tool was shared" in shared.text
    assert events.tools_changed_for("quinn@example.com")
    assert "quinn@example.com — read" in shared.text
    audience = shared.text.split('id="audience-heading"', 1)[1]
    assert 'quinn@example.com <span class="tag">share</span>' in audience
    assert 'pat@example.com <span class="tag">creator</span>' in audience
    tools = client.get("/api/v1/tools", headers={"x-apikey": quinn_key}).json()["tools"]
    assert "pat@example.com:greet" in [t["id"] for t in tools]
    unshared = power.post("/console/tools/pat@example.com:greet/unshare", {"email": "quinn@example.com"})
    assert "Not shared with anyone." in unshared.text


def test_hide_and_unhide_on_my_tools(container: Container, client: TestClient[Any], admin: Browser) -> None:
    key = add_user(admin, "rita@example.com", "user")
    rita = Browser(client)
    rita.sign_in(key)
    events = Events(container)
    page = rita.get("/console/my-tools")
    assert "user-management:list-users" in page.text
    hidden = rita.post("/console/my-tools/hide", {"tool_id": "user-management:list-users"})
    assert "Hidden from your MCP tool list." in hidden.text and events.tools_changed_for("rita@example.com")
    section = hidden.text.split('id="hidden-heading"', 1)[1]
    assert "Hidden (1)" in section and "user-management:list-users" in section
    assert client.get("/api/v1/me/hidden-tools", headers={"x-apikey": key}).json()["hiddenTools"] == [
        "user-management:list-users"
    ]
    shown = rita.post("/console/my-tools/unhide", {"tool_id": "user-management:list-users"})
    assert "Hidden (0)" in shown.text


def test_a_plain_user_cannot_edit_or_share_what_they_did_not_create(admin: Browser, power: Browser) -> None:
    create(power, {**GREET, "rolesPermitted": ["user"]})
    key = add_user(admin, "sam@example.com", "user")
    sam = Browser(admin.client)
    sam.sign_in(key)
    page = sam.get("/console/tools/pat@example.com:greet")
    assert page.status_code == 200 and "Edit definition" not in page.text and "Share with" not in page.text
    edit = sam.post("/console/tools/pat@example.com:greet/edit", {"definition": json.dumps(GREET)})
    assert edit.status_code == 403 and "Not authorized to update tool" in edit.text
    share = sam.post("/console/tools/pat@example.com:greet/share", {"email": "sam@example.com"})
    assert share.status_code == 403


def test_an_admin_edits_and_deletes_a_tool(admin: Browser, power: Browser) -> None:
    create(power, GREET)
    editor = admin.get("/console/tools/pat@example.com:greet/edit")
    assert "Say hello" in editor.text
    saved = admin.post(
        "/console/tools/pat@example.com:greet/edit", {"definition": json.dumps({**GREET, "description": "Hi"})}
    )
    assert "The tool was saved" in saved.text and "<p>Hi</p>" in saved.text
    renamed = admin.post(
        "/console/tools/pat@example.com:greet/edit", {"definition": json.dumps({**GREET, "name": "x"})}
    )
    assert renamed.status_code == 422 and "cannot be renamed" in renamed.text
    assert "Everyone who can see it" in admin.get("/console/tools/pat@example.com:greet/delete").text
    deleted = admin.post("/console/tools/pat@example.com:greet/delete")
    assert "The tool was deleted" in deleted.text and "pat@example.com:greet" not in deleted.text
