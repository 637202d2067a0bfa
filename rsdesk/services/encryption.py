"""Protecting a database file with a passphrase in place, removing it, changing it.

Each conversion writes the new file next to the database, verifies it (integrity check, the same
row count in every table, an intact audit chain) and only then swaps it in with one atomic
rename, so a failure or a Cancel at any moment leaves the database as it was. The writer lock
(rsdesk/db/lock.py) is held throughout: no other rsdesk writes while the file is converted.

What happens to the previous file: removing the passphrase keeps the encrypted original aside as
a backup; protecting (and changing the passphrase) does not keep it, since a plain copy (or a copy
that the old passphrase opens) would defeat the protection. Automatic backups taken before the
protection stay plain; :func:`plain_backups` lists them so that the user can delete them.

The passphrase can be remembered in the system keyring (the ``keyring`` package, optional).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import URL

from rsdesk.db import Database, encryption
from rsdesk.db.backup import integrity_problems
from rsdesk.db.lock import WriterLock
from rsdesk.models import Base
from rsdesk.services.errors import KnownError
from rsdesk.services.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress

#: The shortest passphrase the app accepts when it sets one.
MIN_PASSPHRASE_LENGTH = 8
KEYRING_SERVICE = "rsdesk"
_STEPS = 5


@dataclass(frozen=True)
class Conversion:
    """What a conversion did: rows per table (equal before and after), the file kept aside."""

    path: Path
    counts: dict[str, int]
    kept_aside: Path | None = None
    #: Automatic backups of this database that are still plain (after protecting it).
    plain_backups: tuple[Path, ...] = field(default_factory=tuple)

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


def check_new_passphrase(passphrase: str, confirmation: str | None = None) -> None:
    """KnownError unless ``passphrase`` is long enough (and equals ``confirmation``, if given)."""
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise KnownError(f"The passphrase needs at least {MIN_PASSPHRASE_LENGTH} characters.")
    if confirmation is not None and passphrase != confirmation:
        raise KnownError("The two passphrases differ.")


def open_file(path: Path, passphrase: str | None) -> Database:
    """A Database on the file ``path`` (encrypted: with ``passphrase``), neither upgraded nor
    locked: for checking a file, not for working in it."""
    engine = None
    if passphrase is not None:
        engine = encryption.make_encrypted_engine(path, passphrase)
    return Database(URL.create("sqlite+pysqlite", database=str(path)), engine=engine)


def encrypt_in_place(
    path: str | os.PathLike[str],
    passphrase: str,
    *,
    lock_held: bool = False,
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> Conversion:
    """Protect the plain database file ``path`` with ``passphrase``.

    ``lock_held``: the caller (the GUI) already holds the file's writer lock.
    """
    path = _database_file(path)
    if encryption.is_encrypted(path):
        raise KnownError(f"{path.name} is already protected with a passphrase.")
    check_new_passphrase(passphrase)
    result = _convert(
        path,
        None,
        passphrase,
        keep_aside=None,
        lock_held=lock_held,
        progress=progress,
        cancel=cancel,
    )
    return Conversion(result.path, result.counts, None, tuple(plain_backups(path)))


def decrypt_in_place(
    path: str | os.PathLike[str],
    passphrase: str,
    *,
    lock_held: bool = False,
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> Conversion:
    """Remove the passphrase: ``path`` becomes a plain file; the encrypted one is kept aside."""
    path = _database_file(path)
    if not encryption.is_encrypted(path):
        raise KnownError(f"{path.name} is not protected with a passphrase.")
    encryption.check_passphrase(path, passphrase)
    return _convert(
        path,
        passphrase,
        None,
        keep_aside="before-decrypt",
        lock_held=lock_held,
        progress=progress,
        cancel=cancel,
    )


def change_passphrase(
    path: str | os.PathLike[str],
    old: str,
    new: str,
    *,
    lock_held: bool = False,
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> Conversion:
    """Re-encrypt ``path`` with ``new``; afterwards ``old`` opens nothing."""
    path = _database_file(path)
    if not encryption.is_encrypted(path):
        raise KnownError(f"{path.name} is not protected with a passphrase.")
    encryption.check_passphrase(path, old)
    check_new_passphrase(new)
    if new == old:
        raise KnownError("The new passphrase is the same as the current one.")
    return _convert(
        path, old, new, keep_aside=None, lock_held=lock_held, progress=progress, cancel=cancel
    )


def plain_backups(path: Path) -> list[Path]:
    """Automatic backups of the database ``path`` that are not encrypted."""
    from rsdesk.services.backup import backups_of

    return [p for p in backups_of(path) if not encryption.is_encrypted(p)]


def table_counts(database: Database) -> dict[str, int]:
    with database.read() as session:
        return {
            table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in Base.metadata.sorted_tables
        }


# --- the conversion ---------------------------------------------------------------------------


def _database_file(path: str | os.PathLike[str]) -> Path:
    path = Path(path).expanduser().resolve()
    if not path.is_file():
        raise KnownError(f"{path}: no such database file.")
    return path


def _inspect(path: Path, passphrase: str | None) -> dict[str, int]:
    """Rows per table, after checking the file's integrity and its audit chain."""
    from rsdesk.services import audit

    problems = integrity_problems(path, passphrase=passphrase)
    if problems:
        raise KnownError(f"{path.name} failed its integrity check ({problems[0]}).")
    database = open_file(path, passphrase)
    try:
        with database.read() as session:
            verified = audit.verify(session)
        if not verified.ok:
            raise KnownError(f"{path.name} has a broken audit trail ({verified.problem}).")
        return table_counts(database)
    finally:
        database.dispose()


