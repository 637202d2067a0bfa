"""The researcher's self-assessment form: an Excel workbook out, a draft appraisal back in.

The workbook has a cover sheet (instructions and the collaboration's details), a "Questions" sheet
(one row per question with its help, the answer as a drop-down of the option texts, and a
justification), a hidden "Options" sheet feeding the drop-downs, and a hidden "_rsdesk" sheet with
the form format, the model id and effective version, and the collaboration. Only the answer and
justification cells are unlocked.

Reading a form back trusts nothing: a file that is not the form, a form for another model version
or a collaboration that does not exist, a changed question id or text, an answer that is not one
of the options — each is refused with one line naming the sheet and row, and nothing is written.

openpyxl is imported inside the functions (it is heavy; the CLI starts without it).
"""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rsdesk.models import Collaboration, CollaborationPartner, Partner
from rsdesk.models.enums import AnsweredBy
from rsdesk.services.appraisal import workflow
from rsdesk.services.appraisal.model import AppraisalModel, load_model
from rsdesk.services.appraisal.scoring import ScoreResult
from rsdesk.services.errors import KnownError, NotFoundError

FORM_FORMAT = "rsdesk-appraisal-form/1"
QUESTIONS = "Questions"
OPTIONS = "Options"
META = "_rsdesk"
COVER = "Instructions"
FIRST_ROW = 3  # rows 1-2: title and header
COL_ID, COL_PART, COL_QUESTION, COL_HELP, COL_ANSWER, COL_JUSTIFICATION = range(1, 7)


class FormError(KnownError):
    """A returned form that cannot be trusted; nothing was written."""


@dataclass(frozen=True)
class FormContent:
    collaboration_id: int
    #: The hidden reference and the visible heading ("reference — title"), checked against the
    #: collaboration the hidden id names: a changed id must not import into another one.
    collaboration_reference: str
    heading: str
    model_id: str
    model_version: str
    answers: dict[str, str]
    justifications: dict[str, str]


@dataclass(frozen=True)
class ImportedForm:
    appraisal_id: int
    collaboration_id: int
    answers: dict[str, str]
    result: ScoreResult

    def to_json(self) -> dict[str, Any]:
        return {
            "appraisal_id": self.appraisal_id,
            "collaboration_id": self.collaboration_id,
            "answers": self.answers,
            "result": self.result.to_dict(),
        }


