"""The researcher's self-assessment form: written, filled with openpyxl as a researcher would,
read back into a draft; every kind of untrustworthy form refused with nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from rsdesk.cli import main
from rsdesk.models import Appraisal
from rsdesk.models.enums import CollaborationKind, PartnerKind
from rsdesk.services.appraisal import load_model, score, workflow
from rsdesk.services.appraisal.form import (
    COL_ANSWER,
    COL_ID,
    COL_JUSTIFICATION,
    COL_QUESTION,
    FIRST_ROW,
    META,
    OPTIONS,
    QUESTIONS,
    FormError,
    import_form,
    write_form,
)
from tests.services.appraisal.helpers import make_collaboration, make_partner

MODEL = load_model()


@pytest.fixture
def form(db, tmp_path: Path) -> tuple[int, Path]:
    with db.unit_of_work() as session:
        partner = make_partner(session, "Coastal Institute", PartnerKind.RESEARCH_INSTITUTE)
        collaboration = make_collaboration(
            session, '=HYPERLINK("x") ocean sensors', CollaborationKind.JOINT_RESEARCH, [partner]
        )
    path = tmp_path / "form.xlsx"
    with db.read() as session:
        write_form(session, collaboration.id, path)
    return collaboration.id, path


def row_of(question_id: str) -> int:
    return FIRST_ROW + [q.id for q in MODEL.questions].index(question_id)


def fill(path: Path, answers: dict[str, str], notes: dict[str, str]) -> None:
    """Choose option texts (and leave others blank) as a researcher in Excel would."""
    book = load_workbook(path)
    sheet = book[QUESTIONS]
    for question in MODEL.questions:
        row = row_of(question.id)
        option = answers.get(question.id)
        sheet.cell(row=row, column=COL_ANSWER).value = (
            question.option(option).text if option else None
        )
        if question.id in notes:
            sheet.cell(row=row, column=COL_JUSTIFICATION).value = notes[question.id]
    book.save(path)


def appraisal_count(db) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(Appraisal)) or 0


def test_form_layout_is_locked_except_answers(form):
    collaboration_id, path = form
    book = load_workbook(path)
    assert book.sheetnames == ["Instructions", QUESTIONS, OPTIONS, META]
    assert book[OPTIONS].sheet_state == "hidden"
    assert book[META].sheet_state == "hidden"
    sheet = book[QUESTIONS]
    assert sheet.protection.sheet
    assert len(sheet.data_validations.dataValidation) == len(MODEL.questions)
    row = row_of("partner_listed")
    assert sheet.cell(row=row, column=COL_ID).value == "partner_listed"
    assert sheet.cell(row=row, column=COL_QUESTION).value == MODEL.question("partner_listed").text
    assert sheet.cell(row=row, column=COL_QUESTION).protection.locked
    assert not sheet.cell(row=row, column=COL_ANSWER).protection.locked
    assert not sheet.cell(row=row, column=COL_JUSTIFICATION).protection.locked
    # Pre-filled from the register: the kind of collaboration.
    assert sheet.cell(row=row_of("form_kind"), column=COL_ANSWER).value == (
        MODEL.question("form_kind").option("joint_research").text
    )
    # User text is never a formula.
    title = sheet.cell(row=1, column=2)
    assert title.data_type == "s"
    assert title.value.endswith('=HYPERLINK("x") ocean sensors')


def test_filled_form_becomes_a_researcher_draft_equal_to_score(db, db_path, form, tmp_path, capsys):
    collaboration_id, path = form
    answers = {q.id: q.options[0].id for q in MODEL.questions[:20]}
    answers["partner_listed"] = "possible_match"
    answers["form_transfers"] = "data"
    notes = {
        "form_transfers": "Anonymised sensor readings only",
        "partner_listed": "Name is similar",
    }
    fill(path, answers, notes)

    code = main(["--db", str(db_path), "appraisal", "import-form", str(path)])
    out, err = capsys.readouterr()
    assert code == 0, err
    imported = json.loads(out)
    assert imported["collaboration_id"] == collaboration_id
    assert imported["answers"] == answers

    answers_file = tmp_path / "answers.json"
    answers_file.write_text(json.dumps({"answers": answers, "justifications": notes}), "utf-8")
    assert main(["appraisal", "score", str(answers_file)]) == 0
    scored, _ = capsys.readouterr()
    assert imported["result"] == json.loads(scored)
    assert imported["result"] == json.loads(score(MODEL, answers, notes).to_json())

    with db.read() as session:
        row = session.get(Appraisal, imported["appraisal_id"])
        assert row.answered_by.value == "researcher"
        assert row.status.value == "draft"
        assert row.justifications == notes
    # Blank answers stay unknown: gaps to close.
    blank = {g["question"] for g in imported["result"]["gaps"] if g["reason"] == "unanswered"}
    assert blank == {q.id for q in MODEL.questions} - set(answers)


def edit(path: Path, sheet_name: str, row: int, column: int, value: object) -> None:
    book = load_workbook(path)
    book[sheet_name].cell(row=row, column=column).value = value
    book.save(path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda p: edit(p, QUESTIONS, row_of("partner_listed"), COL_ANSWER, "Probably fine"),
            f"sheet 'Questions', row {row_of('partner_listed')} (partner_listed): 'Probably fine' is not one of the answers",
        ),
        (
            lambda p: edit(p, QUESTIONS, row_of("form_ip"), COL_QUESTION, "Who owns the IP?"),
            f"sheet 'Questions', row {row_of('form_ip')} (form_ip): the question text was changed",
        ),
        (
            lambda p: edit(p, QUESTIONS, row_of("form_ip"), COL_ID, "form_ownership"),
            "expected question 'form_ip', found 'form_ownership'",
        ),
        (
            lambda p: edit(p, META, 3, 2, "2025.9+0123456789"),
            "was made with questionnaire rsdesk-default version 2025.9+0123456789",
        ),
        (lambda p: edit(p, META, 4, 2, 987654), "collaboration id 987654, which does not exist"),
        (lambda p: p.write_text("name,answer\n", "utf-8"), "is not an Excel workbook"),
        (lambda p: Workbook().save(p), "is not an rsdesk appraisal form"),
    ],
)
def test_untrustworthy_forms_are_refused_with_nothing_written(
    db, db_path, form, capsys, change, message
):
    _, path = form
    change(path)
    before = appraisal_count(db)
    with pytest.raises(FormError) as caught, db.unit_of_work() as session:
        import_form(session, path)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    assert appraisal_count(db) == before
    code = main(["--db", str(db_path), "appraisal", "import-form", str(path)])
    _, err = capsys.readouterr()
    assert code == 1
    assert message in err
    assert appraisal_count(db) == before


def test_form_for_unknown_collaboration_and_open_draft(db, db_path, form, capsys, tmp_path):
    code = main(
        ["--db", str(db_path), "appraisal", "form", "424242", "--out", str(tmp_path / "x.xlsx")]
    )
    _, err = capsys.readouterr()
    assert code == 1
    assert "no collaboration with id 424242" in err
    _, path = form
    with db.unit_of_work() as session:
        import_form(session, path)
    with (
        pytest.raises(FormError, match="already has a draft appraisal"),
        db.unit_of_work() as session,
    ):
        import_form(session, path)


def test_an_answer_differing_only_in_case_or_spaces_is_read_and_a_typo_gets_a_hint(db, form):
    """Excel's drop-down accepts "yes, …" for "Yes, …": the form does too; a typo does not."""
    _, path = form
    question = MODEL.question("partner_listed")
    option = question.options[1]
    shouted = "  " + option.text.upper().replace(" ", "  ") + " "
    edit(path, QUESTIONS, row_of("partner_listed"), COL_ANSWER, shouted)
    with db.unit_of_work() as session:
        imported = import_form(session, path)
    assert imported.answers["partner_listed"] == option.id

    with db.unit_of_work() as session:
        workflow.discard_draft(session, imported.appraisal_id)
    typo = option.text[:3] + option.text[4:]  # one letter dropped
    edit(path, QUESTIONS, row_of("partner_listed"), COL_ANSWER, typo)
    with pytest.raises(FormError) as caught, db.unit_of_work() as session:
        import_form(session, path)
    assert str(caught.value).endswith(
        f"'{typo}' is not one of the answers offered; did you mean '{option.text}'?"
    )
