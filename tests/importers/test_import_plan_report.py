"""What the plan tells before anything is written: every problem of a row, each update field by
field (old -> new), course names that were probably meant and partners that may be one."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from sqlalchemy import select

from rsdesk.db import Database
from rsdesk.models import Partner
from rsdesk.services import importers, staff, training
from tests.importers.sample import populate


def _plan(db: Database, path: Path, what: str, on_duplicate: str = "skip") -> importers.ImportPlan:
    with db.read() as session:
        plan, _ = importers.run_import(
            session, path, "csv", what, on_duplicate=on_duplicate, dry_run=True
        )
    return plan


def test_every_problem_of_a_row_is_reported(any_db: Database, tmp_path: Path) -> None:
    db = any_db
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
    any_db: Database, tmp_path: Path
) -> None:
    db = any_db
    populate(db)
    with db.unit_of_work() as session:
        training.sync_courses(session)
    path = tmp_path / "t.csv"
    path.write_text("Staff number,Course,Completed\nS-999,Nonesuch,31.02.2025\n", encoding="utf-8")
    reasons = [p.reason for p in _plan(db, path, "training").problems]
    assert len(reasons) == 3
    assert "no staff member with staff number 'S-999'" in reasons[1]
    assert "no course 'Nonesuch'" in reasons[2]


def _zolc(db: Database) -> None:
    populate(db)
    with db.unit_of_work() as session:
        staff.create(
            session,
            staff.StaffInput(
                "P-1001", "Łukasz Żółć", "professor", email="lukasz.zolc@inst.example"
            ),
        )


ASCII = "Staff number;Name;Email;Role\np-1001;Lukasz Zolc;LUKASZ.ZOLC@INST.EXAMPLE;Professor\n"


def test_a_dry_run_lists_each_update_field_by_field(  # type: ignore[no-untyped-def]
    db: Database, db_path: Path, tmp_path: Path, cli
) -> None:
    _zolc(db)
    path = tmp_path / "staff_ascii.csv"
    path.write_text(ASCII, encoding="utf-8")
    db.dispose()
    args = ("import", "csv", str(path), "--on-duplicate", "update", "--dry-run")
    code, out, _ = cli(*args)
    assert code == 0
    assert (
        "update: row 2 (P-1001): Name: 'Łukasz Żółć' → 'Lukasz Zolc' "
        "(only case, accents or punctuation differ)"
    ) in out.splitlines()
    assert "update: row 2 (P-1001): Staff no.: 'P-1001' → 'p-1001'" in out
    assert "Role" not in out.split("update:", 1)[1]  # unchanged fields are not listed
    code, out, _ = cli(*args, "--json")
    updates = json.loads(out)["updates"]
    assert updates == [
        {
            "row": 2,
            "key": "P-1001",
            "changes": {
                "staff_number": {"old": "P-1001", "new": "p-1001"},
                "full_name": {"old": "Łukasz Żółć", "new": "Lukasz Zolc"},
            },
        }
    ]
    out_path = tmp_path / "plan.xlsx"
    code, _, _ = cli(*args, "--problems", str(out_path))
    sheet = openpyxl.load_workbook(out_path)["Changes"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows[1][:5] == (2, "P-1001", "Name", "'Łukasz Żółć'", "'Lukasz Zolc'")
    assert len(rows) == 2


def test_the_text_output_caps_the_listed_changes(  # type: ignore[no-untyped-def]
    db: Database, db_path: Path, tmp_path: Path, cli
) -> None:
    with db.unit_of_work() as session:
        for number in range(60):
            staff.create(session, staff.StaffInput(f"N-{number}", f"Person {number}", "postdoc"))
    path = tmp_path / "renamed.csv"
    path.write_text(
        "Staff number,Name\n" + "".join(f"N-{n},Renamed {n}\n" for n in range(60)),
        encoding="utf-8",
    )
    db.dispose()
    code, out, _ = cli(
        "import", "csv", str(path), "--what", "staff", "--on-duplicate", "update", "--dry-run"
    )
    lines = out.splitlines()
    assert code == 0
    assert sum(line.startswith("update: ") for line in lines) == 50
    assert "… and 10 more changes (--json or --problems OUT.xlsx lists them all)" in lines


def test_a_misspelt_course_gets_a_suggestion(any_db: Database, tmp_path: Path) -> None:
    db = any_db
    populate(db)
    with db.unit_of_work() as session:
        training.sync_courses(session)
        names = [course.name for course in training.courses(session)]
    assert "Information security and cyber hygiene" in names
    path = tmp_path / "t.csv"
    path.write_text(
        "Staff number,Course,Completed\n"
        "S-001,Information security & cyber hygiene,2025-01-15\n"
        "S-002,Underwater basket weaving,2025-01-15\n",
        encoding="utf-8",
    )
    reasons = [p.reason for p in _plan(db, path, "training").problems]
    assert reasons == [
        "no course 'Information security & cyber hygiene' in the catalogue; "
        "did you mean 'Information security and cyber hygiene'?",
        "no course 'Underwater basket weaving' in the catalogue",
    ]


def test_partner_names_that_look_alike_are_warned_about_not_merged(  # type: ignore[no-untyped-def]
    db: Database, tmp_path: Path, cli
) -> None:
    populate(db)  # has "University of Tokyo"
    path = tmp_path / "c.csv"
    path.write_text(
        "Title;Kind;Partners\n"
        "Sensors;exchange;Technische Universität München\n"
        "Catalysts;exchange;TU München\n"
        "MoU;exchange;Technische Universitaet Muenchen\n"
        "Robots;exchange;Tokyo University\n"
        "Lasers;exchange;Technical University of Denmark\n",
        encoding="utf-8",
    )
    plan = _plan(db, path, "collaborations")
    assert plan.warnings == [
        "new partner 'Technische Universität München' (row 2) may be the same organisation as "
        "'TU München' (also new, row 3); not merged: use one spelling if it is",
        "new partner 'Technische Universität München' (row 2) may be the same organisation as "
        "'Technische Universitaet Muenchen' (also new, row 4); not merged: use one spelling if "
        "it is",
        "new partner 'TU München' (row 3) may be the same organisation as "
        "'Technische Universitaet Muenchen' (also new, row 4); not merged: use one spelling if "
        "it is",
        "new partner 'Tokyo University' (row 5) may be the same organisation as "
        "'University of Tokyo' (a partner in the register); not merged: use one spelling if it is",
    ]
    db.dispose()
    code, out, _ = cli("import", "csv", str(path), "--json")
    assert code == 0
    assert len(json.loads(out)["warnings"]) == 4
    with db.read() as session:
        names = {p.name for p in session.scalars(select(Partner))}
    assert {"TU München", "Technische Universitaet Muenchen", "Tokyo University"} <= names
