"""The cyclic garbage collector held off while a bulk job builds millions of objects.

Importing 100,000 rows holds about two million cells, row plans and values until the import
ends, none of them in reference cycles. CPython's collector runs after every 700 new container
objects and now and then walks all the survivors: during an import it walked the growing heap
over and over and freed nothing, about a tenth of the import's time (1.2 s of 11 s,
``benchmarks/run.py excel``). Paused for the length of the job, it catches up on its own
afterwards; the few cycles a job makes (ORM objects) wait until then.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pausers = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic cyclic collection inside the block (for the whole process: the GUI's other
    threads allocate little meanwhile). Blocks may nest and overlap across threads; the
    collector comes back when the last one ends, and only if it was on before the first."""
    global _pausers, _was_enabled
    with _lock:
        if _pausers == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pausers += 1
    try:
        yield
    finally:
        with _lock:
            _pausers -= 1
            if _pausers == 0 and _was_enabled:
                gc.enable()
