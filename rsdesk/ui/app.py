"""Starting the GUI: QApplication, error hook, the database, the main window."""

from __future__ import annotations

import argparse
import sys
import traceback
from types import TracebackType


def create_application() -> object:
    from PySide6.QtWidgets import QApplication

    from rsdesk import __version__

    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    app.setApplicationName("rsdesk")
    app.setOrganizationName("rsdesk")
    app.setApplicationVersion(__version__)
    app.setApplicationDisplayName("rsdesk")
    return app


def _excepthook(
    kind: type[BaseException], value: BaseException, trace: TracebackType | None
) -> None:
    from rsdesk.ui.ops import show_error

    text = "".join(traceback.format_exception(kind, value, trace))
    sys.stderr.write(text)
    show_error(None, value, text)


def run_gui(args: argparse.Namespace) -> int:
    from PySide6.QtWidgets import QApplication, QMessageBox

    from rsdesk.db import open_database
    from rsdesk.services.errors import KnownError
    from rsdesk.ui.context import AppContext
    from rsdesk.ui.main_window import MainWindow

    app = create_application()
    assert isinstance(app, QApplication)
    try:
        db = open_database(args.db)
    except KnownError as exc:
        QMessageBox.critical(None, "rsdesk", str(exc))
        raise
    sys.excepthook = _excepthook
    context = AppContext.create(db)
    window = MainWindow(context)
    window.show()
    try:
        return app.exec()
    finally:
        context.ops.wait(10_000)
        db.dispose()
