"""Training compliance as of a past date: who was employed then, and what they had completed then.

Internal audit found 2024 and 2025 both reading "91 required, 88%": a person who started on
2026-09-27 and completed the course that day counted as current at 2024-12-31.
"""

from __future__ import annotations

import datetime as dt

from rsdesk.models import Department
from rsdesk.services import staff, training
from rsdesk.services.reports import figures
from rsdesk.services.reports.pdf.annual import generate_annual
from tests.reports.pdf.helpers import flat, pages_text

LATE_START = dt.date(2026, 9, 27)


def _people(session) -> dict[str, int]:  # noqa: ANN001
    """Three researchers (the awareness course, refreshed every 24 months, is required of them)."""
    training.sync_courses(session)
    department = Department(name="Department of Optics")
    session.add(department)
    session.flush()
    starts = {
        "Early Completer": dt.date(2020, 1, 6),
        "Late Completer": dt.date(2020, 1, 6),
        "Late Starter": LATE_START,
    }
    ids = {
        name: staff.create(
            session,
            staff.StaffInput(
                staff_number=f"S{index}",
                full_name=name,
                role_category="researcher",
                department_id=department.id,
                start_date=start,
            ),
        ).staff.id
        for index, (name, start) in enumerate(starts.items())
    }
    course = training.course_by_code(session, "rs_awareness")
    training.record_completion(session, ids["Early Completer"], course.id, dt.date(2024, 3, 1))
    training.record_completion(session, ids["Late Completer"], course.id, dt.date(2025, 3, 1))
    training.record_completion(session, ids["Late Starter"], course.id, LATE_START)
    return ids


def _awareness(grid: training.TrainingMatrix) -> dict[str, training.TrainingStatus | None]:
    index = [c.code for c in grid.courses].index("rs_awareness")
    return {row.full_name: row.statuses[index] for row in grid.rows}


def test_matrix_of_a_past_date_counts_who_was_employed_and_what_was_done_then(db) -> None:
    with db.unit_of_work() as session:
        _people(session)
    with db.read() as session:
        end_2024 = _awareness(training.matrix(session, None, dt.date(2024, 12, 31)))
        end_2025 = _awareness(training.matrix(session, None, dt.date(2025, 12, 31)))
        spring_2026 = _awareness(training.matrix(session, None, dt.date(2026, 2, 15)))
        after_start = _awareness(training.matrix(session, None, LATE_START))
    # not yet employed: not counted at all
    assert "Late Starter" not in end_2024
    assert "Late Starter" not in end_2025
    # a completion in 2025 does not count at the end of 2024
    assert end_2024 == {
        "Early Completer": training.TrainingStatus.CURRENT,
        "Late Completer": training.TrainingStatus.MISSING,
    }
    assert end_2025["Late Completer"] == training.TrainingStatus.CURRENT
    # expiry is measured at the date: 2024-03-01 + 24 months is 2026-03-01
    assert spring_2026["Early Completer"] == training.TrainingStatus.EXPIRING
    assert after_start == {
        "Early Completer": training.TrainingStatus.EXPIRED,
        "Late Completer": training.TrainingStatus.CURRENT,
        "Late Starter": training.TrainingStatus.CURRENT,
    }


def test_annual_report_year_columns_differ_by_what_was_true_then(any_db) -> None:
    db = any_db
    with db.unit_of_work() as session:
        _people(session)
    with db.read() as session:
        end_2024 = figures.year_figures(session, 2024)
        end_2025 = figures.year_figures(session, 2025)
        grid = training.matrix(session, None, dt.date(2025, 12, 31))
    # two people employed at both dates, each required to take the same courses
    required = sum(status is not None for row in grid.rows for status in row.statuses)
    assert len(grid.rows) == 2
    assert (end_2024.training_required, end_2024.training_compliant) == (required, 1)
    assert (end_2025.training_required, end_2025.training_compliant) == (required, 2)
    with db.unit_of_work() as session:
        _, content = generate_annual(session, 2025, database_name="x", actor="t")
    text = flat("\n".join(pages_text(content)))
    assert f"Required trainings (staff employed then) {required} {required} =" in text
    now, before = round(200 / required), round(100 / required)
    assert f"Training compliance {now}% {before}% +{now - before} pts" in text
