"""Writing rows of typed values into a write-only openpyxl sheet, fast and safely.

openpyxl's write-only mode still builds a cell object, guesses its type and serialises it through
ElementTree for every value: about twice as slow as XlsxWriter on 100,000 rows. The register
exports know each column's kind in advance, so :class:`RowWriter` converts a value once and, when
openpyxl writes through its own pure-Python XML writer (et_xmlfile, the case without lxml), emits
the ``<row>``/``<c>`` markup itself: the same markup openpyxl writes (inline strings, numeric
serial dates, shared style ids), with text always typed as text. Everything else in the file
(styles, validations, filters, properties) is openpyxl's. When the fast path is not available,
the writer falls back to openpyxl cells; both paths give the same workbook (tested).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from rsdesk.services.reports.xlsx import styles as st
from rsdesk.services.reports.xlsx.safe import clean_text, looks_like_formula

TEXT, INT, MONEY, NUMBER, DATE, DATETIME, BOOL, ENUM, RISK, WRAP = (
    "text",
    "int",
    "money",
    "number",
    "date",
    "datetime",
    "bool",
    "enum",
    "risk",
    "wrap",
)

_EPOCH = dt.datetime(1899, 12, 30)
_EPOCH_DATE = _EPOCH.date()
_LEAP_BUG_END = dt.date(1900, 3, 1)


def excel_serial(value: dt.date | dt.datetime) -> float | int:
    """Excel's serial number for a date or naive datetime (the 1900 date system)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        if value.date() < _LEAP_BUG_END:
            from openpyxl.utils.datetime import to_excel

            return float(to_excel(value))
        delta = value - _EPOCH
        return delta.days + delta.seconds / 86_400
    if value < _LEAP_BUG_END:
        from openpyxl.utils.datetime import to_excel

        return int(to_excel(value))
    return (value - _EPOCH_DATE).days


@dataclass(frozen=True)
class SheetColumn:
    header: str
    kind: str = TEXT
    width: float = 16
    #: Raw enum values allowed (drop-down validation shows their labels).
    choices: tuple[str, ...] = ()


#: A converted cell: (type "s"/"n"/"b", value, style id or 0).
Converted = tuple[str, Any, int]


def _converter(column: SheetColumn, ids: st.WorkbookStyles) -> Callable[[Any], Converted | None]:
    quoted = ids.quoted()

    def text(value: Any) -> Converted:
        value = clean_text(value)
        return ("s", value, quoted if looks_like_formula(value) else 0)

    if column.kind in (INT, MONEY, NUMBER):
        fmt = ids.number(
            {INT: st.INT_FORMAT, MONEY: st.MONEY_FORMAT, NUMBER: st.NUMBER_FORMAT}[column.kind]
        )

        def number(value: Any) -> Converted | None:
            if value is None:
                return None
            if isinstance(value, bool):
                return ("b", int(value), 0)
            if isinstance(value, int | float | Decimal):
                return ("n", value, fmt)
            return text(value)

        return number
    if column.kind in (DATE, DATETIME):
        fmt = ids.number(st.DATE_FORMAT if column.kind == DATE else st.DATETIME_FORMAT)

        def date(value: Any) -> Converted | None:
            if value is None:
                return None
            if isinstance(value, str):
                try:
                    value = (
                        dt.date.fromisoformat(value)
                        if column.kind == DATE
                        else dt.datetime.fromisoformat(value)
                    )
                except ValueError:
                    return text(value)
            if isinstance(value, dt.date):
                return ("n", excel_serial(value), fmt)
            return text(value)

        return date
    if column.kind == BOOL:

        def boolean(value: Any) -> Converted | None:
            if value is None:
                return None
            return ("b", int(bool(value)), 0)

        return boolean
    if column.kind in (ENUM, RISK):
        risk_ids = (
            {level: ids.risk(level) for level in st.RISK_COLOURS} if column.kind == RISK else {}
        )

        def enum(value: Any) -> Converted | None:
            if value is None or value == "":
                return None
            raw = getattr(value, "value", value)
            if not isinstance(raw, str):
                return text(raw)
            converted = text(st.label(raw) if raw in column.choices or risk_ids else raw)
            if raw in risk_ids:
                return ("s", converted[1], risk_ids[raw])
            return converted

        return enum
    wrapped = ids.wrapped() if column.kind == WRAP else 0

    def plain(value: Any) -> Converted | None:
        if value is None:
            return None
        converted = text(getattr(value, "value", value))
        return converted if converted[2] else ("s", converted[1], wrapped)

    return plain


def _column_letters(count: int) -> list[str]:
    from openpyxl.utils import get_column_letter

    return [get_column_letter(i) for i in range(1, count + 1)]


