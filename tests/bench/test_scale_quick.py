"""bench/scale.py runs end to end: every goal's row at three (tiny) sizes, with its target."""

from __future__ import annotations

import pytest

from bench import scale


@pytest.mark.slow  # ~15 s of CPU; far longer in wall time on a loaded machine
async def test_the_scale_bench_prints_every_goal_at_three_sizes() -> None:
    printed = await scale.run(True, ["memory"], sizes=(5, 10, 20), stream_seconds=0.2)
    rows = [line for line in printed.splitlines() if line.startswith("| memory |")]
    assert len(rows) == 9
    assert printed.splitlines()[0].count("N = ") == 3
    rebuilt = next(r for r in rows if "rebuilt for unaffected users" in r)
    assert rebuilt.split("|")[3:6] == [" 0 ", " 0 ", " 0 "]  # a change never rebuilds an unaffected user's toolset
    assert all(r.rstrip().endswith(("| yes |", "| no |")) for r in rows)
