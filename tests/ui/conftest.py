"""UI fixtures: an AppContext and a main window over a real temporary database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rsdesk.db import Database


@pytest.fixture
def context(qapp, db: Database) -> Iterator[object]:
    from rsdesk.ui.context import AppContext

    ctx = AppContext.create(db)
    yield ctx
    ctx.ops.wait()


@pytest.fixture
def main_window(qtbot, context) -> Iterator[object]:
    from rsdesk.ui.main_window import MainWindow

    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    yield window
    context.ops.wait()
