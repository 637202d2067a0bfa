"""The annual report's onboarding section agrees with the dashboard and says what it counts.

An HR lead found the 2026 report (made on 27 November) listing the open checks of people who
had left, counting a check due on 27 December as due and not completed, and calling checks two
years past their due date "Open".
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete

from rsdesk.models import Department, OnboardingCheck
from rsdesk.models.enums import CheckStatus
from rsdesk.services import staff
from rsdesk.services.reports import figures
from rsdesk.services.reports.pdf.annual import generate_annual
from tests.reports.pdf.helpers import flat, pages_text

REPORT_DAY = dt.date(2026, 11, 27)


def _checks(session) -> None:  # noqa: ANN001
    department = Department(name="Human Resources")
    session.add(department)
    session.flush()
    people = {}
    for number, (name, end) in enumerate(
        [
            ("Lena Left", dt.date(2026, 6, 30)),
            ("Otto Late", None),
            ("Nina New", None),
            ("Dora Done", None),
        ]
    ):
        people[name] = staff.create(
            session,
            staff.StaffInput(
                staff_number=f"HR{number}",
                full_name=name,
                role_category="administrative",
                department_id=department.id,
                start_date=dt.date(2024, 9, 1),
                end_date=end,
            ),
        ).staff.id
    # Only the checks below: those the rules made at creation go.
    session.execute(delete(OnboardingCheck))
    for name, title, due, status in [
        ("Lena Left", "Left before doing it", dt.date(2026, 3, 1), CheckStatus.OPEN),
        ("Otto Late", "Two years late", dt.date(2024, 10, 1), CheckStatus.OPEN),
        ("Otto Late", "Late this year", dt.date(2026, 9, 1), CheckStatus.OPEN),
        ("Nina New", "Due next month", dt.date(2026, 12, 27), CheckStatus.OPEN),
        ("Dora Done", "Done in spring", dt.date(2026, 5, 1), CheckStatus.DONE),
    ]:
        session.add(
            OnboardingCheck(
                staff_id=people[name],
                check_code=title.lower().replace(" ", "_"),
                title=title,
                due_date=due,
                status=status,
            )
        )
    session.flush()


def test_the_year_so_far_counts_checks_due_by_the_report_day_of_staff_still_here(any_db) -> None:
    with any_db.unit_of_work() as session:
        _checks(session)
    with any_db.read() as session:
        year = figures.year_figures(session, 2026, REPORT_DAY)
        rows, total = figures.onboarding_exceptions(session, 2026, today=REPORT_DAY)
    # Dora's (done) and Otto's 2026 check; not Nina's (due after the day), not Lena's (left).
    assert (year.onboarding_due, year.onboarding_completed) == (1 + 1, 1)
    assert total == 2
    assert [(r.staff, r.check, r.status) for r in rows] == [
        ("Otto Late", "Two years late", "overdue"),
        ("Otto Late", "Late this year", "overdue"),
    ]


def test_the_annual_report_reads_due_so_far_and_overdue(db) -> None:
    with db.unit_of_work() as session:
        _checks(session)
        _, content = generate_annual(session, 2026, database_name="x", actor="t", today=REPORT_DAY)
    text = flat("\n".join(pages_text(content)))
    assert (
        "1 of 2 onboarding checks due so far in 2026 (by 2026-11-27) were completed, "
        "waived or not applicable (50%)." in text
    )
    assert "Onboarding checks due (by 2026-11-27) 2" in text
    section = text[text.index("onboarding checks due so far") :]
    section = section[: section.index("Training compliance by department")]
    assert "Lena Left" not in section
    assert section.count("Overdue") == 2
    assert " Open " not in section
