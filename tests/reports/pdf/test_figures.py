"""Year figures with people in the database: onboarding and training feed the annual report."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from rsdesk.models import Department, OnboardingCheck
from rsdesk.models.enums import CheckStatus
from rsdesk.services import staff, training
from rsdesk.services.reports import figures
from rsdesk.services.reports.pdf.annual import generate_annual
from tests.reports.pdf.helpers import flat, pages_text


def test_onboarding_and_training_figures(db) -> None:
    today = dt.date.today()
    with db.unit_of_work() as session:
        training.sync_courses(session)
        department = Department(name="Лаборатория физики 物理")
        session.add(department)
        session.flush()
        people = [
            staff.create(
                session,
                staff.StaffInput(
                    staff_number=f"S{index}",
                    full_name=name,
                    role_category="researcher",
                    department_id=department.id,
                    start_date=today - dt.timedelta(days=60),
                ),
            ).staff.id
            for index, name in enumerate(["Αλέξανδρος Παπαδόπουλος", "김민준", "محمد علي"])
        ]
        first = session.scalars(
            select(OnboardingCheck).where(OnboardingCheck.staff_id == people[0])
        ).all()
        for check in first:
            check.status = CheckStatus.DONE
            check.completed_on = today
        course = training.courses(session)[0]
        training.record_completion(session, people[0], course.id, today)
    with db.read() as session:
        result = figures.year_figures(session, today.year)
        due = session.scalar(
            select(func.count(OnboardingCheck.id)).where(
                OnboardingCheck.due_date >= dt.date(today.year, 1, 1),
                OnboardingCheck.due_date <= today,
            )
        )
        done = session.scalar(
            select(func.count(OnboardingCheck.id)).where(
                OnboardingCheck.due_date >= dt.date(today.year, 1, 1),
                OnboardingCheck.due_date <= today,
                OnboardingCheck.status != CheckStatus.OPEN,
            )
        )
        rows = training.compliance_by_department(session, today=today)
    assert result.onboarding_due == due > 0
    assert result.onboarding_completed == done > 0
    assert result.training_required == sum(r.required for r in rows) > 0
    assert result.training_compliant == sum(r.compliant for r in rows)
    with db.unit_of_work() as session:
        _, content = generate_annual(session, today.year, database_name="x", actor="t")
    text = flat("\n".join(pages_text(content)))
    assert f"{done} of {due} onboarding checks due so far in {today.year}" in text
    assert "Лаборатория физики 物理" in text
    assert "Training compliance by department" in text
    assert "No training is required of current staff" not in text
