"""RFC 6570 URI templates: checked when stored, matched when a URI is read (docs/resources.md)."""

from __future__ import annotations

from typing import Protocol


class UriTemplates(Protocol):
    def variables(self, template: str) -> tuple[str, ...]:
        """The template's variable names; Invalid when it is not a template this server can match."""
        ...

    def match(self, template: str, uri: str) -> dict[str, str] | None:
        """The variables that expand ``template`` to ``uri``, or None when it does not match."""
        ...
