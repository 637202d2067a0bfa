"""Regression test for the PySide6 6.12.0 / Python < 3.12 bug in DESIGN.md's pitfalls.

That release lowered ``None``'s reference count each time ``data()`` returned None, until the
interpreter aborted ("none_dealloc") after enough repaints. pyproject.toml excludes it; this test
proves the installed PySide6 is safe: it repaints a large table whose model answers None for most
roles and checks the count of None does not fall.
"""

from __future__ import annotations

import sys

import pytest
from PySide6.QtWidgets import QTableView

from rsdesk.services import registers
from rsdesk.services.registers import RegisterQuery
from rsdesk.ui.itemmodels.register_table_model import RegisterTableModel
from tests.ui.bulk import add_collaborations

pytestmark = pytest.mark.ui

ROWS, COLUMNS, REPAINTS = 2000, 6, 200


class CountingModel(RegisterTableModel):
    """The real model, noting which rows Qt asked for, to prove every row is painted."""

    rows_asked: set[int]

    def data(self, index, role=0):  # type: ignore[no-untyped-def]
        self.rows_asked.add(index.row())
        return super().data(index, role)


def test_repainting_a_large_table_keeps_none_alive(qtbot, context, db) -> None:
    add_collaborations(db, ROWS)
    model = CountingModel(context.ops, registers.get("collaborations"), page_size=ROWS)
    with qtbot.waitSignal(model.loaded, timeout=20_000):
        model.set_query(RegisterQuery())
    assert model.rowCount() == ROWS
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    for column in range(COLUMNS, model.columnCount()):
        view.setColumnHidden(column, True)
    view.resize(900, 600)
    view.show()
    qtbot.waitExposed(view)
    model.rows_asked = set()
    view.grab()  # warm-up: first paint caches fonts, styles, delegates
    # The empty "partners" and "department" columns answer None for nearly every role.
    assert model.data(model.index(0, model.spec.column_index("partners"))) is None
    before = sys.getrefcount(None)
    step = ROWS // REPAINTS
    for repaint in range(REPAINTS):
        # Each repaint shows another stretch of the table, so all 2,000 rows get painted.
        view.scrollTo(model.index(repaint * step, 0), QTableView.ScrollHint.PositionAtTop)
        view.grab()
    after = sys.getrefcount(None)
    assert len(model.rows_asked) == ROWS
    assert after >= before - 5, f"None's refcount fell from {before} to {after}"
