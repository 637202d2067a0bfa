"""File-level backups of SQLite databases with the online backup API (safe while in use)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from rsdesk import paths
from rsdesk.services.progress import NEVER_CANCELLED, CancelToken

KEEP_BACKUPS = 10
#: Pages copied between two looks at the cancel token (4 MiB of 4 KiB pages).
BACKUP_STEP_PAGES = 1024


def backup_sqlite(source: Path, target: Path, cancel: CancelToken = NEVER_CANCELLED) -> Path:
    """Copy a live SQLite database consistently (WAL contents included) to ``target``.

    Copied in steps, so that ``cancel`` (rsdesk closing during the day's first start) stops it
    within a few megabytes: Cancelled is raised and no file is left behind.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    tmp.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(tmp)
        try:
            src.backup(
                dst,
                pages=BACKUP_STEP_PAGES,
                progress=lambda *_: cancel.raise_if_cancelled(),
            )
            # One self-contained file: a WAL-mode copy grows a -wal and -shm beside it whenever
            # it is merely checked (read-only). Opening it as a database switches WAL back on.
            dst.execute("PRAGMA journal_mode = DELETE")
        finally:
            dst.close()
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    tmp.replace(target)
    return target


def backup_file(source: Path, target: Path, passphrase: str | None = None) -> Path:
    """A consistent copy of ``source``; an encrypted one stays encrypted with ``passphrase``."""
    from rsdesk.db import encryption

    if passphrase is not None and encryption.is_encrypted(source):
        target.parent.mkdir(parents=True, exist_ok=True)
        return encryption.backup_encrypted(source, target, passphrase)
    return backup_sqlite(source, target)


def rotating_backup_path(database: Path, reason: str) -> Path:
    """A new timestamped path in the backup folder; once the backup is written there,
    :func:`prune_backups` removes the oldest beyond KEEP_BACKUPS."""
    folder = paths.backup_dir()
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    stem = database.stem
    target = folder / f"{stem}-{stamp}-{reason}.sqlite3"
    counter = 2
    while target.exists():
        target = folder / f"{stem}-{stamp}-{reason}-{counter}.sqlite3"
        counter += 1
    return target


def prune_backups(database: Path) -> None:
    """Remove this database's oldest automatic backups beyond KEEP_BACKUPS, side files included.

    Called after a new backup is written, so that a failed or cancelled one costs no old one.
    """
    existing = sorted(paths.backup_dir().glob(f"{database.stem}-*.sqlite3"))
    # Daily backups of a tampered file must not rotate the last good copy out.
    newest_intact = next((p for p in reversed(existing) if not is_marked_audit_broken(p)), None)
    for old in existing[: max(0, len(existing) - KEEP_BACKUPS)]:
        if old == newest_intact:
            continue
        for suffix in ("", "-wal", "-shm"):
            Path(f"{old}{suffix}").unlink(missing_ok=True)


#: Added to the name of a backup made from a file whose audit trail did not verify.
AUDIT_BROKEN_MARK = "-audit-broken"


def is_marked_audit_broken(backup: Path) -> bool:
    return AUDIT_BROKEN_MARK in backup.stem


def mark_audit_broken(backup: Path) -> Path:
    """Rename a backup so that its name says its audit trail was found broken; rotation then
    keeps the newest backup without the mark however many marked ones follow it."""
    marked = backup.with_name(backup.stem + AUDIT_BROKEN_MARK + backup.suffix)
    counter = 2
    while marked.exists():  # two backups within one second: keep both
        marked = backup.with_name(f"{backup.stem}{AUDIT_BROKEN_MARK}-{counter}{backup.suffix}")
        counter += 1
    backup.replace(marked)
    return marked


def integrity_problems(
    path: Path,
    quick: bool = False,
    passphrase: str | None = None,
    cancel: CancelToken = NEVER_CANCELLED,
) -> list[str]:
    """``PRAGMA integrity_check`` as a list of problems (empty when the file is sound).

    ``quick`` runs ``quick_check``, which skips index cross-checks and is fast enough for
    every start-up. An encrypted file is checked with ``passphrase`` (SQLCipher). The check
    stops soon after ``cancel`` (raising Cancelled, never reported as damage).
    """
    from rsdesk.db import encryption

    if encryption.is_encrypted(path):
        if passphrase is None:
            return [f"{path.name} is encrypted and no passphrase was given"]
        return encryption.integrity_problems(path, passphrase, quick=quick, cancel=cancel)
    pragma = "quick_check" if quick else "integrity_check"
    connection: sqlite3.Connection | None = None
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        connection.set_progress_handler(lambda: cancel.cancelled, encryption.CHECK_STEPS)
        rows = connection.execute(f"PRAGMA {pragma}").fetchall()
    except sqlite3.DatabaseError as exc:
        cancel.raise_if_cancelled()  # "interrupted" by the progress handler, not damage
        return [str(exc)]
    finally:
        if connection is not None:
            connection.close()
    problems = [row[0] for row in rows]
    return [] if problems == ["ok"] else problems
