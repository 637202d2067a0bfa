"""Dim a table's rows while the query behind them is being re-read.

A drill-down changed the filter at once but the old rows stayed, looking like the answer, until
the new ones arrived (0.9 s on a big register): dimmed rows and a "Loading…" line say they are
about to change. A short delay keeps quick answers from flickering.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QAbstractItemView

#: How long a reload runs before the rows dim (a typical keystroke's answer comes sooner).
DIM_AFTER_MS = 150


class StaleRows(QObject):
    """``start()`` when the query changes, ``stop()`` when its rows are shown."""

    def __init__(self, table: QAbstractItemView) -> None:
        super().__init__(table)
        self.table = table
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DIM_AFTER_MS)
        self._timer.timeout.connect(self._dim)
        self._dimmed = False
        self._saved = QPalette()

    @property
    def dimmed(self) -> bool:
        return self._dimmed

    def start(self) -> None:
        if not self._dimmed:
            self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        if self._dimmed:
            self._dimmed = False
            self.table.setPalette(self._saved)
            self.table.setProperty("stale", False)

    def _dim(self) -> None:
        self._dimmed = True
        self._saved = QPalette(self.table.palette())
        palette = QPalette(self._saved)
        grey = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
            palette.setColor(group, QPalette.ColorRole.Text, grey)
            palette.setColor(group, QPalette.ColorRole.HighlightedText, grey)
        self.table.setPalette(palette)
        self.table.setProperty("stale", True)
