"""Importing onboarding-check status from an office's old spreadsheet, on real databases."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select

from rsdesk.db import Database, open_database
from rsdesk.models import AuditEntry, OnboardingCheck, StaffMember
from rsdesk.services import audit, importers, staff
from rsdesk.services.errors import KnownError
from tests.importers.conftest import file_digest, write_xlsx

HEADER = "Staff no.;E-mail;Name;Check;Status;Date;By;Note\n"


def _people(db: Database) -> None:
    """A professor (five checks), a researcher and a PhD candidate (who has no declaration of
    outside interests), added as an officer would, so that each has the rules' checklist."""
    with db.unit_of_work() as session:
        staff.create(
            session,
            staff.StaffInput(
                "S-001",
                "Jane Doe",
                "professor",
                email="jane.doe@uni.example",
                start_date=dt.date(2012, 9, 1),
            ),
        )
        staff.create(
            session,
            staff.StaffInput("S-002", "Ahmed Ali", "researcher", start_date=dt.date(2015, 1, 1)),
        )
        staff.create(
            session,
            staff.StaffInput("S-003", "Li Wei", "phd_candidate", start_date=dt.date(2019, 10, 1)),
        )


def _checks(db: Database) -> dict[tuple[str, str], tuple[Any, ...]]:
    """(staff number, check code) -> (status, completed on, by, evidence, waiver reason)."""
    with db.read() as session:
        rows = session.execute(
            select(
                StaffMember.staff_number,
                OnboardingCheck.check_code,
                OnboardingCheck.status,
                OnboardingCheck.completed_on,
                OnboardingCheck.completed_by,
                OnboardingCheck.evidence_note,
                OnboardingCheck.waiver_reason,
            ).join(StaffMember, StaffMember.id == OnboardingCheck.staff_id)
        ).all()
    return {(row[0], row[1]): tuple(row[2:]) for row in rows}


def _entries(db: Database) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def _verify(db: Database) -> None:
    with db.read() as session:
        result = audit.verify(session)
    assert result.ok, result.problem


