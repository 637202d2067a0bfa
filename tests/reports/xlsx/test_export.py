"""Exported workbooks read back with openpyxl: types, styles, validation, filters, injections."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest

from rsdesk.cli import main
from rsdesk.db import Database
from rsdesk.services import audit, pseudonyms, registers
from rsdesk.services.registers.base import RegisterQuery
from rsdesk.services.reports.xlsx import styles as st
from rsdesk.services.reports.xlsx.audit import export_audit_workbook
from rsdesk.services.reports.xlsx.registers import export_register
from rsdesk.services.reports.xlsx.sheet import excel_serial
from tests.importers.sample import INJECTIONS, populate


@pytest.fixture
def filled(db: Database) -> Database:
    populate(db)
    return db


def _export(db: Database, tmp_path: Path, name: str = "collaborations", **kwargs: object) -> Path:
    out = tmp_path / f"{name}.xlsx"
    with db.read() as session:
        export_register(session, name, out, actor=db.actor, **kwargs)  # type: ignore[arg-type]
    return out


def _column(sheet: openpyxl.worksheet.worksheet.Worksheet, header: str) -> int:
    headers = [cell.value for cell in sheet[1]]
    return headers.index(header) + 1


@pytest.mark.parametrize("fast", [True, False], ids=["fast-writer", "openpyxl-cells"])
def test_user_text_that_looks_like_a_formula_stays_literal_text(
    filled: Database, tmp_path: Path, fast: bool
) -> None:
    out = _export(filled, tmp_path, fast=fast)
    sheet = openpyxl.load_workbook(out)["Collaborations"]
    title = _column(sheet, "Title")
    cells = {sheet.cell(row, title).value: sheet.cell(row, title) for row in range(2, 10)}
    for text in INJECTIONS:
        cell = cells[text]
        assert cell.data_type == "s", text
        assert cell.quotePrefix, f"{text!r} must carry the quote prefix"
    assert not cells["Photonics contract"].quotePrefix
    with zipfile.ZipFile(out) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml
    assert "<f " not in xml


def test_numbers_and_dates_stay_numbers_and_dates(filled: Database, tmp_path: Path) -> None:
    sheet = openpyxl.load_workbook(_export(filled, tmp_path))["Collaborations"]
    start, funding, ident = (_column(sheet, h) for h in ("Start", "Funding (EUR)", "ID"))
    row = 3
    assert isinstance(sheet.cell(row, ident).value, int)
    assert sheet.cell(row, start).is_date
    assert sheet.cell(row, start).number_format == st.DATE_FORMAT
    assert isinstance(sheet.cell(row, funding).value, int)
    assert sheet.cell(row, funding).number_format == st.MONEY_FORMAT
    with filled.read() as session:
        expected = registers.fetch(
            session, registers.get("collaborations"), RegisterQuery(), keys=["start_date"]
        )
    got = [sheet.cell(r, start).value.date() for r in range(2, 2 + len(expected))]
    assert got == [row[1] for row in expected]


def test_header_is_styled_frozen_and_filtered(filled: Database, tmp_path: Path) -> None:
    workbook = openpyxl.load_workbook(_export(filled, tmp_path))
    sheet = workbook["Collaborations"]
    spec = registers.get("collaborations")
    header = sheet["A1"]
    assert header.font.bold
    assert header.fill.fgColor.rgb.endswith(st.HEADER_FILL)
    assert [c.value for c in sheet[1]] == ["ID", *(c.label for c in spec.columns)]
    assert sheet.freeze_panes == "B2"
    assert sheet.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(spec.columns) + 1)}9"
    assert sheet.column_dimensions["C"].width == spec.column("title").width + 2
    assert workbook.properties.creator == filled.actor
    assert workbook.properties.title == "Collaborations"


def test_status_and_risk_columns_have_drop_downs(filled: Database, tmp_path: Path) -> None:
    workbook = openpyxl.load_workbook(_export(filled, tmp_path))
    sheet = workbook["Collaborations"]
    lists = workbook["Lists"]
    assert lists.sheet_state == "hidden"
    by_column = {}
    for validation in sheet.data_validations.dataValidation:
        assert validation.type == "list"
        assert validation.showErrorMessage
        for cell_range in validation.sqref.ranges:
            by_column[cell_range.min_col] = validation.formula1
    status = _column(sheet, "Status")
    assert status in by_column
    assert _column(sheet, "Risk") in by_column
    reference = by_column[status].split("!")[1].replace("$", "")
    allowed = [c.value for row in lists[reference] for c in row]
    assert "Approved with conditions" in allowed
    values = {sheet.cell(r, status).value for r in range(2, 10)}
    assert values <= set(allowed)


def test_risk_levels_are_coloured(filled: Database, tmp_path: Path) -> None:
    sheet = openpyxl.load_workbook(_export(filled, tmp_path))["Collaborations"]
    risk = _column(sheet, "Risk")
    seen = {}
    for row in range(2, 10):
        cell = sheet.cell(row, risk)
        if cell.value:
            seen[cell.value] = cell.fill.fgColor.rgb[-6:]
    assert seen == {st.label(level): fill for level, (fill, _) in st.RISK_COLOURS.items()}


def test_filtered_view_exports_only_its_rows(filled: Database, tmp_path: Path) -> None:
    query = RegisterQuery(text="photonics")
    sheet = openpyxl.load_workbook(_export(filled, tmp_path, query=query))["Collaborations"]
    titles = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert titles == ["Photonics contract"]


def test_control_characters_do_not_break_the_export(db: Database, tmp_path: Path) -> None:
    from rsdesk.services import collaborations

    with db.unit_of_work() as session:
        collaborations.create(
            session,
            collaborations.CollaborationInput(title="Bell\x07 and\x0bstop", kind="exchange"),
        )
    sheet = openpyxl.load_workbook(_export(db, tmp_path))["Collaborations"]
    assert sheet["C2"].value == "Bell andstop"


def test_audit_workbook_cover_counts_and_hash(filled: Database, tmp_path: Path) -> None:
    out = tmp_path / "audit.xlsx"
    with filled.read() as session:
        result = export_audit_workbook(
            session, out, actor=filled.actor, database=filled.display_name()
        )
        latest = audit.latest_hash(session)
        expected_counts = {
            name: registers.count(
                session, registers.get(name), RegisterQuery(include_archived=True)
            )
            for name in registers.names()
        }
        entries = audit.entry_count(session)
    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames[0] == "Cover"
    cover = {row[0]: row[1] for row in workbook["Cover"].iter_rows(values_only=True) if row[0]}
    assert cover["Audit chain latest hash"] == latest
    assert cover["Exported by"] == filled.actor
    assert cover["Database"] == filled.display_name()
    assert isinstance(cover["Exported at (UTC)"], dt.datetime)
    rows_by_sheet = {
        row[0]: row[1]
        for row in workbook["Cover"].iter_rows(values_only=True)
        if isinstance(row[1], int) and row[0] != "Audit entries"
    }
    for summary in result.sheets:
        assert rows_by_sheet[summary.sheet_title] == summary.rows
        assert workbook[summary.sheet_title].max_row == summary.rows + 1
        if summary.register in expected_counts:
            assert summary.rows == expected_counts[summary.register]
    registers_written = {s.register for s in result.sheets}
    assert set(registers.names()) - {"audit_log"} <= registers_written
    assert rows_by_sheet["Audit log"] == entries > 0


def test_pseudonymised_export_hides_staff_and_is_stable(filled: Database, tmp_path: Path) -> None:
    with filled.unit_of_work() as session:
        pseudonymiser = pseudonyms.Pseudonymiser(pseudonyms.ensure_secret(session))
    outs = []
    for number in (1, 2):
        out = tmp_path / f"p{number}.xlsx"
        with filled.read() as session:
            secret = pseudonyms.load_secret(session)
            assert secret is not None
            export_audit_workbook(
                session,
                out,
                actor=filled.actor,
                database=filled.display_name(),
                pseudonymiser=pseudonyms.Pseudonymiser(secret),
            )
        outs.append(out)
    texts = []
    for out in outs:
        with zipfile.ZipFile(out) as archive:
            texts.append(
                "".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".xml"))
            )
    for secret_text in ("Jane Doe", "jane.doe@uni.example", "S-001", "Ahmed Ali"):
        assert secret_text not in texts[0], secret_text
    workbook = openpyxl.load_workbook(outs[0])
    again = openpyxl.load_workbook(outs[1])
    jane = pseudonymiser("Jane Doe")
    staff_names = [r[2] for r in workbook["Staff"].iter_rows(min_row=2, values_only=True)]
    assert jane in staff_names
    leads = {r[8] for r in workbook["Collaborations"].iter_rows(min_row=2, values_only=True)}
    assert jane in leads
    assert list(workbook["Staff"].values) == list(again["Staff"].values)
    assert "University of Tokyo" in texts[0]  # partners are organisations, not people


def test_fast_writer_and_openpyxl_cells_give_the_same_workbook(
    filled: Database, tmp_path: Path
) -> None:
    fast = openpyxl.load_workbook(_export(filled, tmp_path / "..", fast=True))["Collaborations"]
    (tmp_path / "slow").mkdir()
    slow = openpyxl.load_workbook(_export(filled, tmp_path / "slow", fast=False))["Collaborations"]
    for row_fast, row_slow in zip(fast.iter_rows(), slow.iter_rows(), strict=True):
        for a, b in zip(row_fast, row_slow, strict=True):
            assert (a.value, a.data_type, a.number_format, a.quotePrefix, a.font.bold) == (
                b.value,
                b.data_type,
                b.number_format,
                b.quotePrefix,
                b.font.bold,
            )


def test_excel_serial_matches_openpyxl() -> None:
    from openpyxl.utils.datetime import to_excel

    for value in (dt.date(1900, 1, 1), dt.date(1900, 3, 1), dt.date(2024, 2, 29)):
        assert excel_serial(value) == to_excel(value)
    moment = dt.datetime(2025, 6, 30, 18, 45, 30)
    assert excel_serial(moment) == pytest.approx(to_excel(moment))


def test_cli_exports_audit_workbook_and_one_register(
    filled: Database, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    filled.dispose()
    out = tmp_path / "all.xlsx"
    assert main(["--db", str(db_path), "export", "xlsx", str(out)]) == 0
    assert "Cover" in openpyxl.load_workbook(out, read_only=True).sheetnames
    one = tmp_path / "staff.xlsx"
    assert (
        main(
            ["--db", str(db_path), "export", "xlsx", str(one), "--what", "staff", "--pseudonymise"]
        )
        == 0
    )
    book = openpyxl.load_workbook(one)
    visible = [ws.title for ws in book if ws.sheet_state == "visible"]
    # The register first (what imports read), then the cover saying what the file holds.
    assert visible == ["Staff", "Cover"]
    cover = {row[0]: row[1] for row in book["Cover"].iter_rows(values_only=True) if row}
    assert cover["Personal data"] == "pseudonymised"
    assert cover["Filters"] == "all records"
    assert main(["--db", str(db_path), "export", "xlsx", str(tmp_path / "x.pdf")]) == 1
    assert main(["--db", str(db_path), "export", "xlsx", str(out), "--what", "nope"]) == 1
    err = capsys.readouterr().err
    assert "rsdesk: x.pdf: give the workbook a .xlsx name" in err
    assert "Unknown register 'nope'" in err


def test_rows_past_the_sheet_limit_continue_on_further_sheets(
    filled: Database, tmp_path: Path
) -> None:
    out = tmp_path / "split.xlsx"
    with filled.read() as session:
        result = export_audit_workbook(
            session, out, actor="a", database="d", max_rows=4
        )  # header + 3 rows per sheet
    workbook = openpyxl.load_workbook(out)
    summary = next(s for s in result.sheets if s.register == "collaborations")
    assert summary.sheet_title == "Collaborations, Collaborations (2), Collaborations (3)"
    rows = []
    for title in summary.sheet_title.split(", "):
        sheet = workbook[title]
        assert sheet["A1"].value == "ID"
        assert sheet.freeze_panes == "B2"
        rows += [row for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(rows) == summary.rows == 8
    assert len({r[0] for r in rows}) == 8  # every record once
    audit_summary = next(s for s in result.sheets if s.register == "audit log")
    audit_rows = sum(workbook[t].max_row - 1 for t in audit_summary.sheet_title.split(", "))
    assert audit_rows == audit_summary.rows


def test_the_audit_log_register_writes_changes_as_json(filled: Database, tmp_path: Path) -> None:
    """The changes of each entry arrive as JSON a script can read back, not Python's repr
    ("{'title': [None, 'x']}")."""
    import json

    sheet = openpyxl.load_workbook(_export(filled, tmp_path, "audit_log")).worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    column = headers.index("Fields")
    texts = [row[column] for row in sheet.iter_rows(min_row=2, values_only=True) if row[column]]
    assert texts
    for text in texts:
        assert isinstance(json.loads(text), dict), text
