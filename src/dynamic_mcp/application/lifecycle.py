"""Start-up order (docs/configuration.md): admin bootstrap, catalogue reset, built-in packages."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from dynamic_mcp.application.bootstrap import AdminBootstrap
from dynamic_mcp.application.packages import HandlerPackage
from dynamic_mcp.application.registration import PackageRegistrar

log = logging.getLogger(__name__)

NATIVE = "native"


class ServerLifecycle:
    def __init__(
        self,
        bootstrap: AdminBootstrap,
        registrar: PackageRegistrar,
        builtins: Sequence[HandlerPackage],
        admin_email: str,
        admin_api_key: str | None,
    ) -> None:
        self._bootstrap = bootstrap
        self._registrar = registrar
        self._builtins = builtins
        self._admin_email = admin_email
        self._admin_api_key = admin_api_key
        self.started = False

    async def start(self, extra_packages: Sequence[HandlerPackage] = ()) -> None:
        await self._bootstrap.ensure_admin(self._admin_email, self._admin_api_key)
        await self._registrar.reset_system_catalogue()
        for package in (*self._builtins, *extra_packages):
            await self._registrar.register(package)
        self.started = True
        log.info("server started", extra={"packages": [p.name for p in (*self._builtins, *extra_packages)]})
