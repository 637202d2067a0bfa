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


def _staff_sheet_with(path: Path, name_cell: object) -> Path:
    rows: list[list[object]] = [["Staff number", "Name", "E-mail"]]
    rows += [["S-001", name_cell, "jane@example.org"]]
    return write_xlsx(path, rows)


def _rewrite(path: Path, changes: dict[str, tuple[bytes, bytes]], new: dict[str, bytes]) -> None:
    """Replaces bytes in members of the workbook (member -> (old, new)) and adds members."""
    with zipfile.ZipFile(path) as source:
        items = [(item.filename, source.read(item.filename)) for item in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in items:
            if name in changes:
                old, replacement = changes[name]
                assert old in data, (name, old)
                data = data.replace(old, replacement)
            target.writestr(name, data)
        for name, data in new.items():
            target.writestr(name, data)


def _as_shared_string(path: Path, text: bytes) -> None:
    """B2 (an inline string as openpyxl writes it) moved to a shared strings part, as Excel
    keeps every text."""
    main = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    package = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    plain = text.replace(b"&#32;", b" ")
    _rewrite(
        path,
        {
            "xl/worksheets/sheet1.xml": (
                b'<c r="B2" t="inlineStr"><is><t>' + plain + b"</t></is></c>",
                b'<c r="B2" t="s"><v>0</v></c>',
            ),
            "xl/_rels/workbook.xml.rels": (
                b"</Relationships>",
                b'<Relationship Id="rIdStrings" Type="' + package + b'/sharedStrings" '
                b'Target="sharedStrings.xml"/></Relationships>',
            ),
            "[Content_Types].xml": (
                b"</Types>",
                b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
            ),
        },
        {
            "xl/sharedStrings.xml": b'<sst xmlns="' + main + b'" count="1" uniqueCount="1">'
            b"<si><t>" + text + b"</t></si></sst>"
        },
    )


@pytest.mark.parametrize(
    "spelling",
    [
        "inline string",
        "inline, character reference",
        "rich text runs",
        "shared string",
        "shared, character reference",
    ],
)
def test_a_pseudonym_is_found_however_the_workbook_spells_it(
    db: Database, db_path: Path, tmp_path: Path, cli, spelling: str
) -> None:  # type: ignore[no-untyped-def]
    """The XML is searched for pseudonyms beside the parse, and the values only where it may
    hold one: a pseudonym in the shared strings, split over rich-text runs or spelt with a
    character reference (which a byte search cannot see) must still be refused."""
    populate(db)
    pseudonym = b"Person 3F9A0B1C2D"
    spelt = pseudonym.replace(b" ", b"&#32;") if "reference" in spelling else pseudonym
    path = tmp_path / "staff.xlsx"
    if spelling == "rich text runs":
        from openpyxl.cell.rich_text import CellRichText, TextBlock
        from openpyxl.cell.text import InlineFont

        _staff_sheet_with(
            path, CellRichText([TextBlock(InlineFont(b=True), "Pers"), "on 3F9A0B1C2D"])
        )
        assert pseudonym not in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    else:
        _staff_sheet_with(path, pseudonym.decode())
    if spelling.startswith("shared"):
        _as_shared_string(path, spelt)
    elif spelt != pseudonym:
        _rewrite(path, {"xl/worksheets/sheet1.xml": (pseudonym, spelt)}, {})
    err = _refused_target(cli, db, db_path, path, "staff", "--on-duplicate", "update")
    assert "cell B2 holds the pseudonym 'Person 3F9A0B1C2D'" in err, err


def test_the_xml_search_passes_a_workbook_without_pseudonyms(tmp_path: Path) -> None:
    from rsdesk.services.importers import files

    for name, text, expected in [
        ("plain", b"Jane Doe", False),
        ("titled", b"Person re-identification study", True),
        ("shared", b"Jane Doe", False),
        ("shared-titled", b"Person re-identification study", True),
    ]:
        path = _staff_sheet_with(tmp_path / f"{name}.xlsx", text.decode())
        if name.startswith("shared"):
            _as_shared_string(path, text)
        _names, sizes = files._zip_check(path)
        assert files._checked_xml(path, "Sheet1", sizes) == files.XmlChecks(0, expected), name
