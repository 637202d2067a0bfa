"""Figure tiles: a big number with its label, clickable and keyboard-activatable (Enter, Space).

Colours come from the palette (so light and dark themes both work); the tile's tone only paints
the accent bar and, when it signals trouble, the number.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeyEvent, QMouseEvent, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

#: Tone -> (colour on a light palette, colour on a dark palette).
TONE_COLOURS = {
    "neutral": ("#5c6b7a", "#9fb0c0"),
    "good": ("#2e7d32", "#81c784"),
    "warning": ("#b26a00", "#ffb74d"),
    "alert": ("#c62828", "#ef9a9a"),
}


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def tone_colour(tone: str, palette: QPalette) -> QColor:
    light, dark = TONE_COLOURS.get(tone, TONE_COLOURS["neutral"])
    return QColor(dark if is_dark(palette) else light)


class FigureTile(QFrame):
    """One dashboard figure. Emits ``activated`` on click, Enter/Return or Space."""

    activated = Signal()

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("figureTile")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._tone = "neutral"
        self._clickable = True
        self._styling = False
        self._source_palette: QPalette | None = None

        self.accent = QFrame()
        self.accent.setObjectName("tileAccent")
        self.accent.setFixedWidth(5)
        self.value_label = QLabel("–")
        self.value_label.setObjectName("tileValue")
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 2.1)
        font.setWeight(QFont.Weight.DemiBold)
        self.value_label.setFont(font)
        self.title_label = QLabel(label)
        self.title_label.setObjectName("tileTitle")
        self.title_label.setWordWrap(True)
        title_font = QFont(self.font())
        title_font.setWeight(QFont.Weight.DemiBold)
        self.title_label.setFont(title_font)
        self.detail_label = QLabel("")
        self.detail_label.setObjectName("tileDetail")
        self.detail_label.setWordWrap(True)
        self.detail_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        text = QVBoxLayout()
        text.setContentsMargins(12, 8, 12, 10)
        text.setSpacing(2)
        text.addWidget(self.value_label)
        text.addWidget(self.title_label)
        text.addWidget(self.detail_label)
        text.addStretch(1)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.accent)
        row.addLayout(text, 1)
        self.setMinimumHeight(self.sizeHint().height())
        self.set_clickable(True)
        self._apply_style()

    def set_figure(self, value: str, tone: str, detail: str = "") -> None:
        self.value_label.setText(value)
        self.detail_label.setText(detail)
        self.detail_label.setVisible(bool(detail))
        self._tone = tone
        self.setAccessibleName(f"{self.title_label.text()}: {value}")
        self._apply_style()

    def set_clickable(self, clickable: bool, hint: str = "") -> None:
        self._clickable = clickable
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus if clickable else Qt.FocusPolicy.NoFocus)
        self.setCursor(
            Qt.CursorShape.PointingHandCursor if clickable else Qt.CursorShape.ArrowCursor
        )
        self.setToolTip(hint)
        self.setAccessibleDescription(hint)

    def clickable(self) -> bool:
        return self._clickable

    def restyle(self, palette: QPalette) -> None:
        """Follow ``palette`` (the page's): a widget with a style sheet stops inheriting it."""
        self._source_palette = QPalette(palette)
        self._apply_style()

    def _apply_style(self) -> None:
        self._styling = True
        try:
            self._restyle()
        finally:
            self._styling = False

    def _restyle(self) -> None:
        palette = self._source_palette or self.palette()
        accent = tone_colour(self._tone, palette)
        base = palette.color(QPalette.ColorRole.Base)
        border = palette.color(QPalette.ColorRole.Mid)
        focus = palette.color(QPalette.ColorRole.Highlight)
        hover = base.darker(104) if not is_dark(palette) else base.lighter(125)
        self.setStyleSheet(
            f"QFrame#figureTile {{ background: {base.name()}; border: 1px solid {border.name()};"
            f" border-radius: 6px; }}"
            f"QFrame#figureTile:hover {{ background: {hover.name()}; }}"
            f"QFrame#figureTile:focus {{ border: 2px solid {focus.name()}; }}"
            f"QFrame#tileAccent {{ background: {accent.name()}; border: none;"
            f" border-top-left-radius: 6px; border-bottom-left-radius: 6px; }}"
            f"QLabel {{ background: transparent; border: none; }}"
        )
        colour = (
            accent if self._tone in ("alert", "warning") else palette.color(QPalette.ColorRole.Text)
        )
        value_palette = self.value_label.palette()
        value_palette.setColor(QPalette.ColorRole.WindowText, colour)
        self.value_label.setPalette(value_palette)

    # -- events -------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:  # palette switches (light/dark)
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and not self._styling:
            self._apply_style()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if (
            self._clickable
            and event.button() == Qt.MouseButton.LeftButton
            and self.rect().contains(event.position().toPoint())
        ):
            self.activated.emit()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._clickable and event.key() in (
            Qt.Key.Key_Return,
            Qt.Key.Key_Enter,
            Qt.Key.Key_Space,
        ):
            self.activated.emit()
            event.accept()
            return
        super().keyPressEvent(event)
