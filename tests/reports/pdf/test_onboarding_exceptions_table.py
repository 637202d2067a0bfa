"""The annual report's onboarding exceptions table says what it lists in terms of the figure
above it, and an overdue renewal reads as one.

An HR coordinator read "4 of 49 checks due so far in 2026" above a table of overdue checks due
from 2014 on, and a renewal left undone had an empty Note, like a check never done."""

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
    for number, name in enumerate(["Otto Old", "Rita Renewal", "Stan Stale", "Wanda Waived"]):
        people[name] = staff.create(
            session,
            staff.StaffInput(
                staff_number=f"HR{number}",
                full_name=name,
                role_category="administrative",
                department_id=department.id,
                start_date=dt.date(2014, 1, 6),
            ),
        ).staff.id
    session.execute(delete(OnboardingCheck))  # only the checks below
    for name, title, due, status, note, reason in [
        ("Otto Old", "Security briefing", dt.date(2014, 2, 1), CheckStatus.OPEN, None, None),
        ("Otto Old", "CV verification", dt.date(2026, 6, 1), CheckStatus.OPEN, None, None),
        # Reopened on its renewal date by the renewal, still not done.
        ("Rita Renewal", "Declaration of outside interests", dt.date(2026, 11, 10),
         CheckStatus.OPEN, "Renewal of 2025-11-10", None),
        # Completed, then reopened by hand: the old evidence must not make it look done.
        ("Stan Stale", "Export-control check", dt.date(2026, 3, 1), CheckStatus.OPEN,
         "signed form", None),
        ("Wanda Waived", "Facility briefing", dt.date(2026, 2, 1), CheckStatus.WAIVED,
         None, "no lab access after all"),
        ("Wanda Waived", "Done check", dt.date(2026, 2, 1), CheckStatus.DONE, "ok", None),
    ]:  # fmt: skip
        session.add(
            OnboardingCheck(
                staff_id=people[name],
                check_code=title.lower().replace(" ", "_"),
                title=title,
                due_date=due,
                status=status,
                evidence_note=note,
                waiver_reason=reason,
            )
        )
    session.flush()


def test_the_counts_behind_the_table_split_overdue_checks_by_the_year_they_fell_due(any_db):
    with any_db.unit_of_work() as session:
        _checks(session)
    with any_db.read() as session:
        counts = figures.onboarding_exception_counts(session, 2026, REPORT_DAY)
        rows, total = figures.onboarding_exceptions(session, 2026, today=REPORT_DAY)
        year = figures.year_figures(session, 2026, REPORT_DAY)
    assert counts == figures.OnboardingExceptionCounts(overdue=4, overdue_in_year=3, waived=1)
    assert total == counts.overdue + counts.waived
    # The overdue checks due in the year are the year's due checks not closed.
    assert counts.overdue_in_year == year.onboarding_due - year.onboarding_completed
    notes = {row.check: row.note for row in rows}
    assert notes["Declaration of outside interests"] == "Renewal of 2025-11-10"
    assert notes["Export-control check"] is None
    assert notes["Security briefing"] is None
    assert notes["Facility briefing"] == "no lab access after all"


def test_the_table_says_it_lists_overdue_checks_of_any_year_and_names_renewals(db):
    with db.unit_of_work() as session:
        _checks(session)
        _, content = generate_annual(session, 2026, database_name="x", actor="t", today=REPORT_DAY)
    text = flat("\n".join(pages_text(content)))
    section = text[text.index("Onboarding exceptions 2 of 5") :]
    section = section[: section.index("Training compliance by department")]
    assert section.startswith(
        "Onboarding exceptions 2 of 5 onboarding checks due so far in 2026 (by 2026-11-27) were "
        "completed, waived or not applicable (40%). "
        "Below: the 4 open checks past their due date on 2026-11-27, whatever the year they "
        "fell due (3 of them due in 2026, 1 from an earlier year and not in the figure above), "
        "and the 1 check due in 2026 that was waived."
    )
    assert "Declaration of outside interests 2026-11-10 Overdue Renewal of 2025-11-10" in section
    assert "signed form" not in section
    assert "Security briefing 2014-02-01 Overdue" in section


def test_the_caption_of_a_year_without_waivers_or_without_overdue_checks(db):
    from rsdesk.services.reports.pdf.annual import _exceptions_caption

    with db.read() as session:
        year = figures.year_figures(session, 2025, today=REPORT_DAY)
    assert year.as_of == dt.date(2025, 12, 31)
    only_overdue = figures.OnboardingExceptionCounts(overdue=1, overdue_in_year=1, waived=0)
    assert _exceptions_caption(only_overdue, year) == (
        "Below: the 1 open check past its due date on 2025-12-31, whatever the year it fell due "
        "(due in 2025)."
    )
    only_waived = figures.OnboardingExceptionCounts(overdue=0, overdue_in_year=0, waived=2)
    assert _exceptions_caption(only_waived, year) == (
        "Below: the 2 checks due in 2025 that were waived."
    )
