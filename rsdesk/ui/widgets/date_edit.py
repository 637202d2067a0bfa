"""A date picker that can also say "no date" (end dates, review dates are often unknown)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import QDateEdit, QWidget

from rsdesk.ui.itemmodels.register_table_model import date_pattern

_EMPTY = QDate(1900, 1, 1)


class OptionalDateEdit(QDateEdit):
    """A QDateEdit with a calendar popup whose lowest value reads "No date".

    Delete or Backspace on a selected date clears it; arrows or the calendar start from today.
    Tab and Shift+Tab leave an empty field at once (QDateTimeEdit swallows them while it shows
    its special value, trapping keyboard users); on a date they step through day, month and year
    first. ``value()`` / ``set_value()`` speak Python dates and None.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setMinimumDate(_EMPTY)
        self.setMaximumDate(QDate(2200, 12, 31))
        self.setSpecialValueText(self.tr("No date"))
        self.setDisplayFormat(date_pattern(self.locale()))
        self.setDate(_EMPTY)
        self.setToolTip(self.tr("Pick a date; Delete clears it"))

    def value(self) -> dt.date | None:
        date = self.date()
        if date == _EMPTY:
            return None
        return dt.date(date.year(), date.month(), date.day())

    def set_value(self, value: dt.date | None) -> None:
        self.setDate(_EMPTY if value is None else QDate(value.year, value.month, value.day))

    def clear_value(self) -> None:
        self.setDate(_EMPTY)

    def stepBy(self, steps: int) -> None:  # noqa: N802
        if self.value() is None:
            self.setDate(QDate.currentDate())
            return
        super().stepBy(steps)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        moves_focus = event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab) and not (
            event.modifiers()
            & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
        )
        if moves_focus and self.value() is None:
            forward = event.key() == Qt.Key.Key_Tab and not (
                event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            )
            QWidget.focusNextPrevChild(self, forward)
            event.accept()
            return
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and (
            self.lineEdit().selectedText() == self.lineEdit().text() or self.value() is None
        ):
            self.clear_value()
            event.accept()
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802
        if self.value() is None:
            today = QDate.currentDate()
            self.calendarWidget().setCurrentPage(today.year(), today.month())
        super().focusInEvent(event)
