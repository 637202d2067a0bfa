"""The collaboration editor's self-assessment form buttons: write the form, read a filled one
back into a researcher's draft (the same service the CLI uses)."""

from __future__ import annotations

from openpyxl import load_workbook

from rsdesk.models import Appraisal
from rsdesk.models.enums import CollaborationKind, PartnerKind
from rsdesk.services.appraisal import load_model
from rsdesk.services.appraisal.form import COL_ANSWER, FIRST_ROW
from tests.services.appraisal.helpers import make_collaboration, make_partner


def test_form_written_and_imported_from_the_collaboration(qtbot, context, db, tmp_path) -> None:
    from rsdesk.ui.dialogs.collaboration_dialog import CollaborationDialog

    with db.unit_of_work() as session:
        partner = make_partner(session, "Harbour Robotics", PartnerKind.COMPANY)
        collaboration_id = make_collaboration(
            session, "Underwater drones", CollaborationKind.CONTRACT_RESEARCH, [partner]
        ).id
    dialog = CollaborationDialog(context, collaboration_id)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.detail is not None, timeout=10_000)
    assert dialog.form_button.isEnabled()
    out = tmp_path / "form.xlsx"
    with qtbot.waitSignal(dialog.form_written, timeout=20_000):
        dialog.save_form(str(out))
    model = load_model()
    book = load_workbook(out)
    sheet = book["Questions"]
    first = model.questions[0]
    sheet.cell(row=FIRST_ROW, column=COL_ANSWER).value = first.options[0].text
    book.save(out)
    with qtbot.waitSignal(dialog.form_imported, timeout=20_000) as imported:
        dialog.import_form(str(out))
    result = imported.args[0]
    assert result.collaboration_id == collaboration_id
    assert result.answers[first.id] == first.options[0].id
    with db.read() as session:
        draft = session.get(Appraisal, result.appraisal_id)
        assert draft.answered_by.value == "researcher"
    assert "draft appraisal" in dialog.status_label.text()
    assert result.result.level_name in dialog.status_label.text()


def test_a_form_of_another_collaboration_is_refused_in_this_editor(
    qtbot, context, db, tmp_path, monkeypatch
) -> None:
    """The officer picked the wrong file: the other collaboration gets no draft."""
    from rsdesk.services.appraisal.form import write_form
    from rsdesk.ui.dialogs import collaboration_dialog

    with db.unit_of_work() as session:
        partner = make_partner(session, "Harbour Robotics", PartnerKind.COMPANY)
        here = make_collaboration(
            session, "Underwater drones", CollaborationKind.CONTRACT_RESEARCH, [partner]
        )
        other = make_collaboration(
            session, "Sea-floor mapping", CollaborationKind.CONTRACT_RESEARCH, [partner]
        )
        here_id, other_id, other_reference = here.id, other.id, other.reference
        out = tmp_path / "other.xlsx"
        write_form(session, other_id, out)
    errors: list[str] = []
    monkeypatch.setattr(collaboration_dialog, "show_error", lambda _w, e: errors.append(str(e)))
    dialog = collaboration_dialog.CollaborationDialog(context, here_id)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.detail is not None, timeout=10_000)
    dialog.import_form(str(out))
    qtbot.waitUntil(lambda: bool(errors), timeout=20_000)
    assert errors[0].startswith(f"other.xlsx is the form of {other_reference} (Sea-floor mapping)")
    assert "nothing was imported" in errors[0]
    with db.read() as session:
        assert session.query(Appraisal).count() == 0
