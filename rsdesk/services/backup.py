"""Backing up and restoring a SQLite database file, verified before anything is replaced."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

from rsdesk import paths
from rsdesk.db import Database, encryption, open_database
from rsdesk.db.backup import (
    backup_sqlite,
    integrity_problems,
    prune_backups,
    rotating_backup_path,
)
from rsdesk.db.engine import resolve_url
from rsdesk.services.errors import KnownError
from rsdesk.services.progress import NEVER_CANCELLED, Cancelled, CancelToken

DAILY = dt.timedelta(hours=24)


def backups_of(database_path: Path) -> list[Path]:
    """Automatic backups of this database in the backup folder, newest first."""
    folder = paths.backup_dir()
    return sorted(
        folder.glob(f"{database_path.stem}-*.sqlite3"),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )


def daily_backup(
    database: Database, now: dt.datetime | None = None, cancel: CancelToken = NEVER_CANCELLED
) -> Path | None:
    """Take an automatic backup if the newest is more than a day old; returns its path.

    ``cancel`` stops the copy and its check (Cancelled; nothing is left behind)."""
    if database.path is None or not database.path.exists():
        return None
    now = now or dt.datetime.now()
    existing = backups_of(database.path)
    if existing and now - dt.datetime.fromtimestamp(existing[0].stat().st_mtime) < DAILY:
        return None
    target = backup(database, rotating_backup_path(database.path, reason="daily"), cancel)
    prune_backups(database.path)
    return target


def check_on_open(database: Database, cancel: CancelToken = NEVER_CANCELLED) -> None:
    """Raise KnownError, naming the latest sound backup, if the database file is damaged.

    ``cancel`` stops the check (Cancelled)."""
    if database.path is None or not database.path.exists():
        return
    # An encrypted database (and its encrypted backups) is checked with its own passphrase.
    passphrase = encryption.engine_passphrase(database.engine)
    problems = integrity_problems(database.path, quick=True, passphrase=passphrase, cancel=cancel)
    if not problems:
        return
    sound = next(
        (
            p
            for p in backups_of(database.path)
            if not integrity_problems(p, quick=True, passphrase=passphrase)
        ),
        None,
    )
    advice = (
        f" The latest sound backup is {sound}; restore it with 'rsdesk db restore {sound}'."
        if sound
        else " No sound backup was found."
    )
    raise KnownError(f"The database {database.path} is damaged ({problems[0]}).{advice}")


def backup(database: Database, target: Path, cancel: CancelToken = NEVER_CANCELLED) -> Path:
    if database.path is None:
        raise KnownError(
            "Backups of a server database are made with the server's own tools "
            "(pg_dump); rsdesk backs up SQLite files."
        )
    cancel.raise_if_cancelled()
    passphrase = encryption.engine_passphrase(database.engine)
    if passphrase is not None:
        # An encrypted database's backup stays encrypted, with the same passphrase.
        return encryption.backup_encrypted(database.path, target, passphrase, cancel)
    backup_sqlite(database.path, target, cancel)
    try:
        problems = integrity_problems(target, cancel=cancel)
    except Cancelled:
        target.unlink(missing_ok=True)  # not checked: not a backup to rely on
        raise
    if problems:
        target.unlink(missing_ok=True)
        raise KnownError(f"The backup failed its integrity check: {problems[0]}")
    return target


def check_backup(source: Path, passphrase: str | None = None) -> None:
    """Raise KnownError unless ``source`` is a sound rsdesk database with an intact audit trail.

    An encrypted backup needs ``passphrase``; a wrong one is refused like a damaged file.
    """
    from rsdesk.services import audit

    encrypted = encryption.is_encrypted(source)
    if encrypted:
        if not passphrase:
            raise KnownError(f"{source} is encrypted; give its passphrase to restore it.")
        encryption.check_passphrase(source, passphrase)
    else:
        with source.open("rb") as handle:
            if handle.read(16) != b"SQLite format 3\x00":
                raise KnownError(f"{source} is not an rsdesk database file.")
        passphrase = None
    problems = integrity_problems(source, passphrase=passphrase)
    if problems:
        raise KnownError(f"{source} is damaged ({problems[0]}); it was not restored.")
    # Check a copy, so that the backup itself is never modified (not even upgraded).
    scratch = source.with_name(f".{source.name}.check-{dt.datetime.now():%H%M%S%f}")
    try:
        shutil.copyfile(source, scratch)
        try:
            candidate = open_database(scratch, passphrase=passphrase)
        except KnownError as exc:
            raise KnownError(f"{source} cannot be restored: {exc}") from exc
        try:
            with candidate.read() as session:
                result = audit.verify(session)
        finally:
            candidate.dispose()
        if not result.ok:
            raise KnownError(
                f"{source} has a broken audit trail ({result.problem}); it was not restored."
            )
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(str(scratch) + suffix).unlink(missing_ok=True)


def restore(target_location: str | None, source: Path, passphrase: str | None = None) -> Path:
    """Replace the database at ``target_location`` by ``source``; the current file is kept aside.

    An encrypted ``source`` is checked with ``passphrase`` (the file stays encrypted with it).
    Returns the path where the previous database was put.
    """
    url = resolve_url(target_location)
    if url.get_backend_name() != "sqlite" or not url.database:
        raise KnownError("rsdesk restores SQLite files; restore a server with its own tools.")
    target = Path(url.database)
    check_backup(source, passphrase)
    aside = target.with_name(
        f"{target.stem}-before-restore-{dt.datetime.now():%Y%m%d-%H%M%S}{target.suffix}"
    )
    if target.exists():
        try:
            with sqlite3.connect(target) as connection:
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.close()
        except sqlite3.DatabaseError:
            pass  # an encrypted file: its write-ahead log is kept aside with it, below
        shutil.copyfile(target, aside)
        wal = Path(str(target) + "-wal")
        if wal.exists() and wal.stat().st_size:
            shutil.copyfile(wal, Path(str(aside) + "-wal"))
    for suffix in ("-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    tmp = target.with_name(target.name + ".restoring")
    shutil.copyfile(source, tmp)
    tmp.replace(target)
    return aside
