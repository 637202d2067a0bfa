"""`rsdesk screening`: load sanctions and entity lists, check a name, re-screen every partner.

rsdesk screening load FILE [--format F] [--name NAME | --replace LIST] [--no-screen]
rsdesk screening check NAME [NAME ...] [--threshold T]   matches as JSON ([] when none)
rsdesk screening run                                     re-screen every partner
rsdesk screening lists [--all]                           versions loaded
"""

from __future__ import annotations

import argparse
import sys

from rsdesk.commands.common import database, existing_file, print_json
from rsdesk.services.errors import KnownError
from rsdesk.services.wording import counted

FORMAT_CHOICES = (
    "eu-fsf",
    "us-csl",
    "uk-sanctions",
    "opensanctions-csv",
    "opensanctions-ftm",
    "office-csv",
)


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "screening", help="sanctions and entity lists; screening partners against them"
    )
    commands = parser.add_subparsers(dest="screening_command", metavar="ACTION", required=True)

    load = commands.add_parser("load", help="import a list file as a new version of its list")
    load.add_argument("file", metavar="FILE")
    load.add_argument(
        "--format", choices=FORMAT_CHOICES, help="the file's format (default: detected)"
    )
    load.add_argument(
        "--name", help="the list's name; a file loaded under the same name replaces its version"
    )
    load.add_argument(
        "--replace",
        metavar="LIST",
        help="load the file as a new version of this existing list (its key or name, see "
        "'screening lists'), whatever the file is called",
    )
    load.add_argument(
        "--no-screen",
        action="store_true",
        help="do not re-screen the partners after loading",
    )
    load.set_defaults(handler=load_command)

    check = commands.add_parser("check", help="match names against the active lists (JSON)")
    check.add_argument("names", metavar="NAME", nargs="+")
    check.add_argument(
        "--threshold", type=float, default=None, help="minimum score between 0 and 1"
    )
    check.set_defaults(handler=check_command)

    run = commands.add_parser("run", help="re-screen every partner against the active lists")
    run.set_defaults(handler=run_command)

    lists = commands.add_parser("lists", help="the list versions loaded")
    lists.add_argument("--all", action="store_true", help="include replaced versions")
    lists.add_argument("--json", action="store_true", help="print JSON")
    lists.set_defaults(handler=lists_command)


def _progress(done: int, total: int, message: str = "") -> None:
    if total and sys.stderr.isatty():
        print(f"\r{message}", end="" if done < total else "\n", file=sys.stderr, flush=True)


def load_command(args: argparse.Namespace) -> int:
    from rsdesk.services.screening import lists, workflow

    path = existing_file(args.file)
    db = database(args)
    try:
        with db.unit_of_work() as session:
            outcome = lists.load_file(
                session,
                path,
                format_key=args.format,
                name=args.name,
                replace=args.replace,
                progress=_progress,
            )
        print(outcome.describe())
        if not outcome.already_loaded and not args.no_screen:
            with db.unit_of_work() as session:
                summary = workflow.rescreen_all(session, progress=_progress)
            print(summary.describe())
    finally:
        db.dispose()
    return 0


def check_command(args: argparse.Namespace) -> int:
    from rsdesk.services.screening import matching, workflow

    threshold = matching.THRESHOLD if args.threshold is None else args.threshold
    if not 0 < threshold <= 1:
        raise KnownError("--threshold must be between 0 and 1")
    db = database(args)
    try:
        with db.read() as session:
            # Each name checked on its own: a list entry that two names meet is reported for
            # both (one call would keep only the best name per entry, as for a partner).
            matches = [
                match
                for name in args.names
                for match in workflow.check_names(session, [name], threshold)
            ]
    finally:
        db.dispose()
    print_json([match.as_dict() for match in matches])
    return 0


def run_command(args: argparse.Namespace) -> int:
    from rsdesk.services.screening import workflow

    db = database(args)
    try:
        with db.unit_of_work() as session:
            summary = workflow.rescreen_all(session, progress=_progress)
    finally:
        db.dispose()
    print(summary.describe())
    return 0


def lists_command(args: argparse.Namespace) -> int:
    from rsdesk.services.screening import lists

    db = database(args)
    try:
        with db.read() as session:
            versions = lists.versions(session, active_only=not args.all)
    finally:
        db.dispose()
    if args.json:
        print_json(
            [
                {
                    "id": v.id,
                    "list_key": v.list_key,
                    "name": v.name,
                    "format": v.format,
                    "file_name": v.file_name,
                    "sha256": v.sha256,
                    "loaded_at": v.loaded_at.isoformat(),
                    "version_no": v.version_no,
                    "entry_count": v.entry_count,
                    "active": v.active,
                }
                for v in versions
            ]
        )
        return 0
    if not versions:
        print("no lists loaded")
        return 0
    for v in versions:
        state = "active" if v.active else "replaced"
        print(
            f"{v.list_key:32} v{v.version_no:<3} "
            f"{counted(v.entry_count, 'entry', 'entries'):>15}  "
            f"{v.loaded_at:%Y-%m-%d %H:%M}  {state:8}  {v.file_name}  ({v.name})"
        )
    return 0