def _remove_sidecars(path: Path) -> None:
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def _convert(
    path: Path,
    old: str | None,
    new: str | None,
    *,
    keep_aside: str | None,
    lock_held: bool,
    progress: Progress,
    cancel: CancelToken,
) -> Conversion:
    lock = WriterLock(path)
    if not lock_held:
        lock.acquire()  # DatabaseInUse (a KnownError) names the other writer
    converting = path.with_name(path.name + ".converting")
    try:
        progress(0, _STEPS, "Checking the database")
        encryption.checkpoint(path, old)
        before = _inspect(path, old)
        cancel.raise_if_cancelled()
        progress(1, _STEPS, "Writing the converted copy")
        _remove_sidecars(converting)
        converting.unlink(missing_ok=True)
        if new is None:
            assert old is not None
            encryption.decrypt_copy(path, converting, old)
        else:
            encryption.encrypt_copy(path, converting, new, source_passphrase=old)
        cancel.raise_if_cancelled()
        progress(2, _STEPS, "Verifying the converted copy")
        after = _inspect(converting, new)
        if after != before:
            changed = next(name for name in before if before[name] != after.get(name))
            raise KnownError(
                f"The converted copy differs in {changed} ({before[changed]} rows before, "
                f"{after.get(changed)} after); nothing was changed."
            )
        cancel.raise_if_cancelled()
        progress(3, _STEPS, "Replacing the database")
        aside = None
        if keep_aside is not None:
            aside = _aside_path(path, keep_aside)
            try:
                os.link(path, aside)
            except OSError:
                shutil.copy2(path, aside)
        # The checkpoint emptied the old file's log; a stale one must not meet the new file.
        _remove_sidecars(path)
        _remove_sidecars(converting)
        os.replace(converting, path)
        progress(4, _STEPS, "Checking the new database")
        if new is not None:
            encryption.check_passphrase(path, new)
        progress(_STEPS, _STEPS, "Done")
        return Conversion(path, before, aside)
    except BaseException:
        _remove_sidecars(converting)
        converting.unlink(missing_ok=True)
        raise
    finally:
        if not lock_held:
            lock.release()


def _aside_path(path: Path, reason: str) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    candidate = path.with_name(f"{path.stem}-{reason}-{stamp}{path.suffix}")
    counter = 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{reason}-{stamp}-{counter}{path.suffix}")
        counter += 1
    return candidate


# --- the system keyring -----------------------------------------------------------------------


def _keyring_account(path: Path) -> str:
    return str(Path(path).expanduser().resolve())


def keyring_unavailable_reason() -> str | None:
    """None when a system keyring can store passphrases; else why not, in one sentence."""
    try:
        import keyring
        from keyring.backends import fail
    except ModuleNotFoundError:
        return "The keyring package is not installed (pip install 'rsdesk[encryption]')."
    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # a broken backend configuration
        return f"The system keyring cannot be used: {exc}"
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 1) <= 0:
        return "No system keyring is available on this computer (no keyring service runs)."
    return None


def remembered_passphrase(path: Path) -> str | None:
    """The passphrase remembered for ``path`` in the system keyring, if any."""
    if keyring_unavailable_reason() is not None:
        return None
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(KEYRING_SERVICE, _keyring_account(path))
    except KeyringError:
        return None


def remember_passphrase(path: Path, passphrase: str) -> None:
    reason = keyring_unavailable_reason()
    if reason is not None:
        raise KnownError(reason)
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(KEYRING_SERVICE, _keyring_account(path), passphrase)
    except KeyringError as exc:
        raise KnownError(f"The passphrase could not be remembered: {exc}") from None


def forget_passphrase(path: Path) -> None:
    """Remove a remembered passphrase (nothing happens if there is none or no keyring)."""
    if keyring_unavailable_reason() is not None:
        return
    import keyring
    from keyring.errors import KeyringError, PasswordDeleteError

    with contextlib.suppress(PasswordDeleteError, KeyringError):
        keyring.delete_password(KEYRING_SERVICE, _keyring_account(path))