def test_a_good_file_closes_the_checks_with_their_dates_and_audit_entries(
    any_db: Database, tmp_path: Path
) -> None:
    db = any_db
    _people(db)
    path = tmp_path / "onboarding.csv"
    path.write_text(
        HEADER
        + "S-001;;;research-security briefing;Completed;15.03.2013;A. Officer;signed form\n"
        + ";JANE.DOE@uni.example;;interests_declaration;waived;2013-03-16;;declared at hiring\n"
        + ";;Ahmed Ali;CV AND REFERENCE VERIFICATION;N/A;45000;;\n"
        + "S-003;;Li Wei;security_briefing;Open;;;\n",
        encoding="utf-8",
    )
    before = _entries(db)
    with db.read() as session:
        source = importers.read_file(path, "csv")
        assert importers.guess_target(source) == "onboarding"
    with db.unit_of_work() as session:
        plan, result = importers.run_import(session, path, "csv", "onboarding")
    assert result is not None
    assert (result.updated, result.unchanged, result.rejected) == (3, 1, 0)
    assert plan.as_dict()["mapping"] == {
        "Staff no.": "staff_number",
        "E-mail": "email",
        "Name": "staff_name",
        "Check": "check",
        "Status": "status",
        "Date": "completed_on",
        "By": "completed_by",
        "Note": "evidence_note",
    }
    checks = _checks(db)
    assert checks[("S-001", "security_briefing")] == (
        "done",
        dt.date(2013, 3, 15),
        "A. Officer",
        "signed form",
        None,
    )
    status, on, by, evidence, reason = checks[("S-001", "interests_declaration")]
    assert (status, on, evidence, reason) == (
        "waived",
        dt.date(2013, 3, 16),
        None,
        "declared at hiring",
    )
    assert by  # the officer who imported (the database's actor)
    # An Excel serial date: 45000 is 2023-03-15.
    assert checks[("S-002", "cv_reference_check")][:2] == ("not_applicable", dt.date(2023, 3, 15))
    assert checks[("S-003", "security_briefing")][0] == "open"
    # Every other check is still open: the file said nothing of them.
    assert checks[("S-001", "cv_reference_check")][0] == "open"
    # One audited update per changed check, as when an officer closes it in the editor.
    with db.read() as session:
        updates = session.execute(
            select(AuditEntry.record_id, AuditEntry.changes).where(
                AuditEntry.id > before,
                AuditEntry.table_name == "onboarding_check",
                AuditEntry.action == "update",
            )
        ).all()
    assert len(updates) == 3
    assert all(changes["status"][0] == "open" for _, changes in updates)
    _verify(db)

    # The same file again changes nothing.
    after = _entries(db)
    with db.unit_of_work() as session:
        _, again = importers.run_import(session, path, "csv", "onboarding")
    assert again is not None
    assert (again.updated, again.unchanged) == (0, 4)
    assert _entries(db) == after

    # A check closed already with another status or date is left alone unless asked ...
    path.write_text(
        HEADER + "S-001;;;security_briefing;waived;01.04.2013;;briefed at the previous post\n",
        encoding="utf-8",
    )
    with db.read() as session:
        plan, _ = importers.run_import(session, path, "csv", "onboarding", dry_run=True)
    assert plan.rows[0].action == "skip"
    assert "already done on 2013-03-15" in plan.rows[0].note
    # ... and updated from the file when the user says so, the change listed beforehand.
    with db.unit_of_work() as session:
        plan, result = importers.run_import(
            session, path, "csv", "onboarding", on_duplicate="update"
        )
    assert result is not None
    assert result.updated == 1
    assert [str(change) for change in plan.changes()][:2] == [
        "row 2 (S-001 / Research-security briefing): Status: 'Done' → 'Waived'",
        "row 2 (S-001 / Research-security briefing): Date: 2013-03-15 → 2013-04-01",
    ]
    assert _checks(db)[("S-001", "security_briefing")][:2] == ("waived", dt.date(2013, 4, 1))
    _verify(db)


BAD_ROWS: list[list[object]] = [
    ["Staff no.", "Name", "Check", "Status", "Date", "Note"],
    ["S-001", "Jane Doe", "security_briefing", "Done", dt.date(2013, 3, 15), "form on file"],
    ["S-999", "", "security_briefing", "Done", dt.date(2013, 3, 15), ""],
    ["S-002", "", "Research security briefng", "Done", dt.date(2016, 1, 10), ""],
    ["S-003", "", "Declaration of outside interests", "Done", dt.date(2020, 1, 10), ""],
    ["S-002", "", "interests_declaration", "Waived", dt.date(2016, 1, 10), ""],
    ["S-002", "", "cv_reference_check", "Done", dt.date.today() + dt.timedelta(days=3), ""],
    ["S-003", "", "security_briefing", "maybe", dt.date(2020, 1, 10), ""],
    ["S-003", "", "cv_reference_check", "Done", "", ""],
]
EXPECTED_PROBLEMS = [
    "row 3, column A (Staff no.): no staff member with staff number 'S-999'",
    "row 4, column C (Check): no onboarding check 'Research security briefng'; "
    "did you mean 'Research-security briefing'?",
    "row 5, column C (Check): Li Wei has no check 'Declaration of outside interests': it does "
    "not apply to their role (PhD candidate) and research",
    "row 6, column F (Note): a waived check needs a reason (in the note)",
    "row 7, column E (Date): the date is in the future",
    "row 8, column D (Status): 'maybe' is not one of: Open, Done, Waived, Not applicable",
    "row 9, column E (Date): a check marked Done needs the date it was closed on",
]


@pytest.fixture
def cli_db(db_path: Path) -> Path:
    """A SQLite file with the three people, closed again so that the CLI has it to itself."""
    database = open_database(db_path)
    _people(database)
    database.dispose()
    return db_path


