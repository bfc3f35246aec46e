"""Keep long-lived objects out of the garbage collector's scans while the server runs.

Each MCP request leaves reference cycles behind (SDK tasks, cancel scopes, streams), so the
cyclic collector runs every few requests, and its older generations walk every tracked object
in the process: the framework, the SDK, the drivers and our container, built at start-up and
alive until shutdown. Measured on a tools/call, that walk was about a third of the server's CPU
(README, "Benchmarks"). ``gc.freeze()`` moves everything alive after start-up to
a permanent generation the collector skips; garbage made afterwards is collected as before.

Tools written after start-up (an upstream import, a bulk load, a catalogue reloaded after the
database was replaced) and user records read as users arrive would escape it, and at 100,000 of
them full collections cost about a quarter more CPU per call; so their number is checked now and
then, and past a threshold what is alive is frozen again.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator, Callable, Iterator

REFREEZE_EVERY_SECONDS = 30.0
REFREEZE_GROWTH = 1_000
"""Tools and user records added since the last freeze (or a tenth, if more) before freezing again."""


@contextlib.contextmanager
def start_up_objects_frozen() -> Iterator[None]:
    gc.collect()  # what start-up left as garbage goes now, not never
    gc.freeze()
    try:
        yield
    finally:
        # Back into the oldest generation: collectable again (tests build many apps per process).
        gc.unfreeze()


def refreeze() -> None:
    """Freeze what is alive now. The young generations are collected first (cheap: they hold
    only recent objects), so little garbage is frozen; a full collection would walk the whole
    heap on the event loop, which is what freezing avoids."""
    gc.collect(1)
    gc.freeze()


def needs_refreeze(frozen_at: int, size: int) -> bool:
    return size - frozen_at >= max(REFREEZE_GROWTH, frozen_at // 10)


@contextlib.asynccontextmanager
async def growth_refrozen(held: Callable[[], int], every: float = REFREEZE_EVERY_SECONDS) -> AsyncIterator[None]:
    """While open, refreeze whenever ``held`` (the tools and user records kept) grew enough."""

    async def watch(frozen_at: int) -> None:
        while True:
            await asyncio.sleep(every)
            size = held()
            if needs_refreeze(frozen_at, size):
                refreeze()
                frozen_at = size
            elif size < frozen_at:
                frozen_at = size  # fewer held now: measure growth from here

    task = asyncio.get_running_loop().create_task(watch(held()))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
