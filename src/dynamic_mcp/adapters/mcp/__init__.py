"""The MCP transport: the official SDK's low-level Server over streamable HTTP at /mcp."""
