"""The settings dialog: loads the stored values, saves edits through the service, shows a refused
logo next to its field, and summarises the scoring model; reachable from Tools > Settings…."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from rsdesk.services import privacy, settings

pytestmark = pytest.mark.ui


def png(path, size=(200, 60)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def open_dialog(qtbot, context):
    from rsdesk.ui.dialogs.settings_dialog import SettingsDialog

    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.data is not None, timeout=10_000)
    return dialog


def test_edits_are_saved_through_the_service(qtbot, context, db, tmp_path):
    with db.unit_of_work() as session:
        settings.save(session, institution_name="Old name", review_reminder_days=45)
    dialog = open_dialog(qtbot, context)
    assert dialog.name_edit.text() == "Old name"
    assert dialog.horizon_spin.value() == 45
    assert dialog.retention_spin.value() == privacy.DEFAULT_RETENTION_MONTHS
    dialog.name_edit.clear()
    qtbot.keyClicks(dialog.name_edit, "University of Example")
    dialog.retention_spin.setValue(60)
    dialog.horizon_spin.setValue(14)
    assert dialog.choose_logo(png(tmp_path / "logo.png"))
    assert not dialog.logo_preview.pixmap().isNull()
    with qtbot.waitSignal(dialog.finished, timeout=10_000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    with db.read() as session:
        stored = settings.load(session)
        assert privacy.retention_months(session) == 60
    assert stored.institution_name == "University of Example"
    assert stored.review_reminder_days == 14
    assert stored.logo is not None
    assert (stored.logo.width, stored.logo.height) == (200, 60)


def test_a_refused_logo_is_explained_next_to_the_field(qtbot, context, db, tmp_path):
    dialog = open_dialog(qtbot, context)
    gif = tmp_path / "logo.gif"
    Image.new("RGB", (10, 10)).save(gif, format="GIF")
    assert not dialog.choose_logo(gif)
    error = dialog.errors["logo"]
    assert error.isVisible()
    assert "PNG or JPEG" in error.text()
    assert dialog.choose_logo(png(tmp_path / "ok.png"))
    assert not error.isVisible()


def test_removing_the_logo(qtbot, context, db, tmp_path):
    with db.unit_of_work() as session:
        settings.set_logo_file(session, png(tmp_path / "logo.png"))
    dialog = open_dialog(qtbot, context)
    assert dialog.remove_logo_button.isEnabled()
    qtbot.mouseClick(dialog.remove_logo_button, Qt.MouseButton.LeftButton)
    assert dialog.logo_preview.text() == "No logo"
    with qtbot.waitSignal(dialog.finished, timeout=10_000):
        dialog.save()
    with db.read() as session:
        assert settings.load(session).logo is None


def test_a_value_the_service_refuses_is_shown_and_nothing_is_saved(qtbot, context, db):
    dialog = open_dialog(qtbot, context)
    dialog.name_edit.setMaxLength(1000)
    dialog.name_edit.setText("x" * 300)
    dialog.horizon_spin.setValue(10)
    dialog.save()
    qtbot.waitUntil(lambda: dialog.errors["institution_name"].isVisible(), timeout=10_000)
    assert "too long" in dialog.errors["institution_name"].text()
    assert dialog.isVisible()
    assert dialog.save_button.isEnabled()
    with db.read() as session:
        assert settings.load(session).review_reminder_days == 30


def test_the_scoring_model_is_summarised(qtbot, context):
    from rsdesk.services.appraisal import load_model

    dialog = open_dialog(qtbot, context)
    model = load_model()
    assert model.id in dialog.model_label.text()
    assert dialog.level_list.topLevelItemCount() == len(model.levels)
    first = dialog.level_list.topLevelItem(0)
    assert first.text(1) == str(model.levels[0].min_score)
    assert dialog.dimension_list.topLevelItemCount() == len(model.dimensions)


def test_tools_settings_opens_the_dialog(qtbot, main_window):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from rsdesk.ui.dialogs.settings_dialog import SettingsDialog

    seen = []

    def close_it():
        dialog = QApplication.activeModalWidget()
        seen.append(dialog)
        if dialog is not None:
            dialog.reject()

    assert main_window.settings_action in main_window.tools_menu.actions()
    QTimer.singleShot(200, close_it)
    main_window.settings_action.trigger()
    assert isinstance(seen[0], SettingsDialog)
