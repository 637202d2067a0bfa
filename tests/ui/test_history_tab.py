"""The editors' History tab reads in words: field labels, enum labels and the names of linked
records, never column names, codes or ids (a tester saw ``department_id — → 4``)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from rsdesk.models import Department, StaffMember
from rsdesk.models.enums import RoleCategory
from rsdesk.services import partners as partner_service
from rsdesk.services.partners import PartnerInput

pytestmark = pytest.mark.ui


def _open(qtbot, dialog):
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.isEnabled, timeout=10_000)
    return dialog


def _save(qtbot, dialog):
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as blocker:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    return blocker.args[0]


def _pick(combo, text: str) -> None:
    index = combo.findText(text, Qt.MatchFlag.MatchContains)
    assert index >= 0, text
    combo.setCurrentIndex(index)


def _rows(history_list) -> list[tuple[str, ...]]:
    """Every row of the tree, entries and their changes, as the columns' texts."""
    rows = []
    for i in range(history_list.topLevelItemCount()):
        top = history_list.topLevelItem(i)
        rows.append(tuple(top.text(c) for c in range(4)))
        for j in range(top.childCount()):
            rows.append(tuple(top.child(j).text(c) for c in range(4)))
    return rows


def test_collaboration_history_reads_in_words(qtbot, context, db):
    from rsdesk.ui.dialogs.collaboration_dialog import CollaborationDialog

    with db.unit_of_work() as session:
        session.add_all(
            [
                Department(name="Physics"),
                Department(name="Chemistry"),
                StaffMember(
                    staff_number="S-15",
                    full_name="Åsa Berg",
                    role_category=RoleCategory.RESEARCHER,
                ),
            ]
        )

    dialog = _open(qtbot, CollaborationDialog(context))
    qtbot.keyClicks(dialog.title_edit, "Quantum sensing")
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("funding_application"))
    _pick(dialog.department_combo, "Physics")
    created = _save(qtbot, dialog)
    context.ops.wait()

    dialog = _open(qtbot, CollaborationDialog(context, created.id))
    dialog.status_combo.setCurrentIndex(dialog.status_combo.findData("approved"))
    _pick(dialog.department_combo, "Chemistry")
    _pick(dialog.lead_combo, "Berg")
    _save(qtbot, dialog)
    context.ops.wait()

    dialog = _open(qtbot, CollaborationDialog(context, created.id))
    dialog.tabs.setCurrentIndex(3)
    rows = _rows(dialog.history_list)
    tops = [row[2] for row in rows if row[0]]
    assert tops == ["Collaboration: created", "Collaboration: changed"]
    changes = [(row[2], row[3]) for row in rows if not row[0]]
    assert ("Kind", "— → Funding application") in changes
    assert ("Department", "— → Physics") in changes
    assert ("Status", "— → Proposed") in changes
    assert not any(label == "Archived" for label, _ in changes)  # a new record is not archived
    edit = rows.index(next(row for row in rows if row[2] == "Collaboration: changed"))
    assert rows[edit][3] == "Department, Lead staff, Status"
    assert set(rows[edit + 1 :]) == {
        ("", "", "Department", "Physics → Chemistry"),
        ("", "", "Lead staff", "— → Åsa Berg"),
        ("", "", "Status", "Proposed → Approved"),
    }
    shown = " ".join(" ".join(row) for row in rows)
    for internal in ("_id", "funding_application", "approved", "proposed"):
        assert internal not in shown


def test_partner_history_reads_in_words(qtbot, context, db):
    from rsdesk.ui.dialogs.partner_dialog import PartnerDialog

    with db.unit_of_work() as session:
        partner = partner_service.create(
            session, PartnerInput("Kyoto Quantum Institute", "research_institute", "JP")
        )
    dialog = _open(qtbot, PartnerDialog(context, partner.id))
    rows = _rows(dialog.history_list)
    assert rows[0][2] == "created"
    assert ("", "", "Kind", "— → Research institute") in rows
    assert not any("research_institute" in " ".join(row) for row in rows)
