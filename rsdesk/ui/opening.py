"""The window's opening on the start-up preview (rsdesk.ui.app): the database opens only after the
preview's rows are painted, and the window takes no input until it is open.

Showing a window only asks for a paint; the window system answers a little later. Work started
at once on the GUI thread (opening the database takes about half a second) would come first and
keep the window blank, which is what the preview is there to avoid. Meanwhile the window shows
rows but has no database behind it: a click on a heading or a key would start work on the
preview's layout-only register, so input is set aside (a busy cursor says why) until it is open.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Slot
from PySide6.QtWidgets import QApplication, QWidget

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


#: What a user does; painting, resizing, closing and the window system's own events go on.
_INPUT = frozenset(
    {
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.Wheel,
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.ShortcutOverride,
        QEvent.Type.Shortcut,
        QEvent.Type.ContextMenu,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
    }
)


class InputHeld(QObject):
    """Sets aside the user's input to the application, with a busy cursor, until ``release``."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._held = True
        application = QApplication.instance()
        assert application is not None
        application.installEventFilter(self)
        QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        return self._held and event.type() in _INPUT

    def release(self) -> None:
        if not self._held:
            return
        self._held = False
        application = QApplication.instance()
        if application is not None:
            application.removeEventFilter(self)
        QApplication.restoreOverrideCursor()
