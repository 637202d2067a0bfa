"""`rsdesk db upgrade | check | backup OUT | restore IN`."""

from __future__ import annotations

import argparse

from rsdesk.commands.common import database, existing_file, output_file
from rsdesk.services.errors import KnownError


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("db", help="create, upgrade, check, back up and restore")
    commands = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    commands.add_parser(
        "upgrade", help="create the database or bring it to this version"
    ).set_defaults(handler=upgrade_command)
    commands.add_parser("check", help="integrity, schema version and schema drift").set_defaults(
        handler=check_command
    )
    backup = commands.add_parser("backup", help="write a consistent copy to OUT")
    backup.add_argument("out")
    backup.set_defaults(handler=backup_command)
    restore = commands.add_parser("restore", help="verify IN, then make it the database")
    restore.add_argument("source", metavar="IN")
    restore.set_defaults(handler=restore_command)


def upgrade_command(args: argparse.Namespace) -> int:
    from rsdesk.db import migrate

    db = database(args)
    try:
        print(f"{db.display_name()}: schema {migrate.current_revision(db)} (current)")
    finally:
        db.dispose()
    return 0


def check_command(args: argparse.Namespace) -> int:
    from rsdesk.db import migrate
    from rsdesk.db.backup import integrity_problems

    db = database(args, upgrade=False)
    try:
        if db.path is not None:
            if not db.path.exists():
                raise KnownError(f"{db.path}: no such database")
            problems = integrity_problems(db.path)
            if problems:
                raise KnownError(f"integrity check failed: {problems[0]}")
        current = migrate.current_revision(db)
        head = migrate.head_revision()
        if current != head:
            raise KnownError(
                f"schema {current or 'none'} needs upgrading to {head} (run 'rsdesk db upgrade')"
            )
        drift = migrate.schema_differences(db)
        if drift:
            raise KnownError(f"schema differs from this version's models: {drift[0]}")
        print(f"{db.display_name()}: ok (schema {current})")
    finally:
        db.dispose()
    return 0


def backup_command(args: argparse.Namespace) -> int:
    from rsdesk.services import backup

    target = output_file(args.out)
    db = database(args)
    try:
        backup.backup(db, target)
    finally:
        db.dispose()
    print(f"backup written to {target}")
    return 0


def restore_command(args: argparse.Namespace) -> int:
    from rsdesk.services import backup

    source = existing_file(args.source)
    aside = backup.restore(args.db, source)
    print(f"restored {source}; the previous database was kept as {aside}")
    return 0