class RowWriter:
    """Appends typed rows to one write-only worksheet.

    Call :meth:`header` once, then :meth:`append` per row, then :meth:`finish` before the
    workbook is saved (it sets the filter, validations and freeze pane).
    """

    def __init__(
        self,
        workbook: Any,
        worksheet: Any,
        columns: Sequence[SheetColumn],
        ids: st.WorkbookStyles,
        *,
        fast: bool | None = None,
        lists_sheet: Any = None,
    ) -> None:
        self.workbook = workbook
        self.worksheet = worksheet
        self.columns = list(columns)
        self.ids = ids
        self.lists_sheet = lists_sheet
        self.converters = [_converter(column, ids) for column in self.columns]
        self.letters = _column_letters(len(self.columns))
        self.rows_written = 0
        self._header_id = self._header_style()
        # Written with the sheet's head, so before the first row.
        for letter, column in zip(self.letters, self.columns):
            worksheet.column_dimensions[letter].width = column.width
        worksheet.freeze_panes = "B2" if self.columns and self.columns[0].header == "ID" else "A2"
        st.page_setup(worksheet)
        if fast is None:
            fast = fast_path_available()
        self.fast = fast
        self._generator: Any = None

    def _header_style(self) -> int:
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        return self.ids._register(
            "header",
            font=Font(name=st.FONT_NAME, bold=True, color=st.HEADER_FONT),
            fill=PatternFill("solid", start_color=st.HEADER_FILL, end_color=st.HEADER_FILL),
            alignment=Alignment(vertical="center", wrap_text=True),
            border=Border(bottom=Side(style="thin", color="000000")),
        )

    # --- writing ------------------------------------------------------------------------------

    def header(self) -> None:
        self._write([("s", clean_text(c.header), self._header_id) for c in self.columns])

    def append(self, values: Sequence[Any]) -> None:
        self._write([convert(value) for convert, value in zip(self.converters, values)])

    def _write(self, cells: list[Converted | None]) -> None:
        self.rows_written += 1
        if self.fast:
            if self._generator is None:
                self._start_fast()
            self.worksheet.append(cells)  # goes to _fast_rows below
        else:
            self.worksheet.append([self._cell(converted) for converted in cells])

    def _cell(self, converted: Converted | None) -> Any:
        if converted is None:
            return None
        from openpyxl.cell import WriteOnlyCell

        kind, value, style_id = converted
        cell = WriteOnlyCell(self.worksheet)
        cell._value = bool(value) if kind == "b" else value
        cell.data_type = kind
        if style_id:
            cell._style = self.workbook._cell_styles[style_id].__copy__()
        return cell

    def _start_fast(self) -> None:
        worksheet = self.worksheet
        worksheet._get_writer()
        self._generator = self._fast_rows()
        next(self._generator)
        worksheet._rows = self._generator

    def _fast_rows(self) -> Any:
        writer = self.worksheet._writer
        xf = writer.xf.send(True)
        write = xf._file
        letters = self.letters
        closing = False
        try:
            with xf.element("sheetData"):
                row_number = 0
                try:
                    while True:
                        cells = yield
                        row_number += 1
                        parts = [f'<row r="{row_number}">']
                        for letter, converted in zip(letters, cells):
                            if converted is None:
                                continue
                            kind, value, style_id = converted
                            style = f' s="{style_id}"' if style_id else ""
                            if kind == "s":
                                if value == "":
                                    continue
                                space = ' xml:space="preserve"' if value != value.strip() else ""
                                parts.append(
                                    f'<c r="{letter}{row_number}"{style} t="inlineStr"><is>'
                                    f"<t{space}>{escape(value)}</t></is></c>"
                                )
                            elif kind == "n":
                                parts.append(
                                    f'<c r="{letter}{row_number}"{style} t="n"><v>{value}</v></c>'
                                )
                            else:
                                parts.append(
                                    f'<c r="{letter}{row_number}"{style} t="b"><v>{value}</v></c>'
                                )
                        parts.append("</row>")
                        write("".join(parts))
                except GeneratorExit:
                    closing = True
        except ValueError:
            # An export that failed part-way (a read error, say) has closed its file before
            # this generator is collected: there is nothing left to close, and Python would
            # print the error as 'Exception ignored' under the user's one-line message.
            if not closing:
                raise
            return
        writer.xf.send(None)

    # --- sheet furniture ----------------------------------------------------------------------

    def finish(self, *, validations: bool = True) -> None:
        """Frozen header, auto-filter over the data, drop-downs on enum columns."""
        worksheet = self.worksheet
        last_row = max(self.rows_written, 2)
        if self.columns:
            worksheet.auto_filter.ref = f"A1:{self.letters[-1]}{max(self.rows_written, 1)}"
        worksheet.print_title_rows = "1:1"
        if not validations or self.lists_sheet is None:
            return
        from openpyxl.worksheet.datavalidation import DataValidation

        for letter, column in zip(self.letters, self.columns):
            if column.kind not in (ENUM, RISK) or not column.choices:
                continue
            first, last = self.lists_sheet.add(column.choices)
            validation = DataValidation(
                type="list",
                formula1=f"'{self.lists_sheet.title}'!${first}:${last}",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=f"{column.header}",
                error=f"Pick one of the values in the list for {column.header}.",
            )
            validation.add(f"{letter}2:{letter}{max(last_row, 1_000)}")
            worksheet.data_validations.append(validation)


