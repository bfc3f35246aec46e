"""The built-in tools' contract with clients: names, arguments, defaults, roles and annotation hints
stay exactly as frozen in ``data/builtin_tools.json``; only the descriptions may be reworded.

Regenerate the frozen copy only for a deliberate, documented change of that contract:
``python -m tests.unit.test_builtin_catalog > tests/unit/data/builtin_tools.json``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dynamic_mcp.config import Settings
from dynamic_mcp.container import build_container

FROZEN = Path(__file__).with_name("data") / "builtin_tools.json"


def without_descriptions(value: Any, *, property_map: bool = False) -> Any:
    """Drop every ``description`` keyword; a property that happens to be named "description" stays."""
    if isinstance(value, dict):
        return {
            key: without_descriptions(item, property_map=key == "properties" and not property_map)
            for key, item in value.items()
            if property_map or not (key == "description" and isinstance(item, str))
        }
    if isinstance(value, list):
        return [without_descriptions(item) for item in value]
    return value


def builtin_definitions() -> list[dict[str, Any]]:
    container = build_container(Settings(admin_api_key="frozen-catalog-key-0123456789abcdef"))
    return [dict(tool) for package in container.builtin_packages() for tool in package.tools]


def contract() -> list[dict[str, Any]]:
    return sorted((without_descriptions(tool) for tool in builtin_definitions()), key=lambda t: t["name"])


def test_names_arguments_roles_and_hints_are_unchanged() -> None:
    assert contract() == json.loads(FROZEN.read_text(encoding="utf-8"))


def test_every_tool_and_argument_is_described() -> None:
    def undescribed(schema: dict[str, Any], path: str) -> list[str]:
        missing = []
        for name, prop in schema.get("properties", {}).items():
            if not isinstance(prop.get("description"), str) or not prop["description"].strip():
                missing.append(f"{path}.{name}")
        return missing

    gaps = [
        gap
        for tool in builtin_definitions()
        for gap in ([tool["name"]] if not str(tool.get("description", "")).strip() else [])
        + undescribed(tool["inputSchema"], tool["name"])
    ]
    assert gaps == []


if __name__ == "__main__":
    print(json.dumps(contract(), indent=2, sort_keys=True))