def write_form(
    session: Session,
    collaboration_id: int,
    path: str | Path,
    *,
    model: AppraisalModel | None = None,
) -> Path:
    """Write the self-assessment form for a collaboration to ``path`` (xlsx)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.worksheet.datavalidation import DataValidation

    from rsdesk.services.reports.xlsx.safe import set_text

    model = model or load_model(session=session)
    collaboration = session.get(Collaboration, collaboration_id)
    if collaboration is None:
        raise NotFoundError(f"There is no collaboration with id {collaboration_id}")
    partners = session.execute(
        select(Partner.name)
        .join(CollaborationPartner, CollaborationPartner.partner_id == Partner.id)
        .where(CollaborationPartner.collaboration_id == collaboration_id)
        .order_by(Partner.name)
    ).scalars()
    prefill = workflow.prefill_answers(session, collaboration_id, model)

    book = Workbook()
    cover = book.active
    assert cover is not None
    cover.title = COVER
    bold = Font(bold=True)
    row_border = Border(bottom=Side(style="thin", color="BDBDBD"))
    title_font = Font(bold=True, size=14)
    wrap = Alignment(wrap_text=True, vertical="top")
    answer_fill = PatternFill("solid", fgColor="FFF8E1")

    def put(sheet: Any, row: int, column: int, value: Any, **style: Any) -> Any:
        cell = sheet.cell(row=row, column=column)
        if isinstance(value, str):
            set_text(cell, value)
        else:
            cell.value = value
        for key, item in style.items():
            setattr(cell, key, item)
        return cell

    put(cover, 1, 1, "Research-security self-assessment", font=title_font)
    lines = [
        "Please answer every question on the sheet 'Questions' for the collaboration below.",
        "Choose the answer from the drop-down in the yellow column; if you do not know, choose the "
        "'don't know' option or leave it blank — the research-security office will follow up.",
        "Where an answer points to a risk, explain it in the justification column: what you found "
        "and where the evidence is.",
        "Do not change the questions, their order or the hidden sheets: the office reads the form "
        "back automatically and refuses a changed form.",
        "Return the saved workbook to the research-security office.",
    ]
    for offset, line in enumerate(lines):
        put(cover, 3 + offset, 1, line, alignment=wrap)
    details = [
        ("Collaboration", f"{collaboration.reference} — {collaboration.title}"),
        ("Kind", collaboration.kind.value.replace("_", " ")),
        ("Partners", "; ".join(partners) or "—"),
        ("Start", collaboration.start_date.isoformat() if collaboration.start_date else "—"),
        ("End", collaboration.end_date.isoformat() if collaboration.end_date else "—"),
        ("Questionnaire", f"{model.title} (version {model.version})"),
        ("Form made on", dt.date.today().isoformat()),
    ]
    for offset, (label, value) in enumerate(details):
        row = 10 + offset
        put(cover, row, 1, label, font=bold)
        put(cover, row, 2, value, alignment=wrap)
    cover.column_dimensions["B"].width = 90
    for offset in range(len(details)):
        cover.cell(row=10 + offset, column=1).alignment = Alignment(vertical="top")
    cover.column_dimensions["A"].width = 18
    cover.merge_cells(start_row=1, start_column=1, end_row=1, end_column=2)
    for offset in range(len(lines)):
        cover.merge_cells(start_row=3 + offset, start_column=1, end_row=3 + offset, end_column=2)
        cover.row_dimensions[3 + offset].height = 30
    cover.protection.sheet = True
    cover.page_setup.fitToWidth = 1
    cover.page_setup.fitToHeight = 0
    cover.sheet_properties.pageSetUpPr.fitToPage = True

    sheet = book.create_sheet(QUESTIONS)
    options_sheet = book.create_sheet(OPTIONS)
    put(sheet, 1, COL_PART, f"{collaboration.reference} — {collaboration.title}", font=title_font)
    sheet.merge_cells(start_row=1, start_column=COL_PART, end_row=1, end_column=COL_JUSTIFICATION)
    headers = [
        "Id",
        "Part",
        "Question",
        "Why it matters and what evidence to look for",
        "Answer",
        "Justification",
    ]
    for column, header in enumerate(headers, start=1):
        put(sheet, 2, column, header, font=bold, border=Border(bottom=Side(style="medium")))
    pages = {page.id: page.title for page in model.pages}
    for index, question in enumerate(model.questions):
        row = FIRST_ROW + index
        put(sheet, row, COL_ID, question.id)
        put(sheet, row, COL_PART, pages[question.page], alignment=wrap)
        put(sheet, row, COL_QUESTION, question.text, alignment=wrap)
        put(sheet, row, COL_HELP, question.help, alignment=wrap)
        chosen = prefill.get(question.id)
        answer = sheet.cell(row=row, column=COL_ANSWER)
        if chosen is not None:
            set_text(answer, question.option(chosen.option).text)
        answer.alignment = wrap
        answer.fill = answer_fill
        answer.protection = Protection(locked=False)
        justification = sheet.cell(row=row, column=COL_JUSTIFICATION)
        justification.alignment = wrap
        justification.fill = answer_fill
        justification.protection = Protection(locked=False)
        # The drop-down reads the option texts from a row of the hidden Options sheet (texts may
        # hold commas, so an inline list would not do).
        put(options_sheet, index + 1, 1, question.id)
        for offset, option in enumerate(question.options):
            put(options_sheet, index + 1, 2 + offset, option.text)
        last = _column_letter(1 + len(question.options))
        validation = DataValidation(
            type="list",
            formula1=f"={OPTIONS}!$B${index + 1}:${last}${index + 1}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Choose an answer",
            error="Please choose one of the answers in the list.",
        )
        sheet.add_data_validation(validation)
        validation.add(answer)
        sheet.row_dimensions[row].height = 75
        for column in range(COL_PART, COL_JUSTIFICATION + 1):
            sheet.cell(row=row, column=column).border = row_border
    widths = {"A": 4, "B": 16, "C": 48, "D": 60, "E": 36, "F": 44}
    for letter, width in widths.items():
        sheet.column_dimensions[letter].width = width
    sheet.column_dimensions["A"].hidden = True
    sheet.freeze_panes = "C3"
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    sheet.print_title_rows = "2:2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    options_sheet.sheet_state = "hidden"
    options_sheet.protection.sheet = True

    meta = book.create_sheet(META)
    values: list[tuple[str, Any]] = [
        ("format", FORM_FORMAT),
        ("model_id", model.id),
        ("model_version", model.version),
        ("collaboration_id", collaboration.id),
        ("collaboration_reference", collaboration.reference),
        ("questions", len(model.questions)),
    ]
    for row, (key, item) in enumerate(values, start=1):
        put(meta, row, 1, key)
        put(meta, row, 2, item)
    meta.sheet_state = "hidden"
    meta.protection.sheet = True
    book.active = 0
    book.security.lockStructure = True  # type: ignore[union-attr]
    path = Path(path)
    try:
        book.save(path)
    except OSError as exc:
        raise KnownError(f"Cannot write {path}: {exc.strerror}") from None
    return path


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index))


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(value).strip()


def _loose(text: str) -> str:
    return " ".join(text.split()).casefold()


def _option_id(question: Any, answer: str, where: str) -> str:
    """The option the answer names. Excel's drop-down check ignores case, so the researcher's
    workbook accepted "yes, openly published …" for "Yes, openly published …": so does this,
    and only this (a typo is refused, with the closest option to help)."""
    exact = [option for option in question.options if option.text == answer]
    loose = [option for option in question.options if _loose(option.text) == _loose(answer)]
    if exact or len(loose) == 1:
        return str((exact or loose)[0].id)
    from rapidfuzz import process

    closest = process.extractOne(answer, [option.text for option in question.options])
    hint = f"; did you mean '{closest[0]}'?" if closest and closest[1] >= 80 else ""
    raise FormError(f"{where} ({question.id}): '{answer}' is not one of the answers offered{hint}")


def read_form(path: str | Path, model: AppraisalModel) -> FormContent:
    """Read and check a returned form against ``model``; FormError naming sheet and row."""
    from openpyxl import load_workbook

    path = Path(path)
    if not zipfile.is_zipfile(path):
        raise FormError(f"{path.name} is not an Excel workbook (.xlsx)")
    try:
        book = load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise FormError(f"{path.name} cannot be read as an Excel workbook ({exc})") from None
    if META not in book.sheetnames or QUESTIONS not in book.sheetnames:
        raise FormError(
            f"{path.name} is not an rsdesk appraisal form (sheet '{META}' or '{QUESTIONS}' is missing)"
        )
    meta = {
        _text(row[0]): row[1]
        for row in book[META].iter_rows(min_row=1, max_col=2, values_only=True)
        if row[0]
    }
    if _text(meta.get("format")) != FORM_FORMAT:
        raise FormError(f"{path.name} is not an rsdesk appraisal form of a known format")
    if _text(meta.get("model_id")) != model.id or _text(meta.get("model_version")) != model.version:
        raise FormError(
            f"{path.name} was made with questionnaire {meta.get('model_id')} version "
            f"{meta.get('model_version')}, but the current one is {model.id} version {model.version}; "
            f"make a new form with 'rsdesk appraisal form {meta.get('collaboration_id')}'"
        )
    try:
        collaboration_id = int(meta.get("collaboration_id"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise FormError(f"{path.name}: sheet '{META}': the collaboration id is missing") from None

    sheet = book[QUESTIONS]
    answers: dict[str, str] = {}
    justifications: dict[str, str] = {}
    expected = list(model.questions)
    for index, question in enumerate(expected):
        row = FIRST_ROW + index
        where = f"{path.name}: sheet '{QUESTIONS}', row {row}"
        question_id = _text(sheet.cell(row=row, column=COL_ID).value)
        if question_id != question.id:
            found = f"'{question_id}'" if question_id else "nothing"
            raise FormError(
                f"{where}: expected question '{question.id}', found {found}; the rows were changed"
            )
        if _text(sheet.cell(row=row, column=COL_QUESTION).value) != question.text:
            raise FormError(f"{where} ({question.id}): the question text was changed")
        answer = _text(sheet.cell(row=row, column=COL_ANSWER).value)
        if answer:
            answers[question.id] = _option_id(question, answer, where)
        note = _text(sheet.cell(row=row, column=COL_JUSTIFICATION).value)
        if note:
            justifications[question.id] = note
    extra_row = FIRST_ROW + len(expected)
    if any(
        _text(sheet.cell(row=extra_row, column=c).value) for c in (COL_ID, COL_QUESTION, COL_ANSWER)
    ):
        raise FormError(f"{path.name}: sheet '{QUESTIONS}', row {extra_row}: unexpected extra row")
    return FormContent(
        collaboration_id=collaboration_id,
        collaboration_reference=_text(meta.get("collaboration_reference")),
        heading=_text(sheet.cell(row=1, column=COL_PART).value),
        model_id=model.id,
        model_version=model.version,
        answers=answers,
        justifications=justifications,
    )


def _check_same_collaboration(
    name: str, content: FormContent, collaboration: Collaboration
) -> None:
    """The hidden id, the hidden reference and the visible heading must name one collaboration."""
    if content.collaboration_reference != collaboration.reference:
        found = content.collaboration_reference or "no reference"
        raise FormError(
            f"{name}: sheet '{META}' names collaboration id {collaboration.id}, which is "
            f"{collaboration.reference}, but reference {found}; the form was changed, "
            "nothing was imported"
        )
    if content.heading:
        from rsdesk.services.reports.xlsx.safe import clean_text

        expected = _text(clean_text(f"{collaboration.reference} \u2014 {collaboration.title}"))
        if content.heading != expected:
            raise FormError(
                f"{name}: sheet '{QUESTIONS}', row 1 reads '{content.heading}', but the form's "
                f"collaboration id {collaboration.id} is '{expected}'; if its title changed "
                f"since, make a new form with 'rsdesk appraisal form {collaboration.id}'"
            )


def import_form(
    session: Session,
    path: str | Path,
    *,
    model: AppraisalModel | None = None,
    expected_collaboration_id: int | None = None,
) -> ImportedForm:
    """A returned form becomes a draft appraisal answered by the researcher.

    The draft holds exactly the form's answers (blank ones stay unknown, i.e. due-diligence gaps)
    and justifications. Refused whole (nothing written) if the form cannot be trusted or the
    collaboration already has an open draft. ``expected_collaboration_id`` is the collaboration
    the user imports it into (its editor): a form for another one is refused, not filed there.
    """
    model = model or load_model(session=session)
    content = read_form(path, model)
    collaboration = session.get(Collaboration, content.collaboration_id)
    if collaboration is None:
        raise FormError(
            f"{Path(path).name} is for collaboration id {content.collaboration_id}, "
            "which does not exist in this database"
        )
    _check_same_collaboration(Path(path).name, content, collaboration)
    if expected_collaboration_id is not None and collaboration.id != expected_collaboration_id:
        here = session.get(Collaboration, expected_collaboration_id)
        here_name = here.reference if here is not None else f"id {expected_collaboration_id}"
        raise FormError(
            f"{Path(path).name} is the form of {collaboration.reference} "
            f"({collaboration.title}), not of {here_name}; import it from that collaboration, "
            "nothing was imported"
        )
    if workflow.current_draft(session, collaboration.id) is not None:
        raise FormError(
            f"{collaboration.reference} already has a draft appraisal; finish or discard it "
            "before importing a form"
        )
    saved = workflow.create_draft(
        session,
        collaboration.id,
        model=model,
        answered_by=AnsweredBy.RESEARCHER,
        answers=content.answers,
        justifications=content.justifications,
    )
    assert saved.id is not None
    assert saved.result is not None
    return ImportedForm(
        appraisal_id=saved.id,
        collaboration_id=collaboration.id,
        answers=saved.answers,
        result=saved.result,
    )
