"""Training: expiry at month ends, the four statuses at their edges, bulk completion, the matrix."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, func, select

from rsdesk.models import AuditEntry, TrainingRecord
from rsdesk.services import audit, training
from rsdesk.services.errors import NotFoundError, ValidationError
from rsdesk.services.training import TrainingStatus, add_months, expiry, status_on

from .helpers import department, person

D = dt.date


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2024, 3, 15), 24, D(2026, 3, 15)),
        (D(2025, 1, 31), 1, D(2025, 2, 28)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2024, 2, 29), 48, D(2028, 2, 29)),
        (D(2025, 8, 31), 1, D(2025, 9, 30)),
        (D(2025, 12, 31), 2, D(2026, 2, 28)),
        (D(2025, 11, 30), 3, D(2026, 2, 28)),
        (D(2026, 3, 31), -1, D(2026, 2, 28)),
    ],
)
def test_add_months_clamps_to_the_month_end(start, months, expected):
    assert add_months(start, months) == expected


def test_expiry_follows_the_refresh_period():
    assert expiry(D(2025, 1, 31), 12) == D(2026, 1, 31)
    assert expiry(D(2025, 1, 31), None) is None


EXPIRES = D(2026, 3, 31)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (EXPIRES - dt.timedelta(days=31), TrainingStatus.CURRENT),
        (EXPIRES - dt.timedelta(days=30), TrainingStatus.EXPIRING),
        (EXPIRES - dt.timedelta(days=1), TrainingStatus.EXPIRING),
        (EXPIRES, TrainingStatus.EXPIRING),  # the last day it counts
        (EXPIRES + dt.timedelta(days=1), TrainingStatus.EXPIRED),
    ],
)
def test_status_edges(today, expected):
    assert status_on(EXPIRES, today) == expected


def test_missing_and_never_expiring():
    assert status_on(None, D(2030, 1, 1), has_record=False) == TrainingStatus.MISSING
    assert status_on(None, D(2030, 1, 1)) == TrainingStatus.CURRENT


def _setup(session):
    training.sync_courses(session)
    return {c.code: c for c in training.courses(session)}


@pytest.mark.parametrize(
    ("offset", "expected"),
    [(-1, TrainingStatus.EXPIRING), (0, TrainingStatus.EXPIRING), (1, TrainingStatus.EXPIRED)],
)
def test_status_edges_through_the_database(any_db, offset, expected):
    """A 12-month course completed 31 Jan 2025 expires 31 Jan 2026: check the day before/of/after."""
    with any_db.unit_of_work() as session:
        course = _setup(session)["infosec"]
        assert course.refresh_months == 12
        staff_id = person(session, role_category="administrative")
        training.record_completion(session, staff_id, course.id, D(2025, 1, 31))
    today = D(2026, 1, 31) + dt.timedelta(days=offset)
    with any_db.read() as session:
        statuses = {s.course.code: s for s in training.person_status(session, staff_id, today)}
        grid = training.matrix(session, today=today)
    assert statuses["infosec"].expires_on == D(2026, 1, 31)
    assert statuses["infosec"].status == expected
    index = [c.code for c in grid.courses].index("infosec")
    assert grid.rows[0].statuses[index] == expected


def test_latest_completion_counts(db):
    with db.unit_of_work() as session:
        course = _setup(session)["infosec"]
        staff_id = person(session)
        training.record_completion(session, staff_id, course.id, D(2025, 6, 1))
        training.record_completion(session, staff_id, course.id, D(2023, 6, 1))
    with db.read() as session:
        found = {s.course.code: s for s in training.person_status(session, staff_id, D(2026, 1, 1))}
    assert found["infosec"].status == TrainingStatus.CURRENT
    assert found["infosec"].expires_on == D(2026, 6, 1)


def test_matrix_marks_only_required_courses_and_filters_by_department(db):
    with db.unit_of_work() as session:
        courses = _setup(session)
        physics = department(session, "Physics")
        office = department(session, "Office")
        researcher = person(session, department_id=physics, role_category="researcher")
        sensitive = person(
            session, department_id=physics, role_category="postdoc", dual_use_code="3"
        )
        clerk = person(session, department_id=office, role_category="administrative")
        training.record_completion(session, researcher, courses["rs_awareness"].id, D(2025, 12, 1))
    today = D(2026, 1, 1)
    with db.read() as session:
        grid = training.matrix(session, today=today)
        physics_grid = training.matrix(session, department_id=physics, today=today)
        compliance = training.compliance_by_department(session, today=today)
    codes = [c.code for c in grid.courses]
    rows = {r.staff_id: dict(zip(codes, r.statuses, strict=True)) for r in grid.rows}
    assert rows[researcher]["rs_awareness"] == TrainingStatus.CURRENT
    assert rows[researcher]["export_control_basics"] is None
    assert rows[sensitive]["export_control_basics"] == TrainingStatus.MISSING
    assert rows[clerk]["rs_awareness"] is None
    assert rows[clerk]["data_protection"] == TrainingStatus.MISSING
    assert all(rows[s]["infosec"] == TrainingStatus.MISSING for s in (sensitive, clerk))
    assert {r.staff_id for r in physics_grid.rows} == {researcher, sensitive}
    by_name = {c.department: c for c in compliance}
    assert by_name["Office"].people == 1
    assert by_name["Office"].required == 2  # infosec and data protection
    assert by_name["Office"].percent == 0
    physics_required = sum(s is not None for r in physics_grid.rows for s in r.statuses)
    assert by_name["Physics"].required == physics_required
    assert by_name["Physics"].compliant == 1


def test_bulk_completion_of_500_people_is_one_transaction(any_db):
    db = any_db
    with db.unit_of_work() as session:
        course = _setup(session)["rs_awareness"]
        ids = [person(session) for _ in range(500)]
    with db.read() as session:
        entries_before = audit.entry_count(session)

    statements: list[str] = []

    def count_statements(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count_statements)
    try:
        with db.unit_of_work() as session:
            result = training.record_completions(
                session, ids, course.id, D(2026, 1, 15), certificate_ref="=HYPERLINK(1)"
            )
    finally:
        event.remove(db.engine, "before_cursor_execute", count_statements)
    assert result.recorded == 500
    assert result.expires_on == D(2028, 1, 15)
    inserts = [s for s in statements if s.startswith("INSERT INTO training_record")]
    audit_inserts = [s for s in statements if s.startswith("INSERT INTO audit_entry")]
    assert len(inserts) == 1
    assert len(audit_inserts) == 1
    with db.read() as session:
        assert audit.entry_count(session) == entries_before + 500
        assert session.scalar(select(func.count()).select_from(TrainingRecord)) == 500
        verified = audit.verify(session)
    assert verified.ok, verified.problem

    # Recording again the same day records nobody twice.
    with db.unit_of_work() as session:
        again = training.record_completions(session, ids[:10], course.id, D(2026, 1, 15))
    assert (again.recorded, again.already_recorded) == (0, 10)


def test_one_bad_person_records_nobody(db):
    with db.unit_of_work() as session:
        course = _setup(session)["rs_awareness"]
        ids = [person(session) for _ in range(20)]
    with db.read() as session:
        entries_before = audit.entry_count(session)
    with pytest.raises(NotFoundError, match="999999"), db.unit_of_work() as session:
        training.record_completions(session, [*ids, 999999], course.id, D(2026, 1, 15))

    # A failure after the insert, in the same unit of work, rolls the whole batch back too.
    def record_then_fail():
        with db.unit_of_work() as session:
            training.record_completions(session, ids, course.id, D(2026, 1, 15))
            raise RuntimeError("something else failed")

    with pytest.raises(RuntimeError):
        record_then_fail()
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(TrainingRecord)) == 0
        assert audit.entry_count(session) == entries_before
        assert (
            session.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.table_name == "training_record")
            )
            == 0
        )
        assert audit.verify(session).ok


def test_future_dates_and_empty_selection_are_refused(db):
    with db.unit_of_work() as session:
        course = _setup(session)["infosec"]
        staff_id = person(session)
        with pytest.raises(ValidationError, match="future"):
            training.record_completions(
                session, [staff_id], course.id, dt.date.today() + dt.timedelta(days=1)
            )
        with pytest.raises(ValidationError, match="at least one"):
            training.record_completions(session, [], course.id, D(2026, 1, 1))


def test_sync_courses_is_idempotent_and_follows_an_edited_catalogue(db):
    with db.unit_of_work() as session:
        assert len(training.courses(session)) == 6  # opening the database put them in
        assert training.sync_courses(session) == 0
        text = training.shipped_catalogue_text().replace(
            "refresh_months = 12", "refresh_months = 6"
        )
        text = text.replace('code = "travel_security"', 'code = "travel_security_v2"')
        training.save_catalogue_text(session, text)
        found = {c.code: c for c in training.courses(session, include_archived=True)}
    assert found["infosec"].refresh_months == 6
    assert found["travel_security"].archived
    assert not found["travel_security_v2"].archived
    with db.unit_of_work() as session, pytest.raises(ValidationError, match="religion"):
        training.save_catalogue_text(
            session, "[[course]]\ncode='x'\nname='X'\n[course.audience]\nreligion=['a']"
        )


def test_matrix_workbook_has_coloured_statuses_and_compliance(db, tmp_path):
    from openpyxl import load_workbook

    from rsdesk.services import people_exports

    with db.unit_of_work() as session:
        courses = _setup(session)
        dept = department(session, "Physics")
        done = person(session, full_name="=Done Person", department_id=dept)
        person(session, full_name="Not Done", department_id=dept)
        training.record_completion(session, done, courses["infosec"].id, D(2025, 12, 1))
    out = tmp_path / "matrix.xlsx"
    with db.read() as session:
        people = people_exports.export_training_matrix(session, out, today=D(2026, 1, 1))
    assert people == 2
    workbook = load_workbook(out)
    sheet = workbook["Training matrix"]
    header = [c.value for c in sheet[1]]
    column = header.index(courses["infosec"].name) + 1
    rows = {sheet.cell(r, 2).value: r for r in range(2, sheet.max_row + 1)}
    assert sheet.cell(rows["=Done Person"], 2).data_type == "s"
    current = sheet.cell(rows["=Done Person"], column)
    missing = sheet.cell(rows["Not Done"], column)
    assert current.value == "Current (2026-12-01)"
    assert missing.value == "Missing"
    assert current.fill.start_color.rgb.endswith("C6EFCE")
    assert missing.fill.start_color.rgb.endswith("D9D9D9")
    compliance = list(workbook["Compliance"].iter_rows(min_row=2, values_only=True))
    assert compliance[0][:3] == ("Physics", 2, 4)  # awareness and infosec for two researchers
    assert compliance[0][-1] == 25.0


def test_people_who_left_are_not_in_the_matrix_or_the_overdue_list(db):
    from rsdesk.services import onboarding

    today = D(2026, 6, 1)
    with db.unit_of_work() as session:
        _setup(session)
        stays = person(session, start_date=D(2025, 1, 1))
        left = person(session, start_date=D(2025, 1, 1), end_date=D(2026, 5, 31))
    with db.read() as session:
        rows = {r.staff_id for r in training.matrix(session, today=today).rows}
        overdue = {o.staff_id for o in onboarding.overdue_checks(session, today=today)}
        # Their own record still answers (subject access, history).
        assert training.person_status(session, left, today)
    assert rows == {stays}
    assert overdue == {stays}


def test_matrix_workbook_shows_long_department_names_and_filters(db, tmp_path):
    # "Department of Electrical Engineering" was cut off by the role beside it (width 30);
    # the matrix had no filter and the compliance sheet no frozen header
    from openpyxl import load_workbook

    from rsdesk.services import people_exports

    long_name = "Department of Aerospace and Civil Engineering"
    with db.unit_of_work() as session:
        _setup(session)
        person(session, full_name="Long Department", department_id=department(session, long_name))
    out = tmp_path / "matrix.xlsx"
    with db.read() as session:
        people_exports.export_training_matrix(session, out, today=D(2026, 1, 1))
    workbook = load_workbook(out)
    matrix, compliance = workbook["Training matrix"], workbook["Compliance"]
    assert matrix.column_dimensions["C"].width >= len(long_name)
    assert compliance.column_dimensions["A"].width >= len(long_name)
    assert matrix.auto_filter.ref == f"A1:{matrix.cell(1, matrix.max_column).column_letter}2"
    assert compliance.freeze_panes == "B2"
    assert compliance.cell(2, 8).number_format == "0.0"


def test_matrix_search_is_accent_blind_like_the_staff_register(any_db):
    with any_db.unit_of_work() as session:
        physics = department(session, "Physics")
        for name, number in [
            ("María García", "P-1002"),
            ("Maria Garcia", "P-1003"),
            ("Łukasz Żółć", "P-1004"),
            ("Ada Lovelace", "P-1005"),
        ]:
            person(session, full_name=name, staff_number=number, department_id=physics)
    with any_db.read() as session:

        def found(text: str) -> set[str]:
            return {row.full_name for row in training.matrix(session, search=text).rows}

        assert found("garcia") == {"María García", "Maria Garcia"}
        assert found("GARCÍA") == {"María García", "Maria Garcia"}
        assert found("zolc") == {"Łukasz Żółć"}
        assert found("lukasz p-1004") == {"Łukasz Żółć"}
        assert found("1005") == {"Ada Lovelace"}
        assert found("50%") == set()
