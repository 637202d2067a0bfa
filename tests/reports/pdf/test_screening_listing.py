"""The screening results listing, as an auditor files it: the verdict's note, which list version
each hit is on, logins printed whole, and by default only current list versions (as the view)."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from rsdesk.db import Database
from rsdesk.services.registers.base import RegisterQuery
from rsdesk.services.reports.pdf.listing import generate_listing
from rsdesk.services.reports.xlsx.registers import export_register
from tests.reports.pdf.helpers import flat, pages_text
from tests.services.screening.two_versions import OFFICER
from tests.services.screening.two_versions import dismissed_then_reopened as _two_versions


def test_listing_defaults_to_current_versions_and_prints_note_and_version(
    any_db: Database, tmp_path: Path
) -> None:
    _two_versions(any_db, tmp_path)
    with any_db.unit_of_work() as session:
        _, content = generate_listing(
            session, "screening", RegisterQuery(), database_name="t", actor="t"
        )
    text = flat("\n".join(pages_text(content)))
    assert "1 records" in text
    assert "List version = Current versions" in text
    assert "Current version" in text
    assert "Note" in text
    assert "Pending" in text
    assert "False positive" not in text

    with any_db.unit_of_work() as session:
        _, content = generate_listing(
            session,
            "screening",
            RegisterQuery(filters={"current": "all"}),
            database_name="t",
            actor="t",
        )
    text = flat("\n".join(pages_text(content)))
    assert "2 records" in text
    assert "List version: all" in text
    assert "Different Vega, Jena optics" in text
    assert OFFICER in text  # whole, not "eleni.schr oder"
    assert "False positive" in text
    assert " 100 " in text  # the score in percent, as the view shows it
    assert "100.0" not in text


def test_excel_export_defaults_to_current_versions(any_db: Database, tmp_path: Path) -> None:
    _two_versions(any_db, tmp_path)
    out = tmp_path / "screening.xlsx"
    with any_db.read() as session:
        result = export_register(session, "screening", out, actor="t")
    assert result.rows == 1
    sheet = openpyxl.load_workbook(out).worksheets[0]
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "Vega Optics Ltd" in cells
    assert "false_positive" not in cells
    assert "False positive" not in cells
