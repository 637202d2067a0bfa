"""`rsdesk import xlsx|csv IN [--what NAME] [--dry-run] [--skip-bad-rows] [--on-duplicate ...]`.

Prints the plan (what would be created, updated, skipped, and every problem with its row and
column); writes nothing with ``--dry-run``, and nothing at all if any row is bad unless
``--skip-bad-rows`` is given. ``--problems OUT.xlsx`` saves the problems as a workbook.
"""

from __future__ import annotations

import argparse
import json
import sys

from rsdesk.commands.common import database, existing_file, output_file, print_json

MAX_PROBLEMS_SHOWN = 20
#: Changed fields of planned updates listed in the text output (--json and --problems: all).
MAX_CHANGES_SHOWN = 50


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("import", help="import a register from .xlsx or .csv")
    parser.add_argument("format", choices=("xlsx", "csv"), help="the file's format")
    parser.add_argument("file", metavar="IN", help="the file to import")
    parser.add_argument(
        "--what",
        metavar="NAME",
        help="collaborations, partners, staff, training or onboarding (default: guessed from the "
        "file)",
    )
    parser.add_argument("--sheet", metavar="NAME", help="the sheet to read (default: the first)")
    parser.add_argument("--dry-run", action="store_true", help="show the plan, write nothing")
    parser.add_argument(
        "--skip-bad-rows",
        action="store_true",
        help="import the good rows even if some are rejected (default: all or nothing)",
    )
    parser.add_argument(
        "--on-duplicate",
        choices=("skip", "update"),
        default="skip",
        help="what to do with rows matching a record already there (default: skip)",
    )
    parser.add_argument(
        "--map",
        metavar="HEADER=FIELD",
        action="append",
        default=[],
        help="map a column to a field (repeatable; FIELD '-' leaves the column out)",
    )
    parser.add_argument(
        "--problems",
        metavar="OUT.xlsx",
        help="save the problems (and the planned updates, field by field) as a workbook",
    )
    parser.add_argument("--json", action="store_true", help="print the plan as JSON")
    parser.set_defaults(handler=import_command)


def _mapping(args: argparse.Namespace, source: object, name: str) -> dict[int, str] | None:
    from rsdesk.services import importers
    from rsdesk.services.errors import KnownError

    if not args.map:
        return None
    headers: list[str] = source.headers  # type: ignore[attr-defined]
    mapping = importers.auto_map(importers.target(name), headers)
    for item in args.map:
        header, sep, field = item.partition("=")
        if not sep:
            raise KnownError(f"--map {item!r}: write HEADER=FIELD")
        matches = [i for i, h in enumerate(headers) if h.strip().lower() == header.strip().lower()]
        if not matches:
            raise KnownError(f"--map: the file has no column {header!r}")
        mapping = {i: k for i, k in mapping.items() if k != field.strip()}
        if field.strip() in ("-", ""):
            mapping.pop(matches[0], None)
        else:
            mapping[matches[0]] = field.strip()
    return mapping


def import_command(args: argparse.Namespace) -> int:
    from rsdesk.services import importers
    from rsdesk.services.collector import collector_paused

    path = existing_file(args.file)
    problems_out = output_file(args.problems) if args.problems else None
    db = database(args)
    # One pause for the whole import: the collector, back between its steps, would walk all the
    # rows read or planned so far at each of them.
    try:
        with collector_paused():
            with db.read() as session:
                limit = importers.max_file_mb(session)
            source = importers.read_file(
                path, args.format, target=args.what, sheet=args.sheet, max_mb=limit
            )
            name = args.what or importers.guess_target(source)
            mapping = _mapping(args, source, name)
            # Planned with nothing locked; a refused plan ends here, before any write
            # transaction, and a large one is then written with the file to itself when nobody
            # else has it open (importers.write_planned).
            planned = importers.plan_import(db, source, name, mapping, args.on_duplicate)
            plan = planned.plan
            _report(plan, args)
            if problems_out is not None and (plan.problems or plan.counts()["update"]):
                from rsdesk.services.importers.problems import save_problems

                save_problems(plan, problems_out)
                print(f"problems and changes saved to {problems_out}", file=sys.stderr)
            result = None
            if not args.dry_run:
                result = importers.write_planned(
                    db, planned, skip_bad_rows=args.skip_bad_rows, exclusive=True
                )
    finally:
        db.dispose()
    if args.dry_run:
        # Opening may have written its own upkeep (announced on stderr already).
        written = "the import wrote nothing" if db.opening_wrote else "nothing was written"
        print(f"dry run: {written}", file=sys.stderr)
        return 1 if plan.file_problems or (plan.rejected and not args.skip_bad_rows) else 0
    assert result is not None
    print(f"imported {path.name}: {result.describe()}", file=sys.stderr)
    return 0


def _report(plan: object, args: argparse.Namespace) -> None:
    from rsdesk.services.importers.plan import ImportPlan

    assert isinstance(plan, ImportPlan)
    if args.json:
        print_json(plan.as_dict())
        return
    out = sys.stdout
    print(plan.summary(), file=out)
    mapping = plan.as_dict()["mapping"]
    print("columns: " + json.dumps(mapping, ensure_ascii=False), file=out)
    for note in plan.source.notes + plan.notes:
        print(f"note: {note}", file=out)
    for warning in plan.warnings:
        print(f"warning: {warning}", file=out)
    problems = plan.problems
    for problem in problems[:MAX_PROBLEMS_SHOWN]:
        print(f"problem: {problem}", file=out)
    if len(problems) > MAX_PROBLEMS_SHOWN:
        print(
            f"... and {len(problems) - MAX_PROBLEMS_SHOWN} more problems (--problems OUT.xlsx "
            "saves them all)",
            file=out,
        )
    row_notes = list(plan.row_notes())
    for note in row_notes[:MAX_CHANGES_SHOWN]:
        print(f"note: {note}", file=out)
    if len(row_notes) > MAX_CHANGES_SHOWN:
        print(
            f"… and {len(row_notes) - MAX_CHANGES_SHOWN} more row notes (--json lists them)",
            file=out,
        )
    total = sum(len(row.changes) for row in plan.rows if row.action == "update")
    for shown, change in enumerate(plan.changes()):
        if shown == MAX_CHANGES_SHOWN:
            print(
                f"… and {total - shown} more changes (--json or --problems OUT.xlsx lists them all)",
                file=out,
            )
            break
        print(f"update: {change}", file=out)
