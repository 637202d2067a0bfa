"""`rsdesk appraisal discard ID` in a real process: a draft goes (its collaboration proposed again),
a signed-off appraisal or an unknown id is refused in one line with exit 1, and a form whose
hidden collaboration id was changed is refused by `import-form`."""

from __future__ import annotations

from openpyxl import load_workbook

from rsdesk.models import Collaboration
from rsdesk.models.enums import CollaborationStatus, PartnerKind
from rsdesk.services.appraisal import load_model, workflow
from tests.cli.test_form_cli import rsdesk
from tests.services.appraisal.helpers import benign_answers, make_collaboration, make_partner


def _collaborations(db) -> tuple[int, int]:
    with db.unit_of_work() as session:
        partner = make_partner(session, "Harbour Robotics", PartnerKind.COMPANY)
        first = make_collaboration(session, "Underwater drones", partners=[partner]).id
        second = make_collaboration(session, "Soil sensors", partners=[partner]).id
        return first, second


def test_discard_a_draft_and_refuse_a_signed_off_one(db, db_path):
    drafted, signed = _collaborations(db)
    with db.unit_of_work() as session:
        draft = workflow.create_draft(session, drafted)
        done = workflow.create_draft(session, signed, answers=benign_answers(load_model()))
        workflow.sign_off(
            session,
            done.id,
            workflow.SignOff("approve", "Robin Officer", "Research-security officer"),
        )

    result = rsdesk("--db", str(db_path), "appraisal", "discard", str(draft.id))
    assert result.returncode == 0, result.stderr
    assert "Discarded the draft appraisal" in result.stdout
    assert "proposed again" in result.stdout
    with db.read() as session:
        assert session.get(Collaboration, drafted).status == CollaborationStatus.PROPOSED
        assert workflow.current_draft(session, drafted) is None

    for target, expected in ((done.id, "signed off"), (draft.id, "no appraisal with id")):
        refused = rsdesk("--db", str(db_path), "appraisal", "discard", str(target))
        assert refused.returncode == 1
        assert expected in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1
        assert "Traceback" not in refused.stderr


def test_import_form_refuses_a_changed_collaboration_id(db, db_path, tmp_path):
    target, other = _collaborations(db)
    form = tmp_path / "form.xlsx"
    made = rsdesk("--db", str(db_path), "appraisal", "form", str(target), "--out", str(form))
    assert made.returncode == 0, made.stderr
    book = load_workbook(form)
    book["_rsdesk"]["B4"] = other
    book.save(form)
    refused = rsdesk("--db", str(db_path), "appraisal", "import-form", str(form))
    assert refused.returncode == 1
    assert "the form was changed, nothing was imported" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    with db.read() as session:
        assert workflow.current_draft(session, other) is None
        assert workflow.current_draft(session, target) is None
