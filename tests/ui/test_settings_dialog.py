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


def test_an_adjusted_model_is_installed_with_its_own_version_and_can_be_undone(
    qtbot, context, db, tmp_path
):
    from rsdesk.resources import resource_path
    from rsdesk.services.appraisal import load_model

    shipped = load_model()
    adjusted = tmp_path / "our-model.toml"
    text = resource_path("questionbank", "default.toml").read_text("utf-8")
    adjusted.write_text(text.replace("review_months = 36", "review_months = 30"), "utf-8")
    dialog = open_dialog(qtbot, context)
    dialog.tabs.setCurrentIndex(1)
    assert "shipped" in dialog.model_label.text()
    assert not dialog.reset_model_button.isEnabled()

    dialog.install_model(adjusted)
    qtbot.waitUntil(lambda: dialog.model_message.isVisible(), timeout=10_000)
    with db.read() as session:
        installed = load_model(session=session)
    assert installed.version != shipped.version
    assert installed.version in dialog.model_message.text()
    assert installed.version in dialog.model_label.text()
    assert "adjusted copy" in dialog.model_label.text()
    assert "30 months" in [
        dialog.level_list.topLevelItem(i).text(2)
        for i in range(dialog.level_list.topLevelItemCount())
    ]
    assert dialog.reset_model_button.isEnabled()

    qtbot.mouseClick(dialog.reset_model_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.reset_model_button.isEnabled(), timeout=10_000)
    qtbot.waitUntil(lambda: "shipped" in dialog.model_message.text(), timeout=10_000)
    with db.read() as session:
        assert load_model(session=session).version == shipped.version
    assert shipped.version in dialog.model_label.text()


def test_an_invalid_model_file_is_refused_with_its_reason_and_nothing_changes(
    qtbot, context, db, tmp_path
):
    from rsdesk.resources import resource_path
    from rsdesk.services.appraisal import load_model

    broken = tmp_path / "broken.toml"
    text = resource_path("questionbank", "default.toml").read_text("utf-8")
    broken.write_text(text.replace("[model]", "[modell]"), "utf-8")
    dialog = open_dialog(qtbot, context)
    dialog.tabs.setCurrentIndex(1)
    dialog.install_model(broken)
    qtbot.waitUntil(lambda: dialog.model_message.isVisible(), timeout=10_000)
    message = dialog.model_message.text()
    assert message.startswith("Not installed:")
    assert "broken.toml" in message
    assert "\n" not in message
    with db.read() as session:
        assert load_model(session=session).version == load_model().version
    assert dialog.install_model_button.isEnabled()
    assert not dialog.reset_model_button.isEnabled()
    assert dialog.isVisible()
