"""The look of exported workbooks: header, number and date formats, risk colours.

One place decides them so that every sheet of every workbook looks the same. Styles are registered
once per workbook and referred to by their index (``style_id``), which is what the row writer puts
in each cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

HEADER_FILL = "1F3864"
HEADER_FONT = "FFFFFF"
FONT_NAME = "Calibri"

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
INT_FORMAT = "0"
MONEY_FORMAT = "#,##0"
NUMBER_FORMAT = "#,##0.##"

#: Risk level -> (fill, font colour): the traffic-light scale auditors already know.
RISK_COLOURS = {
    "low": ("C6EFCE", "006100"),
    "medium": ("FFEB9C", "9C5700"),
    "high": ("F8CBAD", "833C0B"),
    "very_high": ("FFC7CE", "9C0006"),
}


def label(value: str) -> str:
    """How an enum value reads in a workbook: ``approved_with_conditions`` -> ``Approved with
    conditions``, ``phd_candidate`` -> ``PhD candidate`` (as the views show it). Importers
    accept both forms."""
    from rsdesk.services.registers.labels import enum_label

    return enum_label(value)


@dataclass
class WorkbookStyles:
    """Style ids registered in one openpyxl workbook."""

    workbook: Any
    ids: dict[str, int] = field(default_factory=dict)

    def _register(self, name: str, **attributes: Any) -> int:
        from openpyxl.cell import WriteOnlyCell

        if name not in self.ids:
            # A cell registers its style in its sheet's workbook; any sheet of it will do.
            cell = WriteOnlyCell(self.workbook.worksheets[0])
            for key, value in attributes.items():
                setattr(cell, key, value)
            self.ids[name] = cell.style_id
        return self.ids[name]

    def number(self, number_format: str) -> int:
        return self._register(f"number:{number_format}", number_format=number_format)

    def quoted(self) -> int:
        """Text with the quote prefix: stays literal text even when edited in Excel."""
        return self._register("quoted", quotePrefix=True)

    def wrapped(self) -> int:
        from openpyxl.styles import Alignment

        return self._register("wrapped", alignment=Alignment(wrap_text=True, vertical="top"))

    def risk(self, level: str) -> int:
        from openpyxl.styles import Font, PatternFill

        fill, font = RISK_COLOURS.get(level, ("FFFFFF", "000000"))
        return self._register(
            f"risk:{level}",
            fill=PatternFill("solid", start_color=fill, end_color=fill),
            font=Font(name=FONT_NAME, color=font, bold=level in ("high", "very_high")),
        )


def header_cell(worksheet: Any, text: str) -> Any:
    """A header cell: bold white on dark blue, wrapped, bordered below."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    from rsdesk.services.reports.xlsx.safe import text_cell

    cell = text_cell(worksheet, text)
    cell.font = Font(name=FONT_NAME, bold=True, color=HEADER_FONT)
    cell.fill = PatternFill("solid", start_color=HEADER_FILL, end_color=HEADER_FILL)
    cell.alignment = Alignment(vertical="center", wrap_text=True)
    cell.border = Border(bottom=Side(style="thin", color="000000"))
    return cell


def title_cell(worksheet: Any, text: str, size: int = 16) -> Any:
    from openpyxl.styles import Font

    from rsdesk.services.reports.xlsx.safe import text_cell

    cell = text_cell(worksheet, text)
    cell.font = Font(name=FONT_NAME, bold=True, size=size, color=HEADER_FILL)
    return cell


def label_cell(worksheet: Any, text: str) -> Any:
    from openpyxl.styles import Alignment, Font

    from rsdesk.services.reports.xlsx.safe import text_cell

    cell = text_cell(worksheet, text)
    cell.font = Font(name=FONT_NAME, bold=True)
    cell.alignment = Alignment(vertical="top")
    return cell


def page_setup(worksheet: Any) -> None:
    """Landscape, fit to one page wide, header row repeated on every printed page."""
    worksheet.page_setup.orientation = "landscape"
    worksheet.page_setup.paperSize = "9"  # A4
    worksheet.sheet_properties.pageSetUpPr.fitToPage = True
    worksheet.page_setup.fitToWidth = 1
    worksheet.page_setup.fitToHeight = 0