def discard_workbook(workbook: Any) -> None:
    """Closes the row streams of a write-only workbook that will not be saved (a cancelled or
    failed export) and removes their temporary files. Left to the garbage collector, each
    stream wrote into a file already closed ("Exception ignored ... I/O operation on closed
    file") and its temporary file stayed in the temp folder until rsdesk exited."""
    for worksheet in workbook.worksheets:
        rows, writer = getattr(worksheet, "_rows", None), getattr(worksheet, "_writer", None)
        try:
            if rows is not None:
                rows.close()
            if writer is not None:
                writer.close()
                writer.cleanup()
        except (OSError, ValueError):  # already closed or removed: nothing left to clean
            pass


def fast_path_available() -> bool:
    """True when openpyxl writes through et_xmlfile, whose raw writer the fast path uses."""
    import openpyxl

    return not openpyxl.LXML


class ListsSheet:
    """A hidden sheet holding the drop-down lists (labels of enum values), one column each.

    A list in a validation formula is limited to 255 characters; a range on a sheet is not.
    """

    title = "Lists"

    def __init__(self) -> None:
        self.columns: list[list[str]] = []
        self._index: dict[tuple[str, ...], tuple[str, str]] = {}

    def add(self, choices: Sequence[str]) -> tuple[str, str]:
        from openpyxl.utils import get_column_letter

        key = tuple(choices)
        if key not in self._index:
            self.columns.append([st.label(c) for c in choices])
            letter = get_column_letter(len(self.columns))
            self._index[key] = (f"{letter}$1", f"{letter}${len(choices)}")
        return self._index[key]

    def write(self, workbook: Any) -> None:
        """Creates the hidden sheet (call before saving; after the register sheets)."""
        from rsdesk.services.reports.xlsx.safe import text_cell

        if not self.columns:
            return
        worksheet = workbook.create_sheet(self.title)
        worksheet.sheet_state = "hidden"
        depth = max(len(column) for column in self.columns)
        for index in range(depth):
            worksheet.append(
                [
                    text_cell(worksheet, column[index]) if index < len(column) else None
                    for column in self.columns
                ]
            )


#: Rows in one Excel worksheet, header included.
EXCEL_MAX_ROWS = 1_048_576


class SheetSeries:
    """Rows that may not fit on one sheet: continues on "Title (2)", "Title (3)"..., each with
    the header, filter and drop-downs, when Excel's row limit is reached."""

    def __init__(
        self,
        workbook: Any,
        title: str,
        columns: Sequence[SheetColumn],
        ids: st.WorkbookStyles,
        namer: Callable[[str], str],
        *,
        worksheet: Any = None,
        fast: bool | None = None,
        lists_sheet: ListsSheet | None = None,
        validations: bool = True,
        max_rows: int = EXCEL_MAX_ROWS,
    ) -> None:
        self.workbook = workbook
        self.title = title
        self.columns = columns
        self.ids = ids
        self.namer = namer
        self.fast = fast
        self.lists_sheet = lists_sheet
        self.validations = validations
        self.max_rows = max_rows
        self.titles: list[str] = []
        self.rows = 0
        self._open(worksheet if worksheet is not None else workbook.create_sheet(title))

    def _open(self, worksheet: Any) -> None:
        self.titles.append(worksheet.title)
        self.writer = RowWriter(
            self.workbook,
            worksheet,
            self.columns,
            self.ids,
            fast=self.fast,
            lists_sheet=self.lists_sheet,
        )
        self.writer.header()

    def append(self, values: Sequence[Any]) -> None:
        if self.writer.rows_written >= self.max_rows:
            self.writer.finish(validations=self.validations)
            title = self.namer(f"{self.title} ({len(self.titles) + 1})")
            self._open(self.workbook.create_sheet(title))
        self.writer.append(values)
        self.rows += 1

    def finish(self) -> None:
        self.writer.finish(validations=self.validations)

    @property
    def sheet_title(self) -> str:
        return ", ".join(self.titles)
