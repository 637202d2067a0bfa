"""Encryption at rest with SQLCipher (the optional ``encryption`` extra: ``sqlcipher3``).

An encrypted rsdesk database is an ordinary SQLite file whose pages SQLCipher encrypts, so its
header is not "SQLite format 3". Every connection sets ``PRAGMA key`` first (SQLAlchemy's
``sqlite+pysqlcipher`` dialect does that), then the usual rsdesk pragmas (rsdesk/db/engine.py).

A wrong passphrase is found by a read-only probe before any engine exists, so it never touches
the file. Conversions (``encrypt_copy``, ``decrypt_copy``) go through ``sqlcipher_export`` into a
new file; ``rekey`` changes the passphrase in place.
"""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.pool import QueuePool

from rsdesk.services.errors import KnownError
from rsdesk.services.progress import NEVER_CANCELLED, CancelToken

#: SQLite virtual-machine steps between two looks at a cancel token.
CHECK_STEPS = 100_000

#: The first 16 bytes of every plain SQLite file.
SQLITE_HEADER = b"SQLite format 3\x00"
PASSPHRASE_ENV = "RSDESK_PASSPHRASE"


def _sqlcipher() -> Any:
    try:
        import sqlcipher3
    except ModuleNotFoundError:
        raise KnownError(
            "Encrypted databases need the 'encryption' extra (pip install 'rsdesk[encryption]')."
        ) from None
    return sqlcipher3


