"""Adapters: technology-specific implementations of the ports, and the driving adapters."""
