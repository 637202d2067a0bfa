"""`rsdesk export xlsx OUT.xlsx [--what NAME] [--pseudonymise]`: registers to Excel.

Without ``--what`` it writes the audit workbook: a cover sheet, every register and the audit log.
"""

from __future__ import annotations

import argparse
import sys

from rsdesk.commands.common import database, output_file


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
        "--what", metavar="NAME", help="one register only (collaborations, partners, staff, ...)"
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
    from rsdesk.services import pseudonyms, registers
    from rsdesk.services.errors import KnownError
    from rsdesk.services.registers.base import RegisterQuery

    out = output_file(args.out)
    if out.suffix.lower() != ".xlsx":
        raise KnownError(f"{out.name}: give the workbook a .xlsx name")
    if args.what is not None and args.what not in registers.names():
        raise KnownError(f"Unknown register {args.what!r}; known: {', '.join(registers.names())}")
    db = database(args)
    try:
        pseudonymiser = None
        if args.pseudonymise:
            with db.unit_of_work() as session:
                pseudonymiser = pseudonyms.Pseudonymiser(pseudonyms.ensure_secret(session))
        with db.read() as session:
            if args.what:
                from rsdesk.services.reports.xlsx.registers import export_register

                result = export_register(
                    session,
                    args.what,
                    out,
                    RegisterQuery(text=args.search),
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