def is_encrypted(path: str | os.PathLike[str]) -> bool:
    """True for an existing, non-empty file that is not a plain SQLite database."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise KnownError(f"{path}: {exc.strerror or exc}") from None
    if not head or head == SQLITE_HEADER:
        return False
    # SQLCipher starts with a random salt; 16 printable bytes are a text file (odds ~ 1e-7).
    return len(head) == len(SQLITE_HEADER) and not all(
        32 <= b < 127 or b in b"\t\r\n" for b in head
    )


def _quote(passphrase: str) -> str:
    return "'" + passphrase.replace("'", "''") + "'"


def _check_passphrase(passphrase: str) -> None:
    if not passphrase:
        raise KnownError("The passphrase must not be empty.")


def _connect_raw(path: Path, passphrase: str | None, *, read_only: bool) -> Any:
    """A sqlcipher3 connection, keyed (``None``: a plain file), proven readable."""
    sqlcipher3 = _sqlcipher()
    mode = "ro" if read_only else "rw"
    try:
        connection = sqlcipher3.connect(
            f"{path.resolve().as_uri()}?mode={mode}", uri=True, isolation_level=None
        )
    except sqlcipher3.Error as exc:
        raise KnownError(f"{path} cannot be opened: {exc}") from None
    try:
        # SQLCipher would log a failed key check to stderr; the KnownError below says it once.
        connection.execute("PRAGMA cipher_log_level = NONE")
        if passphrase is not None:
            connection.execute(f"PRAGMA key = {_quote(passphrase)}")
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError:
        connection.close()
        if passphrase is None:
            raise KnownError(f"{path} is not a plain SQLite database.") from None
        raise KnownError(
            f"Wrong passphrase for {path.name} (or it is not an rsdesk database); "
            "nothing was changed."
        ) from None
    return connection


def check_passphrase(path: str | os.PathLike[str], passphrase: str) -> None:
    """KnownError unless ``passphrase`` opens ``path``. Reads only: the file is never changed."""
    _check_passphrase(passphrase)
    _connect_raw(Path(path), passphrase, read_only=True).close()


#: Page cache of an encrypted connection: 16 MiB (negative means KiB to SQLite), eight times the
#: default, small enough for a few pooled connections to stay within the memory goal.
ENCRYPTED_CACHE_SIZE = -16384


def encrypted_url(path: str | os.PathLike[str], passphrase: str) -> URL:
    return URL.create("sqlite+pysqlcipher", password=passphrase, database=str(Path(path)))


def make_encrypted_engine(path: str | os.PathLike[str], passphrase: str, **kwargs: Any) -> Engine:
    """An engine on the encrypted file ``path`` with rsdesk's SQLite settings.

    The passphrase is checked first (read-only), so a wrong one raises KnownError and no engine.
    A missing file is created encrypted on first write.
    """
    from rsdesk.db.engine import _configure_sqlite

    _sqlcipher()
    _check_passphrase(passphrase)
    path = Path(path)
    if path.exists() and path.stat().st_size:
        check_passphrase(path, passphrase)
    connect_args = {"check_same_thread": False, **kwargs.pop("connect_args", {})}
    # The pysqlcipher dialect defaults to one connection per thread (SingletonThreadPool): every
    # new worker thread of the GUI would derive the key again (about half a second). A queue pool
    # shares the keyed connections between threads, one thread at a time, like plain SQLite.
    kwargs.setdefault("poolclass", QueuePool)
    engine = create_engine(encrypted_url(path, passphrase), connect_args=connect_args, **kwargs)
    _configure_sqlite(engine)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Every page read from the file is decrypted and checked: a larger page cache keeps the
        # pages an import touches again and again (the indexes) decrypted, which is most of the
        # cost of encryption on writes. Memory security (wiping freed memory) is off, as is
        # SQLCipher's own default since 4.5; it would cost more than the cache saves.
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA cache_size = {ENCRYPTED_CACHE_SIZE}")
        cursor.execute("PRAGMA cipher_memory_security = OFF")
        cursor.close()

    return engine


def _export(
    source: Path,
    source_key: str | None,
    target: Path,
    target_key: str,
    cancel: CancelToken = NEVER_CANCELLED,
) -> None:
    """``sqlcipher_export`` of ``source`` into a new file ``target`` (key '' means plain);
    ``cancel`` interrupts it (Cancelled, nothing left behind)."""
    if target.exists():
        raise KnownError(f"{target} already exists; choose a new file name.")
    if not target.parent.is_dir():
        raise KnownError(f"The folder {target.parent} does not exist.")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    connection = _connect_raw(source, source_key, read_only=True)
    try:
        _stop_when(connection, cancel)
        connection.execute(
            f"ATTACH DATABASE {_quote(str(partial))} AS target KEY {_quote(target_key)}"
        )
        connection.execute("SELECT sqlcipher_export('target')")
        version = connection.execute("PRAGMA main.user_version").fetchone()[0]
        connection.execute(f"PRAGMA target.user_version = {int(version)}")
        connection.execute("DETACH DATABASE target")
    except BaseException:
        connection.close()
        partial.unlink(missing_ok=True)
        cancel.raise_if_cancelled()  # "interrupted" by the progress handler
        raise
    connection.close()
    # rsdesk databases use write-ahead logging; the export starts in rollback-journal mode.
    keyed = _connect_raw(partial, target_key or None, read_only=False)
    try:
        keyed.execute("PRAGMA journal_mode = WAL")
    finally:
        keyed.close()
    os.replace(partial, target)


def encrypt_copy(
    source: str | os.PathLike[str],
    target: str | os.PathLike[str],
    passphrase: str,
    *,
    source_passphrase: str | None = None,
) -> None:
    """Writes an encrypted copy of ``source`` (plain, or encrypted with ``source_passphrase``)."""
    _check_passphrase(passphrase)
    _export(Path(source), source_passphrase, Path(target), passphrase)


def decrypt_copy(
    source: str | os.PathLike[str], target: str | os.PathLike[str], passphrase: str
) -> None:
    """Writes a plain copy of the encrypted ``source``."""
    _check_passphrase(passphrase)
    _export(Path(source), passphrase, Path(target), "")


def rekey(path: str | os.PathLike[str], old: str, new: str) -> None:
    """Changes the passphrase of the encrypted file ``path``; every record is kept."""
    _check_passphrase(new)
    check_passphrase(path, old)
    connection = _connect_raw(Path(path), old, read_only=False)
    try:
        connection.execute(f"PRAGMA rekey = {_quote(new)}")
    finally:
        connection.close()
    check_passphrase(path, new)


def passphrase_for(path: str | os.PathLike[str], *, prompt: bool = True) -> str:
    """The passphrase for the command line: ``RSDESK_PASSPHRASE``, else asked on the terminal."""
    from_env = os.environ.get(PASSPHRASE_ENV)
    if from_env:
        return from_env
    if not prompt or not sys.stdin.isatty():
        raise KnownError(
            f"{Path(path).name} is encrypted or not an rsdesk database; to open an encrypted "
            f"one, set {PASSPHRASE_ENV} or run rsdesk in a terminal."
        )
    return getpass.getpass(f"Passphrase for {Path(path).name}: ")


def backup_encrypted(
    source: str | os.PathLike[str],
    target: str | os.PathLike[str],
    passphrase: str,
    cancel: CancelToken = NEVER_CANCELLED,
) -> Path:
    """A consistent copy of the encrypted ``source`` at ``target``, encrypted with the same
    passphrase and integrity-checked before it replaces anything at ``target``. ``cancel``
    stops the copy or the check (Cancelled, nothing left behind)."""
    target = Path(target)
    partial = target.with_name(target.name + ".encrypted-backup")
    partial.unlink(missing_ok=True)
    _export(Path(source), passphrase, partial, passphrase, cancel)
    connection = _connect_raw(partial, passphrase, read_only=True)
    try:
        _stop_when(connection, cancel)
        problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    except BaseException:
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(partial) + suffix).unlink(missing_ok=True)
        cancel.raise_if_cancelled()
        raise
    connection.close()
    # The read-only check leaves an empty write-ahead log and index behind; they go with it.
    for suffix in ("-wal", "-shm"):
        Path(str(partial) + suffix).unlink(missing_ok=True)
    if problems != ["ok"]:
        partial.unlink(missing_ok=True)
        raise KnownError(f"The backup failed its integrity check: {problems[0]}")
    os.replace(partial, target)
    return target


def _stop_when(connection: Any, cancel: CancelToken) -> None:
    """Let SQLite interrupt the connection's statement soon after ``cancel``."""
    if cancel is not NEVER_CANCELLED:
        connection.set_progress_handler(lambda: cancel.cancelled, CHECK_STEPS)


