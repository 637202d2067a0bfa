"""Charts for the PDF reports (reportlab.graphics), drawn to stay legible with many categories.

Bars are horizontal, one row per category with its label on the left and its value at the end of
the bar, so that long labels (technology areas, departments) never overlap and twenty categories
read as well as three. Labels in any script are drawn with the font that has their glyphs.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from rsdesk.services.reports.pdf import fonts, styles

ROW = 15
FONT_SIZE = 7.5


def _fit(text: str, font: str, size: float, width: float) -> str:
    """Shortens ``text`` with an ellipsis until it fits ``width`` points."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "\u2026", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "\u2026"


def _label(
    drawing: Drawing,
    x: float,
    y: float,
    text: str,
    width: float,
    anchor: str = "end",
    size: float = FONT_SIZE,
    bold: bool = False,
    colour: str = styles.INK,
) -> None:
    font, shaped = fonts.single_font(text, bold=bold)
    drawing.add(
        String(
            x,
            y,
            _fit(shaped, font, size, width),
            fontName=font,
            fontSize=size,
            textAnchor=anchor,
            fillColor=colors.HexColor(colour),
        )
    )


def horizontal_bars(
    items: Sequence[tuple[str, float]],
    width: float,
    *,
    colours: Sequence[str] | None = None,
    value_format: str = "{:,.0f}",
    maximum: float | None = None,
    label_share: float = 0.38,
) -> Drawing:
    """One bar per ``(label, value)``; ``colours`` per bar (default: the first palette colour)."""
    fonts.register()
    height = ROW * len(items) + 6
    drawing = Drawing(width, height)
    label_width = width * label_share
    value_room = 40
    bar_room = width - label_width - value_room - 8
    top = max([value for _, value in items] + [maximum or 0, 1])
    drawing.add(
        Line(
            label_width + 4,
            2,
            label_width + 4,
            height - 2,
            strokeColor=colors.HexColor(styles.RULE),
            strokeWidth=0.5,
        )
    )
    for index, (text, value) in enumerate(items):
        y = height - (index + 1) * ROW
        _label(drawing, label_width, y + 4, text, label_width - 4)
        length = bar_room * (value / top) if top else 0
        colour = colours[index % len(colours)] if colours else styles.PALETTE[0]
        if length > 0:
            drawing.add(
                Rect(
                    label_width + 4,
                    y + 1.5,
                    length,
                    ROW - 5,
                    fillColor=colors.HexColor(colour),
                    strokeColor=None,
                )
            )
        _label(
            drawing,
            label_width + 8 + length,
            y + 4,
            value_format.format(value),
            value_room,
            anchor="start",
            colour=styles.MUTED,
        )
    return drawing


def grouped_columns(
    groups: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    width: float,
    height: float = 150,
) -> Drawing:
    """Vertical columns per group (e.g. quarters), one per series, with a legend and values."""
    fonts.register()
    drawing = Drawing(width, height)
    legend_height = 16
    base = 16
    plot_height = height - base - legend_height - 10
    top = max([max(values, default=0) for _, values in series] + [1])
    slot = width / max(len(groups), 1)
    bar = min(28, slot * 0.7 / max(len(series), 1))
    drawing.add(
        Line(0, base, width, base, strokeColor=colors.HexColor(styles.RULE), strokeWidth=0.5)
    )
    for g_index, group in enumerate(groups):
        centre = slot * (g_index + 0.5)
        start = centre - bar * len(series) / 2
        for s_index, (_, values) in enumerate(series):
            value = values[g_index]
            h = plot_height * value / top
            x = start + s_index * bar
            drawing.add(
                Rect(
                    x + 1,
                    base,
                    bar - 2,
                    h,
                    strokeColor=None,
                    fillColor=colors.HexColor(styles.PALETTE[s_index % len(styles.PALETTE)]),
                )
            )
            _label(
                drawing,
                x + bar / 2,
                base + h + 3,
                f"{value:,.0f}",
                bar + 10,
                anchor="middle",
                colour=styles.MUTED,
            )
        _label(drawing, centre, base - 11, group, slot, anchor="middle")
    x = 0.0
    for s_index, (name, _) in enumerate(series):
        drawing.add(
            Rect(
                x,
                height - 10,
                8,
                8,
                strokeColor=None,
                fillColor=colors.HexColor(styles.PALETTE[s_index % len(styles.PALETTE)]),
            )
        )
        _label(drawing, x + 12, height - 9, name, 150, anchor="start")
        x += 20 + stringWidth(name, fonts.BASE, FONT_SIZE) + 16
    return drawing


def pie(
    items: Sequence[tuple[str, float]], colours: Sequence[str], width: float, size: float = 120
) -> Drawing:
    """A pie with a legend beside it giving each slice's label, count and share."""
    fonts.register()
    height = max(size + 10, ROW * len(items) + 10)
    drawing = Drawing(width, height)
    total = sum(value for _, value in items) or 1
    chart = Pie()
    chart.x, chart.y = 5, (height - size) / 2
    chart.width = chart.height = size
    chart.data = [value for _, value in items]
    chart.labels = None
    chart.simpleLabels = 1
    chart.slices.strokeColor = colors.white
    chart.slices.strokeWidth = 1
    for index, colour in enumerate(colours):
        chart.slices[index].fillColor = colors.HexColor(colour)
    drawing.add(chart)
    x = size + 30
    for index, (text, value) in enumerate(items):
        y = height - 10 - (index + 1) * ROW + ROW / 2
        drawing.add(
            Rect(
                x,
                y,
                9,
                9,
                strokeColor=None,
                fillColor=colors.HexColor(colours[index % len(colours)]),
            )
        )
        _label(
            drawing,
            x + 14,
            y + 1.5,
            f"{text}: {value:,.0f} ({100 * value / total:.0f}%)",
            width - x - 14,
            anchor="start",
        )
    return drawing
