"""Database URLs and engines, with the connection settings every rsdesk database needs.

SQLite: foreign keys enforced, WAL journal, a busy timeout, and transactions that SQLAlchemy
controls (the driver's own implicit transactions are switched off, so that SAVEPOINT and
transactional DDL behave). Write units of work begin with ``BEGIN IMMEDIATE`` so that two writers
queue instead of failing half-way.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from rsdesk import paths
from rsdesk.db import foreign_keys
from rsdesk.db.text_folding import register_sqlite_function
from rsdesk.services.errors import KnownError

BUSY_TIMEOUT_MS = 10_000
#: Execution option that marks a connection as a writer (``BEGIN IMMEDIATE`` on SQLite).
WRITE_OPTION = "rsdesk_write"


def resolve_url(target: str | os.PathLike[str] | None = None) -> URL:
    """Turn ``--db``, ``RSDESK_DATABASE``, the location remembered at first run (config file) or
    the default location, in that order, into a SQLAlchemy URL."""
    from_config = False
    if target is None:
        remembered = paths.remembered_database()
        from_config = not os.environ.get(paths.DATABASE_ENV) and remembered is not None
        target = os.environ.get(paths.DATABASE_ENV) or remembered or paths.default_database_path()
    text = os.fspath(target).strip()
    if not text:
        raise KnownError("The database location is empty.")
    if "://" not in text:
        path = Path(text).expanduser().resolve()
        if path.is_dir():
            raise KnownError(f"{path} is a folder, not a database file.")
        if not path.parent.is_dir():
            raise KnownError(f"The folder {path.parent} does not exist.")
        return URL.create("sqlite+pysqlite", database=str(path))
    try:
        url = make_url(text)
    except ArgumentError as exc:
        raise KnownError(f"Not a database URL: {text}") from exc
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    if url.drivername == "sqlite":
        url = url.set(drivername="sqlite+pysqlite")
    if from_config:
        # The config file holds no password: the keyring may (rsdesk/db/server_password.py).
        from rsdesk.db.server_password import with_remembered_password

        url = with_remembered_password(url)
    return url


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def sqlite_path(url: URL) -> Path | None:
    if is_sqlite(url) and url.database and url.database != ":memory:":
        return Path(url.database)
    return None


def make_engine(url: URL, **kwargs: Any) -> Engine:
    if is_sqlite(url):
        # Sessions are used one thread at a time, but not always the thread that opened the
        # pooled connection (the GUI runs queries in a worker pool).
        connect_args = {"check_same_thread": False, **kwargs.pop("connect_args", {})}
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        _configure_sqlite(engine)
        return engine
    try:
        return create_engine(url, pool_pre_ping=True, **kwargs)
    except NoSuchModuleError as exc:
        raise KnownError(f"Unknown kind of database in the URL: {url.drivername}") from exc
    except ModuleNotFoundError as exc:
        raise KnownError(
            f"The database driver for {url.get_backend_name()} is not installed ({exc.name})."
        ) from exc


def enable_wal(engine: Engine) -> None:
    """Switch a file database to write-ahead logging (persistent in the file).

    Done once the file is known to be an rsdesk database, never on connect: merely opening a
    foreign file must not change it.
    """
    if engine.url.database in (None, "", ":memory:"):
        return
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()
    finally:
        raw.close()


def restore_wal(engine: Engine, *, wait: bool = True) -> None:
    """Put a file left in rollback-journal mode back into WAL (a bulk load killed half-way, see
    :func:`rollback_journal_for_load`); nothing happens when the file is in WAL mode already or
    another connection holds it (the next open tries again).

    ``wait=False`` (on open) does not wait for the file: a load still running holds it, and the
    one who opens it meanwhile must not wait the busy timeout for nothing.
    """
    if not _is_sqlite_file(engine):
        return
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
        if str(mode).lower() != "wal":
            if not wait:
                cursor.execute("PRAGMA busy_timeout = 0")
            try:
                with contextlib.suppress(engine.dialect.loaded_dbapi.OperationalError):
                    cursor.execute("PRAGMA journal_mode = WAL")
            finally:
                if not wait:
                    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.close()
    finally:
        raw.close()


@contextmanager
def rollback_journal_for_load(engine: Engine) -> Iterator[bool]:
    """A rollback journal instead of WAL while one large write transaction fills the file.

    In WAL mode every new page is written twice (to the log, then at the checkpoint into the
    file); with a rollback journal, pages appended to the file need no journal at all (only the
    few pages the file had are saved first), which halves SQLite's share of a large demo. It is
    just as crash-safe: a process killed half-way leaves a hot journal that SQLite rolls back on
    the next open, and :func:`restore_wal` (run on every open) switches WAL back on.

    Yields whether the switch happened: it needs the file to itself, so with any other
    connection open (a GUI's readers, another process) the load simply runs in WAL mode.
    """
    if not _is_sqlite_file(engine):
        yield False
        return
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        switched = False
        if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
            try:
                mode = cursor.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
                switched = str(mode).lower() == "delete"
            except engine.dialect.loaded_dbapi.OperationalError:
                pass  # "database is locked": someone else has the file open
        cursor.close()
    finally:
        raw.close()
    try:
        yield switched
    finally:
        if switched:
            restore_wal(engine)


def _is_sqlite_file(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:")


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide where transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()
        # The accent-blind name search's function (rsdesk.db.text_folding).
        register_sqlite_function(dbapi_connection)

    foreign_keys.install(engine)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        foreign_keys.begin(connection)
        if connection.get_execution_options().get(WRITE_OPTION):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")
