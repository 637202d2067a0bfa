"""The first-run set-up protects the new database with a passphrase when asked to."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlcipher3  # noqa: E402,F401  (the encryption extra, which make setup installs)
from PySide6.QtWidgets import QDialog, QWizard

from rsdesk import paths
from rsdesk.db import Database, encryption, open_database
from rsdesk.services import settings as settings_service
from rsdesk.services.errors import KnownError
from rsdesk.ui.dialogs import first_run
from rsdesk.ui.dialogs.first_run import FirstRunChoice, FirstRunWizard

PASSPHRASE = "correct horse battery"


@pytest.fixture(autouse=True)
def no_database_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(paths.DATABASE_ENV, raising=False)
    monkeypatch.delenv(encryption.PASSPHRASE_ENV, raising=False)


def _to_location_page(qtbot, db: Database) -> FirstRunWizard:
    wizard = FirstRunWizard(db)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.institution.name_edit.setText("University of Testing")
    wizard.next()
    assert wizard.currentPage() is wizard.location
    return wizard


def test_protecting_the_new_database_at_first_run(qtbot, db: Database, db_path: Path) -> None:
    wizard = _to_location_page(qtbot, db)
    page = wizard.location
    assert not page.passphrase.isEnabled()
    page.protect.setChecked(True)
    assert page.passphrase.isEnabled()
    assert page.passphrase.echoMode() == page.passphrase.EchoMode.Password

    page.passphrase.setText("short")
    page.confirmation.setText("short")
    wizard.next()
    assert wizard.currentPage() is page  # refused on the page, with the reason
    assert "at least 8" in page.error.text()
    page.passphrase.setText(PASSPHRASE)
    page.confirmation.setText(PASSPHRASE + "!")
    wizard.next()
    assert "differ" in page.error.text()
    page.confirmation.setText(PASSPHRASE)
    wizard.next()
    assert wizard.currentPage() is wizard.starting
    wizard.button(QWizard.WizardButton.FinishButton).click()

    assert wizard.result() == QDialog.DialogCode.Accepted
    assert wizard.database is db
    assert encryption.is_encrypted(db_path)
    assert b"University of Testing" not in db_path.read_bytes()
    with db.read() as session:  # the open database continues on the encrypted file
        assert settings_service.load(session).institution_name == "University of Testing"
    db.dispose()
    with pytest.raises(KnownError, match="Wrong passphrase"):
        open_database(db_path, passphrase="not the passphrase")
    again = open_database(db_path, passphrase=PASSPHRASE)
    try:
        assert not first_run.needs_first_run(again)
    finally:
        again.dispose()


def test_a_server_cannot_be_protected_with_a_passphrase(qtbot, db: Database) -> None:
    wizard = _to_location_page(qtbot, db)
    wizard.location.protect.setChecked(True)
    wizard.location.server.setChecked(True)
    assert not wizard.location.protect.isEnabled()
    assert not wizard.location.protect.isChecked()
    assert "server" in wizard.location.protect.toolTip()


def test_an_encrypted_file_chosen_without_its_passphrase_is_explained(
    db: Database, tmp_path: Path
) -> None:
    other = tmp_path / "office.sqlite3"
    encryption.encrypt_copy(db.path, other, PASSPHRASE)  # type: ignore[arg-type]
    choice = FirstRunChoice(institution_name="University of Testing", database=str(other))
    with pytest.raises(KnownError, match="protected with a passphrase"):
        first_run.apply_choice(choice, db)
    opened = first_run.apply_choice(
        FirstRunChoice(
            institution_name="University of Testing", database=str(other), passphrase=PASSPHRASE
        ),
        db,
    )
    try:
        assert encryption.is_encrypted_engine(opened.engine)
    finally:
        opened.dispose()
