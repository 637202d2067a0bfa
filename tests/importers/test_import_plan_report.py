"""What the plan tells before anything is written: every problem of a row, each update field by
field (old -> new), course names that were probably meant and partners that may be one."""

from __future__ import annotations

from pathlib import Path

from rsdesk.db import Database
from rsdesk.services import importers, staff, training
from tests.importers.sample import populate


def _plan(db: Database, path: Path, what: str, on_duplicate: str = "skip") -> importers.ImportPlan:
    with db.read() as session:
        plan, _ = importers.run_import(
            session, path, "csv", what, on_duplicate=on_duplicate, dry_run=True
        )
    return plan


def test_every_problem_of_a_row_is_reported(db: Database, tmp_path: Path) -> None:
    populate(db)
    with db.unit_of_work() as session:
        staff.create(session, staff.StaffInput("S-013", "Li Wei", "postdoc"))
    path = tmp_path / "c.csv"
    path.write_text(
        "Title;Kind;Lead;Funding;Start;End\nLasers;exchange;Li Wei;lots;2025-03-01;2024-01-01\n",
        encoding="utf-8",
    )
    plan = _plan(db, path, "collaborations")
    assert [str(p) for p in plan.problems] == [
        "row 2, column D (Funding): 'lots' is not a number",
        "row 2, column C (Lead): 2 staff members are called 'Li Wei'; give the staff number",
        "row 2, column F (End): ends (2024-01-01) before it starts (2025-03-01)",
    ]
    assert plan.rejected == 1


def test_a_completion_lists_an_unknown_person_and_course_and_a_bad_date(
    db: Database, tmp_path: Path
) -> None:
    populate(db)
    with db.unit_of_work() as session:
        training.sync_courses(session)
    path = tmp_path / "t.csv"
    path.write_text("Staff number,Course,Completed\nS-999,Nonesuch,31.02.2025\n", encoding="utf-8")
    reasons = [p.reason for p in _plan(db, path, "training").problems]
    assert len(reasons) == 3
    assert "no staff member 'S-999'" in reasons[1]
    assert "no course 'Nonesuch'" in reasons[2]
