"""A new database has the training catalogue from its first open on, not only once someone has
opened the Training view: imports, the matrix export and the annual report read the courses."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from rsdesk.cli import main
from rsdesk.db import open_database
from rsdesk.services import audit, training

from .helpers import person


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_db_upgrade_of_a_new_file_puts_the_shipped_catalogue_in(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "new.sqlite3"
    code, _, err = _run(capsys, "--db", str(path), "db", "upgrade")
    assert code == 0, err
    database = open_database(path)
    try:
        with database.unit_of_work() as session:
            shipped = training.load_catalogue(session)
            assert [c.code for c in training.courses(session)] == [
                rule.code for rule in shipped.courses
            ]
            person(
                session,
                full_name="Ada Lovelace",
                staff_number="P-1",
                role_category="administrative",
            )
        with database.read() as session:
            assert audit.verify(session).ok
    finally:
        database.dispose()
    workbook = tmp_path / "training.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Staff number", "Course", "Completed on"])
    sheet.append(["P-1", "Data protection", "2025-03-01"])
    book.save(workbook)
    code, out, err = _run(
        capsys, "--db", str(path), "import", "xlsx", str(workbook), "--what", "training",
        "--dry-run",
    )  # fmt: skip
    assert "1 to create" in out, out + err
    assert "catalogue" not in out + err
    matrix = tmp_path / "matrix.xlsx"
    code, _, err = _run(
        capsys, "--db", str(path), "export", "xlsx", str(matrix), "--what", "training-matrix"
    )
    assert code == 0, err
    header = [cell.value for cell in next(openpyxl.load_workbook(matrix).active.iter_rows())]
    assert "Data protection" in header


def test_an_edited_catalogue_stays_as_the_office_left_it(tmp_path: Path) -> None:
    path = tmp_path / "office.sqlite3"
    database = open_database(path)
    text = training.shipped_catalogue_text().replace(
        'name = "Data protection"', 'name = "Data protection (GDPR)"'
    )
    with database.unit_of_work() as session:
        training.save_catalogue_text(session, text)
        entries = audit.entry_count(session)
    database.dispose()
    reopened = open_database(path)
    try:
        with reopened.read() as session:
            names = {c.code: c.name for c in training.courses(session)}
            assert names["data_protection"] == "Data protection (GDPR)"
            # Opening a database whose courses already follow its catalogue writes nothing.
            assert audit.entry_count(session) == entries
    finally:
        reopened.dispose()
