"""The passphrase dialogs and Tools > Protect / Change / Remove passphrase, on real files."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlcipher3  # noqa: E402,F401  (the encryption extra, which make setup installs)
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget
from sqlalchemy import select

from rsdesk.db import Database, encryption, open_database
from rsdesk.models import Collaboration
from rsdesk.services import collaborations
from rsdesk.services import encryption as protection
from rsdesk.services.errors import KnownError
from rsdesk.ui.dialogs.passphrase_dialog import NewPassphraseDialog, UnlockDialog
from tests.ui.modal import when_modal

SECRET = "Mnbvcxz lidar metrology with Example Photonics 3141"
PASSPHRASE = "correct horse battery"


def _add_secret(db: Database) -> None:
    with db.unit_of_work() as session:
        collaborations.create(
            session,
            collaborations.CollaborationInput(title=SECRET, kind="joint_research", status="active"),
        )


@pytest.fixture
def encrypted_path(db: Database, db_path: Path) -> Path:
    _add_secret(db)
    db.dispose()
    protection.encrypt_in_place(db_path, PASSPHRASE)
    return db_path


def test_a_wrong_passphrase_is_explained_and_opens_nothing(qtbot, encrypted_path: Path) -> None:
    before = encrypted_path.read_bytes()
    dialog = UnlockDialog(encrypted_path)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.passphrase.echoMode() == dialog.passphrase.EchoMode.Password

    qtbot.keyClicks(dialog.passphrase, "not the passphrase")
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)

    assert dialog.isVisible()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "Wrong passphrase" in dialog.error.text()
    assert encrypted_path.read_bytes() == before

    dialog.passphrase.clear()
    qtbot.keyClicks(dialog.passphrase, PASSPHRASE)
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.value() == PASSPHRASE


def test_without_a_keyring_the_remember_box_is_disabled_and_says_why(
    qtbot, encrypted_path: Path
) -> None:
    reason = protection.keyring_unavailable_reason()
    if reason is None:
        pytest.skip("a system keyring is available here")
    dialog = UnlockDialog(encrypted_path)
    qtbot.addWidget(dialog)
    assert not dialog.remember.isEnabled()
    assert dialog.remember.toolTip() == reason


def test_cancelling_the_passphrase_at_start_quits_cleanly(
    qtbot, encrypted_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rsdesk.ui import app as app_module

    monkeypatch.delenv("RSDESK_PASSPHRASE", raising=False)
    seen: list[str] = []

    def wrong_then_cancel(widget: QWidget) -> None:
        assert isinstance(widget, UnlockDialog)
        widget.passphrase.setText("still not it")
        widget.accept()
        seen.append(widget.error.text())
        widget.reject()

    when_modal(wrong_then_cancel)
    assert app_module.run_gui(argparse.Namespace(db=str(encrypted_path))) == 0
    assert len(seen) == 1
    assert "Wrong passphrase" in seen[0]
    assert not list(encrypted_path.parent.glob("*before*"))


def test_protect_change_and_remove_from_the_tools_menu(qtbot, main_window, context) -> None:
    db: Database = context.db
    path = db.path
    assert path is not None
    _add_secret(db)
    actions = main_window.protection
    assert actions.protect_action.isEnabled()
    assert not actions.change_action.isEnabled()

    def fill(current: str = "", new: str = "", confirmation: str | None = None) -> Callable:
        def action(widget: QWidget) -> None:
            assert isinstance(widget, NewPassphraseDialog)
            widget.current.setText(current)
            widget.new.setText(new)
            widget.confirmation.setText(new if confirmation is None else confirmation)
            widget.accept()
            if widget.isVisible():  # refused: say why, then cancel
                refusals.append(widget.error.text())
                widget.reject()

        return action

    def finish() -> None:
        context.ops.wait()
        qtbot.waitUntil(lambda: main_window.findChild(QMessageBox, "protectionDone") is not None)
        main_window.findChild(QMessageBox, "protectionDone").close()

    refusals: list[str] = []
    when_modal(fill(new=PASSPHRASE, confirmation="something else"))
    assert actions.protect() is None
    assert "differ" in refusals[-1]
    assert not encryption.is_encrypted(path)

    # Protect: the open window continues on the encrypted file.
    when_modal(fill(new=PASSPHRASE))
    assert actions.protect() is not None
    finish()
    assert encryption.is_encrypted(path)
    assert SECRET.encode() not in path.read_bytes()
    assert not actions.protect_action.isEnabled()
    assert actions.change_action.isEnabled()
    _add_secret(db)  # the window still writes, now encrypted
    with db.read() as session:
        titles = list(session.scalars(select(Collaboration.title)))
    assert titles == [SECRET, SECRET]
    rows = actions.last.rows

    # Change: a wrong current passphrase is refused; then the old one no longer opens the file.
    when_modal(fill(current="wrong wrong", new="second passphrase"))
    assert actions.change() is None
    assert "Wrong passphrase" in refusals[-1]
    when_modal(fill(current=PASSPHRASE, new="second passphrase"))
    assert actions.change() is not None
    finish()
    with pytest.raises(KnownError, match="Wrong passphrase"):
        encryption.check_passphrase(path, PASSPHRASE)
    encryption.check_passphrase(path, "second passphrase")
    assert actions.last.rows > rows

    # Remove: a plain file with the same records.
    counts = actions.last.counts
    when_modal(fill(current="second passphrase"))
    assert actions.remove() is not None
    finish()
    assert not encryption.is_encrypted(path)
    assert SECRET.encode() in path.read_bytes()
    assert actions.protect_action.isEnabled()
    assert actions.last.counts == counts
    assert protection.table_counts(db) == counts
    context.ops.wait()
    db.dispose()
    again = open_database(path)
    try:
        assert protection.table_counts(again) == counts
    finally:
        again.dispose()


@pytest.fixture
def memory_keyring():
    import keyring
    from keyring.backend import KeyringBackend
    from keyring.errors import PasswordDeleteError

    class MemoryKeyring(KeyringBackend):
        priority = 1  # type: ignore[assignment]

        def __init__(self) -> None:
            super().__init__()
            self.stored: dict[tuple[str, str], str] = {}

        def get_password(self, service: str, username: str) -> str | None:
            return self.stored.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.stored[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            if self.stored.pop((service, username), None) is None:
                raise PasswordDeleteError(username)

    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_a_remembered_passphrase_is_used_and_forgotten_once_it_fails(
    qtbot, encrypted_path: Path, memory_keyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rsdesk.ui.dialogs.passphrase_dialog import unlock

    monkeypatch.delenv("RSDESK_PASSPHRASE", raising=False)
    assert protection.keyring_unavailable_reason() is None
    dialog = UnlockDialog(encrypted_path)
    qtbot.addWidget(dialog)
    assert dialog.remember.isEnabled()
    dialog.passphrase.setText(PASSPHRASE)
    dialog.remember.setChecked(True)
    dialog.accept()
    assert protection.remembered_passphrase(encrypted_path) == PASSPHRASE

    assert unlock(encrypted_path) == PASSPHRASE  # no dialog: the keyring's passphrase works

    protection.change_passphrase(encrypted_path, PASSPHRASE, "second passphrase")
    asked: list[bool] = []

    def cancel(widget: QWidget) -> None:
        asked.append(True)
        widget.close()

    when_modal(cancel)
    assert unlock(encrypted_path) is None
    assert asked == [True]
    assert protection.remembered_passphrase(encrypted_path) is None
