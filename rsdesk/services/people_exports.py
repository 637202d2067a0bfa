"""Excel exports of the people registers: the training matrix (coloured by status, with compliance
per department) and the onboarding status. Built on the Excel framework in services/reports/xlsx
(literal text cells, atomic save); openpyxl is imported only when exporting.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from rsdesk.services import access, training
from rsdesk.services.registers.base import RegisterQuery
from rsdesk.services.training import STATUS_COLOURS, STATUS_LABELS


def export_training_matrix(
    session: Session,
    out: Path,
    department_id: int | None = None,
    today: dt.date | None = None,
    actor: str = "unknown",
    search: str = "",
    pseudonymiser: Callable[[Any, str], Any] | None = None,
) -> int:
    """People x required courses with their status, plus compliance per department.

    ``department_id`` and ``search`` (words in the name or staff number) narrow the people, as the
    training view's filters do; a ``pseudonymiser`` replaces names and staff numbers (as in the
    register exports). Returns the number of people written.
    """
    access.require_export(session, personal=pseudonymiser is None)
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill

    from rsdesk.services.reports.xlsx.registers import (
        COVER_SHEET,
        new_workbook,
        personal_data_note,
        save_atomically,
        write_filters_cover,
    )
    from rsdesk.services.reports.xlsx.safe import text_cell
    from rsdesk.services.reports.xlsx.styles import header_cell, page_setup

    grid = training.matrix(session, department_id, today, search)
    author = pseudonymiser(actor, "person") if pseudonymiser is not None else actor
    workbook = new_workbook("Training matrix", author, f"Training status on {grid.today}")
    sheet = workbook.create_sheet("Training matrix")
    fills = {
        status: (PatternFill("solid", start_color=bg, end_color=bg), Font(color=fg))
        for status, (bg, fg) in STATUS_COLOURS.items()
    }
    headings = ["Staff no.", "Name", "Department", "Role", *(c.name for c in grid.courses)]
    # wide enough for the longest department ("Department of Electrical Engineering" was cut
    # off by the role beside it)
    department_width = _text_width((row.department for row in grid.rows), 30)
    widths = [11, 26, department_width, 16, *([20] * len(grid.courses))]
    for index, width in enumerate(widths):
        sheet.column_dimensions[_letter(index)].width = width
    sheet.freeze_panes = "E2"
    page_setup(sheet)
    sheet.row_dimensions[1].height = 45  # course names wrap onto up to three lines
    sheet.append([header_cell(sheet, text) for text in headings])
    for row in grid.rows:
        number, name = row.staff_number, row.full_name
        if pseudonymiser is not None:
            number, name = pseudonymiser(number, "number"), pseudonymiser(name, "person")
        cells: list[Any] = [
            text_cell(sheet, value or "")
            for value in (number, name, row.department, row.role_label)
        ]
        for status, expires in zip(row.statuses, row.expiries, strict=True):
            if status is None:
                cells.append(WriteOnlyCell(sheet, value=None))
                continue
            text = STATUS_LABELS[status]
            if expires is not None and status != training.TrainingStatus.MISSING:
                text += f" ({expires.isoformat()})"
            cell = text_cell(sheet, text)
            cell.fill, cell.font = fills[status]
            cells.append(cell)
        sheet.append(cells)

    compliance = training.compliance_by_department(session, grid.today, department_id, grid=grid)
    # a filter over the matrix, so that an auditor can list who is missing a course
    sheet.auto_filter.ref = f"A1:{_letter(len(headings) - 1)}{len(grid.rows) + 1}"
    summary = workbook.create_sheet("Compliance")
    summary.freeze_panes = "B2"
    page_setup(summary)
    department_width = _text_width((item.department for item in compliance), 26)
    for index, width in enumerate((department_width, 8, 10, 9, 9, 9, 9, 12)):
        summary.column_dimensions[_letter(index)].width = width
    summary.append(
        [
            header_cell(summary, text)
            for text in (
                "Department",
                "People",
                "Required",
                "Current",
                "Expiring",
                "Expired",
                "Missing",
                "Compliant %",
            )
        ]  # fmt: skip
    )
    for item in compliance:
        percent = WriteOnlyCell(
            summary, value=None if item.percent is None else round(item.percent, 1)
        )
        percent.number_format = "0.0"  # 80.0 beside 73.9, not 80
        summary.append(
            [text_cell(summary, item.department), item.people, item.required, item.current,
             item.expiring, item.expired, item.missing, percent]
        )  # fmt: skip
    write_filters_cover(
        workbook.create_sheet(COVER_SHEET),
        "Training matrix",
        [
            ("Exported by", author),
            ("Status on", grid.today),
            ("Personal data", personal_data_note(pseudonymiser is not None)),
            ("Filters", _matrix_filters(session, department_id, search, pseudonymiser)),
            ("People", len(grid.rows)),
        ],
    )
    save_atomically(workbook, out)
    return len(grid.rows)


def _matrix_filters(
    session: Session, department_id: int | None, search: str, pseudonymiser: Any
) -> str:
    """The matrix's filters as the cover states them; a pseudonymised file withholds the
    search, which may name the person the rows are about."""
    from rsdesk.models import Department
    from rsdesk.services.reports.xlsx.audit_privacy import WITHHELD_SEARCH

    parts = []
    if search.strip():
        parts.append(WITHHELD_SEARCH if pseudonymiser is not None else f'search "{search.strip()}"')
    if department_id is not None:
        department = session.get(Department, department_id)
        parts.append(f"Department = {department.name if department else department_id}")
    return "; ".join(parts) if parts else "all current staff"


def export_onboarding_status(
    session: Session, out: Path, query: RegisterQuery | None = None, actor: str = "unknown"
) -> Any:
    """The onboarding checks register (the current filtered view) as a formatted sheet."""
    from rsdesk.services.reports.xlsx.registers import export_register

    return export_register(session, "onboarding", out, query, actor=actor)


def _text_width(texts: Iterable[str | None], minimum: int, maximum: int = 48) -> int:
    """A column width (in characters) that shows the longest of ``texts`` whole, within bounds."""
    longest = max((len(text) for text in texts if text), default=0)
    return max(minimum, min(maximum, longest + 2))


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)
