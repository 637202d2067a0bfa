"""Paragraph and table styles shared by every PDF report, and the colours of the risk levels.

Everything is set in the shipped fonts (see fonts.py), never in reportlab's Latin-1 built-ins.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from rsdesk.services.reports.pdf import fonts

#: Risk level -> fill colour (hex), in rank order; used by charts and table cells alike.
RISK_COLOURS = {
    "low": "#4c9a5b",
    "medium": "#e0b43c",
    "high": "#e07b39",
    "very_high": "#c0392b",
    None: "#9aa5b1",
}
#: Light tints of the risk colours, for table cells that carry dark text.
RISK_TINTS = {
    "low": "#d5ecd9",
    "medium": "#f7e9bd",
    "high": "#f6d3bb",
    "very_high": "#f0c0bb",
    None: "#e4e7eb",
}
#: A qualitative palette (colour-blind friendly, Okabe-Ito based) for categories.
PALETTE = (
    "#0072b2",
    "#e69f00",
    "#009e73",
    "#cc79a7",
    "#56b4e9",
    "#d55e00",
    "#f0e442",
    "#999999",
    "#332288",
    "#117733",
    "#88ccee",
    "#aa4499",
)
INK = "#1f2933"
MUTED = "#616e7c"
RULE = "#cbd2d9"
HEADER_FILL = "#243b53"
ZEBRA = "#f0f4f8"


def label(value: Any) -> str:
    """Enum values as words: ``very_high`` -> ``Very high``; None -> an en dash."""
    if value is None or value == "":
        return "\u2013"
    from rsdesk.services.registers.labels import enum_label

    return enum_label(value)


@cache
def sheet() -> dict[str, Any]:
    """The named paragraph styles (created once, after the fonts are registered)."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    fonts.register()
    ink = colors.HexColor(INK)
    body = ParagraphStyle("body", fontName=fonts.BASE, fontSize=9.5, leading=13, textColor=ink)
    styles = {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10),
        "muted": ParagraphStyle(
            "muted", parent=body, fontSize=8.5, leading=11, textColor=colors.HexColor(MUTED)
        ),
        "cell": ParagraphStyle("cell", parent=body, fontSize=7.5, leading=9),
        "cell_head": ParagraphStyle(
            "cell_head",
            parent=body,
            fontName=fonts.BOLD,
            fontSize=7.5,
            leading=9,
            textColor=colors.white,
        ),
        "cell_head_right": ParagraphStyle(
            "cell_head_right",
            parent=body,
            fontName=fonts.BOLD,
            fontSize=7.5,
            leading=9,
            textColor=colors.white,
            alignment=TA_RIGHT,
        ),
        "cell_right": ParagraphStyle(
            "cell_right", parent=body, fontSize=7.5, leading=9, alignment=TA_RIGHT
        ),
        "title": ParagraphStyle(
            "title", parent=body, fontName=fonts.BOLD, fontSize=26, leading=32, spaceAfter=12
        ),
        "subtitle": ParagraphStyle(
            "subtitle", parent=body, fontSize=14, leading=19, textColor=colors.HexColor(MUTED)
        ),
        "h1": ParagraphStyle(
            "h1",
            parent=body,
            fontName=fonts.BOLD,
            fontSize=16,
            leading=20,
            spaceBefore=6,
            spaceAfter=8,
            textColor=colors.HexColor(HEADER_FILL),
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=body,
            fontName=fonts.BOLD,
            fontSize=11.5,
            leading=15,
            spaceBefore=10,
            spaceAfter=4,
            textColor=colors.HexColor(HEADER_FILL),
        ),
        "figure": ParagraphStyle(
            "figure",
            parent=body,
            fontName=fonts.BOLD,
            fontSize=20,
            leading=24,
            alignment=TA_CENTER,
        ),
        "figure_label": ParagraphStyle(
            "figure_label",
            parent=body,
            fontSize=8,
            leading=10,
            alignment=TA_CENTER,
            textColor=colors.HexColor(MUTED),
        ),
    }
    return styles


def table_style(header_rows: int = 1, zebra: bool = True) -> Any:
    """The house table look: dark header row, thin rules, zebra stripes."""
    from reportlab.lib import colors
    from reportlab.platypus import TableStyle

    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), fonts.BASE),
        ("FONTSIZE", (0, 0), (-1, -1), 7.5),
        ("LEADING", (0, 0), (-1, -1), 9),
        ("TEXTCOLOR", (0, 0), (-1, -1), colors.HexColor(INK)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor(RULE)),
    ]
    if header_rows:
        commands += [
            ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor(HEADER_FILL)),
            ("TEXTCOLOR", (0, 0), (-1, header_rows - 1), colors.white),
            ("FONTNAME", (0, 0), (-1, header_rows - 1), fonts.BOLD),
        ]
    if zebra:
        commands.append(
            ("ROWBACKGROUNDS", (0, header_rows), (-1, -1), [colors.white, colors.HexColor(ZEBRA)])
        )
    return TableStyle(commands)
