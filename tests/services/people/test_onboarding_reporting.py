"""How the staff and onboarding registers report checks, on screen and in their exports alike:
a leaver's row read "Left" beside "Overdue 2" and "Open checks 2", and the onboarding export
showed overdue checks and leavers' checks both as plain "Open"."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
from sqlalchemy import select

from rsdesk.db import Database
from rsdesk.models import OnboardingCheck
from rsdesk.services import onboarding, registers
from rsdesk.services.registers import RegisterQuery
from rsdesk.services.reports.xlsx.registers import export_register
from tests.services.people.helpers import person

TODAY = dt.date.today()
LONG_AGO = TODAY - dt.timedelta(days=400)


def _sheet_rows(path: Path) -> list[dict[str, object]]:
    sheet = openpyxl.load_workbook(path).worksheets[0]
    header, *rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_a_leavers_open_and_overdue_counts_are_empty_in_the_view_and_the_export(
    any_db: Database, tmp_path: Path
) -> None:
    with any_db.unit_of_work() as session:
        here = person(session, staff_number="HR-001", start_date=LONG_AGO)
        gone = person(
            session, staff_number="HR-055", start_date=LONG_AGO, end_date=TODAY - dt.timedelta(1)
        )
    spec = registers.get("staff")
    everyone = RegisterQuery(include_archived=True)
    keys = ["onboarding", "open_checks", "overdue_checks"]
    with any_db.read() as session:
        rows = {
            row[0]: tuple(row[1:]) for row in registers.fetch(session, spec, everyone, keys=keys)
        }
        open_here = onboarding.summaries(session, [here])[here]
        out = export_register(session, "staff", tmp_path / "staff.xlsx", everyone)
    assert open_here.overdue > 0  # both started long ago: every check is overdue
    assert rows[here] == ("overdue", open_here.open, open_here.overdue)
    assert rows[gone] == ("left", None, None)
    exported = {row["Staff no."]: row for row in _sheet_rows(out.path)}
    assert (exported["HR-055"]["Onboarding"], exported["HR-055"]["Open checks"]) == ("Left", None)
    assert exported["HR-055"]["Overdue"] is None
    assert exported["HR-001"]["Overdue"] == open_here.overdue
    # Sorting on the counts still works, leavers (empty) last.
    by_overdue = RegisterQuery(include_archived=True, sort_key="overdue_checks", descending=True)
    with any_db.read() as session:
        ordered = [row[0] for row in registers.fetch(session, spec, by_overdue, keys=["full_name"])]
    assert ordered == [here, gone]


def _check_id(session, staff_id: int, code: str) -> int:
    found = session.scalar(
        select(OnboardingCheck.id).where(
            OnboardingCheck.staff_id == staff_id, OnboardingCheck.check_code == code
        )
    )
    assert found is not None
    return found


def test_the_onboarding_register_says_overdue_open_or_left_in_the_view_and_the_export(
    any_db: Database, tmp_path: Path, monkeypatch
) -> None:
    with any_db.unit_of_work() as session:
        late = person(session, staff_number="L-1", start_date=LONG_AGO)
        new = person(session, staff_number="N-1", start_date=TODAY)
        person(session, staff_number="G-1", start_date=LONG_AGO, end_date=TODAY - dt.timedelta(1))
        done_id = _check_id(session, late, "security_briefing")
        onboarding.complete(session, done_id, on=LONG_AGO)
        # Due today: open today, overdue from tomorrow.
        due_today_id = _check_id(session, new, "security_briefing")
        session.get(OnboardingCheck, due_today_id).due_date = TODAY  # type: ignore[union-attr]
    spec = registers.get("onboarding")
    everyone = RegisterQuery(include_archived=True)
    keys = ["staff_number", "check_code", "status", "follow_up"]
    with any_db.read() as session:
        rows = registers.fetch(session, spec, everyone, keys=keys)
        out = export_register(session, "onboarding", tmp_path / "onboarding.xlsx", everyone)
    follow_up = {(number, code): (status, state) for _, number, code, status, state in rows}
    assert follow_up[("L-1", "security_briefing")] == ("done", None)
    assert {state for (number, _), (_, state) in follow_up.items() if number == "L-1"} == {
        None,
        "overdue",
    }
    assert follow_up[("N-1", "security_briefing")] == ("open", "open")
    assert {state for (number, _), (_, state) in follow_up.items() if number == "G-1"} == {"left"}
    exported = {(row["Staff no."], row["Code"]): row for row in _sheet_rows(out.path)}
    assert exported[("G-1", "security_briefing")]["Follow-up"] == "Left"
    assert exported[("G-1", "security_briefing")]["Status"] == "Open"
    assert exported[("L-1", "cv_reference_check")]["Follow-up"] == "Overdue"
    assert exported[("N-1", "security_briefing")]["Follow-up"] == "Open"
    assert exported[("L-1", "security_briefing")]["Follow-up"] is None

    # Days count by this computer's date, as the staff register's do (not SQLite's UTC date).
    from rsdesk.services.registers import staff as staff_register

    monkeypatch.setattr(staff_register, "_local_today", lambda: TODAY + dt.timedelta(days=1))
    with any_db.read() as session:
        [(_, state)] = registers.fetch(
            session,
            spec,
            RegisterQuery(filters={"staff": str(new), "check_code": "security_briefing"}),
            keys=["follow_up"],
        )
    assert state == "overdue"
