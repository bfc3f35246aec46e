"""The Prometheus adapter and the bounded tool labels."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from prometheus_client.parser import text_string_to_metric_families

from dynamic_mcp.adapters.system.prometheus import PrometheusMetrics
from dynamic_mcp.application.labels import OTHER, ToolLabelBudget


def series(metrics: PrometheusMetrics, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    return {
        tuple(sorted(s.labels.items())): s.value
        for family in text_string_to_metric_families(metrics.scrape().decode())
        for s in family.samples
        if s.name == name
    }


@given(st.lists(st.sampled_from([f"u{i}@x:t{i}" for i in range(30)]), max_size=400), st.integers(0, 8))
def test_never_more_runtime_labels_than_the_budget(calls: list[str], capacity: int) -> None:
    budget = ToolLabelBudget(capacity)
    for tool in calls:
        label = budget.label(tool)
        assert label in (tool, OTHER)
        assert len(budget.labelled) <= capacity


def test_a_tool_called_far_more_often_takes_a_label() -> None:
    budget = ToolLabelBudget(2)
    for tool in ("a", "b"):
        budget.label(tool)
    assert budget.label("hot") == OTHER
    for _ in range(5):
        budget.label("hot")
    assert "hot" in budget.labelled
    assert budget.evicted


def test_runtime_tools_beyond_the_budget_count_as_other_and_package_tools_never_do() -> None:
    metrics = PrometheusMetrics(tool_labels=1)
    metrics.tool_call("ada@x:first", False, "ok", 0.01)
    metrics.tool_call("ada@x:second", False, "ok", 0.01)
    for i in range(5):
        metrics.tool_call(f"pkg:tool{i}", True, "error", 0.01)
    calls = series(metrics, "dynamic_mcp_tool_calls_total")
    tools = {dict(labels)["tool"] for labels in calls}
    assert tools == {"ada@x:first", OTHER, *(f"pkg:tool{i}" for i in range(5))}


def test_each_instance_has_its_own_registry() -> None:
    one, two = PrometheusMetrics(), PrometheusMetrics()
    one.http_request("/health", "GET", 200, 0.001)
    assert series(one, "dynamic_mcp_http_requests_total")
    assert not series(two, "dynamic_mcp_http_requests_total")


WORKER = """
from dynamic_mcp.adapters.system.prometheus import PrometheusMetrics
m = PrometheusMetrics()
m.tool_call("pkg:t", True, "ok", 0.01)
m.live_sessions(3)
"""
SCRAPER = """
import sys
from dynamic_mcp.adapters.system.prometheus import PrometheusMetrics
sys.stdout.write(PrometheusMetrics().scrape().decode())
"""


def test_multiprocess_mode_adds_up_every_worker(tmp_path: Path) -> None:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for _ in range(2):
        subprocess.run([sys.executable, "-c", WORKER], env=env, check=True, timeout=60)
    text = subprocess.run(
        [sys.executable, "-c", SCRAPER], env=env, check=True, timeout=60, capture_output=True, text=True
    ).stdout
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    assert samples[("dynamic_mcp_tool_calls_total", (("outcome", "ok"), ("tool", "pkg:t")))] == 2
