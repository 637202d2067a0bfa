"""Small helpers shared by the editors: the error line under a field, and modal questions.

Tests replace the ``ask_*`` functions (they are the only modal prompts an editor shows), never the
database or the widgets.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from rsdesk.ui.widgets.badges import is_dark


class FieldError(QLabel):
    """The reason a field was refused, shown right under it; hidden when there is none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fieldError")
        self.setWordWrap(True)
        self.hide()

    def show_error(self, message: str) -> None:
        palette = self.palette()
        colour = "#ff8a80" if is_dark(palette) else "#b71c1c"
        palette.setColor(QPalette.ColorRole.WindowText, QColor(colour))
        self.setPalette(palette)
        self.setText("⚠ " + message)
        self.setAccessibleName(message)
        self.show()

    def clear_error(self) -> None:
        self.clear()
        self.hide()


def ask_discard_changes(parent: QWidget) -> QMessageBox.StandardButton:
    """Save, Discard or Cancel, for closing an editor with unsaved changes."""
    return QMessageBox.question(
        parent,
        parent.tr("Unsaved changes"),
        parent.tr("This record has changes that are not saved. Save them?"),
        QMessageBox.StandardButton.Save
        | QMessageBox.StandardButton.Discard
        | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Save,
    )


def ask_confirm(parent: QWidget, title: str, text: str) -> bool:
    answer = QMessageBox.question(
        parent,
        title,
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes
