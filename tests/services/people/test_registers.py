"""The staff, onboarding and training registers: columns, filters and sorting in the database."""

from __future__ import annotations

import datetime as dt

from rsdesk.services import onboarding, registers, training
from rsdesk.services.registers import RegisterQuery

from .helpers import department, person

D = dt.date


def test_people_registers_are_listed():
    assert {"staff", "onboarding", "training"} <= set(registers.names())


def test_staff_register_shows_onboarding_state_and_filters(any_db):
    today = dt.date.today()
    with any_db.unit_of_work() as session:
        dept = department(session, "Physics")
        late = person(session, department_id=dept, start_date=today - dt.timedelta(days=400))
        fresh = person(session, start_date=today)
        clerk = person(session, role_category="administrative", start_date=today)
        late_checks = onboarding.checklist(session, late)
    spec = registers.get("staff")
    with any_db.read() as session:
        rows = registers.fetch(
            session, spec, RegisterQuery(), keys=["onboarding", "overdue_checks"]
        )
        by_id = {row[0]: row[1:] for row in rows}
        overdue = registers.fetch(session, spec, RegisterQuery(filters={"onboarding": "overdue"}))
        complete = registers.fetch(session, spec, RegisterQuery(filters={"onboarding": "complete"}))
        in_dept = registers.count(session, spec, RegisterQuery(filters={"department": dept}))
    assert by_id[late] == ("overdue", len(late_checks))
    assert by_id[fresh][0] == "open"
    assert by_id[clerk] == ("complete", 0)
    assert [row[0] for row in overdue] == [late]
    assert [row[0] for row in complete] == [clerk]
    assert in_dept == 1


def test_onboarding_and_training_registers(any_db):
    with any_db.unit_of_work() as session:
        training.sync_courses(session)
        staff_id = person(session, full_name="Ada Example", start_date=D(2024, 1, 1))
        course = training.course_by_code(session, "infosec")
        training.record_completion(session, staff_id, course.id, D(2024, 2, 1))
        training.record_completion(session, staff_id, course.id, dt.date.today())
    with any_db.read() as session:
        checks = registers.fetch(
            session,
            registers.get("onboarding"),
            RegisterQuery(filters={"due": "overdue"}),
            keys=["staff_name", "status"],
        )
        records = registers.fetch(
            session,
            registers.get("training"),
            RegisterQuery(filters={"expiry": "expired"}),
            keys=["staff_name", "course", "expires_on"],
        )
        searched = registers.count(
            session, registers.get("training"), RegisterQuery(text="information security")
        )
    assert checks
    assert all(row[1:] == ("Ada Example", "open") for row in checks)
    assert [row[1:] for row in records] == [
        ("Ada Example", "Information security and cyber hygiene", D(2025, 2, 1))
    ]
    assert searched == 2
