"""Reference servers the benchmark compares dynamic-mcp with; each runs as its own process."""
