"""Prompts (editor, test prompts/get, delete) and the admin pages: Sessions, Health, Audit."""

from __future__ import annotations

import asyncio
import html
import json
import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import TestClient

from dynamic_mcp.adapters.http.app import create_app
from dynamic_mcp.application.packages import HandlerPackage
from dynamic_mcp.container import Container
from dynamic_mcp.domain.events import PromptListChanged
from dynamic_mcp.domain.instances import ListenerRecord
from tests.console.conftest import Browser, add_user


async def _never(*_: Any) -> Any:
    raise AssertionError("no tools here")


async def _prompt(args: dict[str, Any], context: Any, config: Any) -> dict[str, Any]:
    topic = args.get("topic", "")
    return {"messages": [{"role": "user", "content": {"type": "text", "text": f"Tell me about {topic}"}}]}


TOPICS = HandlerPackage(name="topics", tools=(), handler=_never, prompt_handler=_prompt)
PROMPT = {
    "name": "about",
    "description": "Ask about a topic",
    "arguments": [{"name": "topic", "description": "The topic", "required": True}],
    "handler": {"type": "topics", "config": {}},
    "rolesPermitted": ["user"],
}


@pytest.fixture
def client(container: Container) -> Iterator[TestClient[Any]]:
    with TestClient(create_app(container, packages=[TOPICS])) as test_client:
        yield test_client


def test_a_prompt_is_created_tried_and_deleted_through_the_use_cases(container: Container, admin: Browser) -> None:
    seen: list[Any] = []

    async def record(event: Any) -> None:
        seen.append(event)

    container.event_bus().subscribe(record)
    admin.get("/console/prompts/new")
    saved = admin.post("/console/prompts/new", {"definition": json.dumps(PROMPT)})
    assert "The prompt was saved" in saved.text and any(isinstance(e, PromptListChanged) for e in seen)
    assert '<label for="parg-1">topic (required)</label>' in saved.text
    tried = admin.post("/console/prompts/about/get", {"arg.topic": "owls"})
    assert "Tell me about owls" in html.unescape(tried.text)
    missing = admin.post("/console/prompts/about/get", {})
    assert missing.status_code == 422 and "Missing required argument" in missing.text
    bad = admin.post("/console/prompts/new", {"definition": json.dumps({**PROMPT, "arguments": [{}]})})
    assert bad.status_code == 422 and "/arguments/0: &#39;name&#39; is a required property" in bad.text
    assert ">about</a>" in admin.get("/console/prompts").text
    deleted = admin.post("/console/prompts/about/delete")
    assert "The prompt was deleted" in deleted.text and ">about</a>" not in deleted.text


def test_a_plain_user_may_not_create_prompts(admin: Browser) -> None:
    user = Browser(admin.client)
    user.sign_in(add_user(admin, "una@example.com", "user"))
    assert user.get("/console/prompts/new").status_code == 403
    refused = user.post("/console/prompts/new", {"definition": json.dumps(PROMPT)})
    assert refused.status_code == 403 and "Only admins and power users can create prompts" in refused.text


def test_health_shows_storage_instance_and_versions(admin: Browser) -> None:
    page = admin.get("/console/health")
    assert page.status_code == 200
    assert "Mode: <strong>memory</strong>" in page.text and '<span class="tag">ok</span>' in page.text
    assert "MCP SDK 2." in page.text and "Python 3." in page.text


def test_admin_pages_refuse_other_users(admin: Browser) -> None:
    user = Browser(admin.client)
    user.sign_in(add_user(admin, "vic@example.com", "power-user"))
    for path in ("/console/sessions", "/console/health", "/console/audit"):
        assert user.get(path).status_code == 403, path
    assert user.post("/console/sessions/close", {"handle": "x"}).status_code == 403
    assert user.post("/console/listeners/close", {"handle": "x"}).status_code == 403


def test_closing_an_unknown_session_is_explained(admin: Browser, caplog: pytest.LogCaptureFixture) -> None:
    assert "No live MCP sessions" in admin.get("/console/sessions").text
    with caplog.at_level(logging.ERROR):
        response = admin.post("/console/sessions/close", {"handle": "nope"})
    assert response.status_code == 404 and "no longer open" in response.text
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []  # a 404 is no server error


def test_the_sessions_page_lists_listen_streams_per_user_and_closes_one(container: Container, admin: Browser) -> None:
    here = container.instance_id()
    now = datetime.now(UTC)
    record = ListenerRecord("abcdefgh12345678", "lee@example.com", here, "lister 2.0", now, now + timedelta(minutes=5))
    asyncio.run(container.instance_directory().add_listener(record))  # memory: no I/O, any loop
    page = admin.get("/console/sessions")
    assert "lee@example.com" in page.text and "lister 2.0" in page.text and here in page.text
    assert 'name="handle" value="abcdefgh12345678"' in page.text
    closed = admin.post("/console/listeners/close", {"handle": "abcdefgh12345678"}, follow_redirects=False)
    assert closed.status_code == 303
    deadline = time.monotonic() + 10
    while "lister 2.0" in admin.get("/console/sessions").text:  # this instance follows the close
        assert time.monotonic() < deadline, "the closed listen stream is still listed"
        time.sleep(0.05)
    again = admin.post("/console/listeners/close", {"handle": "abcdefgh12345678"})
    assert again.status_code == 404 and "no longer open" in again.text


def test_health_lists_this_instance_with_its_heartbeat(container: Container, admin: Browser) -> None:
    page = admin.get("/console/health").text
    instances = page.split('id="instances"', 1)[1]
    assert container.instance_id() in instances and container.settings().server_version in instances
    assert "this one" in instances and "ago" in instances
