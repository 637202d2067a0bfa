"""Passphrase dialogs: unlocking an encrypted database at start, setting, changing, removing one.

The dialogs only collect and check passphrases (a wrong one is said on the dialog, which stays
open for another try); the conversions themselves are services (rsdesk/services/encryption.py)
run in a worker by rsdesk/ui/protection.py.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from rsdesk.db import encryption
from rsdesk.services import encryption as protection
from rsdesk.services.errors import KnownError

#: The kinds of NewPassphraseDialog.
PROTECT = "protect"
CHANGE = "change"
REMOVE = "remove"


def password_field(name: str) -> QLineEdit:
    field = QLineEdit()
    field.setObjectName(name)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


def error_label() -> QLabel:
    label = QLabel()
    label.setObjectName("passphraseError")
    label.setStyleSheet("color: #b00020;")
    label.setWordWrap(True)
    return label


def remember_checkbox() -> QCheckBox:
    """'Remember in the system keyring', disabled (with the reason) when there is no keyring."""
    box = QCheckBox(QApplication.translate("passphrase", "&Remember in the system keyring"))
    box.setObjectName("rememberPassphrase")
    reason = protection.keyring_unavailable_reason()
    if reason is None:
        box.setToolTip(
            QApplication.translate(
                "passphrase",
                "rsdesk will not ask again on this computer; anyone who can sign in as you "
                "can then open the database.",
            )
        )
    else:
        box.setEnabled(False)
        box.setToolTip(reason)
    return box


class UnlockDialog(QDialog):
    """Asks for the passphrase of an encrypted database; accepts only one that opens it."""

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("UnlockDialog")
        self.path = path
        self.setWindowTitle(self.tr("Encrypted database"))
        intro = QLabel(
            self.tr("{0} is protected with a passphrase. Enter it to open the database.").format(
                path.name
            )
        )
        intro.setWordWrap(True)
        where = QLabel(str(path))
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        where.setStyleSheet("color: palette(mid);")
        self.passphrase = password_field("passphrase")
        self.passphrase.setToolTip(self.tr("The passphrase set when the database was protected."))
        self.remember = remember_checkbox()
        self.error = error_label()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(self.tr("&Passphrase:"), self.passphrase)
        form.addRow("", self.remember)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(where)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(460, self.sizeHint().height())

    def value(self) -> str:
        return self.passphrase.text()

    def accept(self) -> None:
        try:
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                encryption.check_passphrase(self.path, self.value())
            finally:
                QApplication.restoreOverrideCursor()
        except KnownError as exc:
            self.error.setText(str(exc) + " " + self.tr("Try again."))
            self.passphrase.selectAll()
            self.passphrase.setFocus()
            return
        if self.remember.isChecked():
            try:
                protection.remember_passphrase(self.path, self.value())
            except KnownError as exc:
                self.error.setText(str(exc))
                self.remember.setChecked(False)
                return
        super().accept()


def unlock(path: Path, parent: QWidget | None = None) -> str | None:
    """The passphrase that opens ``path``, or None when the user cancels.

    Tried first, without asking: ``RSDESK_PASSPHRASE``, then a passphrase remembered in the
    system keyring (forgotten if it no longer opens the file).
    """
    candidates = [os.environ.get(encryption.PASSPHRASE_ENV)]
    remembered = protection.remembered_passphrase(path)
    for candidate in [*candidates, remembered]:
        if not candidate:
            continue
        try:
            encryption.check_passphrase(path, candidate)
        except KnownError:
            if candidate is remembered:
                protection.forget_passphrase(path)
            continue
        return candidate
    dialog = UnlockDialog(path, parent)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.value()
    finally:
        dialog.deleteLater()


class NewPassphraseDialog(QDialog):
    """Protect (new passphrase twice), change (current, then new twice) or remove (current)."""

    def __init__(self, kind: str, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("NewPassphraseDialog")
        self.kind = kind
        self.path = path
        titles = {
            PROTECT: self.tr("Protect with a passphrase"),
            CHANGE: self.tr("Change the passphrase"),
            REMOVE: self.tr("Remove the passphrase"),
        }
        notes = {
            PROTECT: self.tr(
                "The database file will be encrypted: without the passphrase nobody can read "
                "it, and neither can you. Keep the passphrase somewhere safe; it cannot be "
                "recovered. Backups made from now on are encrypted too."
            ),
            CHANGE: self.tr(
                "The database is re-encrypted with the new passphrase; the current one no "
                "longer opens it. Older backups keep the passphrase they were made with."
            ),
            REMOVE: self.tr(
                "The database file will be stored unencrypted: anyone who has the file can read "
                "it. The encrypted file is kept next to it as a backup."
            ),
        }
        self.setWindowTitle(titles[kind])
        note = QLabel(notes[kind])
        note.setWordWrap(True)
        self.current = password_field("currentPassphrase")
        self.new = password_field("newPassphrase")
        self.new.setPlaceholderText(
            self.tr("at least {0} characters").format(protection.MIN_PASSPHRASE_LENGTH)
        )
        self.confirmation = password_field("confirmPassphrase")
        self.remember = remember_checkbox()
        self.error = error_label()
        form = QFormLayout()
        if kind in (CHANGE, REMOVE):
            form.addRow(self.tr("&Current passphrase:"), self.current)
        if kind in (PROTECT, CHANGE):
            form.addRow(self.tr("&New passphrase:"), self.new)
            form.addRow(self.tr("&Repeat it:"), self.confirmation)
            form.addRow("", self.remember)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(
            {PROTECT: self.tr("&Protect"), CHANGE: self.tr("C&hange")}.get(kind, self.tr("&Remove"))
        )
        ok.setObjectName("confirmButton")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(480, self.sizeHint().height())

    def current_value(self) -> str:
        return self.current.text()

    def new_value(self) -> str:
        return self.new.text()

    def accept(self) -> None:
        try:
            if self.kind in (CHANGE, REMOVE):
                QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
                try:
                    encryption.check_passphrase(self.path, self.current_value())
                finally:
                    QApplication.restoreOverrideCursor()
            if self.kind in (PROTECT, CHANGE):
                protection.check_new_passphrase(self.new_value(), self.confirmation.text())
                if self.kind == CHANGE and self.new_value() == self.current_value():
                    raise KnownError(self.tr("The new passphrase is the same as the current one."))
        except KnownError as exc:
            self.error.setText(str(exc))
            return
        super().accept()
