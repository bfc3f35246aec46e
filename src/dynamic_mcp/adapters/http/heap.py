"""Keep start-up objects out of the garbage collector's scans while the server runs.

Each MCP request leaves reference cycles behind (SDK tasks, cancel scopes, streams), so the
cyclic collector runs every few requests, and its older generations walk every tracked object
in the process: the framework, the SDK, the drivers and our container, built at start-up and
alive until shutdown. Measured on a tools/call, that walk was about a third of the server's CPU
(README, "Benchmarks"). ``gc.freeze()`` moves everything alive after start-up to
a permanent generation the collector skips; garbage made afterwards is collected as before.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def start_up_objects_frozen() -> Iterator[None]:
    gc.collect()  # what start-up left as garbage goes now, not never
    gc.freeze()
    try:
        yield
    finally:
        # Back into the oldest generation: collectable again (tests build many apps per process).
        gc.unfreeze()
