"""Benchmark harness: ``python bench/run.py`` (see README, "Benchmarks")."""
