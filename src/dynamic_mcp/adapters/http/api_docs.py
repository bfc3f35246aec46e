"""Swagger UI for /schema from the files of the swagger-ui-bundle-v2 package: no CDN (ADR 0013)."""

from __future__ import annotations

from pathlib import Path

import swagger_ui_bundle
from litestar import Router
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.static_files import create_static_files_router

SWAGGER_ASSETS = "/static/swagger-ui"


def swagger_directory() -> Path:
    return Path(str(swagger_ui_bundle.swagger_ui_path))


def offline_swagger_plugin(path: str | list[str]) -> SwaggerRenderPlugin:
    return SwaggerRenderPlugin(
        path=path,
        js_url=f"{SWAGGER_ASSETS}/swagger-ui-bundle.js",
        css_url=f"{SWAGGER_ASSETS}/swagger-ui.css",
        standalone_preset_js_url=f"{SWAGGER_ASSETS}/swagger-ui-standalone-preset.js",
        favicon=f"<link rel='icon' type='image/png' href='{SWAGGER_ASSETS}/favicon-32x32.png'>",
    )


def swagger_assets_router() -> Router:
    return create_static_files_router(
        path=SWAGGER_ASSETS, directories=[swagger_directory()], include_in_schema=False, name="swagger-ui"
    )
