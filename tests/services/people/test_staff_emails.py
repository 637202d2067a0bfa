"""E-mail addresses are one address whatever their case: stored trimmed and lower-cased, and
refused for a second person, from the editor's service, from imports and from the command line.
People who already shared an address (saved before addresses were compared) keep working."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import select

from rsdesk.cli import main
from rsdesk.db import Database
from rsdesk.models import StaffMember
from rsdesk.services import importers
from rsdesk.services import staff as staff_service
from rsdesk.services.errors import ValidationError
from tests.services.people.helpers import person

DUPMAIL = (
    "Staff number,Name,Email,Role,Start date\n"
    "P-3001,Marta Garcia,M.GARCIA@INST.EXAMPLE,researcher,2026-11-01\n"
    "P-3002,Tom Test,tom@inst.example,researcher,2026-11-01\n"
    "P-3003,Tom Test2,TOM@inst.example,researcher,2026-11-01\n"
)


def _email(session, staff_id: int) -> str | None:
    return session.get(StaffMember, staff_id).email


def test_an_email_is_stored_trimmed_and_lower_cased(any_db: Database) -> None:
    with any_db.unit_of_work() as session:
        marta = person(session, email="  M.Garcia@INST.Example ")
    with any_db.read() as session:
        assert _email(session, marta) == "m.garcia@inst.example"


def test_the_same_email_in_another_case_is_refused_for_another_person(any_db: Database) -> None:
    with any_db.unit_of_work() as session:
        person(session, staff_number="P-1", email="tom@inst.example")
        other = person(session, staff_number="P-2", email="thomas@inst.example")
    with any_db.unit_of_work() as session, pytest.raises(ValidationError) as refused:
        person(session, staff_number="P-3", email="TOM@inst.example")
    assert refused.value.field == "email"
    assert str(refused.value) == "The e-mail tom@inst.example is already used by staff number P-1"
    with any_db.unit_of_work() as session:
        current = staff_service.get(session, other).as_input()
        with pytest.raises(ValidationError, match="already used by staff number P-1"):
            staff_service.update(
                session, other, dataclasses.replace(current, email="Tom@Inst.example")
            )
    with any_db.unit_of_work() as session:  # one's own address, in capitals, is still one's own
        current = staff_service.get(session, other).as_input()
        staff_service.update(
            session, other, dataclasses.replace(current, email="THOMAS@inst.example")
        )
    with any_db.read() as session:
        assert _email(session, other) == "thomas@inst.example"


def test_people_who_already_share_an_address_can_still_be_saved(any_db: Database) -> None:
    """A database from before this check may hold the same address twice: no migration
    touches it (it would change records behind the audit trail), and saving either person
    without giving them a new address still works."""
    with any_db.unit_of_work() as session:
        first = person(session, staff_number="P-1", email="tom@inst.example")
        second = person(session, staff_number="P-2", email="someone@inst.example")
    with any_db.unit_of_work() as session:  # as an older rsdesk stored it
        session.get(StaffMember, second).email = "TOM@inst.example"
    with any_db.unit_of_work() as session:
        staff_service.change(session, second, role_category="professor")
        staff_service.change(session, first, full_name="Tom Renamed")
    with any_db.read() as session:
        assert _email(session, second) == "tom@inst.example"
        assert session.get(StaffMember, second).role_category == "professor"


def test_an_import_lower_cases_emails_and_names_the_duplicate_row(
    db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "dupmail.csv"
    path.write_text(DUPMAIL, encoding="utf-8")
    with db.unit_of_work() as session:
        plan, _ = importers.run_import(session, path, "csv", "staff", dry_run=True)
    assert [r.action for r in plan.rows] == ["create", "create", "reject"]
    assert str(plan.rows[2].problems[0]) == (
        "row 4, column C (Email): e-mail tom@inst.example is also on row 3"
    )
    with db.unit_of_work() as session:
        importers.run_import(session, path, "csv", "staff", skip_bad_rows=True)
    with db.read() as session:
        emails = dict(session.execute(select(StaffMember.staff_number, StaffMember.email)).all())
    assert emails == {"P-3001": "m.garcia@inst.example", "P-3002": "tom@inst.example"}


def test_an_import_refuses_an_address_another_person_has(db: Database, tmp_path: Path) -> None:
    with db.unit_of_work() as session:
        person(session, staff_number="P-1", email="tom@inst.example")
    own = tmp_path / "own.csv"  # his own address, in capitals: an update, not a clash
    own.write_text("Staff number,Name,Email,Role\nP-1,Tom Test,TOM@INST.EXAMPLE,researcher\n")
    other = tmp_path / "other.csv"
    other.write_text("Staff number,Name,Email,Role\nP-9,Tim Test,Tom@Inst.Example,researcher\n")
    with db.unit_of_work() as session:
        plan, _ = importers.run_import(session, own, "csv", "staff", dry_run=True)
        assert not plan.rows[0].problems
        plan, _ = importers.run_import(session, other, "csv", "staff", dry_run=True)
    assert str(plan.rows[0].problems[0]) == (
        "row 2, column C (Email): e-mail tom@inst.example is already used by staff number P-1"
    )


def test_the_command_line_import_refuses_a_duplicate_in_one_line(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "dupmail.csv"
    path.write_text(DUPMAIL, encoding="utf-8")
    assert main(["--db", str(db_path), "import", "csv", str(path), "--what", "staff"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "row 4, column C (Email): e-mail tom@inst.example is also on row 3" in err[0]
    assert "Traceback" not in err[0]
