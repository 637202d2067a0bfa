"""Cells and workbooks that used to import wrongly without a word: each is now refused with one
line naming the cell or the reason, and the refused file leaves the database as it was."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from rsdesk.db import Database
from rsdesk.models import StaffMember
from rsdesk.services import training
from rsdesk.services.importers import coerce
from tests.importers.conftest import file_digest, write_xlsx
from tests.importers.sample import populate

HEADER = ["Title", "Kind", "Start", "Funding"]


def _rewrite_sheet(path: Path, old: bytes, new: bytes) -> Path:
    """Replaces ``old`` with ``new`` in the first sheet's XML (markup openpyxl does not write)."""
    member = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path) as source:
        items = [(item, source.read(item.filename)) for item in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item, data in items:
            if item.filename == member:
                assert old in data
                data = data.replace(old, new)
            target.writestr(item, data)
    return path


def _refused(cli, db: Database, db_path: Path, path: Path, *args: str) -> str:  # type: ignore[no-untyped-def]
    db.dispose()
    before = file_digest(db_path)
    code, _out, err = cli("import", "xlsx", str(path), "--what", "collaborations", *args)
    assert code == 1, err
    assert err.count("\n") == 1, f"one line, no traceback: {err}"
    assert file_digest(db_path) == before
    return err


def test_an_error_cell_with_a_formula_is_refused_naming_the_cell(
    db: Database, db_path: Path, tmp_path: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    path = write_xlsx(tmp_path / "na.xlsx", [HEADER, ["A", "exchange", "2024-01-01", "#N/A"]])
    _rewrite_sheet(
        path,
        b'<c r="D2" t="e"><v>#N/A</v></c>',
        b'<c r="D2" t="e"><f>VLOOKUP(A2,Budget!A:B,2,FALSE)</f><v>#N/A</v></c>',
    )
    err = _refused(cli, db, db_path, path, "--on-duplicate", "update")
    assert "cell D2 holds the Excel error #N/A; correct it, save, and import again" in err


def test_an_error_value_without_a_formula_is_refused(
    db: Database, db_path: Path, tmp_path: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    path = write_xlsx(tmp_path / "ref.xlsx", [HEADER, ["A", "exchange", "2024-01-01", "#REF!"]])
    err = _refused(cli, db, db_path, path)
    assert "cell D2 holds the Excel error #REF!" in err


def test_a_stray_cell_far_beyond_the_table_is_refused_before_reading(
    db: Database, db_path: Path, tmp_path: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Register"
    sheet.append(HEADER)
    sheet.append(["A", "exchange", "2024-01-01", 5000])
    sheet["XFD1048576"] = " "
    path = tmp_path / "stray.xlsx"
    workbook.save(path)
    # Without the check calamine allocates 549 GB for this sheet and aborts the whole process.
    err = _refused(cli, db, db_path, path)
    assert "sheet 'Register' reaches cell XFD1048576, far beyond its table" in err


def _collaboration_csv(path: Path, start: str, funding: str) -> Path:
    path.write_text(f"Title,Kind,Start,Funding\nA,exchange,{start},{funding}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("year", [2025, "2025", 1999.0])
def test_a_year_alone_is_not_read_as_an_excel_serial(year: object) -> None:
    with pytest.raises(coerce.Invalid, match=f"{int(float(year))} looks like a year, not a date"):  # type: ignore[arg-type]
        coerce.date(year)
    assert coerce.date(45657) == dt.date(2024, 12, 31), "real serials still work"


def test_a_year_in_a_date_column_is_refused_naming_the_cell(
    db: Database, db_path: Path, tmp_path: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    path = write_xlsx(tmp_path / "year.xlsx", [HEADER, ["A", "exchange", 2025, 5000]])
    err = _refused(cli, db, db_path, path)
    assert "row 2, column C (Start): 2025 looks like a year, not a date" in err


@pytest.mark.parametrize(
    ("amount", "currency"),
    [("$ 5000", "$"), ("5000 USD", "USD"), ("£12,000", "£"), ("¥ 800", "¥"), ("CHF 1.000", "CHF")],
)
def test_an_amount_in_another_currency_is_refused(amount: str, currency: str) -> None:
    with pytest.raises(coerce.Invalid, match=f"in another currency \\({re.escape(currency)}\\)"):
        coerce.number(amount)


@pytest.mark.parametrize("amount", ["€ 5.000", "5000 EUR", "5000EUR", "5.000 Euro", "5000 euros"])
def test_euro_amounts_are_still_accepted(amount: str) -> None:
    assert coerce.number(amount) == 5000


def test_a_dollar_amount_is_refused_naming_the_cell(
    db: Database, db_path: Path, tmp_path: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    path = write_xlsx(tmp_path / "usd.xlsx", [HEADER, ["A", "exchange", "2024-01-01", "$ 5000"]])
    err = _refused(cli, db, db_path, path)
    assert "row 2, column D (Funding): '$ 5000' is in another currency ($)" in err


@pytest.mark.parametrize(
    "value", ["0001-01-01", "31.12.1899", dt.date(1, 1, 1), dt.datetime(1850, 6, 1, 12, 0)]
)
def test_a_date_before_1900_is_refused(value: object) -> None:
    with pytest.raises(coerce.Invalid, match="is before 1900-01-01; check the year"):
        coerce.date(value)
    assert coerce.date("1900-01-01") == dt.date(1900, 1, 1)


def test_a_date_before_1900_is_refused_naming_the_cell(
    db: Database, db_path: Path, tmp_path: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    path = _collaboration_csv(tmp_path / "old.csv", "0001-01-01", "5000")
    db.dispose()
    before = file_digest(db_path)
    code, _out, err = cli("import", "csv", str(path), "--what", "collaborations")
    assert code == 1
    assert "row 2, column C (Start): 0001-01-01 is before 1900-01-01" in err
    assert file_digest(db_path) == before


def test_a_completion_whose_name_is_not_the_staff_numbers_person_is_refused(
    db: Database, db_path: Path, tmp_path: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    populate(db)
    with db.unit_of_work() as session:
        training.sync_courses(session)
        code = training.courses(session)[0].code
    path = tmp_path / "completions.csv"
    path.write_text(
        f"Staff no.,Name,Course,Completed\nS-001,JANE DOE,{code},2025-01-15\n"
        f"S-002,Jane Doe,{code},2025-01-16\n",
        encoding="utf-8",
    )
    db.dispose()
    before = file_digest(db_path)
    code_, out, err = cli("import", "csv", str(path), "--what", "training")
    assert code_ == 1
    assert "row 3, column B (Name): 'Jane Doe' is not staff number S-002 (Ahmed Ali)" in out
    assert "row 2" not in out, "the same person's name in other letters is fine"
    assert err.count("\n") == 1
    assert file_digest(db_path) == before


def test_a_pseudonymised_staff_export_cannot_overwrite_the_real_people(
    db: Database, db_path: Path, tmp_path: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    populate(db)
    out = tmp_path / "staff.xlsx"
    assert cli("export", "xlsx", str(out), "--what", "staff", "--pseudonymise")[0] == 0
    err = _refused_target(cli, db, db_path, out, "staff", "--on-duplicate", "update")
    assert "this workbook was exported pseudonymised; its names are not real" in err
    with db.read() as session:
        assert "Jane Doe" in session.scalars(select(StaffMember.full_name)).all()


def test_a_pseudonymised_audit_workbook_is_refused_by_its_cover(
    db: Database, db_path: Path, tmp_path: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    populate(db)
    out = tmp_path / "audit.xlsx"
    assert cli("export", "xlsx", str(out), "--pseudonymise")[0] == 0
    err = _refused_target(cli, db, db_path, out, "partners", "--on-duplicate", "update")
    assert err.endswith(
        "audit.xlsx: this workbook was exported pseudonymised; its names are not real and cannot be imported\n"
    )


def test_the_real_export_still_imports(db: Database, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    populate(db)
    out = tmp_path / "staff.xlsx"
    assert cli("export", "xlsx", str(out), "--what", "staff")[0] == 0
    code, _out, err = cli("import", "xlsx", str(out), "--what", "staff", "--on-duplicate", "update")
    assert code == 0, err


def _refused_target(cli, db: Database, db_path: Path, path: Path, what: str, *args: str) -> str:  # type: ignore[no-untyped-def]
    db.dispose()
    before = file_digest(db_path)
    code, _out, err = cli("import", "xlsx", str(path), "--what", what, *args)
    assert code == 1, err
    assert err.count("\n") == 1, f"one line, no traceback: {err}"
    assert file_digest(db_path) == before
    return err