def test_bad_rows_are_each_named_and_nothing_is_written(cli_db: Path, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    path = write_xlsx(tmp_path / "old checks.xlsx", BAD_ROWS)
    problems = tmp_path / "problems.xlsx"
    before = file_digest(cli_db)

    # --what left out: the headers say it is onboarding.
    code, out, err = cli("import", "xlsx", str(path))
    assert code == 1
    assert [
        line[len("problem: ") :] for line in out.splitlines() if line.startswith("problem:")
    ] == (EXPECTED_PROBLEMS)
    assert "Nothing was imported: 7 of 8 rows have problems" in err
    assert file_digest(cli_db) == before

    code, out, err = cli(
        "import",
        "xlsx",
        str(path),
        "--what",
        "onboarding",
        "--dry-run",
        "--problems",
        str(problems),
    )
    assert code == 1
    assert "Onboarding checks: 8 rows: 0 to create, 1 to update" in out
    assert "dry run: nothing was written" in err
    assert file_digest(cli_db) == before
    sheet = openpyxl.load_workbook(problems)["Problems"]
    found = [(r[0], r[1], r[3]) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert found[0] == (3, "A (Staff no.)", "S-999")
    assert found[5] == (8, "D (Status)", "maybe")

    # Skipping the bad rows writes the good one only.
    code, out, err = cli("import", "xlsx", str(path), "--what", "onboarding", "--skip-bad-rows")
    assert code == 0, err
    assert "0 created, 1 updated, 0 unchanged, 0 duplicates skipped, 7 bad rows skipped" in err
    database = open_database(cli_db)
    try:
        checks = _checks(database)
        closed = {key: value for key, value in checks.items() if value[0] != "open"}
        assert closed == {
            ("S-001", "security_briefing"): (
                "done",
                dt.date(2013, 3, 15),
                closed[("S-001", "security_briefing")][2],
                "form on file",
                None,
            )
        }
        _verify(database)
    finally:
        database.dispose()


def test_refused_import_leaves_the_database_as_it_was(any_db: Database, tmp_path: Path) -> None:
    """All or nothing on either engine: the good row of a file with bad rows is not written."""
    _people(any_db)
    path = write_xlsx(tmp_path / "bad.xlsx", BAD_ROWS)
    checks, entries = _checks(any_db), _entries(any_db)
    with (
        pytest.raises(KnownError, match="Nothing was imported: 7 of 8 rows"),
        any_db.unit_of_work() as session,
    ):
        importers.run_import(session, path, "xlsx", "onboarding")
    with any_db.read() as session:
        plan, result = importers.run_import(session, path, "xlsx", "onboarding", dry_run=True)
    assert result is None
    assert [str(problem) for problem in plan.problems] == EXPECTED_PROBLEMS
    assert _checks(any_db) == checks
    assert _entries(any_db) == entries


def test_a_person_is_named_by_one_identity(db: Database, tmp_path: Path) -> None:
    """A staff number beside someone else's e-mail or name is refused, not guessed."""
    _people(db)
    path = tmp_path / "mixed.csv"
    path.write_text(
        HEADER
        + "S-002;jane.doe@uni.example;;security_briefing;done;2016-01-01;;\n"
        + "S-002;;Jane Doe;security_briefing;done;2016-01-01;;\n"
        + ";nobody@uni.example;;security_briefing;done;2016-01-01;;\n"
        + "S-002;;;security_briefing;done;2016-01-01;;\n"
        + "S-002;;;Research-security briefing;done;2016-01-02;;\n",
        encoding="utf-8",
    )
    with db.read() as session:
        plan, _ = importers.run_import(session, path, "csv", "onboarding", dry_run=True)
    assert [str(problem) for problem in plan.problems] == [
        "row 2, column B (E-mail): 'jane.doe@uni.example' is not the e-mail of staff number "
        "S-002 (Ahmed Ali); correct the e-mail or the number",
        "row 3, column C (Name): 'Jane Doe' is not staff number S-002 (Ahmed Ali); correct the "
        "name or the number",
        "row 4, column B (E-mail): no staff member with e-mail 'nobody@uni.example'",
        "row 6, column D (Check): same person and check as row 5",
    ]


@pytest.mark.ui
def test_the_import_dialog_imports_onboarding_status(qtbot, db: Database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from rsdesk.ui.context import AppContext
    from rsdesk.ui.dialogs.import_dialog import ImportDialog

    _people(db)
    path = tmp_path / "checks.csv"
    path.write_text(
        "Employee number,Onboarding check,State,Done on,Evidence\n"
        "S-001,security_briefing,Done,01.10.2012,signed\n"
        "S-002,Research-security briefing,Completed,2015-02-01,\n"
        "S-003,interests_declaration,Done,2020-01-01,\n",
        encoding="utf-8",
    )
    context = AppContext.create(db)
    dialog = ImportDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    try:
        with qtbot.waitSignal(dialog.previewed, timeout=20_000) as blocker:
            dialog.load(path)
        plan = blocker.args[0]
        assert dialog.target.currentData() == "onboarding"
        assert dialog.target.currentText() == "Onboarding checks"
        assert dialog.mapping() == {
            0: "staff_number",
            1: "check",
            2: "status",
            3: "completed_on",
            4: "evidence_note",
        }
        assert (plan.counts()["update"], plan.rejected) == (2, 1)
        assert "row 4, column B (Onboarding check): Li Wei has no check" in (
            dialog.details.toPlainText()
        )
        dialog.skip_bad.setChecked(True)
        with qtbot.waitSignal(dialog.imported, timeout=20_000) as blocker:
            dialog.import_button.click()
        assert blocker.args[0].updated == 2
        assert "Imported: 0 created, 2 updated" in dialog.summary.text()
    finally:
        context.ops.wait()
    checks = _checks(db)
    assert checks[("S-001", "security_briefing")][:2] == ("done", dt.date(2012, 10, 1))
    assert checks[("S-002", "security_briefing")][:2] == ("done", dt.date(2015, 2, 1))


def test_the_onboarding_register_exported_imports_into_another_database(
    db: Database, sqlite_template: Path, tmp_path: Path
) -> None:
    """An office that keeps its checks in one rsdesk can bring them into another: the register's
    workbook maps by itself, and the statuses and dates arrive as they were."""
    from rsdesk.services import onboarding
    from rsdesk.services.reports.xlsx.registers import export_register
    from tests.conftest import fresh_sqlite

    _people(db)
    with db.unit_of_work() as session:
        ids = {
            (number, code): id_
            for id_, number, code in session.execute(
                select(
                    OnboardingCheck.id, StaffMember.staff_number, OnboardingCheck.check_code
                ).join(StaffMember)
            )
        }
        onboarding.complete(session, ids[("S-001", "security_briefing")], on=dt.date(2013, 1, 7))
        onboarding.waive(session, ids[("S-002", "cv_reference_check")], "hired internally",
                         on=dt.date(2015, 2, 3))  # fmt: skip
        onboarding.mark_not_applicable(
            session, ids[("S-003", "cv_reference_check")], on=dt.date(2019, 11, 4)
        )
    out = tmp_path / "onboarding.xlsx"
    with db.read() as session:
        export_register(session, "onboarding", out)
    folder = tmp_path / "other"
    folder.mkdir()
    other = open_database(fresh_sqlite(sqlite_template, folder))
    try:
        _people(other)
        with other.unit_of_work() as session:
            plan, result = importers.run_import(session, out, "xlsx", None)
        assert plan.target == "onboarding"
        assert result is not None
        assert (result.updated, result.rejected) == (3, 0)
        assert {key: value[:2] for key, value in _checks(other).items() if value[0] != "open"} == {
            ("S-001", "security_briefing"): ("done", dt.date(2013, 1, 7)),
            ("S-002", "cv_reference_check"): ("waived", dt.date(2015, 2, 3)),
            ("S-003", "cv_reference_check"): ("not_applicable", dt.date(2019, 11, 4)),
        }
        assert _checks(other)[("S-002", "cv_reference_check")][4] == "hired internally"
        _verify(other)
    finally:
        other.dispose()
