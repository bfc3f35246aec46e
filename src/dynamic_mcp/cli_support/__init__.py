"""Helpers of the ``dynamic-mcp`` command: backends (REST client, database) and output."""
