"""The Reports view: generates in the background, lists the archive, writes archived copies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from tests.reports.pdf.data import add_register
from tests.reports.pdf.helpers import pages_text

pytestmark = pytest.mark.ui


@pytest.fixture
def view(qapp, qtbot, db) -> Iterator[object]:
    from rsdesk.ui.context import AppContext
    from rsdesk.ui.views.reports import ReportsView

    context = AppContext.create(db)
    widget = ReportsView(context)
    widget.open_after.setChecked(False)
    opened: list[object] = []
    widget.open_file = opened.append  # type: ignore[method-assign]
    widget.opened = opened  # type: ignore[attr-defined]
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    yield widget
    context.ops.wait()


def test_generate_list_and_open_again(view, qtbot, db, tmp_path) -> None:
    year = dt.date.today().year
    with db.unit_of_work() as session:
        add_register(session, 6, year=year)
    annual = tmp_path / "annual.pdf"
    view.year.setValue(year)
    view.ask_save_path = lambda suggested: annual  # the file dialog's answer
    qtbot.mouseClick(view.annual_button, qtbot_left())
    qtbot.waitUntil(lambda: view.last_written == annual, timeout=60_000)
    assert f"annual report {year}" in " ".join(pages_text(annual.read_bytes())[0].split())
    qtbot.waitUntil(lambda: view.model.rowCount() == 1, timeout=10_000)

    listing = tmp_path / "listing.pdf"
    view.ask_save_path = lambda suggested: listing
    view.search.setText("quantum")
    qtbot.mouseClick(view.listing_button, qtbot_left())
    qtbot.waitUntil(lambda: view.last_written == listing, timeout=60_000)
    qtbot.waitUntil(lambda: view.model.rowCount() == 2, timeout=10_000)
    assert view.model.report(0).kind == "listing"

    assert not view.open_button.isEnabled()  # nothing chosen yet: nothing to open
    assert not view.save_button.isEnabled()
    view.table.selectRow(1)
    assert view.open_button.isEnabled()
    assert view.save_button.isEnabled()
    view.open_after.setChecked(True)
    qtbot.mouseClick(view.open_button, qtbot_left())
    qtbot.waitUntil(lambda: len(view.opened) == 1, timeout=10_000)
    assert view.opened[0].read_bytes() == annual.read_bytes()
    # Opened from the private folder of open copies (this user only, removed at quit), not a
    # shared temporary folder where a tester found every report of an encrypted database.
    from rsdesk import paths

    assert view.opened[0].is_relative_to(paths.open_copies_dir())
    assert view.opened[0].stat().st_mode & 0o077 == 0
    view.grab().save(str(tmp_path / "reports-view.png"))


def qtbot_left():  # noqa: ANN201
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton
