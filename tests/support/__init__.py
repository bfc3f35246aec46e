"""Test helpers shared by several test packages (real servers, fixtures)."""
