"""Starting the GUI: QApplication, error hook, the database, the main window."""

from __future__ import annotations

import argparse
import sys
import traceback
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow

    from rsdesk.db import Database


def create_application() -> object:
    from PySide6.QtWidgets import QApplication

    from rsdesk import __version__

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("rsdesk")
    app.setOrganizationName("rsdesk")
    app.setApplicationVersion(__version__)
    app.setApplicationDisplayName("rsdesk")
    from rsdesk.ui.field_help import FieldHelp

    if app.findChild(FieldHelp) is None:
        app.installEventFilter(FieldHelp(app))  # tooltips and What's This on the forms
    return app


def _excepthook(
    kind: type[BaseException], value: BaseException, trace: TracebackType | None
) -> None:
    from rsdesk.ui.ops import show_error

    text = "".join(traceback.format_exception(kind, value, trace))
    sys.stderr.write(text)
    show_error(None, value, text)


def claim_writer_lock(db: Database) -> bool:
    """Become the database's writer; if another rsdesk writes, offer to open it read-only."""
    from PySide6.QtWidgets import QMessageBox

    from rsdesk.db.lock import DatabaseInUse

    try:
        db.acquire_writer_lock()
    except DatabaseInUse as exc:
        answer = QMessageBox.question(
            None,
            "rsdesk",
            f"{exc}\n\nOpen it read-only in this window?",
            QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Open,
        )
        if answer != QMessageBox.StandardButton.Open:
            return False
        db.read_only = True
    return True


def add_read_only_banner(window: QMainWindow) -> None:
    """A bar across the top that says why nothing can be changed in this window."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel, QToolBar

    banner = QToolBar(window.tr("Read-only"))
    banner.setObjectName("readOnlyBanner")
    banner.setMovable(False)
    label = QLabel(
        window.tr(
            "Read-only: this database is open for writing in another rsdesk window. "
            "You can look and export, but not change anything here."
        )
    )
    label.setObjectName("readOnlyLabel")
    label.setMargin(6)
    label.setStyleSheet("font-weight: bold;")
    banner.addWidget(label)
    window.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, banner)
    window.setWindowTitle(window.windowTitle() + window.tr(" (read-only)"))


def ask_passphrase_if_encrypted(target: str | None) -> str | None:
    """For an encrypted database file, its passphrase (asked in a dialog; "" if cancelled);
    None for a plain file or a server."""
    from rsdesk.db import encryption
    from rsdesk.db.engine import resolve_url, sqlite_path

    path = sqlite_path(resolve_url(target))
    if path is None or not encryption.is_encrypted(path):
        return None
    from rsdesk.ui.dialogs.passphrase_dialog import unlock

    return unlock(path) or ""


def run_gui(args: argparse.Namespace) -> int:
    from PySide6.QtWidgets import QApplication, QMessageBox

    from rsdesk.db import open_database
    from rsdesk.services.errors import KnownError
    from rsdesk.ui.context import AppContext
    from rsdesk.ui.main_window import MainWindow

    app = create_application()
    assert isinstance(app, QApplication)
    try:
        passphrase = ask_passphrase_if_encrypted(args.db)
        if passphrase == "":
            return 0  # the user cancelled the passphrase dialog
        db = open_database(args.db, lock_writes=True, passphrase=passphrase)
    except KnownError as exc:
        QMessageBox.critical(None, "rsdesk", str(exc))
        raise
    if not claim_writer_lock(db):
        db.dispose()
        return 1
    first_run = None
    if not db.read_only:
        from rsdesk.ui.dialogs import first_run as first_run_module

        if first_run_module.needs_first_run(db):
            wizard = first_run_module.FirstRunWizard(db)
            accepted = wizard.exec()
            db = wizard.database
            if not accepted:
                db.dispose()
                return 0
            if not wizard.opened_existing:
                first_run = wizard.choice()
    if not db.read_only:
        from rsdesk.services import backup

        try:
            backup.check_on_open(db)
            backup.daily_backup(db)
        except KnownError as exc:
            QMessageBox.critical(None, "rsdesk", str(exc))
            db.dispose()
            return 1
    sys.excepthook = _excepthook
    context = AppContext.create(db)
    window = MainWindow(context)
    if db.read_only:
        add_read_only_banner(window)
    window.show()
    if first_run is not None:
        first_run_module.start(first_run, context, window)
    try:
        return app.exec()
    finally:
        context.ops.wait(10_000)
        db.dispose()
