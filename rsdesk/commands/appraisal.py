"""`rsdesk appraisal`: the question bank and the scoring engine on the command line.

``questions`` prints the bank as JSON; ``score ANSWERS.json`` scores a file of answers and prints
the result as JSON; ``form ID --out F.xlsx`` writes the researcher's self-assessment form and
``import-form F.xlsx`` reads a returned one into a draft appraisal; ``discard ID`` deletes a
draft appraisal and undoes the status change its start made. The answers file is either ``{question_id: option_id, ...}`` or
``{"answers": {...}, "justifications": {...}}``. ``--model FILE`` uses another model file (to try
an institution's adjusted copy); with ``--db`` the institution's configured model is used.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from rsdesk.commands.common import existing_file, print_json
from rsdesk.services.errors import KnownError

if TYPE_CHECKING:
    from rsdesk.services.appraisal.model import AppraisalModel


def _model(args: argparse.Namespace) -> AppraisalModel:
    from rsdesk.services.appraisal import load_model

    if args.model:
        return load_model(existing_file(args.model))
    if args.db:
        from rsdesk.commands.common import database

        db = database(args)
        try:
            with db.read() as session:
                return load_model(session=session)
        finally:
            db.dispose()
    return load_model()


def _questions(args: argparse.Namespace) -> int:
    print_json(_model(args).to_public_json())
    return 0


def read_answers_file(path_text: str) -> tuple[dict[str, object], dict[str, object]]:
    """Answers and justifications from a JSON file; KnownError naming the file and the problem."""
    path = existing_file(path_text)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise KnownError(f"{path}: not a UTF-8 text file") from None
    except json.JSONDecodeError as exc:
        raise KnownError(
            f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    if not isinstance(data, dict):
        raise KnownError(f"{path}: expected a JSON object of question id to option id")
    if "answers" in data:
        answers = data["answers"]
        justifications = data.get("justifications") or {}
        extra = sorted(set(data) - {"answers", "justifications"})
        if extra:
            raise KnownError(f"{path}: unexpected key {extra[0]!r} (use answers, justifications)")
    else:
        answers, justifications = data, {}
    if not isinstance(answers, dict):
        raise KnownError(f"{path}: 'answers' must be an object of question id to option id")
    if not isinstance(justifications, dict):
        raise KnownError(f"{path}: 'justifications' must be an object of question id to text")
    return answers, justifications


def _score(args: argparse.Namespace) -> int:
    from rsdesk.services.appraisal import check_answers, check_justifications, score

    model = _model(args)
    answers, justifications = read_answers_file(args.answers)
    where = str(args.answers)
    clean = check_answers(model, answers, where=where)
    notes = check_justifications(model, justifications, where=where)
    print_json(score(model, clean, notes).to_dict())
    return 0


def _form(args: argparse.Namespace) -> int:
    from rsdesk.commands.common import database, output_file
    from rsdesk.services.appraisal.form import write_form

    out = output_file(args.out)
    db = database(args)
    try:
        with db.read() as session:
            write_form(session, args.collaboration, out)
    finally:
        db.dispose()
    print(f"Wrote {out}")
    return 0


def _import_form(args: argparse.Namespace) -> int:
    from rsdesk.commands.common import database
    from rsdesk.services.appraisal.form import import_form

    path = existing_file(args.file)
    db = database(args)
    try:
        with db.unit_of_work() as session:
            imported = import_form(session, path)
    finally:
        db.dispose()
    print_json(imported.to_json())
    return 0


def _discard(args: argparse.Namespace) -> int:
    from rsdesk.commands.common import database
    from rsdesk.services.appraisal import workflow

    db = database(args)
    try:
        with db.unit_of_work() as session:
            message = workflow.discard_draft(session, args.appraisal)
    finally:
        db.dispose()
    print(message)
    return 0


def _model_command(args: argparse.Namespace) -> int:
    from rsdesk.commands.common import database
    from rsdesk.services.appraisal import (
        install_institution_model,
        load_model,
        reset_institution_model,
    )

    db = database(args)
    try:
        if args.install:
            with db.unit_of_work() as session:
                install_institution_model(session, existing_file(args.install))
        elif args.reset:
            with db.unit_of_work() as session:
                reset_institution_model(session)
        with db.read() as session:
            model = load_model(session=session)
    finally:
        db.dispose()
    default = load_model()
    print_json(
        {
            "id": model.id,
            "version": model.version,
            "declared_version": model.declared_version,
            "title": model.title,
            "source": model.source,
            "institution_copy": model.version != default.version or model.source != default.source,
            "questions": len(model.questions),
        }
    )
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "appraisal", help="the risk-appraisal question bank and scoring engine"
    )
    commands = parser.add_subparsers(dest="appraisal_command", metavar="SUBCOMMAND", required=True)

    questions = commands.add_parser("questions", help="print the question bank as JSON")
    questions.add_argument("--model", metavar="FILE", help="use this model file")
    questions.set_defaults(handler=_questions)

    scoring = commands.add_parser("score", help="score a JSON file of answers; result as JSON")
    scoring.add_argument("answers", metavar="ANSWERS.json")
    scoring.add_argument("--model", metavar="FILE", help="use this model file")
    scoring.set_defaults(handler=_score)

    model = commands.add_parser(
        "model", help="show the model in use; install an institution's adjusted copy or reset"
    )
    choice = model.add_mutually_exclusive_group()
    choice.add_argument("--install", metavar="FILE", help="validate FILE and use it from now on")
    choice.add_argument("--reset", action="store_true", help="go back to the shipped model")
    model.set_defaults(handler=_model_command)

    form = commands.add_parser(
        "form", help="write a self-assessment form (xlsx) for the researcher to fill"
    )
    form.add_argument("collaboration", metavar="COLLAB_ID", type=int)
    form.add_argument("--out", metavar="F.xlsx", required=True)
    form.set_defaults(handler=_form)

    import_form = commands.add_parser(
        "import-form", help="a returned form becomes a draft appraisal (JSON out)"
    )
    import_form.add_argument("file", metavar="F.xlsx")
    import_form.set_defaults(handler=_import_form)

    discard = commands.add_parser(
        "discard", help="delete a draft appraisal (a signed-off one is kept for good)"
    )
    discard.add_argument("appraisal", metavar="APPRAISAL_ID", type=int)
    discard.set_defaults(handler=_discard)
