"""dynamic-mcp: a multi-user MCP server whose tools are data."""

__version__ = "0.1.0"
