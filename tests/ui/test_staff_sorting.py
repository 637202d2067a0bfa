"""The staff list sorts in its model (one key per row), not through a proxy calling data() per
comparison on the GUI thread: header clicks still sort and keep the selection."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.services.people.helpers import department, person

pytestmark = pytest.mark.ui


def test_header_sort_orders_rows_and_keeps_the_selection(qtbot, context, db) -> None:
    from rsdesk.ui.views.staff import KEYS, StaffView

    with db.unit_of_work() as session:
        physics = department(session, "Physics")
        ids = {
            name: person(session, full_name=name, department_id=physics)
            for name in ("Cyd Clerk", "Ada Lovelace", "Bob Builder")
        }
    view = StaffView(context)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.model.rowCount() == 3 and view._loading == 0)
    name_column = KEYS.index("full_name")
    view.table.sortByColumn(name_column, Qt.SortOrder.AscendingOrder)
    names = [str(view.proxy.index(r, name_column).data()) for r in range(3)]
    assert names == ["Ada Lovelace", "Bob Builder", "Cyd Clerk"]
    assert view.select_staff(ids["Bob Builder"])
    view.table.sortByColumn(name_column, Qt.SortOrder.DescendingOrder)
    names = [str(view.proxy.index(r, name_column).data()) for r in range(3)]
    assert names == ["Cyd Clerk", "Bob Builder", "Ada Lovelace"]
    assert view.selected_staff_ids() == [ids["Bob Builder"]]
    # The proxy itself never sorts: new rows arrive in the model's order.
    assert view.proxy.sortColumn() == -1
