"""The partner editor lists the partner's collaborations: due diligence on a partner starts from
what the office already does with it. From there, one collaboration opens, or the register shows
them all, filtered to the partner."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from shiboken6 import isValid

from rsdesk.services import collaborations
from rsdesk.services import partners as partner_service
from rsdesk.services.collaborations import CollaborationInput
from rsdesk.services.partners import PartnerInput
from rsdesk.ui.widgets import form

pytestmark = pytest.mark.ui


@pytest.fixture
def partner_with_two(db):
    """A partner in two collaborations (one archived), and a third collaboration without it."""
    with db.unit_of_work() as session:
        ours = partner_service.create(session, PartnerInput("Kyoto Marine Lab", "company", "JP"))
        other = partner_service.create(session, PartnerInput("Porto Wind", "company", "PT"))
        made = {}
        for title, partner in (
            ("Reef sensors", ours.id),
            ("Tidal turbines", other.id),
            ("Deep-sea cables", ours.id),
        ):
            made[title] = collaborations.create(
                session, CollaborationInput(title, "joint_research", partner_ids=(partner,))
            ).id
        collaborations.archive(session, made["Deep-sea cables"])
    return ours.id, made


def _open_editor(qtbot, main_window, partner_id):
    view = main_window.show_view("partners")
    view.open_record(partner_id)
    qtbot.waitUntil(lambda: view.editor is not None and view.editor.isEnabled(), timeout=10_000)
    return view.editor


def _titles(tree) -> list[str]:
    return sorted(tree.topLevelItem(i).text(1) for i in range(tree.topLevelItemCount()))


def test_editor_lists_the_partners_collaborations(qtbot, main_window, partner_with_two) -> None:
    partner_id, _made = partner_with_two
    dialog = _open_editor(qtbot, main_window, partner_id)
    assert dialog.tabs.tabText(1) == "Co&llaborations (2)"
    assert _titles(dialog.collaborations_list) == ["Deep-sea cables (archived)", "Reef sensors"]
    assert dialog.show_collaborations_button.isEnabled()
    dialog.reject()


def test_show_in_register_filters_the_collaborations_view(
    qtbot, main_window, partner_with_two
) -> None:
    partner_id, made = partner_with_two
    dialog = _open_editor(qtbot, main_window, partner_id)
    view = main_window.view("collaborations")
    with qtbot.waitSignal(view.model.loaded, timeout=10_000):
        qtbot.mouseClick(dialog.show_collaborations_button, Qt.MouseButton.LeftButton)
    assert not isValid(dialog) or not dialog.isVisible()  # closed (and deleted)
    assert main_window.current_view() is view
    assert view.model.count == 1  # the archived one stays hidden until "Include archived"
    assert view.current_query().filters["partner"] == partner_id
    assert view.drill_label.text() == "Filtered by partner Kyoto Marine Lab"
    with qtbot.waitSignal(view.model.loaded, timeout=10_000):
        view.archived_box.setChecked(True)
    assert view.model.count == 2
    assert made["Tidal turbines"] not in {view.model.row_id(r) for r in range(2)}


def test_activating_a_row_opens_that_collaboration_after_asking_about_changes(
    qtbot, main_window, partner_with_two, monkeypatch
) -> None:
    partner_id, made = partner_with_two
    dialog = _open_editor(qtbot, main_window, partner_id)
    dialog.city_edit.setText("Kyoto")  # an unsaved change
    answers = [form.QMessageBox.StandardButton.Cancel]
    monkeypatch.setattr(form, "ask_discard_changes", lambda _parent: answers.pop(0))
    item = next(
        dialog.collaborations_list.topLevelItem(i)
        for i in range(2)
        if dialog.collaborations_list.topLevelItem(i).text(1) == "Reef sensors"
    )
    dialog.collaborations_list.itemActivated.emit(item, 0)
    assert dialog.isVisible()  # Cancel: the editor stays, with the change
    assert dialog.city_edit.text() == "Kyoto"
    answers.append(form.QMessageBox.StandardButton.Discard)
    dialog.collaborations_list.itemActivated.emit(item, 0)
    assert not isValid(dialog) or not dialog.isVisible()
    editors = main_window.view("collaborations")
    qtbot.waitUntil(
        lambda: editors.editor is not None and editors.editor.isEnabled(), timeout=10_000
    )
    assert editors.editor.title_edit.text() == "Reef sensors"
    assert editors.editor.collaboration_id == made["Reef sensors"]
    editors.editor.reject()
