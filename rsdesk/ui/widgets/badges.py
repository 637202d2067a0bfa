"""Colours for risk-level and status badges, readable on light and dark palettes.

A badge is a tinted background with a text colour chosen for contrast. The tints are mixed from a
hue and the palette's own base colour, so a dark theme gets dark tints with light text and a light
theme pale tints with dark text; nothing is a hard-coded white.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

#: Hue per badge value (risk levels and statuses of every register). Unknown values get none.
HUES: dict[str, str] = {
    # risk levels
    "low": "#2e7d32",
    "medium": "#f9a825",
    "high": "#ef6c00",
    "very_high": "#c62828",
    # good / done
    "approved": "#2e7d32",
    "active": "#1565c0",
    "done": "#2e7d32",
    "signed_off": "#2e7d32",
    "clear": "#2e7d32",
    "in_place": "#00838f",
    "verified": "#2e7d32",
    # waiting
    "proposed": "#6a1b9a",
    "under_appraisal": "#f9a825",
    "approved_with_conditions": "#00838f",
    "draft": "#f9a825",
    "planned": "#6a1b9a",
    "in_progress": "#1565c0",
    "open": "#f9a825",
    "pending": "#f9a825",
    "to review": "#f9a825",
    # bad
    "rejected": "#c62828",
    "match": "#c62828",
    "true_match": "#c62828",
    "overdue": "#c62828",
    # finished or set aside: subdued, but each value of one column still tells apart from the
    # others (ended blue-grey, withdrawn and cancelled brown, waived olive, not applicable grey)
    "ended": "#607d8b",
    "left": "#607d8b",  # a person who left: their onboarding no longer counts
    "withdrawn": "#8d6e63",
    "cancelled": "#8d6e63",
    "waived": "#9e9d24",
    "not_applicable": "#757575",
    "false_positive": "#757575",
    # training (the matrix, its legend and the staff panel's strip)
    "current": "#2e7d32",
    "expiring": "#f9a825",
    "expired": "#c62828",
    "missing": "#757575",
}


def is_dark(palette: QPalette | None = None) -> bool:
    palette = palette or QApplication.palette()
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def _mix(a: QColor, b: QColor, weight: float) -> QColor:
    return QColor(
        round(a.red() * weight + b.red() * (1 - weight)),
        round(a.green() * weight + b.green() * (1 - weight)),
        round(a.blue() * weight + b.blue() * (1 - weight)),
    )


def _luminance(color: QColor) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(color.red())
        + 0.7152 * channel(color.green())
        + 0.0722 * channel(color.blue())
    )


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def muted_text(palette: QPalette | None = None) -> QColor:
    """Text that reads as secondary yet stays legible (WCAG 4.5:1 on the base colour).

    The palette's placeholder grey is only about 3.9:1 on white; three parts text to two parts
    base keeps at least 4.5:1 on light and dark palettes alike.
    """
    palette = palette or QApplication.palette()
    text = palette.color(QPalette.ColorRole.Text)
    base = palette.color(QPalette.ColorRole.Base)
    return QColor(
        round(0.6 * text.red() + 0.4 * base.red()),
        round(0.6 * text.green() + 0.4 * base.green()),
        round(0.6 * text.blue() + 0.4 * base.blue()),
    )


def badge_colours(
    value: str | None, palette: QPalette | None = None
) -> tuple[QColor, QColor] | None:
    """(background, text) for a badge value, or None when the value has no badge."""
    if not value or value not in HUES:
        return None
    palette = palette or QApplication.palette()
    base = palette.color(QPalette.ColorRole.Base)
    hue = QColor(HUES[value])
    background = _mix(hue, base, 0.45 if is_dark(palette) else 0.28)
    dark_text, light_text = QColor("#111111"), QColor("#f5f5f5")
    text = (
        dark_text
        if contrast(background, dark_text) >= contrast(background, light_text)
        else light_text
    )
    return background, text


def badge_css(value: str | None, palette: QPalette | None = None) -> str:
    """Style-sheet colours of a badge for rich text and labels ("" when the value has none)."""
    colours = badge_colours(value, palette)
    if colours is None:
        return ""
    background, text = colours
    return f"background:{background.name()}; color:{text.name()};"


class BadgeDelegate(QStyledItemDelegate):
    """Draws a risk or status cell as a rounded badge as wide as its text, not a tinted cell.

    A tinted cell grew with its column: the last column stretches to the table's edge, so a
    "Clear" badge there became a green band across the window. The cell itself is drawn plainly
    (selection, alternating rows, focus), the badge on top. Cells without a badge colour are
    drawn as usual.
    """

    #: Space between the text and the badge's edge, in pixels.
    PADDING = 6

    def sizeHint(self, option: QStyleOptionViewItem, index: Any) -> QSize:  # noqa: N802
        """Room for the badge's padding, for columns sized to their contents."""
        size = super().sizeHint(option, index)
        if isinstance(index.data(Qt.ItemDataRole.BackgroundRole), QColor | QBrush):
            size.setWidth(size.width() + 2 * self.PADDING)
        return size

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Any) -> None:
        background = index.data(Qt.ItemDataRole.BackgroundRole)
        foreground = index.data(Qt.ItemDataRole.ForegroundRole)
        if not isinstance(background, QColor | QBrush):
            super().paint(painter, option, index)
            return
        cell = QStyleOptionViewItem(option)
        self.initStyleOption(cell, index)
        text = cell.text
        cell.text = ""
        cell.backgroundBrush = QBrush()
        widget = option.widget  # type: ignore[attr-defined]
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, cell, painter, widget)
        text_rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, cell, widget)
        metrics = cell.fontMetrics
        room = max(text_rect.width() - 2 * self.PADDING, 0)
        shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, room)
        width = min(metrics.horizontalAdvance(shown) + 2 * self.PADDING, text_rect.width())
        height = min(metrics.height() + 4, text_rect.height())
        badge = QRectF(
            text_rect.left(),
            text_rect.top() + (text_rect.height() - height) / 2,
            width,
            height,
        )
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(background)
        painter.drawRoundedRect(badge, height / 3, height / 3)
        colour = foreground.color() if isinstance(foreground, QBrush) else foreground
        painter.setPen(colour if isinstance(colour, QColor) else cell.palette.text().color())
        painter.setFont(cell.font)
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, shown)
        painter.restore()
