"""Answering a modal dialog from a test: exec() blocks the test until the dialog closes."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget


def when_modal(action: Callable[[QWidget], None]) -> None:
    """Run ``action`` on the next modal dialog once it is shown."""

    def attempt() -> None:
        widget = QApplication.activeModalWidget()
        if widget is None or not widget.isVisible():
            QTimer.singleShot(20, attempt)
            return
        action(widget)

    QTimer.singleShot(20, attempt)
