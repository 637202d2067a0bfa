"""Dashboard charts on QtCharts: a risk donut, bars per quarter, compliance bars per department.

Each chart is a ``QChartView`` subclass with a ``set_data`` method taking plain values, and
follows the application palette (light or dark) so it sits on the page like any other widget.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QPieSeries,
    QPieSlice,
    QValueAxis,
)
from PySide6.QtCore import QEvent, QMargins, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QCursor,
    QFont,
    QFontMetrics,
    QPainter,
    QPalette,
    QResizeEvent,
)
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QToolTip, QWidget

from rsdesk.ui.widgets.tiles import is_dark

#: Risk level -> (light palette colour, dark palette colour). "none": not appraised.
RISK_COLOURS = {
    "low": ("#43a047", "#66bb6a"),
    "medium": ("#f9a825", "#ffd54f"),
    "high": ("#ef6c00", "#ffa726"),
    "very_high": ("#c62828", "#ef5350"),
    "none": ("#90a4ae", "#78909c"),
}
BAR_COLOUR = ("#1e6fb8", "#64b5f6")


def _pick(colours: tuple[str, str], palette: QPalette) -> QColor:
    return QColor(colours[1] if is_dark(palette) else colours[0])


class ChartCard(QChartView):
    """A chart with a title, drawn antialiased on the palette's base colour."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        chart = QChart()
        chart.setTitle(title)
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.setMargins(QMargins(6, 6, 6, 6))
        chart.setBackgroundRoundness(6)
        chart.layout().setContentsMargins(0, 0, 0, 0)
        super().__init__(chart, parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(260)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName(title)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        #: Shown over the plot when there is nothing to draw.
        self.placeholder = QLabel(self)
        self.placeholder.setObjectName("chartPlaceholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.placeholder.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.placeholder.hide()
        self.apply_palette()

    def set_placeholder(self, text: str) -> None:
        """Show ``text`` instead of an empty plot (empty text hides it)."""
        self.placeholder.setText(text)
        self.placeholder.setVisible(bool(text))
        self._place_placeholder()

    def _place_placeholder(self) -> None:
        margin = 24
        self.placeholder.setGeometry(
            margin,
            margin * 2,
            max(self.width() - 2 * margin, 0),
            max(self.height() - 3 * margin, 0),
        )

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_placeholder()

    def apply_palette(self) -> None:
        palette = self.palette()
        chart = self.chart()
        chart.setTheme(
            QChart.ChartTheme.ChartThemeDark
            if is_dark(palette)
            else QChart.ChartTheme.ChartThemeLight
        )
        text = palette.color(QPalette.ColorRole.Text)
        chart.setBackgroundBrush(palette.color(QPalette.ColorRole.Base))
        chart.setBackgroundPen(palette.color(QPalette.ColorRole.Mid))
        self.setBackgroundBrush(palette.color(QPalette.ColorRole.Window))
        title_font = QFont(self.font())
        title_font.setWeight(QFont.Weight.DemiBold)
        chart.setTitleFont(title_font)
        chart.setTitleBrush(text)
        chart.legend().setLabelColor(text)
        chart.legend().setFont(self.font())
        axis_font = QFont(self.font())
        axis_font.setPointSizeF(axis_font.pointSizeF() * 0.9)
        for axis in chart.axes():
            axis.setLabelsBrush(text)
            axis.setLabelsFont(axis_font)
            axis.setGridLineColor(palette.color(QPalette.ColorRole.Midlight))
            axis.setLinePenColor(palette.color(QPalette.ColorRole.Mid))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.redraw()

    def redraw(self) -> None:
        """Rebuild series after a palette change (theme resets series colours)."""
        self.apply_palette()


class RiskDonut(ChartCard):
    """Active collaborations per risk level; clicking a slice emits its level."""

    level_clicked = Signal(str)

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.empty_text = self.tr("Nothing to show yet")
        self._data: list[tuple[str, str, int]] = []
        legend = self.chart().legend()
        legend.setAlignment(Qt.AlignmentFlag.AlignRight)
        # QtCharts gives the legend a narrow share and elides "Not appraised 1,234"; reserve
        # the width of the longest label instead.
        self._legend_width_for(["Not appraised 00,000"])

    def _legend_width_for(self, labels: Sequence[str]) -> None:
        metrics = QFontMetrics(self.font())
        widest = max(metrics.horizontalAdvance(label) for label in labels)
        self.chart().legend().setMinimumWidth(widest + metrics.height() * 2)

    def set_data(self, data: Sequence[tuple[str, str, int]]) -> None:
        """``(level key, label, count)`` per level."""
        self._data = list(data)
        self.setAccessibleDescription(", ".join(f"{label}: {count}" for _k, label, count in data))
        self.redraw()

    def redraw(self) -> None:
        chart = self.chart()
        chart.removeAllSeries()
        self.apply_palette()
        series = QPieSeries()
        series.setHoleSize(0.5)
        series.setPieSize(0.8)
        total = sum(count for _key, _label, count in self._data)
        palette = self.palette()
        for key, label, count in self._data:
            piece = QPieSlice(f"{label} {count:,}", max(count, 0))
            piece.setColor(_pick(RISK_COLOURS.get(key, RISK_COLOURS["none"]), palette))
            piece.setBorderColor(palette.color(QPalette.ColorRole.Base))
            piece.setProperty("level", key)
            piece.clicked.connect(self._on_slice_clicked)
            series.append(piece)
        if total:  # else a note instead of an empty ring and a legend of zeros
            chart.addSeries(series)
        chart.legend().setVisible(total > 0)
        chart.legend().setLabelColor(palette.color(QPalette.ColorRole.Text))
        markers = chart.legend().markers(series)
        for marker, (_key, _label, count) in zip(markers, self._data, strict=False):
            marker.setVisible(count > 0)
        self.set_placeholder("" if total else self.empty_text)

    def _on_slice_clicked(self) -> None:
        piece = self.sender()
        level = piece.property("level") if piece is not None else None
        if isinstance(level, str):
            self.level_clicked.emit(level)


class BarChart(ChartCard):
    """Vertical bars over categories (appraisals per quarter)."""

    def __init__(self, title: str, value_title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.value_title = value_title
        self.empty_text = self.tr("Nothing to show yet")
        self._data: list[tuple[str, float]] = []
        self.chart().legend().setVisible(False)

    def set_data(self, data: Sequence[tuple[str, float]]) -> None:
        self._data = list(data)
        self.setAccessibleDescription(
            ", ".join(f"{_plain(label)}: {value:g}" for label, value in data)
        )
        self.redraw()

    def redraw(self) -> None:
        chart = self.chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        if not any(value for _label, value in self._data):
            self.set_placeholder(self.empty_text)
            self.apply_palette()
            return
        self.set_placeholder("")
        palette = self.palette()
        bars = QBarSet(self.value_title or self.chart().title())
        bars.setColor(_pick(BAR_COLOUR, palette))
        bars.setBorderColor(_pick(BAR_COLOUR, palette))
        for _label, value in self._data:
            bars.append(value)
        series = QBarSeries()
        series.append(bars)
        series.setLabelsVisible(True)
        series.setLabelsPosition(QBarSeries.LabelsPosition.LabelsOutsideEnd)
        series.setLabelsFormat("@value")
        bars.setLabelColor(palette.color(QPalette.ColorRole.Text))
        chart.addSeries(series)
        categories = QBarCategoryAxis()
        categories.append([label for label, _value in self._data])
        chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(categories)
        values = QValueAxis()
        top = max([value for _label, value in self._data] + [0])
        values.setRange(0, _nice_ceiling(top * 1.15))
        values.setLabelFormat("%d")
        values.setTickCount(5)
        chart.addAxis(values, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(values)
        self.apply_palette()


class PercentBars(ChartCard):
    """Horizontal bars 0–100 % per category (training compliance by department)."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.empty_text = self.tr("Nothing to show yet")
        self._data: list[tuple[str, float]] = []
        self.chart().legend().setVisible(False)

    def set_data(self, data: Sequence[tuple[str, float]]) -> None:
        self._data = list(data)
        self.setAccessibleDescription(
            ", ".join(f"{_plain(label)}: {value:g}" for label, value in data)
        )
        self.redraw()

    def redraw(self) -> None:
        chart = self.chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        self.set_placeholder("" if self._data else self.empty_text)
        if not self._data:
            self.apply_palette()
            return
        palette = self.palette()
        bars = QBarSet(self.tr("Compliance"))
        colour = _pick(BAR_COLOUR, palette)
        bars.setColor(colour)
        bars.setBorderColor(colour)
        # Qt draws horizontal categories bottom-up; reverse so the list reads top-down.
        data = list(reversed(self._data))
        for _label, value in data:
            bars.append(value)
        series = QHorizontalBarSeries()
        series.append(bars)
        series.setBarWidth(0.7)
        chart.addSeries(series)
        categories = QBarCategoryAxis()
        # The value leads the label (names get elided): a bar label cannot show on a 0 % bar.
        names = _axis_names([label for label, _value in data])
        categories.append(
            [f"{value:.0f} %  {_short(name, 24)}" for name, (_label, value) in zip(names, data)]
        )
        # The full names, for whoever hovers a bar (the axis has room for about 24 letters).
        full_names = [label for label, _value in data]
        series.hovered.connect(
            lambda status, index, _set: QToolTip.showText(
                QCursor.pos(), full_names[index] if status and 0 <= index < len(full_names) else ""
            )
        )
        chart.addAxis(categories, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(categories)
        values = QValueAxis()
        values.setRange(0, 100)
        values.setLabelFormat("%d %%")
        values.setTickCount(6)
        chart.addAxis(values, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(values)
        self.apply_palette()


def _plain(label: str) -> str:
    """An axis label without its line-break markup, for screen readers."""
    return label.replace("<br>", " ")


#: Words that begin many unit names and tell them apart from nothing: "Department of Astrophysics"
#: and "Department of Astronomy" both read "Department of A…" when cut at the axis's width.
_GENERIC_STARTS = (
    "department of ",
    "faculty of ",
    "school of ",
    "institute of ",
    "institute for ",
    "centre for ",
    "center for ",
)


def _without_generic_start(label: str) -> str:
    """``label`` without a leading "Department of " (and the like), capitalised again."""
    lowered = label.lower()
    for start in _GENERIC_STARTS:
        if lowered.startswith(start) and len(label) > len(start):
            rest = label[len(start) :]
            return rest[:1].upper() + rest[1:]
    return label


def _axis_names(labels: list[str]) -> list[str]:
    """Each label without its generic start, unless two would then read the same ("Faculty of
    Medicine" and "Department of Medicine" keep theirs)."""
    shortened = [_without_generic_start(label) for label in labels]
    seen: dict[str, int] = {}
    for name in shortened:
        seen[name.lower()] = seen.get(name.lower(), 0) + 1
    return [
        name if seen[name.lower()] == 1 else label
        for name, label in zip(shortened, labels, strict=True)
    ]


def _short(label: str, width: int = 28) -> str:
    return label if len(label) <= width else label[: width - 1].rstrip() + "…"


def _nice_ceiling(value: float) -> int:
    """A round axis maximum (at least 4) so ticks land on whole numbers."""
    if value <= 4:
        return 4
    step = 1
    while step * 10 < value:
        step *= 10
    for factor in (1, 2, 4, 5, 8, 10):
        if step * factor >= value and (step * factor) % 4 == 0:
            return step * factor
    return int(-(-value // 4) * 4)
