"""Verify chain in the audit-log view on a tampered database: the warning names the bad entry and
the view selects and scrolls to it, whatever filter was showing; text that is not UTF-8 is
reported like any other edit instead of "Something went wrong"."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtWidgets import QMessageBox

from rsdesk.services import audit
from rsdesk.services import partners as partner_service
from rsdesk.services.partners import PartnerInput
from tests.ui.bulk import add_collaborations

pytestmark = pytest.mark.ui


def _loaded(qtbot, view) -> None:
    qtbot.waitUntil(lambda: view.model.total is not None and not view.model.loading, timeout=10_000)


def _tamper(path, statement: str) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.execute(statement)
        connection.commit()
    finally:
        connection.close()


@pytest.mark.parametrize(
    "title",
    ["'Edited in the shell'", "CAST(X'4142FF43' AS TEXT)"],
    ids=["plain-edit", "not-utf8"],
)
def test_verify_selects_the_first_bad_entry(qtbot, main_window, db, db_path, monkeypatch, title):
    with db.read() as session:
        opening = audit.entry_count(session)  # the training catalogue, put in on opening
    add_collaborations(db, 400)
    with db.unit_of_work() as session:
        partner_service.create(session, PartnerInput("Audited Partner", "company"))
    _tamper(db_path, f"UPDATE collaboration SET title = {title} WHERE id = 123")
    warnings: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "warning", staticmethod(lambda _p, _t, text, *a: warnings.append(text))
    )
    errors: list[BaseException] = []
    monkeypatch.setattr("rsdesk.ui.ops.show_error", lambda _p, error, *a: errors.append(error))
    view = main_window.show_view("audit")
    _loaded(qtbot, view)
    # A filter that hides the bad entry: verifying clears it to show the entry.
    combo = view._filter_combos["table"]
    qtbot.waitUntil(lambda: combo.findData("partner") >= 0, timeout=10_000)
    with qtbot.waitSignal(view.model.loaded, timeout=10_000):
        combo.setCurrentIndex(combo.findData("partner"))
    assert view.model.count == 1
    view.table.selectRow(0)

    view.verify()
    qtbot.waitUntil(lambda: view.last_result is not None or bool(errors), timeout=20_000)
    assert errors == []
    result = view.last_result
    assert not result.ok
    assert result.problem.startswith("collaboration 123 was changed outside rsdesk")
    assert warnings == [f"The audit trail is broken: {result.problem}"]
    _loaded(qtbot, view)
    qtbot.waitUntil(lambda: view.current_id() == result.bad_entry_id, timeout=10_000)
    assert view.model.count == opening + 401
    assert combo.currentData() is None
    row = view.model.row_of(result.bad_entry_id)
    assert [index.row() for index in view.table.selectionModel().selectedRows()] == [row]
    shown = view.table.viewport().rect()
    assert shown.intersects(view.table.visualRect(view.model.index(row, 0)))
