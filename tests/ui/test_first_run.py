"""The first-run set-up, driven through each path on real databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QDialog, QWidget, QWizard
from sqlalchemy import func, select

from rsdesk import paths
from rsdesk.db import Database, open_database
from rsdesk.db.engine import resolve_url, sqlite_path
from rsdesk.models import Collaboration
from rsdesk.services import settings as settings_service
from rsdesk.ui.dialogs import first_run
from rsdesk.ui.dialogs.first_run import FirstRunChoice, FirstRunWizard


@pytest.fixture(autouse=True)
def no_database_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(paths.DATABASE_ENV, raising=False)


def wizard_for(qtbot, db: Database) -> FirstRunWizard:
    wizard = FirstRunWizard(db)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def fill_institution(wizard: FirstRunWizard, name: str = "University of Testing") -> None:
    assert wizard.currentPage() is wizard.institution
    finish_or_next = wizard.button(QWizard.WizardButton.NextButton)
    assert not finish_or_next.isEnabled()  # the name is required
    wizard.institution.name_edit.setText(name)
    assert finish_or_next.isEnabled()
    wizard.next()


def finish(wizard: FirstRunWizard) -> None:
    assert wizard.currentPage() is wizard.starting
    wizard.button(QWizard.WizardButton.FinishButton).click()


def count(db: Database, model: type) -> int:
    with db.read() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def png(path: Path, width: int = 120, height: int = 40) -> Path:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#2060a0"))
    assert image.save(str(path), "PNG")
    return path


def test_a_new_database_needs_the_set_up_and_a_named_or_filled_one_does_not(qapp, tmp_path):
    fresh = open_database(tmp_path / "fresh.sqlite3")
    named = open_database(tmp_path / "named.sqlite3")
    try:
        assert first_run.needs_first_run(fresh)
        with named.unit_of_work() as session:
            settings_service.save(session, institution_name="Somewhere")
        assert not first_run.needs_first_run(named)
        from rsdesk.services import demo

        demo.generate(fresh, size=5)
        assert not first_run.needs_first_run(fresh)  # records but no name: an older database
    finally:
        fresh.dispose()
        named.dispose()


def test_keep_it_here_and_start_empty(qtbot, db: Database):
    wizard = wizard_for(qtbot, db)
    fill_institution(wizard)
    assert wizard.location.here.isChecked()
    assert wizard.location.here_path.text() == str(db.path)
    wizard.next()
    assert wizard.starting.empty.isChecked()
    finish(wizard)

    assert wizard.result() == QDialog.DialogCode.Accepted
    assert wizard.database is db
    with db.read() as session:
        assert settings_service.load(session).institution_name == "University of Testing"
    assert not first_run.needs_first_run(db)
    assert paths.remembered_database() is None  # nothing to remember: the default stays
    assert first_run.start(wizard.choice(), _context(db), QWidget()) is None
    assert count(db, Collaboration) == 0


def _context(db: Database):
    from rsdesk.ui.context import AppContext

    return AppContext.create(db)


def test_another_file_with_a_logo_and_sample_data(qtbot, db: Database, tmp_path: Path):
    chosen = tmp_path / "office" / "register.sqlite3"
    chosen.parent.mkdir()
    wizard = wizard_for(qtbot, db)
    assert wizard.institution.set_logo_file(png(tmp_path / "logo.png"))
    assert wizard.institution.logo_preview.pixmap().width() > 0
    fill_institution(wizard, "Institute of Samples")
    wizard.location.file.setChecked(True)
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    assert not next_button.isEnabled()  # no file named yet
    wizard.location.file_edit.setText(str(chosen))
    wizard.next()
    wizard.starting.sample.setChecked(True)
    wizard.starting.sample_size.setValue(20)
    finish(wizard)

    assert wizard.result() == QDialog.DialogCode.Accepted
    new_db = wizard.database
    try:
        assert new_db.path == chosen.resolve()
        # Remembered for the next start; --db and RSDESK_DATABASE still win.
        assert paths.remembered_database() == str(chosen)
        assert sqlite_path(resolve_url()) == chosen.resolve()
        assert sqlite_path(resolve_url(tmp_path / "other.sqlite3")) == tmp_path / "other.sqlite3"
        with new_db.read() as session:
            stored = settings_service.load(session)
        assert stored.institution_name == "Institute of Samples"
        assert stored.logo is not None
        assert (stored.logo.width, stored.logo.height) == (120, 40)

        context = _context(new_db)
        window = QWidget()
        qtbot.addWidget(window)
        changed = []
        context.signals.data_changed.connect(changed.append)
        first_run.start(wizard.choice(), context, window)
        assert context.ops.wait(60_000)
        qtbot.waitUntil(lambda: bool(changed), timeout=10_000)
        assert count(new_db, Collaboration) == 20
        assert changed[0].touches("collaboration")
    finally:
        new_db.dispose()


def test_the_environment_wins_over_the_remembered_database(monkeypatch, tmp_path: Path):
    paths.remember_database(tmp_path / "remembered.sqlite3")
    assert sqlite_path(resolve_url()) == tmp_path / "remembered.sqlite3"
    monkeypatch.setenv(paths.DATABASE_ENV, str(tmp_path / "env.sqlite3"))
    assert sqlite_path(resolve_url()) == tmp_path / "env.sqlite3"
    paths.remember_database(None)
    monkeypatch.delenv(paths.DATABASE_ENV)
    assert sqlite_path(resolve_url()) == paths.default_database_path()


def test_an_unreadable_config_file_counts_as_empty():
    paths.config_path().write_text("{not json", encoding="utf-8")
    assert paths.remembered_database() is None
    assert sqlite_path(resolve_url()) == paths.default_database_path()


def test_a_file_in_a_missing_folder_is_refused_on_the_page(qtbot, db: Database, tmp_path):
    wizard = wizard_for(qtbot, db)
    fill_institution(wizard)
    wizard.location.file.setChecked(True)
    wizard.location.file_edit.setText(str(tmp_path / "no such folder" / "x.sqlite3"))
    wizard.next()
    assert wizard.currentPage() is wizard.location
    assert "does not exist" in wizard.location.error.text()


def test_an_unreachable_server_keeps_the_wizard_open(qtbot, db: Database):
    wizard = wizard_for(qtbot, db)
    fill_institution(wizard)
    wizard.location.server.setChecked(True)
    wizard.location.server_edit.setText("mysql://somewhere/db")
    wizard.next()
    assert wizard.currentPage() is wizard.location  # not a PostgreSQL address
    assert "postgresql://" in wizard.location.error.text()
    wizard.location.server_edit.setText("postgresql://nobody@127.0.0.1:1/rsdesk?connect_timeout=2")
    wizard.next()
    finish(wizard)

    assert wizard.isVisible()
    assert wizard.result() != QDialog.DialogCode.Accepted
    assert "Cannot open the database" in wizard.starting.error.text()
    assert wizard.database is db  # still the database the app opened, still usable
    assert first_run.needs_first_run(db)
    assert paths.remembered_database() is None


def test_a_server_database(qtbot, db: Database, postgres_url: str):
    wizard = wizard_for(qtbot, db)
    fill_institution(wizard, "Shared Server University")
    wizard.location.server.setChecked(True)
    wizard.location.server_edit.setText(postgres_url)
    wizard.next()
    finish(wizard)
    assert wizard.result() == QDialog.DialogCode.Accepted
    try:
        assert wizard.database.url.get_backend_name() == "postgresql"
        assert paths.remembered_database() == postgres_url
        with wizard.database.read() as session:
            assert settings_service.load(session).institution_name == "Shared Server University"
    finally:
        wizard.database.dispose()


def test_import_a_spreadsheet_opens_the_import_dialog(qtbot, db: Database):
    from rsdesk.ui.dialogs.import_dialog import ImportDialog

    wizard = wizard_for(qtbot, db)
    fill_institution(wizard)
    wizard.next()
    wizard.starting.spreadsheet.setChecked(True)
    finish(wizard)
    context = _context(db)
    window = QWidget()
    qtbot.addWidget(window)
    dialog = first_run.start(wizard.choice(), context, window)
    assert isinstance(dialog, ImportDialog)
    assert dialog.isVisible()
    assert dialog.parent() is window
    dialog.close()


def test_a_refused_logo_is_explained_and_not_kept(qtbot, db: Database, tmp_path: Path):
    wizard = wizard_for(qtbot, db)
    not_an_image = tmp_path / "logo.png"
    not_an_image.write_bytes(b"GIF89a not really")
    assert not wizard.institution.set_logo_file(not_an_image)
    assert wizard.institution.logo is None
    assert wizard.institution.logo_error.text()
    assert not wizard.institution.set_logo_file(tmp_path / "missing.png")
    assert "Cannot read" in wizard.institution.logo_error.text()


def test_apply_choice_requires_a_name(db: Database):
    from rsdesk.services.errors import KnownError

    with pytest.raises(KnownError, match="name"):
        first_run.apply_choice(FirstRunChoice(institution_name="  "), db)


def test_choosing_an_existing_office_database_opens_it_as_it_is(qtbot, db: Database, tmp_path):
    from rsdesk.services import demo

    office = tmp_path / "office.sqlite3"
    existing = open_database(office)
    demo.generate(existing, size=5)
    with existing.unit_of_work() as session:
        settings_service.save(session, institution_name="The Office's Own Name")
    existing.dispose()

    wizard = wizard_for(qtbot, db)
    fill_institution(wizard, "Typed In The Wizard")
    wizard.location.file.setChecked(True)
    wizard.location.file_edit.setText(str(office))
    wizard.next()
    wizard.starting.sample.setChecked(True)
    finish(wizard)
    assert wizard.result() == QDialog.DialogCode.Accepted
    try:
        assert wizard.opened_existing
        with wizard.database.read() as session:
            assert settings_service.load(session).institution_name == "The Office's Own Name"
        assert count(wizard.database, Collaboration) == 5
        assert paths.remembered_database() == str(office)
    finally:
        wizard.database.dispose()


def test_the_app_opens_the_set_up_instead_of_an_empty_window(qtbot, tmp_path: Path):
    import argparse

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from rsdesk.ui import app as app_module

    seen: list[FirstRunWizard] = []

    def cancel_the_wizard() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, FirstRunWizard) and widget.isVisible():
                seen.append(widget)
                widget.reject()
                return
        QTimer.singleShot(50, cancel_the_wizard)

    QTimer.singleShot(50, cancel_the_wizard)
    new = tmp_path / "new.sqlite3"
    assert app_module.run_gui(argparse.Namespace(db=str(new))) == 0
    assert len(seen) == 1
    # Cancelled: nothing was set up and nothing remembered; the next start asks again.
    assert paths.remembered_database() is None
    again = open_database(new)
    try:
        assert first_run.needs_first_run(again)
    finally:
        again.dispose()
