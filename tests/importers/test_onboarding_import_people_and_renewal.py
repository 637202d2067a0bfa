"""The onboarding import on an office's real files: a "Person" column mixing staff numbers,
e-mails and names (the training import reads it the same way), completions recorded after their
renewal date (left open for the renewal, and a re-import changes nothing), and a dry run that
says so when opening the database wrote its own upkeep."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select

from rsdesk.db import Database, open_database
from rsdesk.models import AuditEntry, OnboardingCheck, StaffMember
from rsdesk.models.enums import CheckStatus
from rsdesk.services import importers, onboarding, training
from rsdesk.services.training import add_months
from tests.importers.conftest import file_digest, write_xlsx
from tests.importers.test_onboarding_import import _checks, _entries, _people, _verify

TODAY = dt.date.today()
#: Completed 13 months ago: the yearly declaration's renewal date has passed.
LATE = add_months(TODAY, -13)
#: Completed 2 months ago: within the renewal period.
RECENT = add_months(TODAY, -2)


def test_a_person_column_names_people_by_staff_number_e_mail_or_name(
    any_db: Database, tmp_path: Path
) -> None:
    db = any_db
    _people(db)
    path = write_xlsx(
        tmp_path / "checks.xlsx",
        [
            ["Person", "Check", "Status", "Date"],
            ["S-002", "security_briefing", "done", dt.date(2016, 1, 4)],
            ["JANE.DOE@UNI.EXAMPLE", "security_briefing", "done", dt.date(2013, 3, 15)],
            ["Li Wei", "security_briefing", "done", dt.date(2020, 1, 6)],
            ["jane.doe@uni.exampel", "cv_reference_check", "done", dt.date(2013, 3, 1)],
            ["Jane Do", "export_control_check", "done", dt.date(2013, 3, 1)],
        ],
    )
    with db.read() as session:
        plan, _ = importers.run_import(session, path, "xlsx", "onboarding", dry_run=True)
    assert plan.as_dict()["mapping"]["Person"] == "person"
    assert [str(problem) for problem in plan.problems] == [
        "row 5, column A (Person): no staff member with e-mail 'jane.doe@uni.exampel'; did you "
        "mean 'jane.doe@uni.example'?",
        "row 6, column A (Person): no staff member with staff number or name 'Jane Do'; did you "
        "mean 'Jane Doe'?",
    ]
    with db.unit_of_work() as session:
        importers.run_import(session, path, "xlsx", "onboarding", skip_bad_rows=True)
    closed = {key: value[:2] for key, value in _checks(db).items() if value[0] != "open"}
    assert closed == {
        ("S-002", "security_briefing"): ("done", dt.date(2016, 1, 4)),
        ("S-001", "security_briefing"): ("done", dt.date(2013, 3, 15)),
        ("S-003", "security_briefing"): ("done", dt.date(2020, 1, 6)),
    }
    _verify(db)


def test_an_empty_staff_register_is_the_only_reason_to_import_the_staff_first(
    db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "checks.csv"
    path.write_text(
        "Employee,Check,Status,Date\nann@uni.example,security_briefing,done,2020-01-01\n"
    )
    with db.read() as session:
        plan, _ = importers.run_import(session, path, "csv", "onboarding", dry_run=True)
    assert [str(problem) for problem in plan.problems] == [
        "row 2, column A (Employee): no staff member with e-mail 'ann@uni.example': the staff "
        "register is empty (import the staff first)"
    ]


def test_the_training_import_identifies_people_as_the_onboarding_import_does(
    any_db: Database, tmp_path: Path
) -> None:
    db = any_db
    _people(db)
    with db.read() as session:
        course = training.courses(session)[0]
    path = tmp_path / "completions.csv"
    path.write_text(
        "Staff,Course,Completed\n"
        f"Jane.Doe@Uni.Example,{course.code},2025-01-15\n"
        f"S-002,{course.code},2025-01-16\n"
        f"Li Wei,{course.code},2025-01-17\n"
        f"nobody@uni.example,{course.code},2025-01-18\n",
        encoding="utf-8",
    )
    with db.read() as session:
        plan, _ = importers.run_import(session, path, "csv", "training", dry_run=True)
    assert plan.as_dict()["mapping"]["Staff"] == "person"
    assert [row.action for row in plan.rows] == ["create", "create", "create", "reject"]
    assert [problem.reason for problem in plan.problems] == [
        "no staff member with e-mail 'nobody@uni.example'"
    ]


def _declaration(db: Database, number: str) -> OnboardingCheck:
    with db.read() as session:
        check = session.scalar(
            select(OnboardingCheck)
            .join(StaffMember, StaffMember.id == OnboardingCheck.staff_id)
            .where(
                StaffMember.staff_number == number,
                OnboardingCheck.check_code == "interests_declaration",
            )
        )
        assert check is not None
        return check


def test_a_completion_past_its_renewal_is_recorded_and_left_open_and_a_reimport_changes_nothing(
    any_db: Database, tmp_path: Path
) -> None:
    """The tester's loop: closed by the import, reopened by the next open, closed again by the
    re-import, two audit entries per cycle. Now the import records the completion and leaves
    the check open for its renewal at once, and the same file again is all unchanged."""
    db = any_db
    _people(db)
    path = tmp_path / "declarations.csv"
    path.write_text(
        "Staff no.,Check,Status,Date,By\n"
        f"S-001,interests_declaration,done,{LATE.isoformat()},J. Hr\n"
        f"S-002,interests_declaration,done,{RECENT.isoformat()},J. Hr\n",
        encoding="utf-8",
    )
    renewal = onboarding.renewal_date(LATE, 12)
    note = f"completed {LATE.isoformat()}; renewal due since {renewal.isoformat()}, left open"
    with db.read() as session:
        plan, _ = importers.run_import(session, path, "csv", "onboarding", dry_run=True)
    assert plan.problems == []
    assert [row.action for row in plan.rows] == ["update", "update"]
    assert list(plan.row_notes()) == [f"row 2 (S-001 / Declaration of outside interests): {note}"]
    assert plan.rows[0].changes["status"] == ("Open", "Done, then open for renewal")

    with db.unit_of_work() as session:
        importers.run_import(session, path, "csv", "onboarding", on_duplicate="update")
    late = _declaration(db, "S-001")
    assert late.status == CheckStatus.OPEN
    assert late.evidence_note == onboarding.renewal_note(LATE)
    assert late.due_date == onboarding.reopened_due_date(renewal, TODAY)
    assert late.completed_on is None
    recent = _declaration(db, "S-002")
    assert (recent.status, recent.completed_on) == (CheckStatus.DONE, RECENT)
    with db.read() as session:
        trail = session.execute(
            select(AuditEntry.actor, AuditEntry.changes)
            .where(AuditEntry.table_name == "onboarding_check", AuditEntry.record_id == late.id)
            .order_by(AuditEntry.id)
        ).all()
    # Created with the person, completed as in the file, reopened for its renewal.
    assert len(trail) == 3
    assert trail[1][1]["completed_on"] == [None, LATE.isoformat()]
    assert trail[1][1]["status"] == ["open", "done"]
    assert trail[2][1]["status"] == ["done", "open"]
    assert trail[2][0].startswith(onboarding.RENEWAL_ACTOR + " (imported by ")
    _verify(db)

    # Opening the database finds nothing to renew; the same file again changes nothing.
    reopened = open_database(db.url)
    try:
        assert reopened.opening_notes == []
    finally:
        reopened.dispose()
    entries = _entries(db)
    with db.unit_of_work() as session:
        plan, result = importers.run_import(
            session, path, "csv", "onboarding", on_duplicate="update"
        )
    assert result is not None
    assert [row.action for row in plan.rows] == ["unchanged", "unchanged"]
    assert list(plan.row_notes()) == [f"row 2 (S-001 / Declaration of outside interests): {note}"]
    assert _entries(db) == entries
    assert _declaration(db, "S-001").status == CheckStatus.OPEN


def test_opening_that_renews_says_so_and_a_dry_run_does_not_claim_nothing_was_written(
    db: Database, db_path: Path, tmp_path: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    _people(db)
    check_id = _declaration(db, "S-001").id
    with db.unit_of_work() as session:
        onboarding.complete(session, check_id, on=LATE)
    db.dispose()
    path = tmp_path / "checks.csv"
    path.write_text("Person,Check,Status,Date\nS-002,security_briefing,done,2016-01-04\n")

    # Any command: the open reopened the declaration, and says so on stderr.
    code, out, err = cli("audit", "verify")
    assert code == 0, err
    assert "Opening the database reopened 1 onboarding check due for renewal." in err

    # Due again (as if a year passed): the dry run's open writes, the import does not.
    database = open_database(db.url)
    with database.unit_of_work() as session:
        onboarding.complete(session, check_id, on=LATE)
    database.dispose()
    code, out, err = cli("import", "csv", str(path), "--what", "onboarding", "--dry-run")
    assert code == 0, err
    assert err.splitlines() == [
        "Opening the database reopened 1 onboarding check due for renewal.",
        "dry run: the import wrote nothing",
    ]
    before = file_digest(db_path)
    code, out, err = cli("import", "csv", str(path), "--what", "onboarding", "--dry-run")
    assert code == 0, err
    assert err.splitlines() == ["dry run: nothing was written"]
    assert file_digest(db_path) == before
