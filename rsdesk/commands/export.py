"""`rsdesk export xlsx OUT.xlsx [--what NAME] [--pseudonymise]`: registers to Excel.

Without ``--what`` it writes the audit workbook: a cover sheet, every register and the audit log.
``--what training-matrix`` writes the training matrix (people x courses coloured by status, with
compliance per department), optionally for one ``--department``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from rsdesk.commands.common import database, output_file
from rsdesk.services.access import Capability

#: Workbooks that are not one register's sheet, by their --what name.
TRAINING_MATRIX = "training-matrix"


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("export", help="registers to Excel")
    formats = parser.add_subparsers(dest="export_format", metavar="FORMAT", required=True)
    xlsx = formats.add_parser(
        "xlsx",
        help="an Excel workbook (default: the audit workbook with every register)",
        description="Write registers to an Excel workbook. Without --what: the audit workbook "
        "(cover sheet, every register, the audit log).",
    )
    xlsx.add_argument("out", metavar="OUT.xlsx", help="the workbook to write")
    xlsx.add_argument(
        "--what",
        metavar="NAME",
        help="one register only (collaborations, partners, staff, onboarding, ...) or "
        f"{TRAINING_MATRIX} (people x courses coloured by status)",
    )
    xlsx.add_argument(
        "--department",
        metavar="NAME",
        help=f"with --what {TRAINING_MATRIX}: only this department's people",
    )
    xlsx.add_argument(
        "--search", metavar="TEXT", default="", help="only rows matching this quick search"
    )
    xlsx.add_argument(
        "--pseudonymise",
        "--pseudonymize",
        action="store_true",
        help="replace staff names, e-mails and numbers by stable pseudonyms",
    )
    xlsx.set_defaults(handler=export_xlsx)


def export_xlsx(args: argparse.Namespace) -> int:
    from rsdesk.services import registers
    from rsdesk.services.errors import KnownError
    from rsdesk.services.registers.base import RegisterQuery, with_default_filters

    out = output_file(args.out)
    if out.suffix.lower() != ".xlsx":
        raise KnownError(f"{out.name}: give the workbook a .xlsx name")
    known = [*registers.names(), TRAINING_MATRIX]
    if args.what is not None and args.what not in known:
        raise KnownError(f"Unknown register {args.what!r}; known: {', '.join(known)}")
    if args.department is not None and args.what != TRAINING_MATRIX:
        raise KnownError(f"--department goes with --what {TRAINING_MATRIX}")
    if args.what == TRAINING_MATRIX:
        return _export_training_matrix(args, out)
    db = database(args)
    try:
        pseudonymiser = _pseudonymiser(db) if args.pseudonymise else None
        with db.read() as session:
            if args.what:
                from rsdesk.services.reports.xlsx.registers import export_register

                result = export_register(
                    session,
                    args.what,
                    out,
                    with_default_filters(registers.get(args.what), RegisterQuery(text=args.search)),
                    actor=db.actor,
                    pseudonymiser=pseudonymiser,
                )
            else:
                from rsdesk.services.reports.xlsx.audit import export_audit_workbook

                queries = {}
                if args.search:
                    queries = {n: RegisterQuery(text=args.search) for n in registers.names()}
                result = export_audit_workbook(
                    session,
                    out,
                    actor=db.actor,
                    database=db.display_name(),
                    queries=queries,
                    pseudonymiser=pseudonymiser,
                )
    finally:
        db.dispose()
    sheets = ", ".join(f"{s.sheet_title} {s.rows}" for s in result.sheets)
    print(f"wrote {out}: {sheets}", file=sys.stdout)
    return 0


def _pseudonymiser(db: Any) -> Any:
    """The office's pseudonymiser; its secret is made on first use, hence a unit of work."""
    from rsdesk.services import pseudonyms

    with db.unit_of_work(Capability.EXPORT) as session:
        return pseudonyms.Pseudonymiser(pseudonyms.ensure_secret(session))


def _export_training_matrix(args: argparse.Namespace, out: Path) -> int:
    from rsdesk.services import people_exports, reference
    from rsdesk.services.errors import KnownError

    db = database(args)
    try:
        pseudonymiser = _pseudonymiser(db) if args.pseudonymise else None
        with db.read() as session:
            department_id: Any = None
            if args.department is not None:
                wanted = args.department.strip().casefold()
                matches = [
                    d for d in reference.departments(session) if d.label.casefold() == wanted
                ]
                if not matches:
                    raise KnownError(f"No department named {args.department!r}")
                department_id = matches[0].value
            people = people_exports.export_training_matrix(
                session,
                out,
                department_id,
                actor=db.actor,
                search=args.search,
                pseudonymiser=pseudonymiser,
            )
    finally:
        db.dispose()
    print(f"wrote {out}: Training matrix {people}, Compliance", file=sys.stdout)
    return 0
