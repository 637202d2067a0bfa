"""Starting the GUI: QApplication, error hook, the database, the main window."""

from __future__ import annotations

import argparse
import contextlib
import gc
import sys
import traceback
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow

    from rsdesk.db import Database
    from rsdesk.services.backup import DailyCheck, PendingDailyCheck
    from rsdesk.services.startup_cache import FirstPage
    from rsdesk.ui.dialogs.first_run import FirstRunChoice
    from rsdesk.ui.main_window import MainWindow
    from rsdesk.ui.opening import InputHeld


#: Seconds the start-up check waits (holding the write lane) so that the first rows paint first.
CHECK_DELAY_S = 1.0
#: Set on the main window when the start-up check refused the file: rsdesk then exits with it.
EXIT_CODE_PROPERTY = "rsdeskExitCode"
#: The exit code that makes ``run_gui`` start again without the preview (another file is now
#: where the preview's was).
RESTART_ORDINARILY = -2
#: Python's importer, before PySide6 puts its hook in front of it (``_plain_imports``).
_PYTHON_IMPORT = __import__


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


def add_audit_warning_banner(window: MainWindow, message: str) -> None:
    """A bar across the top that stays: the audit trail of this database cannot be trusted.

    It says what the check found and offers the Audit log's Verify, which names the entry."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel, QPushButton, QSizePolicy, QToolBar

    banner = QToolBar(window.tr("Audit trail warning"))
    banner.setObjectName("auditWarningBanner")
    banner.setMovable(False)
    banner.setStyleSheet("QToolBar#auditWarningBanner { background: #b00020; }")
    label = QLabel(window.tr("Audit trail warning: %s") % message)
    label.setObjectName("auditWarningLabel")
    label.setWordWrap(True)
    label.setMargin(6)
    label.setStyleSheet("font-weight: bold; color: white;")
    label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
    # A wrapped label's height is measured at about 80 characters; a toolbar never asks again
    # at its real width, so the bar stood three lines tall for one line of text.
    label.setMinimumWidth(max(300, min(900, window.width() - 320)))
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    banner.addWidget(label)
    button = QPushButton(window.tr("Open the audit log and &verify"))
    button.setObjectName("auditWarningVerifyButton")

    def open_verify() -> None:
        view = window.show_view("audit")
        verify = getattr(view, "verify", None)
        if verify is not None:
            verify()

    button.clicked.connect(open_verify)
    banner.addWidget(button)
    window.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, banner)


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
    code = _run_gui(args.db, preview=True)
    if code == RESTART_ORDINARILY:
        code = _run_gui(args.db, preview=False)
    return code


def _run_gui(target: str | None, preview: bool) -> int:
    started = start(target, preview=preview)
    if isinstance(started, int):
        return started
    from PySide6.QtWidgets import QApplication

    context = started.context
    try:
        code = QApplication.exec()
        # The start-up check may have refused the file after the window showed.
        return int(started.property(EXIT_CODE_PROPERTY) or code)
    finally:
        context.ops.wait(10_000)
        if context.is_open:
            context.db.dispose()


def start(target: str | None, preview: bool = True) -> MainWindow | int:
    """Open the database and show the main window: all that ``rsdesk`` does before its event loop
    (``benchmarks/bench_ui.py`` times this very function). Returns the shown window, or the
    exit code when the user cancelled or the database cannot be used.

    The order is chosen for start-up time. The cyclic garbage collector stays off while the modules
    load (the objects they create live until exit; collecting them again and again cost about a
    tenth of the start-up), and the main window's runner then collects on the GUI thread
    (rsdesk.ui.garbage); the objects made so far are frozen (``gc.freeze``). The database layer
    (SQLAlchemy, the models) is imported before Qt: PySide6 inspects the source of every module
    imported after it. The lock, the schema upgrade and the reference data still come before
    anything reads through it (the start-up preview, ``_start_on_preview``, reads the first rows
    on a query-only connection of its own); the file's integrity check and the daily backup, which read the whole file
    (seconds on a large one), run just after the window shows, first in the write lane, so no
    change can be written before they pass (``_check_in_background``).
    """
    collecting = gc.isenabled()
    gc.disable()
    started: MainWindow | int = 1
    try:
        started = _start(target, preview)
    finally:
        if collecting and isinstance(started, int):
            gc.enable()  # no window, so no runner collects: as it was (tests run this in-process)
    if not isinstance(started, int):
        # What start-up made (modules, mappers, widgets) lives until exit: out of the collector's
        # sight, its first collection a second later no longer stalls the window for ~80 ms.
        gc.freeze()
    return started


def _start(target: str | None, preview: bool) -> MainWindow | int:
    first_page = _first_page(target) if preview else None
    if first_page is not None:
        return _start_on_preview(target, first_page)
    from rsdesk.db import open_database  # before Qt: see start()
    from rsdesk.services.errors import KnownError

    app = create_application()
    from PySide6.QtWidgets import QApplication, QMessageBox

    assert isinstance(app, QApplication)
    try:
        passphrase = ask_passphrase_if_encrypted(target)
        if passphrase == "":
            return 0  # the user cancelled the passphrase dialog
        db = open_database(target, lock_writes=True, passphrase=passphrase)
    except KnownError as exc:
        QMessageBox.critical(None, "rsdesk", str(exc))
        raise
    if not claim_writer_lock(db):
        db.dispose()
        return 1
    first_run = None
    if not db.read_only:
        from rsdesk.services import settings as settings_service

        with db.read() as session:
            set_up = settings_service.is_set_up(session)
        if not set_up:
            from rsdesk.ui.dialogs import first_run as first_run_module

            wizard = first_run_module.FirstRunWizard(db)
            accepted = wizard.exec()
            db = wizard.database
            if not accepted:
                db.dispose()
                return 0
            if not wizard.opened_existing:
                first_run = wizard.choice()
    sys.excepthook = _excepthook
    from rsdesk.ui.context import AppContext
    from rsdesk.ui.main_window import MainWindow

    context = AppContext.create(db)
    window = MainWindow(context)
    if db.read_only:
        add_read_only_banner(window)
    window.show()
    _after_show(window, db, first_run)
    return window


def _after_show(window: MainWindow, db: Database, first_run: FirstRunChoice | None) -> None:
    """What follows showing the window on an open database, whichever way it started."""
    if not db.read_only:
        _check_in_background(window)
    if first_run is not None:
        from rsdesk.ui.dialogs import first_run as first_run_module

        first_run_module.start(first_run, window.context, window)


def _first_page(target: str | None) -> FirstPage | None:
    """The start-up preview of the register the window will open on, if one applies
    (rsdesk.services.startup_cache); None for a server, an encrypted or locked file, or a
    window that opens on anything else. Imports neither SQLAlchemy nor Qt's widgets."""
    import os
    from pathlib import Path

    from rsdesk import paths
    from rsdesk.db.lock import hold_file_lock
    from rsdesk.services import startup_cache

    location = target or os.environ.get(paths.DATABASE_ENV) or paths.remembered_database()
    text = os.fspath(location or paths.default_database_path()).strip()
    if not text or "://" in text:
        return None
    path = Path(text).expanduser().resolve()
    if not path.is_file():
        return None
    from rsdesk.ui.settings import UiSettings

    settings = UiSettings()
    register = _register_of_view(settings.value("main/view"))
    if register is None or startup_cache.recipe_for(path, register) is None:
        return None
    # Another rsdesk writing it: the ordinary start asks whether to open it read-only.
    handle = hold_file_lock(path.with_name(path.name + ".lock"))
    if handle is None:
        return None
    handle.close()
    sort_setting = str(settings.value(f"registers/{register}/sort") or "")
    return startup_cache.first_page(path, register, sort_setting)


def _register_of_view(key: object) -> str | None:
    from rsdesk.ui.views import VIEWS

    for entry in VIEWS:
        if entry.key == key and entry.preview_register:
            return entry.preview_register
    return None


def _start_on_preview(target: str | None, first_page: FirstPage) -> MainWindow | int:
    """Show the window with the preview's rows at once, then open the database behind them.

    The database layer loads after the first paint (while it loads, the window shows live rows
    but does not answer yet); everything the ordinary start does then follows in the same
    order: lock, schema, reference data, set-up check, the views' own reads, the background
    check. Loading it after Qt goes through PySide6's import hook, which inspects every new
    module; the hook is set aside meanwhile (``_plain_imports``), as it has nothing to do for
    modules that do not use Qt.
    """
    app = create_application()
    from PySide6.QtWidgets import QApplication

    from rsdesk.ui.context import AppContext
    from rsdesk.ui.main_window import MainWindow
    from rsdesk.ui.opening import AfterFirstPaint, InputHeld
    from rsdesk.ui.views.register_view import RegisterView

    sys.excepthook = _excepthook
    context = AppContext.opening(first_page)
    window = MainWindow(context)
    window.show()
    assert isinstance(app, QApplication)
    view = window.current_view()
    assert isinstance(view, RegisterView)  # a view with a preview (ViewEntry.preview_register)
    held = InputHeld(window)
    AfterFirstPaint(view.table.viewport(), lambda: _open_behind_preview(window, target, held))
    return window


def _open_behind_preview(window: MainWindow, target: str | None, held: InputHeld) -> None:
    from PySide6.QtWidgets import QMessageBox

    # From here the GUI thread is busy until the database is attached: what the user does
    # meanwhile waits in the window system's queue and is handled on an open database; and the
    # questions below (another writer, a damaged file) must take clicks.
    held.release()
    if not window.isVisible():
        return  # closed before its database was opened: nothing to open it for
    with _plain_imports():
        from rsdesk.db import open_database
        from rsdesk.services import settings as settings_service
    from rsdesk.services.errors import KnownError

    db: Database | None = None
    try:
        db = open_database(target, lock_writes=True)
        if not claim_writer_lock(db):
            db.dispose()
            window.setProperty(EXIT_CODE_PROPERTY, 1)
            window.close()
            return
        if not db.read_only:
            with db.read() as session:
                set_up = settings_service.is_set_up(session)
            if not set_up:
                # The file at this place is not the one the preview was made on: start again
                # the ordinary way, which offers the first-run set-up.
                db.dispose()
                window.setProperty(EXIT_CODE_PROPERTY, RESTART_ORDINARILY)
                window.close()
                return
    except KnownError as exc:
        if db is not None:
            db.dispose()
        QMessageBox.critical(window, "rsdesk", str(exc))
        window.setProperty(EXIT_CODE_PROPERTY, 1)
        window.close()
        return
    window.context.attach(db)
    if db.read_only:
        add_read_only_banner(window)
    _after_show(window, db, None)
    gc.freeze()  # the database layer lives until exit, as start() does for the rest


@contextlib.contextmanager
def _plain_imports() -> Iterator[None]:
    """Import with Python's own importer rather than PySide6's hook (see _start_on_preview)."""
    import builtins

    hooked = builtins.__import__
    builtins.__import__ = _PYTHON_IMPORT
    try:
        yield
    finally:
        builtins.__import__ = hooked


def _check_in_background(window: MainWindow) -> None:
    """The integrity check and the daily backup, on the write lane right after the window shows.

    The write lane runs one task at a time in order, and every change goes through it, so
    nothing is written before the check has passed, as when it ran before the window. A damaged
    file (or a failed backup) makes the database read-only at once, on the worker, so that a
    change queued meanwhile is refused; then the message names the latest sound backup and the
    window closes, as rsdesk used to refuse to start.
    """
    from PySide6.QtWidgets import QMessageBox

    from rsdesk.services import attachment_files, backup
    from rsdesk.services.progress import Cancelled

    context = window.context
    db = context.db

    stopping = context.ops.stopping  # the window closing: stop, nothing left half-written

    def work() -> backup.PendingDailyCheck | None:
        # Holding the lane, but leaving the two cores to the first page and its painting: the
        # check reads the whole file and slowed the first rows down when it started at once.
        if stopping.wait(CHECK_DELAY_S):
            return None
        try:
            backup.check_on_open(db, stopping)
            # With the daily backup, a full audit verify in a separate process (the window
            # keeps its GIL); at every open, the hash this computer remembers (one query). The
            # verify reads its own snapshot: the lane is let go once the backup is taken.
            written = backup.start_daily_backup_and_verify(db, cancel=stopping)
        except Cancelled:
            return None  # closing: today's backup is taken at the next start
        except BaseException:
            db.read_only = True
            raise
        # Attachments opened by an rsdesk that crashed are plain copies that nobody removed.
        with contextlib.suppress(OSError):
            attachment_files.remove_leftovers()
        return written

    # What opening changed on its own (checks reopened for renewal) stays in the status bar
    # beside the check's messages, as the command line prints it.
    opening = "".join(f" {note}" for note in db.opening_notes)

    def done(pending: backup.PendingDailyCheck | None) -> None:
        if stopping.cancelled or pending is None:
            if pending is not None:
                pending.abandon()
            return
        if pending.verifying is None:
            report(pending.poll())
            return
        window.statusBar().showMessage(
            window.tr("Database file sound; verifying its audit trail…") + opening
        )
        _poll_verdict(window, pending, report, verify_failed)

    def verify_failed(exc: BaseException) -> None:
        window.statusBar().showMessage(
            window.tr("Database file sound, but its audit trail could not be verified: %s") % exc
            + opening
        )

    def report(found: backup.DailyCheck | None) -> None:
        if found is None:
            return
        warning = found.audit_warning
        if warning is not None:
            add_audit_warning_banner(window, warning)
            saved = (
                window.tr(" Backup saved as %s, marked as made from a broken trail.")
                % found.backup.name
                if found.backup is not None
                else ""
            )
            window.statusBar().showMessage(
                window.tr("Database file readable, but its audit trail is BROKEN.")
                + saved
                + opening
            )
            return
        if found.backup is not None and found.chain is not None:
            message = window.tr(
                "Database checked, audit trail intact (latest hash %s); daily backup saved as %s."
            ) % (found.chain.latest_hash[:16] + "…", found.backup.name)
        elif found.backup is not None:
            message = window.tr("Database checked; daily backup saved as %s.") % found.backup.name
        else:
            message = window.tr("Database checked.")
        window.statusBar().showMessage(message + opening, 8000 if not opening else 0)

    def failed(exc: BaseException) -> None:
        from rsdesk.services.errors import KnownError
        from rsdesk.ui.ops import show_error

        window.statusBar().clearMessage()
        if isinstance(exc, KnownError):
            QMessageBox.critical(window, "rsdesk", str(exc))
        else:
            show_error(window, exc)
        window.setProperty(EXIT_CODE_PROPERTY, 1)
        window.close()

    window.statusBar().showMessage(window.tr("Checking the database file…") + opening)
    context.ops.serial(work, done, failed)


#: Milliseconds between two looks at the separate verify process (a poll, no thread held).
VERDICT_POLL_MS = 200


def _poll_verdict(
    window: MainWindow,
    pending: PendingDailyCheck,
    report: Callable[[DailyCheck | None], None],
    failed: Callable[[BaseException], None],
) -> None:
    """Look at the verify process on a GUI timer until it ends, then ``report`` its check.

    Quitting kills it (and drops the unverified backup): nothing outlives the window."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from rsdesk.services.errors import KnownError
    from rsdesk.services.progress import Cancelled

    timer = QTimer(window)
    timer.setObjectName("auditVerdictTimer")
    application = QApplication.instance()

    def stop() -> None:
        timer.stop()
        timer.deleteLater()
        if application is not None:
            application.aboutToQuit.disconnect(pending.abandon)

    def look() -> None:
        try:
            found = pending.poll()
        except Cancelled:
            stop()
            return
        except KnownError as exc:
            stop()
            failed(exc)
            return
        if found is not None:
            stop()
            report(found)

    if application is not None:
        application.aboutToQuit.connect(pending.abandon)
    timer.timeout.connect(look)
    timer.start(VERDICT_POLL_MS)
