"""People who left: out of the staff register's working list, marked "Left" when shown, and
counted nowhere in the onboarding figures, so that the dashboard and the lists it opens agree."""

from __future__ import annotations

import datetime as dt

from rsdesk.db import Database
from rsdesk.services import onboarding, registers
from rsdesk.services import staff as staff_service
from rsdesk.services.registers import RegisterQuery
from tests.services.people.helpers import person

TODAY = dt.date.today()
LONG_AGO = TODAY - dt.timedelta(days=400)


def _people(session, query: RegisterQuery) -> dict[int, tuple[str, int]]:
    spec = registers.get("staff")
    rows = registers.fetch(session, spec, query, keys=["onboarding", "overdue_checks"])
    return {row[0]: (row[1], row[2]) for row in rows}


def test_leavers_are_hidden_marked_and_left_out_of_the_figures(any_db: Database) -> None:
    with any_db.unit_of_work() as session:
        here = person(session, full_name="Still Here", start_date=LONG_AGO)
        last_day = person(session, full_name="Last Day", start_date=LONG_AGO, end_date=TODAY)
        gone = person(
            session,
            full_name="Jan de Vries",
            start_date=LONG_AGO,
            end_date=TODAY - dt.timedelta(days=1),
        )
        archived = person(session, full_name="Archived", start_date=LONG_AGO)
        staff_service.archive(session, archived)
    current = RegisterQuery(filters={"employment": "current"})
    everyone = RegisterQuery(include_archived=True)
    with any_db.read() as session:
        shown = _people(session, current)
        assert set(shown) == {here, last_day}
        every = _people(session, everyone)
        assert set(every) == {here, last_day, gone, archived}
        # Everyone started long ago, so everyone has overdue checks; only leavers read "Left".
        assert every[gone][0] == every[archived][0] == "left"
        assert every[here][0] == every[last_day][0] == "overdue"
        left = _people(
            session, RegisterQuery(filters={"employment": "left"}, include_archived=True)
        )
        assert set(left) == {gone, archived}
        # The dashboard's figure counts the overdue checks of exactly the people its drill-down
        # lists, whether or not "Show people who left" is ticked.
        figure = onboarding.overdue_count(session, TODAY)
        for query in (current, everyone):
            drill = RegisterQuery(
                filters={**query.filters, "onboarding": "overdue"},
                include_archived=query.include_archived,
            )
            listed = _people(session, drill)
            assert set(listed) == {here, last_day}
            assert sum(overdue for _, overdue in listed.values()) == figure
            assert not set(_people(session, drill)) & {gone, archived}
            for state in ("open", "complete"):
                picked = _people(session, RegisterQuery(
                    filters={**query.filters, "onboarding": state},
                    include_archived=query.include_archived,
                ))  # fmt: skip
                assert not set(picked) & {gone, archived}


def test_the_left_badge_and_the_filters_use_the_same_local_date(
    any_db: Database, monkeypatch
) -> None:
    """Near midnight the computer's date and the database's (SQLite's is UTC) differ: the badge
    must follow the computer's date, as the filters and figures do."""
    from rsdesk.services.registers import staff as staff_register

    tomorrow = TODAY + dt.timedelta(days=1)
    with any_db.unit_of_work() as session:
        leaving = person(session, full_name="Leaves Today", start_date=LONG_AGO, end_date=TODAY)
    monkeypatch.setattr(staff_register, "_local_today", lambda: tomorrow)
    with any_db.read() as session:
        badge = _people(session, RegisterQuery(include_archived=True))[leaving][0]
        listed_as_left = _people(session, RegisterQuery(filters={"employment": "left"}))
    assert badge == "left"
    assert leaving in listed_as_left
