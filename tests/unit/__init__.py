"""Fast, deterministic unit tests: domain properties and use cases over the in-memory container."""
