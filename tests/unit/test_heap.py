"""Tools written after start-up are frozen out of the collector's scans once the catalogue grew."""

from __future__ import annotations

import asyncio
import gc

from dynamic_mcp.adapters.http.heap import REFREEZE_GROWTH, growth_refrozen, needs_refreeze


def test_growth_past_a_thousand_tools_or_a_tenth_of_the_catalogue_refreezes() -> None:
    assert not needs_refreeze(0, REFREEZE_GROWTH - 1)
    assert needs_refreeze(0, REFREEZE_GROWTH)
    assert not needs_refreeze(100_000, 100_000 + 9_999)
    assert needs_refreeze(100_000, 110_000)


async def test_objects_alive_after_the_growth_are_frozen_and_small_growth_freezes_nothing() -> None:
    size = 0
    try:
        gc.unfreeze()
        async with growth_refrozen(lambda: size, every=0.01):
            size = REFREEZE_GROWTH - 1
            await asyncio.sleep(0.1)
            assert gc.get_freeze_count() == 0
            kept = [{"tool": i} for i in range(5_000)]  # what a bulk load leaves alive
            size = REFREEZE_GROWTH
            await asyncio.sleep(0.1)
            assert gc.get_freeze_count() >= len(kept)
    finally:
        gc.unfreeze()
