"""Every bad file gets one clear line on stderr, exit 1, and leaves the database byte-for-byte as
it was."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from rsdesk.db import Database
from rsdesk.models import Setting
from rsdesk.services import importers
from tests.importers.conftest import file_digest, write_xlsx

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "xlsx"
GOOD = [["Title", "Kind", "Start"], ["Quantum sensing", "Joint research", "01.02.2024"]]


def _merged(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in GOOD + [["Second", "Exchange", "2024-03-01"]]:
        sheet.append(row)
    sheet.merge_cells("B2:B3")
    workbook.save(path)
    return path


def _formula_without_result(path: Path) -> Path:
    return write_xlsx(path, [["Title", "Kind", "Funding"], ["A", "exchange", "=1+1"]])


def _word_document(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return path


def _sheet_layout(path: Path, rows: list[list[object]]) -> Path:
    return write_xlsx(path, rows)


CASES = {
    "pdf-renamed.xlsx": (
        "xlsx",
        lambda p: p.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n") and p,
        "is a PDF document, not an Excel workbook",
    ),
    "text-renamed.xlsx": (
        "xlsx",
        lambda p: p.write_text("Title,Kind\nA,exchange\n") and p,
        "is a text file, not an Excel workbook",
    ),
    "workbook-renamed.csv": (
        "csv",
        lambda p: write_xlsx(p, GOOD),
        "is an Excel workbook, not CSV text",
    ),
    "password.xlsx": (
        "xlsx",
        lambda p: shutil.copyfile(FIXTURES / "password_protected.xlsx", p) and p,
        "is password-protected",
    ),
    "legacy.xls": (
        "xlsx",
        lambda p: p.write_bytes(importers.files.OLE_MAGIC + b"\0" * 1024) and p,
        "old Excel 97-2003 workbook",
    ),
    "letter.xlsx": ("xlsx", _word_document, "is a Word document"),
    "empty.xlsx": ("xlsx", lambda p: _sheet_layout(p, []), "is empty"),
    "header-only.xlsx": (
        "xlsx",
        lambda p: _sheet_layout(p, [GOOD[0]]),
        "has a header row but no data rows",
    ),
    "merged.xlsx": ("xlsx", _merged, "has merged cells (B2:B3)"),
    "formula.xlsx": ("xlsx", _formula_without_result, "cell C2 holds a formula without a saved"),
    "zero.csv": ("csv", lambda p: p.write_bytes(b"") or p, "is empty (0 bytes)"),
    "binary.csv": ("csv", lambda p: p.write_bytes(b"\x00\x01\x02garbage\x00") and p, "not a text"),
    "headerless-value.xlsx": (
        "xlsx",
        lambda p: _sheet_layout(p, [["Title", "Kind"], ["A", "exchange", "stray"]]),
        "row 2: a value stands in a column without a header",
    ),
    "same-header.csv": (
        "csv",
        lambda p: p.write_text("Title,Kind,title\nA,exchange,B\n") and p,
        "Columns A and C have the same header",
    ),
    "broken-quote.csv": (
        "csv",
        lambda p: p.write_text('Title,Kind\n"A,exchange\n') and p,
        "is not valid CSV",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_file_is_refused_and_changes_nothing(
    name: str, db: Database, db_path: Path, tmp_path: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    format, make, message = CASES[name]
    path = make(tmp_path / name)
    db.dispose()
    before = file_digest(db_path)
    code, _out, err = cli("import", format, str(path), "--what", "collaborations")
    assert code == 1
    assert message in err
    assert err.count("\n") == 1, "one line, no traceback"
    assert file_digest(db_path) == before


def test_file_over_the_configured_limit_is_refused(
    db: Database, db_path: Path, tmp_path: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    with db.unit_of_work() as session:
        session.add(Setting(key=importers.MAX_MB_SETTING, value=0.001))
    db.dispose()
    rows = [GOOD[0]] + [[f"Collaboration {i}", "exchange", "2024-01-01"] for i in range(100)]
    path = tmp_path / "big.csv"
    path.write_text("\n".join(",".join(r) for r in rows))
    before = file_digest(db_path)
    code, _out, err = cli("import", "csv", str(path), "--what", "collaborations")
    assert code == 1
    assert "more than the import limit of 0.001 MB" in err
    assert file_digest(db_path) == before


def test_formulas_with_saved_results_import_their_values(tmp_path: Path) -> None:
    source = importers.read_file(FIXTURES / "formulas_cached.xlsx", "xlsx")
    assert source.rows[0][1][2] == 2000
    assert source.rows[1][1][0] == "Data sharing"
    assert any("formula" in note for note in source.notes)


def test_macro_workbook_is_read_for_values_only(tmp_path: Path) -> None:
    plain = write_xlsx(tmp_path / "plain.xlsx", GOOD)
    macro = tmp_path / "macro.xlsm"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(macro, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 pretend macro project")
    table = importers.read_file(macro, "xlsx")
    assert table.rows[0][1][0] == "Quantum sensing"
    assert any("macros" in note and "ignored" in note for note in table.notes)


@pytest.mark.parametrize(
    ("data", "encoding_note", "separator"),
    [
        ("\ufeffTitle;Kind\nÉtude réseau;exchange\n".encode(), "UTF-8 (BOM)", "semicolon"),
        ("Title;Kind\nÉtude réseau;exchange\n".encode("cp1252"), "Windows-1252", "semicolon"),
        ("Title\tKind\nÉtude réseau\texchange\n".encode(), "UTF-8", "tab"),
        ("Title,Kind\r\nÉtude réseau,exchange\r\n".encode(), "UTF-8", "comma"),
    ],
)
def test_csv_encodings_and_separators(
    data: bytes, encoding_note: str, separator: str, tmp_path: Path
) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(data)
    table = importers.read_file(path, "csv")
    assert table.headers == ["Title", "Kind"]
    assert table.rows == [(2, ["Étude réseau", "exchange"])]
    assert table.notes[0] == f"CSV read as {encoding_note}, separated by {separator}"


def test_header_may_start_below_a_title_row(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "t.xlsx", [[], [], *GOOD])
    table = importers.read_file(path, "xlsx")
    assert table.headers == GOOD[0]
    assert table.rows[0][0] == 4


def test_a_title_above_the_table_is_passed_over_with_a_note(db: Database, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "titled.xlsx",
        [
            ["Collaborations register 2025"],
            [],
            ["Title", "Kind", "Start"],
            ["Quantum sensing", "Joint research", "2025-01-01"],
        ],
    )
    with db.unit_of_work() as session:
        plan, result = importers.run_import(session, path, "xlsx", "collaborations")
    assert result is not None
    assert result.created == 1
    assert any("('Collaborations register 2025') taken for a title" in n for n in plan.source.notes)
    assert plan.rows[0].row == 4  # row numbers stay those of the sheet


def test_excel_s_separator_line_names_the_separator(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_text("sep=;\nTitle;Kind;Start\nQuantum sensing, phase 2;Joint research;2025-01-01\n")
    with db.unit_of_work() as session:
        plan, result = importers.run_import(session, path, "csv", "collaborations")
    assert result is not None
    assert result.created == 1
    assert plan.rows[0].row == 3
    assert plan.rows[0].values["title"] == "Quantum sensing, phase 2"
    assert "separated by semicolon (as its 'sep=' line says)" in plan.source.notes[0]


def test_control_characters_do_not_reach_the_register(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "pasted.csv"
    path.write_text("Title,Kind,Start\nQuantum\x07 sensing\x1b,Joint research,2025-01-01\n")
    with db.unit_of_work() as session:
        plan, result = importers.run_import(session, path, "csv", "collaborations")
    assert result is not None
    assert plan.rows[0].values["title"] == "Quantum sensing"


def test_an_amount_too_large_to_store_is_refused_with_its_cell(
    db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "huge.csv"
    path.write_text("Title,Kind,Funding (EUR)\nBig science,Joint research,3000000000\n")
    with db.unit_of_work() as session:
        plan, _ = importers.run_import(session, path, "csv", "collaborations", dry_run=True)
    assert plan.rejected == 1
    assert "above the largest that can be stored (2,147,483,647)" in plan.rows[0].problems[0].reason
