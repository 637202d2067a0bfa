"""`rsdesk db upgrade | check | backup OUT | restore IN | encrypt OUT | decrypt OUT | rekey |
copy --to URL | roles setup | roles grant LOGIN ROLE | roles revoke LOGIN ROLE | roles show`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from rsdesk.commands.common import database, existing_file, output_file
from rsdesk.services.access import Capability
from rsdesk.services.errors import KnownError

if TYPE_CHECKING:
    from rsdesk.db import Database

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
    backup.add_argument(
        "--verify",
        action="store_true",
        help="also verify the copy's audit trail (a backup whose trail is broken can only be "
        "restored with --allow-broken-audit); takes as long as 'audit verify'",
    )
    backup.set_defaults(handler=backup_command)
    restore = commands.add_parser("restore", help="verify IN, then make it the database")
    restore.add_argument("source", metavar="IN")
    restore.add_argument(
        "--allow-plain",
        action="store_true",
        help="restore a plain backup over an encrypted database and leave it plain (without "
        f"this, it is encrypted with the database's passphrase: ${PASSPHRASE_ENV} or asked)",
    )
    restore.add_argument(
        "--allow-broken-audit",
        action="store_true",
        help="restore a backup whose audit trail does not verify (the break stays visible to "
        "'audit verify'); for when it is the best copy left",
    )
    restore.set_defaults(handler=restore_command)
    encrypt = commands.add_parser(
        "encrypt",
        help=f"write an encrypted copy to OUT, or protect the database itself with --in-place "
        f"(passphrase: ${PASSPHRASE_ENV} or asked)",
    )
    encrypt.add_argument("out", nargs="?")
    encrypt.add_argument(
        "--in-place", action="store_true", help="protect the database file itself, verified"
    )
    encrypt.set_defaults(handler=encrypt_command)
    decrypt = commands.add_parser(
        "decrypt",
        help="write a plain copy of an encrypted database to OUT, or remove the passphrase "
        "from the database itself with --in-place",
    )
    decrypt.add_argument("out", nargs="?")
    decrypt.add_argument(
        "--in-place", action="store_true", help="make the database file itself plain, verified"
    )
    decrypt.set_defaults(handler=decrypt_command)
    commands.add_parser(
        "rekey", help=f"change the passphrase (new one: ${NEW_PASSPHRASE_ENV} or asked)"
    ).set_defaults(handler=rekey_command)
    copy = commands.add_parser(
        "copy",
        help="copy everything into an empty database (a server) and verify the copy",
        description="Copy every record, attachment and audit entry into the empty database at "
        "URL, creating its schema; the copy is verified (rows per table, audit chain) before it "
        "is kept.",
    )
    copy.add_argument("--to", required=True, metavar="URL", help="the target database")
    copy.set_defaults(handler=copy_command)
    roles = commands.add_parser("roles", help="roles on a shared PostgreSQL server")
    role_commands = roles.add_subparsers(dest="roles_command", metavar="ACTION", required=True)
    role_commands.add_parser(
        "setup", help="create the rsdesk group roles and grant this database's privileges"
    ).set_defaults(handler=roles_setup_command)
    for name, text in (("grant", "give LOGIN a role"), ("revoke", "take a role from LOGIN")):
        action = role_commands.add_parser(name, help=text)
        action.add_argument("login", metavar="LOGIN")
        action.add_argument("role", metavar="ROLE", help="officer, compliance, manager or admin")
        action.set_defaults(handler=roles_change_command)
    role_commands.add_parser(
        "show", help="your login and role, and on a server every login with a role"
    ).set_defaults(handler=roles_show_command)


def upgrade_command(args: argparse.Namespace) -> int:
    from rsdesk.db import migrate

    db = database(args, announce_upgrade=False)
    try:
        done = db.schema_upgrade
        name = db.display_name()
        if done is None:
            print(f"{name}: schema {migrate.current_revision(db)}, already current")
        elif done.from_revision is None:
            print(f"{name}: created (schema {done.to_revision})")
        else:
            backup = f"backup: {done.backup}" if done.backup else "no backup: the file was empty"
            print(f"{name}: upgraded from {done.from_revision} to {done.to_revision} ({backup})")
    finally:
        db.dispose()
    return 0


def check_command(args: argparse.Namespace) -> int:
    from rsdesk.db import migrate
    from rsdesk.db.backup import integrity_problems
    from rsdesk.db.encryption import engine_passphrase

    db = database(args, upgrade=False)
    try:
        if db.path is not None:
            if not db.path.exists():
                raise KnownError(f"{db.path}: no such database")
            problems = integrity_problems(db.path, passphrase=engine_passphrase(db.engine))
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
        # The chain is not walked here (it costs seconds on a large file): say so, so that
        # "ok" is not read as "not tampered with".
        print(
            f"{db.display_name()}: file and schema ok (schema {current}); "
            "the audit trail was not checked: run 'rsdesk audit verify'"
        )
    finally:
        db.dispose()
    return 0


def backup_command(args: argparse.Namespace) -> int:
    from rsdesk.services import backup

    target = output_file(args.out, create_folder=True)
    db = database(args)
    try:
        backup.backup(db, target)
        passphrase = encryption_passphrase(db)
    finally:
        db.dispose()
    if args.verify:
        try:
            backup.check_backup(target, passphrase)
        except backup.BrokenAuditTrail as exc:
            # The copy is what the database holds: kept, but the user learns it now, not on
            # the day it has to be restored.
            raise KnownError(
                f"backup written to {target}, but its audit trail does not verify "
                f"({exc.problem}): run 'rsdesk audit verify' on the database"
            ) from None
        print(f"backup written to {target}; its audit trail verifies")
        return 0
    print(f"backup written to {target}")
    return 0


def encryption_passphrase(db: Database) -> str | None:
    from rsdesk.db.encryption import engine_passphrase

    return engine_passphrase(db.engine)


def restore_command(args: argparse.Namespace) -> int:
    from rsdesk.db import encryption
    from rsdesk.services import backup

    source = existing_file(args.source)
    target = backup.restore_target(args.db)
    # An encrypted backup is checked (and then opened) with its passphrase.
    passphrase = encryption.passphrase_for(source) if encryption.is_encrypted(source) else None
    database_passphrase = None
    was_encrypted = encryption.is_encrypted(target)
    reencrypt = passphrase is None and not args.allow_plain and was_encrypted
    if reencrypt:
        # A plain backup over an encrypted database: it is encrypted with the database's own
        # passphrase, so that restoring never removes the protection unasked.
        database_passphrase = _database_passphrase(target)
    audit_problems: list[str] = []
    aside = backup.restore(
        args.db,
        source,
        passphrase,
        database_passphrase=database_passphrase,
        allow_plain=args.allow_plain,
        allow_broken_audit=args.allow_broken_audit,
        audit_problems=audit_problems,
    )
    what = f"restored {source}"
    if audit_problems:
        what += f" with a broken audit trail ({audit_problems[0]}; 'audit verify' reports it)"
    if reencrypt:
        what += ", encrypted with the database's passphrase"
    elif was_encrypted and not encryption.is_encrypted(target):
        what += "; the database is no longer encrypted (--allow-plain)"
    kept = f"the previous database was kept as {aside}" if aside else "there was no database"
    print(f"{what}; {kept}")
    return 0


def _database_passphrase(target: Path) -> str:
    import os
    import sys

    from rsdesk.db import encryption

    if not os.environ.get(PASSPHRASE_ENV) and not sys.stdin.isatty():
        raise KnownError(
            f"{target.name} is encrypted and the backup is not: set {PASSPHRASE_ENV} to the "
            "database's passphrase to encrypt the restored copy with it, or give --allow-plain "
            "to restore it unprotected."
        )
    return encryption.passphrase_for(target)


def _database_file(args: argparse.Namespace) -> Path:
    from rsdesk.db.engine import resolve_url, sqlite_path

    path = sqlite_path(resolve_url(args.db))
    if path is None:
        raise KnownError("Encryption applies to a database file, not to a server database.")
    return existing_file(str(path))


def _output_or_in_place(args: argparse.Namespace) -> Path | None:
    """OUT, or None with --in-place; exactly one of them."""
    if args.in_place and args.out:
        raise KnownError("Give either OUT or --in-place, not both.")
    if not args.in_place and not args.out:
        raise KnownError("Give OUT (a copy) or --in-place (the database itself).")
    return None if args.in_place else output_file(args.out, create_folder=True)


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
    from rsdesk.services import encryption as protection

    source = _database_file(args)
    target = _output_or_in_place(args)
    if encryption.is_encrypted(source):
        raise KnownError(f"{source.name} is already encrypted (use db rekey or db decrypt).")
    passphrase = _new_passphrase(source, PASSPHRASE_ENV)
    if target is None:
        result = protection.encrypt_in_place(source, passphrase)
        print(f"{source.name} is now encrypted ({result.rows:,} rows verified)")
        if result.plain_backups:
            print(
                f"{len(result.plain_backups)} older automatic backups are not encrypted, in "
                f"{result.plain_backups[0].parent}; delete them if they must not be read"
            )
        return 0
    encryption.encrypt_copy(source, target, passphrase)
    print(f"encrypted copy written to {target}")
    return 0


def decrypt_command(args: argparse.Namespace) -> int:
    from rsdesk.db import encryption
    from rsdesk.services import encryption as protection

    source = _database_file(args)
    target = _output_or_in_place(args)
    if not encryption.is_encrypted(source):
        raise KnownError(f"{source.name} is not encrypted; use db backup for a copy.")
    if target is None:
        result = protection.decrypt_in_place(source, encryption.passphrase_for(source))
        print(
            f"{source.name} is now plain ({result.rows:,} rows verified); the encrypted file "
            f"was kept as {result.kept_aside}"
        )
        return 0
    encryption.decrypt_copy(source, target, encryption.passphrase_for(source))
    print(f"plain copy written to {target}")
    return 0


def rekey_command(args: argparse.Namespace) -> int:
    from rsdesk.db import encryption

    source = _database_file(args)
    if not encryption.is_encrypted(source):
        raise KnownError(f"{source.name} is not encrypted; use db encrypt first.")
    from rsdesk.services import encryption as protection

    old = encryption.passphrase_for(source)
    encryption.check_passphrase(source, old)
    protection.change_passphrase(source, old, _new_passphrase(source, NEW_PASSPHRASE_ENV))
    print(f"passphrase of {source.name} changed")
    return 0


def copy_command(args: argparse.Namespace) -> int:
    from rsdesk.db.engine import resolve_url
    from rsdesk.services import database_copy

    target = resolve_url(args.to)
    db = database(args)
    try:
        db.access.require(Capability.ADMIN)
        result = database_copy.copy_database(db, target)
    finally:
        db.dispose()
    print(
        f"copied {result.rows:,} rows in {len(result.counts)} tables to {result.target}; "
        f"verified: row counts, audit chain of {result.audit_entries:,} entries "
        f"(latest {result.latest_hash[:12]})"
    )
    return 0


def roles_setup_command(args: argparse.Namespace) -> int:
    from rsdesk.services import server_roles

    db = database(args)
    try:
        with db.unit_of_work(Capability.ADMIN) as session:
            groups = server_roles.set_up(session)
    finally:
        db.dispose()
    print(f"roles ready on {db.display_name()}: {', '.join(groups)}")
    return 0


def roles_change_command(args: argparse.Namespace) -> int:
    from rsdesk.services import server_roles

    change = server_roles.grant if args.roles_command == "grant" else server_roles.revoke
    db = database(args)
    try:
        with db.unit_of_work(Capability.ADMIN) as session:
            role = change(session, args.login, args.role)
    finally:
        db.dispose()
    if args.roles_command == "grant":
        print(f"{args.login} is now {role.value}")
    else:
        print(f"{args.login} is no longer {role.value}")
    return 0


def roles_show_command(args: argparse.Namespace) -> int:
    from rsdesk.services import server_roles

    db = database(args)
    try:
        print(f"{db.access.login}: {db.access.role_name}")
        if not db.is_sqlite:
            with db.read() as session:
                for member in server_roles.members(session):
                    print(f"  {member.role.value:<11} {member.login}")
    finally:
        db.dispose()
    return 0
