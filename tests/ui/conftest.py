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
    qtbot.addWidget(window, before_close_func=_dismiss_editors)
    window.show()
    yield window
    context.ops.wait()


def _dismiss_editors(window) -> None:
    """Close the editors a test left open without their unsaved-changes question.

    Closing the main window asks each open editor first (MainWindow.close_editors); at the end of
    a test nobody is there to answer, and the modal question would wait for ever.
    """
    from PySide6.QtWidgets import QDialog

    for editor in window._open_editors():
        QDialog.done(editor, QDialog.DialogCode.Rejected)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    """Close the dialogs a test left open without their unsaved-changes question.

    Editors ask Save / Discard / Cancel when closed with changes; pytest-qt then closes the
    widgets a test added, and nobody would answer the modal question (the run would wait for
    ever). This runs before pytest-qt's own teardown (which is ``trylast``).
    """
    from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

    if QApplication.instance() is not None:
        for widget in QApplication.topLevelWidgets():
            dialog = isinstance(widget, QDialog) and not isinstance(widget, QMessageBox)
            if dialog and widget.isVisible():
                QDialog.done(widget, QDialog.DialogCode.Rejected)
    return (yield)
