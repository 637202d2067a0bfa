"""`rsdesk audit verify`: check the audit trail's hash chain and that every row matches it."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys

from rsdesk.commands.common import database


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("audit", help="the audit trail")
    commands = parser.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = commands.add_parser(
        "verify", help="exit 1 and name the first bad entry if the chain is broken"
    )
    verify.add_argument(
        "--json",
        action="store_true",
        help="print the result as one JSON object (what the GUI's daily check reads)",
    )
    verify.add_argument(
        "--low-priority",
        action="store_true",
        help="run at a lower CPU priority (the GUI's daily check, beside its backup)",
    )
    verify.set_defaults(handler=verify_command)


def verify_command(args: argparse.Namespace) -> int:
    from rsdesk.services import audit

    if getattr(args, "low_priority", False) and hasattr(os, "nice"):
        # The backup the GUI takes meanwhile holds its write lane; it should not wait for us.
        os.nice(10)
    db = database(args)
    try:
        with db.read() as session:
            result = audit.verify(session)
    finally:
        db.dispose()
    if getattr(args, "json", False):
        from rsdesk.commands.common import print_json

        print_json(dataclasses.asdict(result))
        return 0 if result.ok else 1
    if result.ok:
        print(
            f"audit trail intact: {result.entries_checked} entries, "
            f"{result.records_checked} records, latest hash {result.latest_hash}"
        )
        return 0
    print(f"rsdesk: audit trail broken: {result.problem}", file=sys.stderr)
    return 1
