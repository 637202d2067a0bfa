"""`rsdesk db upgrade | check | backup OUT | restore IN | encrypt OUT | decrypt OUT | rekey`."""

from __future__ import annotations

import argparse
from pathlib import Path

from rsdesk.commands.common import database, existing_file, output_file
from rsdesk.services.errors import KnownError

PASSPHRASE_ENV = "RSDESK_PASSPHRASE"
NEW_PASSPHRASE_ENV = "RSDESK_NEW_PASSPHRASE"


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
    encrypt = commands.add_parser(
        "encrypt", help=f"write an encrypted copy to OUT (passphrase: ${PASSPHRASE_ENV} or asked)"
    )
    encrypt.add_argument("out")
    encrypt.set_defaults(handler=encrypt_command)
    decrypt = commands.add_parser("decrypt", help="write a plain copy of an encrypted database")
    decrypt.add_argument("out")
    decrypt.set_defaults(handler=decrypt_command)
    commands.add_parser(
        "rekey", help=f"change the passphrase (new one: ${NEW_PASSPHRASE_ENV} or asked)"
    ).set_defaults(handler=rekey_command)


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


def _database_file(args: argparse.Namespace) -> Path:
    from rsdesk.db.engine import resolve_url, sqlite_path

    path = sqlite_path(resolve_url(args.db))
    if path is None:
        raise KnownError("Encryption applies to a database file, not to a server database.")
    return existing_file(str(path))


def _new_passphrase(path: Path, variable: str) -> str:
    import getpass
    import os
    import sys

    value = os.environ.get(variable)
    if value:
        return value
    if not sys.stdin.isatty():
        raise KnownError(f"Set {variable} to the new passphrase, or run rsdesk in a terminal.")
    first = getpass.getpass(f"New passphrase for {path.name}: ")
    if first != getpass.getpass("The same passphrase again: "):
        raise KnownError("The two passphrases differ; nothing was changed.")
    return first


def encrypt_command(args: argparse.Namespace) -> int:
    from rsdesk.db import encryption

    source = _database_file(args)
    target = output_file(args.out)
    if encryption.is_encrypted(source):
        raise KnownError(f"{source.name} is already encrypted (use db rekey or db decrypt).")
    encryption.encrypt_copy(source, target, _new_passphrase(source, PASSPHRASE_ENV))
    print(f"encrypted copy written to {target}")
    return 0


def decrypt_command(args: argparse.Namespace) -> int:
    from rsdesk.db import encryption

    source = _database_file(args)
    target = output_file(args.out)
    if not encryption.is_encrypted(source):
        raise KnownError(f"{source.name} is not encrypted; use db backup for a copy.")
    encryption.decrypt_copy(source, target, encryption.passphrase_for(source))
    print(f"plain copy written to {target}")
    return 0


def rekey_command(args: argparse.Namespace) -> int:
    from rsdesk.db import encryption

    source = _database_file(args)
    if not encryption.is_encrypted(source):
        raise KnownError(f"{source.name} is not encrypted; use db encrypt first.")
    old = encryption.passphrase_for(source)
    encryption.check_passphrase(source, old)
    encryption.rekey(source, old, _new_passphrase(source, NEW_PASSPHRASE_ENV))
    print(f"passphrase of {source.name} changed")
    return 0
