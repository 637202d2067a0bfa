"""Backing up and restoring a SQLite database file, verified before anything is replaced."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from rsdesk import paths
from rsdesk.db import Database, encryption, open_database
from rsdesk.db.backup import (
    backup_sqlite,
    integrity_problems,
    mark_audit_broken,
    prune_backups,
    rotating_backup_path,
)
from rsdesk.db.engine import resolve_url
from rsdesk.db.lock import WriterLock
from rsdesk.services.audit_watch import POLL_S, ChainCheck, SeparateVerify
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
    if not daily_backup_due(database, now):
        return None
    assert database.path is not None
    target = backup(database, rotating_backup_path(database.path, reason="daily"), cancel)
    prune_backups(database.path)
    return target


def daily_backup_due(database: Database, now: dt.datetime | None = None) -> bool:
    """Whether the newest automatic backup of this file is more than a day old (or missing)."""
    if database.path is None or not database.path.exists():
        return False
    now = now or dt.datetime.now()
    existing = backups_of(database.path)
    return not (existing and now - dt.datetime.fromtimestamp(existing[0].stat().st_mtime) < DAILY)


@dataclass(frozen=True)
class DailyCheck:
    """What the GUI's start-up check found beyond the file's integrity."""

    #: Today's backup, None if one was taken within the day.
    backup: Path | None = None
    #: The full audit verify run with today's backup (None when no backup was due).
    chain: ChainCheck | None = None
    #: The warning when the chain no longer holds an entry as this computer last saw it.
    rewritten: str | None = None

    @property
    def audit_warning(self) -> str | None:
        """What the window must show in its warning banner, None when nothing is wrong."""
        warnings = []
        if self.chain is not None and not self.chain.ok:
            warnings.append(f"The audit trail is broken: {self.chain.problem}")
        if self.rewritten:
            warnings.append(self.rewritten)
        return " ".join(warnings) or None


def daily_backup_and_verify(
    database: Database, now: dt.datetime | None = None, cancel: CancelToken = NEVER_CANCELLED
) -> DailyCheck:
    """The daily backup with a full audit verify beside it, and the remembered-hash check,
    waiting for the verdict (``start_daily_backup_and_verify`` leaves the waiting to the caller).
    """
    return start_daily_backup_and_verify(database, now, cancel).wait()


def start_daily_backup_and_verify(
    database: Database, now: dt.datetime | None = None, cancel: CancelToken = NEVER_CANCELLED
) -> PendingDailyCheck:
    """Compare the remembered hash (one query) and, once a day, take the backup while a separate
    process verifies the audit trail; returns with the verify possibly still running.

    The verify is not written against: it reads its own snapshot of the file. So the GUI lets
    go of the write lane once the backup is taken and polls for the verdict (a full verify of
    the 100,000 demo takes longer than its backup); saves wait only for the backup, as before.
    """
    from rsdesk.services import audit_watch

    with database.read() as session:
        rewritten = audit_watch.rewritten_history(session, database)
    if not daily_backup_due(database, now):
        return PendingDailyCheck(database, None, rewritten, None)
    assert database.path is not None
    passphrase = encryption.engine_passphrase(database.engine)
    verifying = audit_watch.verify_in_separate_process(database.path, passphrase, cancel)
    try:
        target = backup(database, rotating_backup_path(database.path, reason="daily"), cancel)
    except BaseException:
        verifying.kill()
        raise
    return PendingDailyCheck(database, target, rewritten, verifying)


@dataclass
class PendingDailyCheck:
    """Today's backup, taken, and the verify of the trail it was taken from, maybe running."""

    database: Database
    backup: Path | None
    rewritten: str | None
    verifying: SeparateVerify | None

    def poll(self) -> DailyCheck | None:
        """The finished check, or None while the verify runs (never blocks).

        A backup of a broken (or rewritten) trail is renamed with AUDIT_BROKEN_MARK, so that
        rotation keeps the newest unmarked one; an intact verdict is remembered on this
        computer (audit_watch.remember_head) for the next opens to compare. If the verify
        fails or is cancelled, the backup is removed: unverified, it is not one to keep."""
        if self.verifying is None:
            return DailyCheck(self.backup, None, self.rewritten)
        try:
            chain = self.verifying.poll()
        except BaseException:
            self.abandon()
            raise
        if chain is None:
            return None
        return self._conclude(chain)

    def wait(self) -> DailyCheck:
        while True:
            found = self.poll()
            if found is not None:
                return found
            time.sleep(POLL_S)

    def abandon(self) -> None:
        """Closing before the verdict: stop the verify, and drop the unverified backup (the next
        start takes today's backup again)."""
        if self.verifying is not None:
            self.verifying.kill()
        if self.backup is not None:
            self.backup.unlink(missing_ok=True)

    def _conclude(self, chain: ChainCheck) -> DailyCheck:
        from rsdesk.services import audit_watch

        target = self.backup
        assert target is not None
        assert self.database.path is not None
        if chain.ok and not self.rewritten:
            audit_watch.remember_head(self.database, chain.entries_checked, chain.latest_hash)
        if not chain.ok or self.rewritten:
            target = mark_audit_broken(target)
        prune_backups(self.database.path)
        return DailyCheck(target, chain, self.rewritten)


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


