"""The self-assessment form through the command line as a script would use it (real processes):
`rsdesk appraisal form` writes it, a researcher fills it with openpyxl, `import-form` reads it back
into a draft whose answers and result equal `rsdesk appraisal score` on the same answers; a form
made with a model the institution has since replaced is refused, naming both versions, with
nothing written."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from openpyxl import load_workbook
from sqlalchemy import func, select

from rsdesk.models import Appraisal
from rsdesk.models.enums import CollaborationKind, PartnerKind
from rsdesk.resources import resource_path
from rsdesk.services.appraisal import install_institution_model, load_model
from rsdesk.services.appraisal.form import COL_ANSWER, COL_ID, COL_JUSTIFICATION, FIRST_ROW
from tests.services.appraisal.helpers import make_collaboration, make_partner


def rsdesk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rsdesk", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=120,
        check=False,
    )


def _collaboration(db) -> int:
    with db.unit_of_work() as session:
        partner = make_partner(session, "Harbour Robotics", PartnerKind.COMPANY)
        return make_collaboration(
            session, "Underwater drones", CollaborationKind.CONTRACT_RESEARCH, [partner]
        ).id


def _count(db) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(Appraisal)) or 0


def test_form_round_trip_through_the_command_line(db, db_path, tmp_path):
    model = load_model()
    collaboration_id = _collaboration(db)
    form = tmp_path / "form.xlsx"
    made = rsdesk(
        "--db", str(db_path), "appraisal", "form", str(collaboration_id), "--out", str(form)
    )
    assert made.returncode == 0, made.stderr

    # The researcher picks option texts for every third question, the last option where there is
    # one (the riskiest), leaves the rest blank, and explains two answers.
    book = load_workbook(form)
    sheet = book["Questions"]
    chosen: dict[str, str] = {}
    notes: dict[str, str] = {}
    for index, question in enumerate(model.questions):
        row = FIRST_ROW + index
        assert sheet.cell(row=row, column=COL_ID).value == question.id
        cell = sheet.cell(row=row, column=COL_ANSWER)
        if index % 3 == 0:
            option = question.options[-1]
            cell.value = option.text
            chosen[question.id] = option.id
            if len(notes) < 2:
                notes[question.id] = f"Checked with the partner ({index})"
                sheet.cell(row=row, column=COL_JUSTIFICATION).value = notes[question.id]
        else:
            cell.value = None  # blank, including answers pre-filled from the register
    book.save(form)

    imported = rsdesk("--db", str(db_path), "appraisal", "import-form", str(form))
    assert imported.returncode == 0, imported.stderr
    result = json.loads(imported.stdout)
    assert set(result) == {"appraisal_id", "collaboration_id", "answers", "result"}
    assert result["collaboration_id"] == collaboration_id
    assert result["answers"] == chosen

    answers_file = tmp_path / "answers.json"
    answers_file.write_text(json.dumps({"answers": chosen, "justifications": notes}), "utf-8")
    scored = rsdesk("appraisal", "score", str(answers_file))
    assert scored.returncode == 0, scored.stderr
    assert result["result"] == json.loads(scored.stdout)
    unanswered = {g["question"] for g in result["result"]["gaps"] if g["reason"] == "unanswered"}
    assert unanswered == {q.id for q in model.questions} - set(chosen)
    with db.read() as session:
        draft = session.get(Appraisal, result["appraisal_id"])
        assert draft.answered_by.value == "researcher"
        assert draft.answers == chosen
        assert draft.justifications == notes


def test_a_form_from_a_replaced_model_is_refused_naming_the_versions(db, db_path, tmp_path):
    collaboration_id = _collaboration(db)
    form = tmp_path / "old-form.xlsx"
    made = rsdesk(
        "--db", str(db_path), "appraisal", "form", str(collaboration_id), "--out", str(form)
    )
    assert made.returncode == 0, made.stderr
    old = load_model()

    # The institution adopts its own copy of the model: a new model version.
    text = resource_path("questionbank", "default.toml").read_text("utf-8")
    assert f'version = "{old.declared_version}"' in text
    adjusted = tmp_path / "adjusted.toml"
    adjusted.write_text(
        text.replace(f'version = "{old.declared_version}"', 'version = "2026.1-local"', 1), "utf-8"
    )
    with db.unit_of_work() as session:
        new = install_institution_model(session, adjusted)
    assert new.version != old.version

    before = _count(db)
    refused = rsdesk("--db", str(db_path), "appraisal", "import-form", str(form))
    assert refused.returncode == 1
    message = refused.stderr.strip()
    assert "\n" not in message
    assert "Traceback" not in message
    assert f"version {old.version}" in message
    assert f"version {new.version}" in message
    assert f"rsdesk appraisal form {collaboration_id}" in message
    assert _count(db) == before

    # A new form of the same collaboration goes through.
    fresh = tmp_path / "new-form.xlsx"
    assert (
        rsdesk(
            "--db", str(db_path), "appraisal", "form", str(collaboration_id), "--out", str(fresh)
        ).returncode
        == 0
    )
    accepted = rsdesk("--db", str(db_path), "appraisal", "import-form", str(fresh))
    assert accepted.returncode == 0, accepted.stderr
    assert _count(db) == before + 1


def test_usage_errors_exit_2_and_missing_files_exit_1(db_path, tmp_path):
    assert rsdesk("appraisal", "form").returncode == 2
    missing = rsdesk("--db", str(db_path), "appraisal", "import-form", str(tmp_path / "nope.xlsx"))
    assert missing.returncode == 1
    assert "nope.xlsx" in missing.stderr
    assert "Traceback" not in missing.stderr
