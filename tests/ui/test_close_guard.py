"""Typed text is never lost without asking: Escape (or Cancel, or the close button) on an editor
with unsaved changes asks Save / Discard / Cancel, as the collaboration and partner editors do;
an untouched editor closes at once."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import func, select

from rsdesk.models import SensitiveAsset
from rsdesk.services import assets
from rsdesk.services.assets import AssetInput
from rsdesk.ui.widgets import form
from tests.services.people.helpers import person

pytestmark = pytest.mark.ui

Button = QMessageBox.StandardButton


@pytest.fixture
def answers(monkeypatch):
    """The answers the unsaved-changes question gets, in order; the questions asked are kept."""
    asked: list[str] = []
    queue: list[QMessageBox.StandardButton] = []

    def ask(parent):
        if not queue:  # closing what a test left open
            return Button.Discard
        asked.append(type(parent).__name__)
        return queue.pop(0)

    monkeypatch.setattr(form, "ask_discard_changes", ask)
    return asked, queue


def _escape(qtbot, dialog) -> None:
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)


def _open(qtbot, dialog, loaded=True):
    qtbot.addWidget(dialog)
    if loaded:
        with qtbot.waitSignal(dialog.loaded, timeout=10_000):
            dialog.show()
    else:
        dialog.show()
    return dialog


def test_the_new_asset_editor_asks_before_dropping_typed_text(qtbot, context, db, answers):
    from rsdesk.ui.dialogs.asset_dialog import AssetDialog

    asked, queue = answers
    dialog = _open(qtbot, AssetDialog(context))
    _escape(qtbot, dialog)  # nothing typed: closes without a question
    assert not dialog.isVisible()
    assert asked == []

    dialog = _open(qtbot, AssetDialog(context))
    qtbot.keyClicks(dialog.name_edit, "Ion-trap lab")
    queue.append(Button.Cancel)
    _escape(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.name_edit.text() == "Ion-trap lab"
    queue.append(Button.Save)
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        _escape(qtbot, dialog)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    assert asked == ["AssetDialog", "AssetDialog"]
    with db.read() as session:
        assert session.scalar(select(SensitiveAsset.name)) == "Ion-trap lab"

    dialog = _open(qtbot, AssetDialog(context))
    dialog.description_edit.setPlainText("Not wanted")
    queue.append(Button.Discard)
    dialog.close()
    assert not dialog.isVisible()
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(SensitiveAsset)) == 1


def test_the_safeguard_and_access_editors_ask_too(qtbot, context, db, answers):
    from rsdesk.ui.dialogs.asset_dialog import AccessDialog, SafeguardDialog

    asked, queue = answers
    with db.unit_of_work() as session:
        person(session, full_name="Ada Researcher")
        lab = assets.create_asset(
            session, AssetInput(name="Lab", kind="lab", sensitivity_level="sensitive")
        ).id
    safeguard = _open(qtbot, SafeguardDialog(context, lab), loaded=False)
    _escape(qtbot, safeguard)
    assert not safeguard.isVisible()
    safeguard = _open(qtbot, SafeguardDialog(context, lab), loaded=False)
    qtbot.keyClicks(safeguard.evidence_edit, "Badge log reviewed")
    queue.append(Button.Cancel)
    _escape(qtbot, safeguard)
    assert safeguard.isVisible()

    access = _open(qtbot, AccessDialog(context, lab))
    _escape(qtbot, access)
    assert not access.isVisible()
    access = _open(qtbot, AccessDialog(context, lab))
    qtbot.keyClicks(access.reason_edit, "Runs the cryostat")
    queue.append(Button.Discard)
    _escape(qtbot, access)
    assert not access.isVisible()
    assert asked == ["SafeguardDialog", "AccessDialog"]


def test_the_staff_editor_asks_before_dropping_typed_text(qtbot, context, db, answers):
    from rsdesk.ui.dialogs.staff_dialog import StaffDialog

    asked, queue = answers
    dialog = StaffDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.loaded, timeout=10_000)
    _escape(qtbot, dialog)
    assert not dialog.isVisible()
    dialog = StaffDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.loaded, timeout=10_000)
    qtbot.keyClicks(dialog.staff_number, "S-0042")
    qtbot.keyClicks(dialog.full_name, "Grace Hopper")
    queue.append(Button.Cancel)
    _escape(qtbot, dialog)
    assert dialog.isVisible()
    queue.append(Button.Save)
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.close()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    assert asked == ["StaffDialog", "StaffDialog"]


def test_the_training_completion_dialog_asks_once_people_are_chosen(qtbot, context, db, answers):
    import datetime as dt

    from rsdesk.services import training
    from rsdesk.ui.dialogs.training_dialog import TrainingCompletionDialog

    asked, queue = answers
    with db.unit_of_work() as session:
        training.sync_courses(session)
        ada = person(session, full_name="Ada Researcher")
        grid = training.matrix(session, today=dt.date.today())
    dialog = TrainingCompletionDialog(context, grid)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.filter, "Ada")  # finding people is not a change
    _escape(qtbot, dialog)
    assert not dialog.isVisible()
    dialog = TrainingCompletionDialog(context, grid)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.set_selected([ada])
    queue.append(Button.Cancel)
    _escape(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.selected_ids() == [ada]
    queue.append(Button.Discard)
    _escape(qtbot, dialog)
    assert not dialog.isVisible()
    assert asked == ["TrainingCompletionDialog", "TrainingCompletionDialog"]


def test_the_settings_and_rules_editors_ask_too(qtbot, context, db, answers):
    from rsdesk.ui.dialogs.people_rules_dialog import PeopleRulesDialog
    from rsdesk.ui.dialogs.settings_dialog import SettingsDialog

    asked, queue = answers
    settings = SettingsDialog(context)
    qtbot.addWidget(settings)
    settings.show()
    qtbot.waitUntil(lambda: settings.data is not None, timeout=10_000)
    _escape(qtbot, settings)
    assert not settings.isVisible()
    settings = SettingsDialog(context)
    qtbot.addWidget(settings)
    settings.show()
    qtbot.waitUntil(lambda: settings.data is not None, timeout=10_000)
    qtbot.keyClicks(settings.name_edit, "University of Testing")
    queue.append(Button.Cancel)
    _escape(qtbot, settings)
    assert settings.isVisible()
    queue.append(Button.Discard)
    _escape(qtbot, settings)
    assert not settings.isVisible()

    rules = PeopleRulesDialog(context)
    qtbot.addWidget(rules)
    rules.show()
    qtbot.waitUntil(lambda: rules.loaded, timeout=10_000)
    rules.rules.appendPlainText("# a note")
    queue.append(Button.Cancel)
    _escape(qtbot, rules)
    assert rules.isVisible()
    assert asked == ["SettingsDialog", "SettingsDialog", "PeopleRulesDialog"]
