"""Starting on the start-up preview (rsdesk.ui.app): from the second start on a file, the window
shows the register's first rows before the database layer is open, then carries on exactly as an
ordinary start; whatever no longer applies makes it an ordinary start."""

from __future__ import annotations

import gc
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from shiboken6 import isValid

from rsdesk.db import Database, open_database
from rsdesk.db.lock import WriterLock
from rsdesk.services import demo, startup_cache
from rsdesk.ui import app as app_module
from rsdesk.ui.main_window import MainWindow
from rsdesk.ui.settings import UiSettings
from rsdesk.ui.views.register_view import RegisterView
from tests.ui.modal import when_modal


@pytest.fixture
def started(qtbot) -> Iterator[Callable[..., MainWindow | int]]:
    """start(), with every window it made closed and its database released afterwards."""
    windows: list[MainWindow] = []

    def start(path: Path, **kwargs: Any) -> MainWindow | int:
        window = app_module.start(str(path), **kwargs)
        if isinstance(window, MainWindow):
            windows.append(window)
        return window

    yield start
    for window in windows:
        _close(qtbot, window)
    gc.unfreeze()  # start() froze what existed, this test's objects among them


def _close(qtbot, window: MainWindow) -> None:
    if not isValid(window):
        return  # closed by the test already
    qtbot.waitUntil(lambda: window.context.is_open or not window.isVisible(), timeout=20_000)
    window.context.ops.wait()
    window.close()
    window.context.ops.wait()
    if window.context.is_open:
        window.context.db.dispose()
    window.deleteLater()


@pytest.fixture
def demo_file(db: Database) -> Path:
    """A set-up database with demo data, closed, and a window that last showed collaborations."""
    demo.generate(db, size=30, seed=4)
    path = db.path
    assert path is not None
    db.dispose()
    UiSettings().set_value("main/view", "collaborations")
    return path


def _first_start(qtbot, started, path: Path) -> None:
    """An ordinary start that records the preview of the collaborations register, then quits."""
    window = started(path)
    assert isinstance(window, MainWindow)
    assert window.context.is_open  # nothing recorded yet: an ordinary start
    qtbot.waitUntil(lambda: startup_cache.recipe_for(path, "collaborations") is not None)
    _close(qtbot, window)


def _on_preview(
    started: Callable[..., MainWindow | int], path: Path
) -> tuple[MainWindow, RegisterView]:
    """A start that shows the preview: the window, and its view before the database is open."""
    window = started(path)
    assert isinstance(window, MainWindow)
    assert not window.context.is_open
    view = window.current_view()
    assert isinstance(view, RegisterView)
    return window, view


def _shown(view: RegisterView) -> list[list[str]]:
    model = view.model
    return [
        [model.data(model.index(row, column)) for column in range(model.columnCount())]
        for row in range(model.rowCount())
    ]


def _until_open(qtbot, window: MainWindow) -> RegisterView:
    qtbot.waitUntil(lambda: window.context.is_open, timeout=20_000)
    view = window.current_view()
    assert isinstance(view, RegisterView)
    qtbot.waitUntil(lambda: not view.model.loading, timeout=20_000)
    return view


def test_the_second_start_shows_the_rows_before_the_database_is_open(
    qtbot, started, demo_file: Path
) -> None:
    _first_start(qtbot, started, demo_file)
    window = started(demo_file)
    assert isinstance(window, MainWindow)
    assert not window.context.is_open  # the rows below come from the preview
    preview_view = window.current_view()
    assert isinstance(preview_view, RegisterView)
    assert preview_view.model.has_rows
    before = _shown(preview_view)
    assert len(before) == 30  # the demo's 30 collaborations, all on the first page
    assert preview_view.count_label.text() == "Counting…"
    assert window.database_label.text() == f"Database: {demo_file}"

    view = _until_open(qtbot, window)
    assert view is preview_view  # the same view carries on, now reading for real
    assert _shown(view) == before  # ...and shows the very same rows
    assert view.count_label.text() == "30 records"
    assert view.spec.base is not startup_cache._unavailable  # the register's real SQL
    # What an ordinary start has: the protection menu, the background check, writes.
    assert window.protection is not None
    qtbot.waitUntil(
        lambda: "Database checked" in window.statusBar().currentMessage(), timeout=20_000
    )
    view.search_box.setText("zzzz no such title")
    view._apply_query_now()
    qtbot.waitUntil(lambda: not view.model.loading and view.model.rowCount() == 0)


def test_a_changed_sort_starts_ordinarily_once_then_has_its_own_preview(
    qtbot, started, demo_file: Path
) -> None:
    _first_start(qtbot, started, demo_file)
    UiSettings().set_value("registers/collaborations/sort", "title asc")
    window = started(demo_file)
    assert isinstance(window, MainWindow)
    assert window.context.is_open  # the preview was made for another sort
    view = _until_open(qtbot, window)
    by_title = _shown(view)
    qtbot.waitUntil(
        lambda: (
            startup_cache.recipe_for(demo_file, "collaborations")["sort_setting"]  # type: ignore[index]
            == "title asc"
        )
    )
    _close(qtbot, window)
    again, preview_view = _on_preview(started, demo_file)
    assert _shown(preview_view) == by_title


def test_a_file_another_rsdesk_writes_starts_ordinarily_with_its_question(
    qtbot, started, demo_file: Path
) -> None:
    _first_start(qtbot, started, demo_file)
    other = WriterLock(demo_file)
    other.acquire()
    asked: list[str] = []

    def cancel(widget: QWidget) -> None:
        assert isinstance(widget, QMessageBox)
        asked.append(widget.text())
        widget.button(QMessageBox.StandardButton.Cancel).click()

    when_modal(cancel)
    try:
        assert started(demo_file) == 1
    finally:
        other.release()
    assert len(asked) == 1
    assert "Open it read-only" in asked[0]


