"""The Audit page: the same use case as GET /api/v1/audit, its filters and its pages."""

from __future__ import annotations

import html
import re

from tests.console.conftest import ADMIN, ADMIN_KEY, Browser, add_user
from tests.console.test_tools_pages import GREET, create

TOOL = f"{ADMIN}:greet"


def actions(page: str) -> list[str]:
    body = page.split('id="audit-entries"', 1)[1] if 'id="audit-entries"' in page else ""
    return [html.unescape(a) for a in re.findall(r'<td data-label="Action"><code>(.*?)</code>', body)]


def test_an_admin_sees_their_tool_call_and_filters_by_tool(admin: Browser) -> None:
    create(admin, GREET)
    admin.post(f"/console/tools/{TOOL}/call", {"arg.name": "Ann"})
    admin.post(f"/console/tools/{TOOL}/call", {"arg.name": "Bo"})
    page = admin.get("/console/audit")
    assert page.status_code == 200
    for label in ("User", "Tool", "Outcome", "Since", "Until"):
        assert re.search(rf'<label for="audit-\w+">{label}</label>', page.text), label
    assert TOOL in actions(page.text)
    filtered = admin.get("/console/audit", params={"tool": TOOL, "user": ADMIN, "outcome": "ok"})
    assert actions(filtered.text) == [TOOL, TOOL]
    assert f'value="{TOOL}"' in filtered.text and ADMIN in filtered.text
    none = admin.get("/console/audit", params={"tool": TOOL, "outcome": "denied"})
    assert actions(none.text) == [] and "No entries match." in none.text
    later = admin.get("/console/audit", params={"tool": TOOL, "since": "2999-01-01T00:00Z"})
    assert actions(later.text) == []


def test_next_page_follows_the_cursor_with_the_same_filters(admin: Browser) -> None:
    create(admin, GREET)
    for name in ("Ann", "Bo", "Cy"):
        admin.post(f"/console/tools/{TOOL}/call", {"arg.name": name})
    first = admin.get("/console/audit", params={"tool": TOOL, "limit": "2"})
    assert actions(first.text) == [TOOL, TOOL]
    link = re.search(r'<a href="([^"]+)" rel="next">Next page</a>', first.text)
    assert link, first.text
    second = admin.get(html.unescape(link.group(1)))
    assert actions(second.text) == [TOOL] and 'rel="next"' not in second.text
    times = re.findall(r'<time datetime="([^"]+)"', first.text + second.text)
    assert times == sorted(times, reverse=True)


def test_bad_filters_are_explained_not_crashed(admin: Browser) -> None:
    bad_time = admin.get("/console/audit", params={"since": "yesterday"})
    assert bad_time.status_code == 422 and "Since must be an ISO 8601 time" in bad_time.text
    assert admin.get("/console/audit", params={"cursor": "<script>"}).status_code == 422
    assert admin.get("/console/audit", params={"limit": "100000"}).status_code == 422


def test_a_plain_user_is_refused_by_the_use_case(admin: Browser) -> None:
    user = Browser(admin.client)
    user.sign_in(add_user(admin, "uma@example.com", "user"))
    refused = user.get("/console/audit")
    assert refused.status_code == 403 and "Only admins can read the audit log" in refused.text
    assert "audit-entries" not in refused.text


def test_the_page_and_rest_read_the_same_entries(admin: Browser) -> None:
    create(admin, GREET)
    admin.post(f"/console/tools/{TOOL}/call", {"arg.name": "Ann"})
    rest = admin.client.get("/api/v1/audit", params={"tool": TOOL}, headers={"Authorization": f"Bearer {ADMIN_KEY}"})
    assert rest.status_code == 200, rest.text
    entries = rest.json()["entries"]
    page = admin.get("/console/audit", params={"tool": TOOL}).text
    assert [e["action"] for e in entries] == actions(page)
    assert entries[0]["requestId"] and f"<code>{entries[0]['requestId']}</code>" in page