class BrokenAuditTrail(KnownError):
    """A backup that is a sound database but whose audit trail does not verify."""

    def __init__(self, message: str, problem: str) -> None:
        super().__init__(message)
        self.problem = problem


def check_backup(
    source: Path,
    passphrase: str | None = None,
    *,
    shown_as: Path | None = None,
    allow_broken_audit: bool = False,
) -> str | None:
    """Raise KnownError unless ``source`` is a sound rsdesk database with an intact audit trail.

    An encrypted backup needs ``passphrase``; a wrong one is refused like a damaged file.
    ``shown_as`` names the file in messages (the user's backup, when ``source`` is a copy of it).
    With ``allow_broken_audit``, a trail that does not verify is returned as the problem found
    instead of refused: the backup may be the best copy of the data an office has left, and the
    break stays visible to ``audit verify`` after the restore (BrokenAuditTrail otherwise).
    """
    from rsdesk.db import migrate
    from rsdesk.services import audit

    name = shown_as or source
    encrypted = encryption.is_encrypted(source)
    if encrypted:
        if not passphrase:
            raise KnownError(f"{name} is encrypted; give its passphrase to restore it.")
        encryption.check_passphrase(source, passphrase)
    else:
        with source.open("rb") as handle:
            if handle.read(16) != b"SQLite format 3\x00":
                raise KnownError(f"{name} is not an rsdesk database file.")
        passphrase = None
    problems = integrity_problems(source, passphrase=passphrase)
    if problems:
        raise KnownError(f"{name} is damaged ({problems[0]}); it was not restored.")
    # Check a copy, so that the file checked is never modified (not even upgraded).
    scratch = source.with_name(f".{source.name}.check-{dt.datetime.now():%H%M%S%f}")
    try:
        shutil.copyfile(source, scratch)
        try:
            candidate = open_database(scratch, passphrase=passphrase, upgrade=False)
        except KnownError as exc:
            raise KnownError(f"{name} cannot be restored: {exc}") from exc
        try:
            if migrate.needs_upgrade(candidate):
                # An older backup: its trail is verified with this version's schema, as it
                # will be read after the restore (no pre-upgrade backup of a scratch copy).
                try:
                    migrate.upgrade(candidate, backup=False)
                except KnownError as exc:
                    raise KnownError(f"{name} cannot be restored: {exc}") from exc
            with candidate.read() as session:
                result = audit.verify(session)
        finally:
            candidate.dispose()
        if not result.ok:
            problem = str(result.problem)
            if allow_broken_audit:
                return problem
            raise BrokenAuditTrail(
                f"{name} has a broken audit trail ({problem}); it was not restored. If it is "
                "the best copy you have, restore it with --allow-broken-audit: the break stays "
                "visible to 'rsdesk audit verify'.",
                problem,
            )
        return None
    finally:
        _remove_with_side_files(scratch)


def restore_target(target_location: str | None) -> Path:
    """The database file that a restore replaces; KnownError for a server database."""
    url = resolve_url(target_location)
    if url.get_backend_name() != "sqlite" or not url.database:
        raise KnownError("rsdesk restores SQLite files; restore a server with its own tools.")
    return Path(url.database)


