"""The due-soon list shows the first DUE_LIMIT dates and says how many there are; the calendar
export writes every date of the horizon (a tester's 100,000 register had 876 in 30 days and got
500 without a word)."""

from __future__ import annotations

import datetime as dt

import pytest

from rsdesk.models import Collaboration
from rsdesk.models.enums import CollaborationKind, CollaborationStatus

pytestmark = pytest.mark.ui

MORE_THAN_THE_LIST = 530


@pytest.fixture
def crowded_db(db):
    """More collaborations due for review in the next 30 days than the list shows."""
    today = dt.date.today()
    with db.unit_of_work() as session:
        for number in range(MORE_THAN_THE_LIST):
            session.add(
                Collaboration(
                    reference=f"D-{number:04d}",
                    title=f"Review number {number}",
                    kind=CollaborationKind.JOINT_RESEARCH,
                    status=CollaborationStatus.ACTIVE,
                    next_review_date=today + dt.timedelta(days=1 + number % 28),
                )
            )
    return db


def test_the_list_says_it_is_cut_and_the_calendar_has_every_date(
    qtbot, context, crowded_db, tmp_path
):
    from rsdesk.ui.views.dashboard import DUE_LIMIT, DashboardView

    assert MORE_THAN_THE_LIST > DUE_LIMIT
    view = DashboardView(context)
    qtbot.addWidget(view)
    view.resize(1200, 900)
    view.show()
    qtbot.waitUntil(lambda: view.data is not None, timeout=20_000)

    assert view.due_list.topLevelItemCount() == DUE_LIMIT
    assert view.due_summary.text() == (
        f"Showing {DUE_LIMIT} of {MORE_THAN_THE_LIST} dates due in the next 30 days; "
        "the calendar export has them all"
    )
    with qtbot.waitSignal(context.signals.status_message) as said:
        written = view.export_calendar(tmp_path / "due.ics")
    assert written == MORE_THAN_THE_LIST
    data = (tmp_path / "due.ics").read_text(encoding="utf-8")
    assert data.count("BEGIN:VEVENT") == MORE_THAN_THE_LIST
    for number in (0, DUE_LIMIT, MORE_THAN_THE_LIST - 1):  # beyond the list too
        assert f"Review D-{number:04d}" in data
    assert said.args == [f"{MORE_THAN_THE_LIST} dates exported to {tmp_path / 'due.ics'}"]


def test_a_list_within_the_limit_keeps_its_plain_summary(qtbot, context, db):
    from rsdesk.ui.views.dashboard import DashboardView

    today = dt.date.today()
    with db.unit_of_work() as session:
        session.add(
            Collaboration(
                reference="D-1",
                title="Only one",
                kind=CollaborationKind.JOINT_RESEARCH,
                status=CollaborationStatus.ACTIVE,
                next_review_date=today + dt.timedelta(days=2),
            )
        )
    view = DashboardView(context)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.data is not None, timeout=20_000)
    assert view.due_list.topLevelItemCount() == 1
    assert view.due_summary.text().startswith("1 date:")
