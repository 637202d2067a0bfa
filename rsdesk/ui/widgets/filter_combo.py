"""A filter drop-down of fixed, modest width whose list still opens wide enough to read.

A combo box sized to its contents grows to its longest item: one long department name made the
asset register's filter row wider than the window. Every filter row uses this instead, so the
row stays compact and the combos line up; the open list and the tooltip show the full text.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QComboBox, QStyle, QWidget

#: Characters a filter combo shows before eliding ("Department: all", most names in full).
FILTER_COMBO_CHARACTERS = 14


class FilterCombo(QComboBox):
    """A ``QComboBox`` about ``characters`` wide, whatever its items."""

    def __init__(
        self, parent: QWidget | None = None, characters: int = FILTER_COMBO_CHARACTERS
    ) -> None:
        super().__init__(parent)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(characters)

    def showPopup(self) -> None:  # noqa: N802
        """Open the list as wide as its longest item (the closed combo stays narrow)."""
        view = self.view()
        scroll_bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        view.setMinimumWidth(view.sizeHintForColumn(0) + scroll_bar + 2 * view.frameWidth())
        super().showPopup()

    def event(self, event: QEvent) -> bool:
        """The tooltip names the filter and its whole current choice, which may be elided."""
        if event.type() == QEvent.Type.ToolTip:
            name = self.accessibleName()
            text = self.currentText()
            self.setToolTip(text if not name or text.startswith(name) else f"{name}: {text}")
        return super().event(event)
