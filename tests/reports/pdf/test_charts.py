"""Charts stay legible with many categories: one row each, labels that fit, every value shown."""

from __future__ import annotations

from reportlab.graphics.shapes import String
from reportlab.pdfbase.pdfmetrics import stringWidth

from rsdesk.services.reports.pdf import charts


def _strings(drawing) -> list[String]:  # noqa: ANN001
    return [item for item in drawing.contents if isinstance(item, String)]


def test_many_long_categories_get_a_row_each_and_fit() -> None:
    items = [
        (f"Department of very long names number {i} — Лаборатория 物理学", i * 3) for i in range(40)
    ]
    width = 480
    drawing = charts.horizontal_bars(items, width, label_share=0.4)
    assert drawing.height >= charts.ROW * len(items)
    labels = [s for s in _strings(drawing) if s.textAnchor == "end"]
    values = [s for s in _strings(drawing) if s.textAnchor == "start"]
    assert len(labels) == len(values) == len(items)
    for label in labels:
        assert stringWidth(label.text, label.fontName, label.fontSize) <= width * 0.4
    # labels in Chinese use the font that has the glyphs
    assert {label.fontName for label in labels} == {"RsCJK"}
    assert [v.text for v in values] == [f"{value:,}" for _, value in items]
    # rows do not overlap
    ys = sorted(label.y for label in labels)
    assert all(b - a >= charts.ROW - 0.01 for a, b in zip(ys, ys[1:]))


def test_pie_legend_gives_count_and_share() -> None:
    drawing = charts.pie([("Low", 6), ("High", 2)], ["#00ff00", "#ff0000"], 400)
    texts = [s.text for s in _strings(drawing)]
    assert "Low: 6 (75%)" in texts
    assert "High: 2 (25%)" in texts