def is_encrypted_engine(engine: Engine) -> bool:
    return engine.url.get_driver_name() == "pysqlcipher"


def integrity_problems(
    path: str | os.PathLike[str],
    passphrase: str,
    *,
    quick: bool = False,
    cancel: CancelToken = NEVER_CANCELLED,
) -> list[str]:
    """``PRAGMA integrity_check`` (or ``quick_check``) of an encrypted file; empty when sound.

    A page that fails SQLCipher's authentication (a damaged or tampered file) is a problem too.
    ``cancel`` stops the check (Cancelled, never reported as damage).
    """
    sqlcipher3 = _sqlcipher()
    pragma = "quick_check" if quick else "integrity_check"
    try:
        connection = _connect_raw(Path(path), passphrase, read_only=True)
    except KnownError as exc:
        return [str(exc)]
    try:
        _stop_when(connection, cancel)
        rows = [row[0] for row in connection.execute(f"PRAGMA {pragma}")]
    except sqlcipher3.DatabaseError as exc:
        cancel.raise_if_cancelled()  # "interrupted" by the progress handler, not damage
        return [str(exc)]
    finally:
        connection.close()
    return [] if rows == ["ok"] else rows


def checkpoint(path: str | os.PathLike[str], passphrase: str | None) -> None:
    """Move the write-ahead log into the file (and empty it), so the file alone is the database.

    KnownError if a reader keeps the log from being emptied (its pages would be lost with it).
    """
    connection = _connect_raw(Path(path), passphrase, read_only=False)
    try:
        busy = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
    finally:
        connection.close()
    if busy:
        raise KnownError(
            f"{Path(path).name} is being read by another program; close it and try again."
        )


def engine_passphrase(engine: Engine) -> str | None:
    """The passphrase an encrypted database's engine was opened with; None for a plain one."""
    if not is_encrypted_engine(engine):
        return None
    password = engine.url.password
    return None if password is None else str(password)
