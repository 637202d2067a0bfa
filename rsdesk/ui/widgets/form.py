"""Small helpers shared by the editors: the error line under a field, and modal questions.

Tests replace the ``ask_*`` functions (they are the only modal prompts an editor shows), never the
database or the widgets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

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


def may_close(editor: QWidget, dirty: bool, save: Callable[[], object]) -> bool:
    """The close guard of the editors (Escape, Cancel, the window's close button): True when
    the editor may close now. Unsaved changes ask Save, Discard or Cancel; Save starts the
    editor's own save, which closes it once stored (or keeps it open showing why not)."""
    if not dirty or not editor.isEnabled():
        return True
    answer = ask_discard_changes(editor)
    if answer == QMessageBox.StandardButton.Save:
        save()
        return False
    return answer == QMessageBox.StandardButton.Discard


#: Widget property of controls that change what a form shows, not what it saves.
VIEW_ONLY = "rsdeskViewOnly"


def mark_view_only(widget: QWidget) -> None:
    """Leave ``widget`` out of the unsaved-changes snapshot: a "show more" tick, say."""
    widget.setProperty(VIEW_ONLY, True)


def form_values(form: QWidget) -> tuple[Any, ...]:
    """What the user can have typed or picked in ``form``, in a comparable snapshot: texts,
    choices, ticks, dates and ticked list items (for editors that keep no input record).

    A choice counts by what was picked, not by its row, so a list that grows or shrinks around the
    picked item changes nothing; controls that only change what is shown (marked with
    ``mark_view_only``) are left out."""
    values: list[Any] = []
    for widget in form.findChildren(QWidget):
        if widget.property(VIEW_ONLY):
            continue
        if isinstance(widget, QLineEdit | QAbstractSpinBox):
            values.append(widget.text())
        elif isinstance(widget, QPlainTextEdit | QTextEdit):
            values.append(widget.toPlainText())
        elif isinstance(widget, QComboBox):
            values.append((widget.currentData(), widget.currentText()))
        elif isinstance(widget, QAbstractButton) and widget.isCheckable():
            values.append(widget.isChecked())
        elif isinstance(widget, QListWidget):
            values.append(
                tuple(
                    widget.item(row).data(Qt.ItemDataRole.CheckStateRole)
                    for row in range(widget.count())
                )
            )
    return tuple(values)


class UnsavedChanges:
    """Whether an editor's form differs from when it was last filled or saved."""

    def __init__(self, form: QWidget) -> None:
        self.form = form
        self._clean: tuple[Any, ...] | None = None

    def mark_clean(self) -> None:
        """Call once the form shows the record (after loading, after a save)."""
        self._clean = form_values(self.form)

    def dirty(self) -> bool:
        return self._clean is not None and form_values(self.form) != self._clean


def ask_confirm(parent: QWidget, title: str, text: str) -> bool:
    answer = QMessageBox.question(
        parent,
        title,
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes
