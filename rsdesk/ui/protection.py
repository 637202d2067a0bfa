"""Tools > Protect with passphrase… / Change passphrase… / Remove passphrase….

Each action asks in a dialog (rsdesk/ui/dialogs/passphrase_dialog.py), then converts the open
database file in a worker with progress and Cancel (rsdesk/services/encryption.py does the
verified swap) and continues on the converted file with the same Database object, so the views
and the writer lock stay as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QMenu, QMessageBox, QWidget

from rsdesk.db import encryption
from rsdesk.db.engine import make_engine
from rsdesk.models import Base
from rsdesk.services import encryption as protection
from rsdesk.services.progress import CancelToken, Progress
from rsdesk.ui.context import AppContext
from rsdesk.ui.dialogs.passphrase_dialog import CHANGE, PROTECT, REMOVE, NewPassphraseDialog
from rsdesk.ui.ops import show_error


class ProtectionActions(QObject):
    """The three menu actions, enabled according to the open database."""

    def __init__(self, context: AppContext, window: QWidget) -> None:
        super().__init__(window)
        self.context = context
        self.window = window
        self.protect_action = QAction(self.tr("&Protect with passphrase…"), self)
        self.protect_action.setObjectName("protectAction")
        self.protect_action.triggered.connect(self.protect)
        self.change_action = QAction(self.tr("&Change passphrase…"), self)
        self.change_action.setObjectName("changePassphraseAction")
        self.change_action.triggered.connect(self.change)
        self.remove_action = QAction(self.tr("Re&move passphrase…"), self)
        self.remove_action.setObjectName("removePassphraseAction")
        self.remove_action.triggered.connect(self.remove)
        #: The last conversion's result (tests, status).
        self.last: protection.Conversion | None = None
        self.update_state()

    def add_to(self, menu: QMenu) -> None:
        menu.addSeparator()
        for action in (self.protect_action, self.change_action, self.remove_action):
            menu.addAction(action)

    @property
    def path(self) -> Path | None:
        return self.context.db.path

    def update_state(self) -> None:
        db = self.context.db
        usable = self.path is not None and not db.read_only
        if not usable:
            why = (
                self.tr("A server database is protected by the server, not by a passphrase.")
                if self.path is None
                else self.tr("This window is read-only.")
            )
            for action in (self.protect_action, self.change_action, self.remove_action):
                action.setEnabled(False)
                action.setToolTip(why)
            return
        encrypted = encryption.is_encrypted_engine(db.engine)
        self.protect_action.setEnabled(not encrypted)
        self.change_action.setEnabled(encrypted)
        self.remove_action.setEnabled(encrypted)

    # -- the actions ------------------------------------------------------------------------

    @Slot()
    def protect(self) -> int | None:
        dialog = self._ask(PROTECT)
        if dialog is None:
            return None
        new, remember = dialog.new_value(), dialog.remember.isChecked()
        return self._run(
            self.tr("Protecting the database"),
            lambda path, progress, cancel: protection.encrypt_in_place(
                path,
                new,
                lock_held=self.context.db.holds_writer_lock,
                progress=progress,
                cancel=cancel,
            ),
            new,
            remember,
        )

    @Slot()
    def change(self) -> int | None:
        dialog = self._ask(CHANGE)
        if dialog is None:
            return None
        old, new = dialog.current_value(), dialog.new_value()
        remember = dialog.remember.isChecked() or (
            self.path is not None and protection.remembered_passphrase(self.path) is not None
        )
        return self._run(
            self.tr("Changing the passphrase"),
            lambda path, progress, cancel: protection.change_passphrase(
                path,
                old,
                new,
                lock_held=self.context.db.holds_writer_lock,
                progress=progress,
                cancel=cancel,
            ),
            new,
            remember,
        )

    @Slot()
    def remove(self) -> int | None:
        dialog = self._ask(REMOVE)
        if dialog is None:
            return None
        old = dialog.current_value()
        return self._run(
            self.tr("Removing the passphrase"),
            lambda path, progress, cancel: protection.decrypt_in_place(
                path,
                old,
                lock_held=self.context.db.holds_writer_lock,
                progress=progress,
                cancel=cancel,
            ),
            None,
            False,
        )

    # -- internals ---------------------------------------------------------------------------

    def _ask(self, kind: str) -> NewPassphraseDialog | None:
        if self.path is None:
            return None
        dialog = NewPassphraseDialog(kind, self.path, self.window)
        self.last_dialog = dialog
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        dialog.deleteLater()
        return dialog if accepted else None

    def _run(
        self,
        title: str,
        convert: Callable[[Path, Progress, CancelToken], protection.Conversion],
        new_passphrase: str | None,
        remember: bool,
    ) -> int | None:
        db = self.context.db
        path = self.path
        if path is None:
            return None

        def work(progress: Progress, cancel: CancelToken) -> protection.Conversion:
            db.engine.dispose()  # no connection may keep the old file open; the lock stays
            result = convert(path, progress, cancel)
            if new_passphrase is None:
                db.use_engine(make_engine(db.url))
            else:
                db.use_engine(encryption.make_encrypted_engine(path, new_passphrase))
            return result

        def done(result: protection.Conversion) -> None:
            self.last = result
            self._after(result, new_passphrase, remember)

        def failed(exc: BaseException) -> None:
            self.update_state()
            show_error(self.window, exc)

        return self.context.ops.job(
            title, work, on_done=done, on_error=failed, touches=frozenset(Base.metadata.tables)
        )

    def _after(
        self, result: protection.Conversion, new_passphrase: str | None, remember: bool
    ) -> None:
        self.update_state()
        message: list[str] = []
        keyring_problem = None
        if new_passphrase is None:
            protection.forget_passphrase(result.path)
            message.append(
                self.tr("The database is no longer encrypted ({0:,} rows checked).").format(
                    result.rows
                )
            )
            if result.kept_aside is not None:
                message.append(
                    self.tr("The encrypted file was kept as {0}.").format(result.kept_aside)
                )
        else:
            protection.forget_passphrase(result.path)
            if remember:
                try:
                    protection.remember_passphrase(result.path, new_passphrase)
                except Exception as exc:  # the conversion succeeded; say why it is not kept
                    keyring_problem = str(exc)
            message.append(
                self.tr(
                    "The database is encrypted with the new passphrase ({0:,} rows checked)."
                ).format(result.rows)
            )
            if result.plain_backups:
                message.append(
                    self.tr(
                        "{0} older automatic backups in {1} are not encrypted; delete them if "
                        "they must not be read."
                    ).format(len(result.plain_backups), result.plain_backups[0].parent)
                )
        if keyring_problem:
            message.append(keyring_problem)
        self.context.signals.status_message.emit(message[0])
        box = QMessageBox(
            QMessageBox.Icon.Information, "rsdesk", "\n\n".join(message), parent=self.window
        )
        box.setObjectName("protectionDone")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()


def add_protection_menu(context: AppContext, window: QWidget, menu: QMenu) -> ProtectionActions:
    actions = ProtectionActions(context, window)
    actions.add_to(menu)
    return actions