def restore(
    target_location: str | None,
    source: Path,
    passphrase: str | None = None,
    *,
    database_passphrase: str | None = None,
    allow_plain: bool = False,
    allow_broken_audit: bool = False,
    audit_problems: list[str] | None = None,
) -> Path | None:
    """Replace the database at ``target_location`` by ``source``; the current file is kept aside.

    ``source`` is only read: it is copied next to the database first, and that copy is checked
    and swapped in, so no ``-wal``/``-shm`` appears beside the backup and what was checked is
    exactly what is restored. An encrypted ``source`` is checked with ``passphrase`` (the file
    stays encrypted with it).

    A plain ``source`` over an encrypted database would silently remove the protection: it is
    encrypted with ``database_passphrase`` (the current database's, checked first) instead, or
    restored plain only with ``allow_plain``; with neither, KnownError.

    The writer lock is held throughout: a database open for writing in another rsdesk is
    refused (DatabaseInUse), as its next save would otherwise go into the replaced file.
    Returns where the previous database was kept: a backup in the backup folder, rotated with
    the automatic ones (None if there was no database). A backup whose audit trail does not
    verify is refused unless ``allow_broken_audit``; then the problem goes to ``audit_problems``.
    """
    target = restore_target(target_location)
    lock = WriterLock(target)
    lock.acquire()  # DatabaseInUse (a KnownError) names the other writer
    staged = target.with_name(f".{target.name}.restoring")
    reencrypted = staged.with_name(staged.name + "-encrypted")
    try:
        reencrypt_with = _passphrase_to_keep(target, source, database_passphrase, allow_plain)
        _stage_copy(source, staged, passphrase)
        broken = check_backup(
            staged, passphrase, shown_as=source, allow_broken_audit=allow_broken_audit
        )
        if broken is not None and audit_problems is not None:
            audit_problems.append(broken)
        if reencrypt_with is not None:
            _remove_with_side_files(reencrypted)
            encryption.encrypt_copy(staged, reencrypted, reencrypt_with)
            _remove_with_side_files(staged)
            os.replace(reencrypted, staged)
        aside = _keep_previous(target)
        for suffix in SIDE_FILES:
            Path(f"{target}{suffix}").unlink(missing_ok=True)
            Path(f"{staged}{suffix}").unlink(missing_ok=True)
        os.replace(staged, target)
        if reencrypt_with is not None:
            encryption.check_passphrase(target, reencrypt_with)
        return aside
    finally:
        _remove_with_side_files(staged)
        _remove_with_side_files(reencrypted)
        lock.release()


SIDE_FILES = ("-wal", "-shm", "-journal")


def _remove_with_side_files(path: Path) -> None:
    for suffix in ("", *SIDE_FILES):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _passphrase_to_keep(
    target: Path, source: Path, database_passphrase: str | None, allow_plain: bool
) -> str | None:
    """The passphrase that a plain backup is encrypted with when it replaces an encrypted
    database; None when nothing is to be encrypted."""
    if allow_plain or encryption.is_encrypted(source) or not encryption.is_encrypted(target):
        return None
    if not database_passphrase:
        raise KnownError(
            f"{target.name} is encrypted and {source.name} is not: give the database's "
            "passphrase to encrypt the restored copy with it, or restore it unprotected on "
            "purpose (rsdesk db restore --allow-plain)."
        )
    encryption.check_passphrase(target, database_passphrase)
    return database_passphrase


def _stage_copy(source: Path, staged: Path, passphrase: str | None) -> None:
    """Copy ``source`` (with the committed pages of its write-ahead log) to ``staged`` without
    ever opening ``source`` as a database."""
    _remove_with_side_files(staged)
    shutil.copyfile(source, staged)
    wal = Path(f"{source}-wal")
    if not (wal.exists() and wal.stat().st_size):
        return
    shutil.copyfile(wal, Path(f"{staged}-wal"))
    if encryption.is_encrypted(staged):
        if not passphrase:
            raise KnownError(f"{source} is encrypted; give its passphrase to restore it.")
        encryption.checkpoint(staged, passphrase)
        return
    try:
        connection = sqlite3.connect(staged)
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise KnownError(f"{source} is damaged ({exc}); it was not restored.") from None


def _keep_previous(target: Path) -> Path | None:
    """Copy the database about to be replaced into the backup folder (file and log as they are:
    it may be damaged, which is often why it is restored); the oldest backups beyond
    KEEP_BACKUPS are then removed, so restores do not pile up copies."""
    if not target.exists():
        return None
    try:
        connection = sqlite3.connect(f"file:{target}?mode=rw", uri=True)
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()
    except sqlite3.DatabaseError:
        pass  # encrypted or damaged: its write-ahead log is kept with it, below
    aside = rotating_backup_path(target, reason="before-restore")
    shutil.copyfile(target, aside)
    wal = Path(f"{target}-wal")
    if wal.exists() and wal.stat().st_size:
        shutil.copyfile(wal, Path(f"{aside}-wal"))
    prune_backups(target)
    return aside
