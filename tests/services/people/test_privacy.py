"""Privacy: anonymisation removes the identity everywhere (audit log included) and keeps statistics;
the subject-access export holds everything on one person; no origin fields exist at all."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from rsdesk.models import (
    AccessGrant,
    AdviceRequest,
    AuditEntry,
    Base,
    OnboardingCheck,
    SensitiveAsset,
    StaffMember,
    TrainingRecord,
)
from rsdesk.models.enums import AssetKind
from rsdesk.services import audit, onboarding, privacy, training
from rsdesk.services import staff as staff_service
from rsdesk.services.errors import ValidationError

from .helpers import department, person

D = dt.date
TODAY = D(2026, 1, 1)
IDENTITY = ("Zelda", "Quixotic", "zelda.qm@example.org", "ZQ-77123", "zq77123")


def _former_colleague(session) -> int:
    """A person with a history: renamed, e-mail changed, checks, training, access, advice."""
    training.sync_courses(session)
    dept = department(session, "Chemistry")
    staff_id = person(
        session,
        staff_number="zq77123",
        full_name="Zelda Quixotic",
        email="zelda.q@example.org",
        department_id=dept,
        role_category="postdoc",
        dual_use_code="1",
        start_date=D(2019, 9, 1),
    )
    staff_service.change(session, staff_id, full_name="Zelda Quixotic-Marsh")
    staff_service.change(session, staff_id, email="zelda.qm@example.org", staff_number="ZQ-77123")
    first = onboarding.checklist(session, staff_id)[0]
    onboarding.complete(session, first.id, evidence="briefing attended")
    course = training.course_by_code(session, "rs_awareness")
    training.record_completion(session, staff_id, course.id, D(2020, 1, 10))
    asset = SensitiveAsset(name="Cleanroom B", kind=AssetKind.LAB, sensitivity_level="sensitive")
    session.add(asset)
    session.flush()
    session.add(
        AccessGrant(asset_id=asset.id, staff_id=staff_id, since=D(2020, 2, 1), reason="project X")
    )
    session.add(
        AdviceRequest(
            asked_on=D(2021, 5, 1),
            requester_name="Zelda Quixotic-Marsh",
            requester_staff_id=staff_id,
            question="May I host a visitor?",
        )
    )
    session.flush()
    staff_service.archive(session, staff_id, end_date=D(2022, 12, 31))
    return staff_id


def _texts_in_every_table(path) -> list[tuple[str, str]]:
    connection = sqlite3.connect(path)
    try:
        tables = [
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        found = []
        for table in tables:
            for row in connection.execute(f'SELECT * FROM "{table}"'):
                for value in row:
                    if isinstance(value, bytes):
                        value = value.decode("utf-8", "replace")
                    if isinstance(value, str):
                        found.append((table, value))
        return found
    finally:
        connection.close()


def test_anonymisation_removes_the_identity_everywhere_and_audit_still_verifies(db, db_path):
    with db.unit_of_work() as session:
        staff_id = _former_colleague(session)
        stays = person(session, full_name="Current Colleague", start_date=D(2024, 1, 1))
    before = _texts_in_every_table(db_path)
    assert any("Quixotic" in text for _, text in before)
    assert any(table == "audit_entry" and "zelda.q@example.org" in t for table, t in before)

    with db.read() as session:
        due = privacy.due_for_anonymisation(session, today=TODAY)
    assert [leaver.staff_id for leaver in due] == [staff_id]
    with db.unit_of_work() as session:
        result = privacy.anonymise_due(session, today=TODAY)
    assert result.people == 1
    assert result.audit_entries_redacted >= 4

    leftovers = [
        (table, text)
        for table, text in _texts_in_every_table(db_path)
        for needle in IDENTITY
        if needle.lower() in text.lower()
    ]
    assert leftovers == []

    with db.read() as session:
        row = session.get(StaffMember, staff_id)
        assert row.full_name == f"Former staff {staff_id:04d}"
        assert row.email is None
        assert row.anonymised_at is not None
        # Statistics survive: department, role, dates, checks, training, access grant.
        assert row.department_id is not None
        assert row.role_category == "postdoc"
        assert row.end_date == D(2022, 12, 31)
        assert (
            session.scalar(
                select(func.count())
                .select_from(OnboardingCheck)
                .where(OnboardingCheck.staff_id == staff_id)
            )
            > 0
        )
        assert (
            session.scalar(
                select(func.count())
                .select_from(TrainingRecord)
                .where(TrainingRecord.staff_id == staff_id)
            )
            == 1
        )
        assert session.scalar(select(func.count()).select_from(AccessGrant)) == 1
        request = session.scalar(select(AdviceRequest))
        assert request.requester_name == f"Former staff {staff_id:04d}"
        assert session.get(StaffMember, stays).full_name == "Current Colleague"
        # Old entries keep no salt for personal fields: a digest cannot be tested against guesses.
        old = session.scalars(
            select(AuditEntry).where(
                AuditEntry.table_name == "staff_member",
                AuditEntry.record_id == staff_id,
                AuditEntry.action != "anonymise",
            )
        ).all()
        assert old
        assert all(not (entry.salts or {}) for entry in old)
        assert all(entry.redacted for entry in old if "full_name" in entry.changes)
        assert audit.verify(session).ok

    cli = subprocess.run(
        [sys.executable, "-m", "rsdesk", "--db", str(db_path), "audit", "verify"],
        capture_output=True,
        text=True,
    )
    assert cli.returncode == 0, cli.stderr
    assert "audit trail intact" in cli.stdout


def _texts_through_sqlalchemy(db) -> list[tuple[str, str]]:
    found = []
    with db.read() as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(select(table)):
                found.extend((table.name, str(value)) for value in row if value is not None)
    return found


def test_anonymisation_on_every_engine(any_db):
    with any_db.unit_of_work() as session:
        staff_id = _former_colleague(session)
    assert any("Quixotic" in text for _, text in _texts_through_sqlalchemy(any_db))
    with any_db.unit_of_work() as session:
        assert privacy.anonymise_due(session, today=TODAY).people == 1
    leftovers = [
        (table, text)
        for table, text in _texts_through_sqlalchemy(any_db)
        for needle in IDENTITY
        if needle.lower() in text.lower()
    ]
    assert leftovers == []
    with any_db.read() as session:
        assert session.get(StaffMember, staff_id).full_name == f"Former staff {staff_id:04d}"
        result = audit.verify(session)
    assert result.ok, result.problem


def test_anonymised_file_keeps_no_trace_on_disk(db, db_path):
    """Deleted bytes are overwritten (secure_delete), so the file itself holds no old name."""

    def file_bytes() -> bytes:
        with db.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        raw = db_path.read_bytes()
        wal = db_path.with_name(db_path.name + "-wal")
        return raw + (wal.read_bytes() if wal.exists() else b"")

    with db.unit_of_work() as session:
        _former_colleague(session)
    assert b"Quixotic" in file_bytes()
    with db.unit_of_work() as session:
        privacy.anonymise_due(session, today=TODAY)
    raw = file_bytes()
    assert b"Quixotic" not in raw
    assert b"ZQ-77123" not in raw


def test_people_within_the_retention_period_are_refused(db):
    with db.unit_of_work() as session:
        leaver = person(session, start_date=D(2020, 1, 1), end_date=D(2025, 6, 30))
        current = person(session)
        privacy.set_retention_months(session, 6)
    with db.read() as session:
        assert privacy.retention_months(session) == 6
        # Left 30 June 2025; 6 months later is 30 Dec 2025: due on 1 Jan 2026, not on 30 Dec.
        assert [x.staff_id for x in privacy.due_for_anonymisation(session, TODAY)] == [leaver]
        assert privacy.due_for_anonymisation(session, D(2025, 12, 30)) == []
    with db.unit_of_work() as session, pytest.raises(ValidationError, match="retention"):
        privacy.anonymise(session, [current], today=TODAY)
    with db.unit_of_work() as session, pytest.raises(ValidationError, match="600"):
        privacy.set_retention_months(session, 0)


def test_subject_access_export_holds_everything_on_the_person(db, tmp_path):
    with db.unit_of_work() as session:
        staff_id = _former_colleague(session)
        session.get(
            OnboardingCheck, onboarding.checklist(session, staff_id)[1].id
        ).evidence_note = "=cmd|' /C calc'!A0"
        session.flush()
    out = tmp_path / "sar.xlsx"
    with db.read() as session:
        privacy.subject_access_export(session, staff_id, out)
    workbook = load_workbook(out)
    assert workbook.sheetnames == [
        "Record",
        "Onboarding checks",
        "Training",
        "Access grants",
        "Responsibilities",
        "Audit trail",
    ]
    record = {row[0]: row[1] for row in workbook["Record"].iter_rows(values_only=True)}
    assert record["Name"] == "Zelda Quixotic-Marsh"
    assert record["E-mail"] == "zelda.qm@example.org"
    assert workbook["Training"].max_row == 2
    assert workbook["Access grants"]["A2"].value == "Cleanroom B"
    responsibilities = [r[0] for r in workbook["Responsibilities"].iter_rows(values_only=True)]
    assert "Asked the desk for advice" in responsibilities
    trail = list(workbook["Audit trail"].iter_rows(min_row=2, values_only=True))
    assert {row[3] for row in trail} >= {"staff_member", "onboarding_check", "training_record"}
    assert any("Zelda Quixotic ->" in (row[6] or "") for row in trail)
    evidence = [row[7] for row in workbook["Onboarding checks"].iter_rows(values_only=True)]
    assert "=cmd|' /C calc'!A0" in evidence  # kept as the literal text typed
    # User text never becomes a formula.
    for sheet in workbook:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)


FORBIDDEN = ("nationality", "citizenship", "ethnicity", "ethnic", "religion", "race", "birthplace")


def test_no_origin_fields_anywhere():
    """Neither the schema nor the rules can hold or select by who a person is."""
    for table in Base.metadata.tables.values():
        for column in table.columns:
            assert not any(word in column.name.lower() for word in FORBIDDEN), column
    for key in ("nationality", "citizenship", "ethnicity", "religion"):
        with pytest.raises(ValidationError, match="never who the person is"):
            onboarding.parse_audience({key: ["x"]}, "rule")
