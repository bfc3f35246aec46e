"""Screenshots of every console page at desktop and phone width, for docs/console/.

    .venv/bin/python -m tests.e2e.screenshots [OUTPUT_DIR]

Starts its own server on a free port, fills it with a few users, tools, a share, a prompt and a
live MCP session and a 2026-era listen stream, then saves ``<page>-desktop.png`` and ``<page>-phone.png``. Not run by pytest.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import anyio
import httpx
import mcp_types as types
from mcp.client import Client

from tests.e2e.browser import DESKTOP, PHONE, chromium, recorded_context, sign_in
from tests.integration.harness import ADMIN_KEY, ServerProcess, connect

LISTENER = types.Implementation(name="vscode", version="1.99")
OUTPUT = Path(__file__).resolve().parents[2] / "docs" / "console"
WEATHER = {
    "name": "weather",
    "description": "Current weather for a city",
    "inputSchema": {
        "type": "object",
        "properties": {
            "city": {"type": "string", "description": "City name"},
            "units": {"enum": ["metric", "imperial"]},
            "days": {"type": "integer", "description": "Forecast days"},
        },
        "required": ["city"],
    },
    "handler": {"type": "echo", "config": {"message": "Weather for {{city}}"}},
    "rolesPermitted": ["power-user"],
}
PAGES = [
    ("sign-in", None),
    ("my-tools", "/console/my-tools"),
    ("users", "/console/users"),
    ("tools", "/console/tools"),
    ("tool", "/console/tools/admin@example.com:weather"),
    ("editor", "/console/tools/admin@example.com:weather/edit"),
    ("prompts", "/console/prompts"),
    ("sessions", "/console/sessions"),
    ("health", "/console/health"),
    ("audit", "/console/audit"),
    ("connect", "/console/connect"),
    ("my-key", "/console/my-key"),
]


def seed(base: str) -> None:
    admin = {"x-apikey": ADMIN_KEY}
    with httpx.Client(base_url=f"{base}/api/v1", headers=admin, timeout=30) as api:
        for email, name, role in (
            ("ada@example.com", "Ada Lovelace", "power-user"),
            ("grace@example.com", "Grace Hopper", "user"),
            ("linus@example.com", "Linus", "user"),
        ):
            api.post("/users", json={"email": email, "name": name, "roles": [role]}).raise_for_status()
        api.post("/tools", json=WEATHER).raise_for_status()
        api.post(
            "/shares", json={"email": "grace@example.com", "toolId": "admin@example.com:weather", "accessLevel": "read"}
        )
        api.post(
            "/prompts",
            json={
                "name": "summarise",
                "description": "Summarise a text",
                "arguments": [{"name": "text", "required": True}],
                "handler": {"type": "prompt-management", "config": {}},
                "rolesPermitted": ["user"],
            },
        )


async def capture(output: Path) -> None:
    output.mkdir(parents=True, exist_ok=True)
    server = ServerProcess().start()
    try:
        seed(server.url)
        async with (
            connect(server.url, ADMIN_KEY, client_name="claude-code"),
            Client(f"{server.url}/mcp?apiKey={ADMIN_KEY}", mode="2026-07-28", client_info=LISTENER) as modern,
            modern.listen(tools_list_changed=True),
            chromium() as browser,
        ):
            for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
                async with recorded_context(browser, viewport=viewport) as (context, _):
                    page = await context.new_page()
                    await page.goto(f"{server.url}/console/sign-in")
                    await page.screenshot(path=str(output / f"sign-in-{label}.png"), full_page=True)
                    await sign_in(page, server.url, ADMIN_KEY)
                    for name, path in PAGES:
                        if path is None:
                            continue
                        await page.goto(f"{server.url}{path}")
                        if name == "tool":
                            await page.get_by_label("city (required)").fill("Lisbon")
                            await page.get_by_role("button", name="Call tool").click()
                            await page.locator("#call-result").wait_for()
                        await page.wait_for_load_state("networkidle")
                        await page.screenshot(path=str(output / f"{name}-{label}.png"), full_page=label == "phone")
    finally:
        server.stop()
    print(json.dumps(sorted(p.name for p in output.glob("*.png"))))


if __name__ == "__main__":
    anyio.run(capture, Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT)
