"""Python's cyclic garbage collector, run on the GUI thread only.

The automatic collector runs in whichever thread happens to allocate when a threshold is
crossed. With worker threads (rsdesk.ui.ops) that can be a worker, and a reference cycle that
holds Qt wrappers (a closed dialog and its Python slots, say) is then destroyed off the GUI
thread: Qt objects deleted on the wrong thread crash the process later, at random (seen as a
segmentation fault in the test suite while a dashboard query ran in a worker). So, as calibre
and other large PyQt programs do, the automatic collector is switched off once the GUI runs
and a timer on the GUI thread collects with the same generation thresholds instead.
Reference counting, which frees almost everything, is unaffected.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer, Slot

INTERVAL_MS = 1000


class MainThreadGarbageCollector(QObject):
    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        self._timer.start(interval_ms)

    @Slot()
    def check(self) -> None:
        """Collect the generations whose allocation counts passed their thresholds."""
        young, middle, old = gc.get_count()
        if young > self.thresholds[0]:
            gc.collect(0)
            if middle > self.thresholds[1]:
                gc.collect(1)
                if old > self.thresholds[2]:
                    gc.collect(2)
