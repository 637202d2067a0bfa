"""The staff editor refuses an e-mail another person has (in any case) next to the field."""

from __future__ import annotations

import pytest

from rsdesk.models import StaffMember
from rsdesk.services import training
from tests.services.people.helpers import person

pytestmark = pytest.mark.ui


def test_the_editor_names_a_duplicate_email_next_to_the_field(qtbot, context, db) -> None:
    from rsdesk.ui.views.staff import StaffView

    with db.unit_of_work() as session:
        training.sync_courses(session)
        person(session, staff_number="P-1", full_name="Tom Test", email="tom@inst.example")
    view = StaffView(context)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    dialog = view.new_record()
    qtbot.waitUntil(lambda: dialog.loaded)
    qtbot.keyClicks(dialog.staff_number, "P-2")
    qtbot.keyClicks(dialog.full_name, "Tim Test")
    qtbot.keyClicks(dialog.email, " TOM@Inst.Example ")
    dialog.accept()
    qtbot.waitUntil(lambda: bool(dialog.error_label.text()), timeout=10_000)
    assert dialog.error_label.text() == (
        "The e-mail tom@inst.example is already used by staff number P-1"
    )
    assert "border" in dialog.email.styleSheet()
    assert dialog.email.hasFocus() or dialog.focusWidget() is dialog.email

    dialog.email.setText(" Tim.Test@Inst.Example ")
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:
        dialog.accept()
    with db.read() as session:
        stored = session.get(StaffMember, saved.args[0].staff.id).email
    assert stored == "tim.test@inst.example"
