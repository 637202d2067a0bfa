"""Run something once a widget has been painted: the database opens behind the start-up preview
only after its rows are on the screen (rsdesk.ui.app).

Showing a window only asks for a paint; the window system answers a little later. Work started
at once on the GUI thread (opening the database takes about half a second) would come first and
keep the window blank, which is what the preview is there to avoid.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Slot
from PySide6.QtWidgets import QWidget

#: Go ahead anyway after this long (a window started minimised is never painted).
LONGEST_WAIT_MS = 500


class AfterFirstPaint(QObject):
    """Calls ``then`` right after ``widget``'s first paint, or after ``LONGEST_WAIT_MS``."""

    def __init__(self, widget: QWidget, then: Callable[[], None]) -> None:
        super().__init__(widget)
        self._widget = widget
        self._then: Callable[[], None] | None = then
        widget.installEventFilter(self)
        QTimer.singleShot(LONGEST_WAIT_MS, self, self._go)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self._widget and event.type() == QEvent.Type.Paint:
            # This paint is about to happen: go on once it is done (and flushed to the screen).
            QTimer.singleShot(0, self, self._go)
        return False

    @Slot()
    def _go(self) -> None:
        then, self._then = self._then, None
        if then is None:
            return
        self._widget.removeEventFilter(self)
        then()