def test_a_register_whose_layout_changed_is_built_again_once_open(
    qtbot, started, demo_file: Path
) -> None:
    _first_start(qtbot, started, demo_file)
    content = json.loads(startup_cache.cache_path().read_text(encoding="utf-8"))
    recipe = content["databases"][startup_cache.database_key(demo_file)]["collaborations"]
    recipe["layout"]["columns"][1]["label"] = "Old title"
    startup_cache.cache_path().write_text(json.dumps(content), encoding="utf-8")
    window = started(demo_file)
    assert isinstance(window, MainWindow)
    preview_view = window.current_view()
    assert isinstance(preview_view, RegisterView)
    assert preview_view.model.headerData(1, Qt.Orientation.Horizontal) == "Old title"
    view = _until_open(qtbot, window)
    assert view is not preview_view
    assert view.model.headerData(1, Qt.Orientation.Horizontal) == "Title"
    assert len(_shown(view)) == 30


def test_another_file_put_in_its_place_starts_ordinarily(
    qtbot, started, demo_file: Path, sqlite_template: Path
) -> None:
    _first_start(qtbot, started, demo_file)
    for suffix in ("-wal", "-shm"):
        Path(f"{demo_file}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(sqlite_template, demo_file)  # a new, empty database: not set up
    window = started(demo_file)
    assert isinstance(window, MainWindow)
    assert not window.context.is_open  # the same schema: the preview applies (no rows)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=20_000)
    # run_gui starts again the ordinary way, which offers the first-run set-up.
    assert window.property(app_module.EXIT_CODE_PROPERTY) == app_module.RESTART_ORDINARILY
    assert not window.context.is_open
    fresh = open_database(demo_file)  # nothing was written to it
    try:
        from rsdesk.services import settings as settings_service

        with fresh.read() as session:
            assert not settings_service.is_set_up(session)
    finally:
        fresh.dispose()


def test_no_preview_when_asked_for_none(qtbot, started, demo_file: Path) -> None:
    _first_start(qtbot, started, demo_file)
    window = started(demo_file, preview=False)
    assert isinstance(window, MainWindow)
    assert window.context.is_open


@pytest.mark.parametrize("view_key", ["partners", "appraisals", "measures"])
def test_every_previewed_register_carries_on_with_the_same_rows(
    qtbot, started, demo_file: Path, view_key: str
) -> None:
    UiSettings().set_value("main/view", view_key)
    first = started(demo_file)
    assert isinstance(first, MainWindow)
    view = first.current_view()
    assert isinstance(view, RegisterView)
    register = view.register_name
    qtbot.waitUntil(lambda: startup_cache.recipe_for(demo_file, register) is not None)
    _close(qtbot, first)
    window, preview_view = _on_preview(started, demo_file)
    before = _shown(preview_view)
    assert before  # the demo has rows in each of these registers
    opened = _until_open(qtbot, window)
    assert opened is preview_view
    assert _shown(opened)[: len(before)] == before


def test_a_sort_picked_in_the_header_has_its_preview_at_the_very_next_start(
    qtbot, started, demo_file: Path
) -> None:
    window = started(demo_file)
    assert isinstance(window, MainWindow)
    view = _until_open(qtbot, window)
    title = view.model.column_keys().index("title")
    view.table.horizontalHeader().setSortIndicator(title, Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(lambda: not view.model.loading)
    by_title = _shown(view)
    qtbot.waitUntil(
        lambda: (
            (startup_cache.recipe_for(demo_file, "collaborations") or {}).get("sort_setting")
            == "title asc"
        )
    )
    _close(qtbot, window)  # saves the sort
    again, preview_view = _on_preview(started, demo_file)
    assert _shown(preview_view) == by_title


def test_what_the_user_set_before_the_database_opened_is_read_once_it_is(
    qtbot, started, demo_file: Path
) -> None:
    """Input that reached the view before the open (a heading clicked, a box ticked, Refresh)
    starts no read on the preview's layout-only register; the view reads what the controls say
    once the database is open."""
    _first_start(qtbot, started, demo_file)
    window = started(demo_file)
    assert isinstance(window, MainWindow)
    assert not window.context.is_open
    view = window.current_view()
    assert isinstance(view, RegisterView)
    view.archived_box.setChecked(True)
    view.refresh()
    title = view.model.column_keys().index("title")
    view.table.horizontalHeader().setSortIndicator(title, Qt.SortOrder.DescendingOrder)
    assert not window.context.is_open  # nothing above needed the database
    opened = _until_open(qtbot, window)
    assert opened.model.query.include_archived
    assert opened.model.query.sort_key == "title"
    assert opened.model.query.descending


def test_clicks_wait_while_the_database_opens(qtbot, started, demo_file: Path) -> None:
    from PySide6.QtTest import QTest

    _first_start(qtbot, started, demo_file)
    window = started(demo_file)
    assert isinstance(window, MainWindow)
    view = window.current_view()
    assert isinstance(view, RegisterView)
    header = view.table.horizontalHeader()
    before = header.sortIndicatorSection()
    assert QApplication.overrideCursor() is not None  # the busy cursor says so
    title = view.model.column_keys().index("title")
    on_title = QPoint(header.sectionViewportPosition(title) + 5, 5)
    QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=on_title)
    assert header.sortIndicatorSection() == before  # set aside, not handled on the preview
    _until_open(qtbot, window)
    assert QApplication.overrideCursor() is None
    QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=on_title)
    assert header.sortIndicatorSection() == title  # once open, a click sorts
