"""The cyclic collector runs on the GUI thread only once the GUI's runner exists."""

from __future__ import annotations

import gc
import threading

import pytest

pytestmark = pytest.mark.ui


class _Cycle:
    def __init__(self) -> None:
        self.me = self
        self.freed_on: list[str] = []


def test_cycles_made_by_workers_are_collected_on_the_gui_thread(qtbot, context) -> None:
    from rsdesk.ui.garbage import MainThreadGarbageCollector

    assert not gc.isenabled()
    threads: list[str] = []

    class Tracked(_Cycle):
        def __del__(self) -> None:
            threads.append(threading.current_thread().name)

    def make_garbage(progress, cancel) -> int:
        for _ in range(5_000):  # far over the young generation's threshold
            Tracked()
        return 0

    done: list[int] = []
    context.ops.job("Garbage", make_garbage, on_done=done.append)
    qtbot.waitUntil(lambda: done == [0], timeout=30_000)
    assert threads == []  # nothing was collected on the worker
    collector = MainThreadGarbageCollector()
    collector.check()
    assert len(threads) == 5_000
    assert set(threads) == {threading.main_thread().name}
