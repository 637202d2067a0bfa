"""Staff & onboarding and the audit log at 1280 pixels: a coordinator read "Sensitive facility
br…", "Renewal of 2025-1…", "Search name, …", "Computer Scien" and "rsdesk: renewa…"."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QRect, Qt
from sqlalchemy import select

from rsdesk.models import OnboardingCheck
from rsdesk.services import onboarding, registers
from tests.services.people.helpers import department, person

pytestmark = pytest.mark.ui

NOTE = "Briefing attended on the day of arrival; attendance list kept by the facility manager"


@pytest.fixture
def newcomer(db) -> int:
    """A visiting researcher with access to a sensitive facility, in Computer Science."""
    with db.unit_of_work() as session:
        computing = department(session, "Computer Science")
        staff_id = person(
            session,
            full_name="Anna Nguyen",
            role_category="visiting_researcher",
            department_id=computing,
            sensitive_facility_access=True,
            start_date=dt.date(2025, 1, 6),
        )
        check_ids = session.scalars(
            select(OnboardingCheck.id).where(OnboardingCheck.staff_id == staff_id)
        ).all()
        onboarding.complete(
            session, check_ids[0], by="giulia.schroder", on=dt.date(2025, 2, 1), evidence=NOTE
        )
    return staff_id


def _fits(view, column: int, row: int) -> bool:  # type: ignore[no-untyped-def]
    """Whether the cell's whole text, wrapped at its column's width, fits in its row."""
    table = view.checklist
    text = str(table.model().index(row, column).data())
    width = table.columnWidth(column) - 2 * table.style().pixelMetric(
        table.style().PixelMetric.PM_FocusFrameHMargin
    )
    needed = table.fontMetrics().boundingRect(
        QRect(0, 0, width - 4, 10_000), int(Qt.TextFlag.TextWordWrap), text
    )
    return needed.height() <= table.rowHeight(row)


def test_the_checklist_wraps_long_checks_and_notes_instead_of_cutting_them(
    qtbot, context, newcomer
) -> None:  # type: ignore[no-untyped-def]
    from rsdesk.ui.views.staff import KEYS, StaffView

    view = StaffView(context)
    qtbot.addWidget(view)
    view.resize(1060, 700)  # a 1280-pixel window less the navigation
    view.show()
    qtbot.waitUntil(lambda: view.model.rowCount() == 1, timeout=10_000)
    assert view.select_staff(newcomer)
    qtbot.waitUntil(lambda: view.checklist_model.rowCount() > 1, timeout=10_000)
    model = view.checklist_model
    titles = [model.item(row).title for row in range(model.rowCount())]
    assert "Sensitive facility briefing" in titles

    def all_fit() -> bool:
        # Rows fit their text when the table lays itself out, just after the model fills.
        return all(_fits(view, 0, row) and _fits(view, 5, row) for row in range(len(titles)))

    qtbot.waitUntil(all_fit, timeout=5_000)
    noted = next(row for row in range(model.rowCount()) if model.index(row, 5).data() == NOTE)
    assert view.checklist.rowHeight(noted) > view.checklist.fontMetrics().height() * 2
    # The heading is short enough for the column and says more in its tooltip; a login cut to
    # the By column's width is whole in the cell's tooltip.
    assert model.headerData(5, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) == "Note"
    assert "waiver" in model.headerData(5, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert model.index(noted, 3).data(Qt.ItemDataRole.ToolTipRole) == "giulia.schroder"
    # The search box's placeholder is whole; what it searches is in the tooltip.
    search = view.search
    assert search.fontMetrics().horizontalAdvance(search.placeholderText()) < search.width() - 16
    assert "staff number" in search.toolTip()
    # The department is whole on screen, and in the tooltip too.
    column = KEYS.index("department")
    index = view.proxy.index(0, column)
    assert index.data(Qt.ItemDataRole.ToolTipRole) == "Computer Science"
    assert (
        view.table.columnViewportPosition(column)
        + view.table.fontMetrics().horizontalAdvance("Computer Science")
        < view.table.viewport().width()
    )


def test_the_audit_logs_who_column_holds_the_renewal_actor() -> None:
    spec = registers.get("audit_log")
    assert spec.column("actor").width >= len(onboarding.RENEWAL_ACTOR) + 8
