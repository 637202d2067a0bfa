"""Sessions and units of work, with the audit hook that records every change in the same transaction.

Services never open sessions; callers do (the command line, the GUI's operation runner)::

    with db.unit_of_work() as session:   # commits on success, rolls back on any exception
        services.collaborations.create(session, data)
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, event, select, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Mapper, Session, sessionmaker

from rsdesk.db import auditlog, foreign_keys, trailguard
from rsdesk.db.engine import (
    WRITE_OPTION,
    enable_wal,
    is_sqlite,
    make_engine,
    resolve_url,
    restore_wal,
    sqlite_path,
)
from rsdesk.db.lock import WriterLock
from rsdesk.models.base import Base
from rsdesk.services import access as access_rules
from rsdesk.services.access import Access, Capability
from rsdesk.services.errors import KnownError, PermissionDenied, ReadOnlyError

_PENDING_KEY = "rsdesk_audit_pending"
#: Session.info key: the tables a unit of work may write (absent: any).
_WRITABLE_KEY = "rsdesk_writable_tables"


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USERNAME") or "unknown"


@dataclass(frozen=True)
class SchemaUpgrade:
    """What opening a database did to its schema: ``from_revision`` None means it was created."""

    from_revision: str | None
    to_revision: str
    #: The backup taken before upgrading an existing file (None: a server, or an empty file).
    backup: Path | None


class Database:
    """An open rsdesk database: its URL, engine, the actor its changes are recorded under."""

    def __init__(
        self,
        url: URL,
        engine: Engine | None = None,
        actor: str | None = None,
        lock_writes: bool = False,
    ) -> None:
        self.url = url
        self.engine = engine or make_engine(url)
        #: Set when another process writes: every unit of work is then refused.
        self.read_only = False
        #: Set when opening created or upgraded the schema (the command line says so).
        self.schema_upgrade: SchemaUpgrade | None = None
        #: What opening changed on its own, in one sentence each (the command line prints them on
        #: stderr, the GUI in its status bar): no command changes the database unsaid.
        self.opening_notes: list[str] = []
        #: Whether opening wrote anything (schema, reference data, courses, renewals), so that a
        #: dry run does not claim that nothing was written.
        self.opening_wrote = False
        self._writer_lock: WriterLock | None = None
        if lock_writes and sqlite_path(url) is not None:
            self._writer_lock = WriterLock(sqlite_path(url))  # type: ignore[arg-type]
        self.actor = actor or self._default_actor()
        self._access: Access | None = None
        self._sessions = sessionmaker(
            self.engine, expire_on_commit=False, info={"actor": self.actor}
        )

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.url)

    @property
    def path(self) -> Path | None:
        return sqlite_path(self.url)

    def display_name(self) -> str:
        """Where the data lives, for status bars and report stamps (no password)."""
        if self.path is not None:
            return str(self.path)
        return self.url.render_as_string(hide_password=True)

    def _default_actor(self) -> str:
        if self.is_sqlite:
            return os_user()
        try:
            with self.engine.connect() as connection:
                login = connection.execute(text("SELECT current_user")).scalar_one()
                return str(login)
        except DBAPIError:
            return os_user()

    @property
    def access(self) -> Access:
        """The login's role and rights: everything on a file, the group roles on a server."""
        if self._access is None:
            if self.is_sqlite:
                self._access = access_rules.local_access(self.actor)
            else:
                with self.engine.connect() as connection:
                    self._access = access_rules.server_access(connection)
        return self._access

    def acquire_writer_lock(self) -> None:
        """Become the one writer of this SQLite file, or raise DatabaseInUse (a KnownError)."""
        if self._writer_lock is not None:
            self._writer_lock.acquire()

    @property
    def holds_writer_lock(self) -> bool:
        return self._writer_lock is not None and self._writer_lock.held

    @contextmanager
    def unit_of_work(
        self, purpose: Capability = Capability.EDIT, *, bulk: bool = False
    ) -> Iterator[Session]:
        """A write transaction: commits on success, rolls back on error; audited as one.

        ``purpose`` is the right the work needs: editing by default; printing a report (which is
        archived) or exporting (which may create the pseudonym secret) need only theirs, and may
        then write only the tables that purpose needs (rsdesk/services/access.py).

        ``bulk``: thousands of rows are about to be written (a large import). On SQLite their
        foreign keys are then checked once, before the commit, for the tables written, instead
        of row by row (rsdesk/db/foreign_keys.py); a dangling reference rolls everything back.
        """
        if self.read_only:
            raise ReadOnlyError(
                "This window is read-only: the database is open for writing in another rsdesk."
            )
        self.access.require(purpose)
        self.acquire_writer_lock()
        with self._sessions.begin() as session:
            session.info[access_rules.ACCESS_KEY] = self.access
            if not self.access.allows(Capability.EDIT):
                session.info[_WRITABLE_KEY] = self.access.writable_tables(purpose)
            options = {WRITE_OPTION: True}
            if bulk and self.is_sqlite:
                options[foreign_keys.OPTION] = True
            session.connection(execution_options=options)
            yield session
            if bulk and self.is_sqlite:
                session.flush()
                foreign_keys.check(session.connection())

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; closed at the end without commit (objects stay readable)."""
        with self._sessions() as session:
            session.info[access_rules.ACCESS_KEY] = self.access
            session.info[_WRITABLE_KEY] = frozenset()
            yield session

    def use_engine(self, engine: Engine) -> None:
        """Continue on ``engine`` (the same file, now encrypted or plain), keeping the writer lock.

        The GUI's views and runner hold this object, so a converted file is swapped in here
        instead of opening a new Database.
        """
        old = self.engine
        self.engine = engine
        self._sessions.configure(bind=engine)
        old.dispose()

    def dispose(self) -> None:
        self.engine.dispose()
        if self._writer_lock is not None:
            self._writer_lock.release()


def open_database(
    target: str | os.PathLike[str] | URL | None = None,
    *,
    upgrade: bool = True,
    actor: str | None = None,
    lock_writes: bool = False,
    passphrase: str | None = None,
) -> Database:
    """Open (and by default create or upgrade) the database at ``target``.

    An encrypted file (SQLCipher) opens with ``passphrase``, else with ``RSDESK_PASSPHRASE`` or a
    prompt on the terminal (rsdesk/db/encryption.py); a wrong passphrase is a KnownError.

    Raises KnownError with a readable message for the expected failures: an unreachable server,
    a file that is not a database, a database locked by another writer, a newer schema.
    """
    from rsdesk.db import reference_data, schema_version

    url = target if isinstance(target, URL) else resolve_url(target)
    engine = None
    path = sqlite_path(url)
    if path is not None:
        from rsdesk.db import encryption

        if encryption.is_encrypted(path):
            key = passphrase or encryption.passphrase_for(path)
            engine = encryption.make_encrypted_engine(path, key)
    database = Database(url, engine=engine, actor=actor, lock_writes=lock_writes)
    try:
        with database.engine.connect() as connection:
            connection.execute(select(1))
        if not database.access.roles:
            raise PermissionDenied(
                f"The login {database.access.login} has no rsdesk role on this database; "
                "an administrator gives one with 'rsdesk db roles grant LOGIN ROLE'."
            )
        if upgrade:
            if not schema_version.is_current(database.engine):
                if not database.access.allows(Capability.ADMIN):
                    raise PermissionDenied(
                        "This database needs a schema upgrade, which only an rsdesk "
                        "administrator may run ('rsdesk db upgrade')."
                    )
                from rsdesk.db import migrate

                before = migrate.current_revision(database)
                backup = migrate.upgrade(database)
                database.opening_wrote = True
                database.schema_upgrade = SchemaUpgrade(
                    before, migrate.head_revision(), Path(backup) if backup else None
                )
                if database.is_sqlite:
                    enable_wal(database.engine)
            elif database.is_sqlite:
                # A bulk load killed half-way leaves the file in rollback-journal mode.
                restore_wal(database.engine, wait=False)
            with database.read() as session:
                current = reference_data.is_current(session)
            if not current and database.access.allows(Capability.EDIT):
                with database.unit_of_work() as session:
                    reference_data.synchronise(session)
                database.opening_wrote = True
            _sync_training_courses(database)
            _renew_onboarding_checks(database)
    except DBAPIError as exc:
        database.dispose()
        raise KnownError(describe_database_error(url, exc)) from exc
    except BaseException:
        database.dispose()
        raise
    return database


def _sync_training_courses(database: Database) -> None:
    """Puts the course catalogue (an office's edited one, else the shipped one) into the
    course table, so that every reader (imports, the matrix, exports, reports) finds it from the
    first open on; an open that finds the rows equal writes nothing.

    Courses are audited records, so a login that may not edit, or a second rsdesk while another
    holds the file's writer lock, leaves them to the next open that may write. Two first opens at
    once on a server may both try: the loser's insert breaks the unique code and is dropped, since
    the winner wrote the same rows.
    """
    from sqlalchemy.exc import IntegrityError

    from rsdesk.db.lock import DatabaseInUse
    from rsdesk.services import training

    with database.read() as session:
        current = training.courses_follow_catalogue(session)
    if current or not database.access.allows(Capability.EDIT):
        return
    try:
        with database.unit_of_work() as session:
            training.sync_courses(session)
        database.opening_wrote = True
    except DatabaseInUse:
        return
    except IntegrityError:
        with database.read() as session:
            if not training.courses_follow_catalogue(session):
                raise


def _renew_onboarding_checks(database: Database) -> None:
    """Reopens the completed onboarding checks whose renewal period has passed (the yearly
    declaration of outside interests), so that every count of open and overdue checks (the
    dashboard, the staff register, reminders, the annual report) sees them, in the GUI and on
    the command line alike. An open with nothing due runs one indexed query and writes nothing.

    Like the course catalogue, the renewal is an audited write: a login that may not edit, or a
    second rsdesk while another holds the file's writer lock, leaves it to the next open that
    may write. The audit entries name the renewal as their actor, and ``opening_notes`` says
    how many checks were reopened.
    """
    from rsdesk.db.lock import DatabaseInUse
    from rsdesk.services import onboarding

    with database.read() as session:
        due = onboarding.renewals_due(session)
    if not due or not database.access.allows(Capability.EDIT):
        return
    try:
        with database.unit_of_work() as session:
            session.info["actor"] = onboarding.renewal_actor(database.actor)
            reopened = len(onboarding.renew_due_checks(session))
    except DatabaseInUse:
        return
    if reopened:
        database.opening_wrote = True
        checks = "onboarding check" if reopened == 1 else "onboarding checks"
        database.opening_notes.append(
            f"Opening the database reopened {reopened} {checks} due for renewal."
        )


def describe_database_error(url: URL, exc: DBAPIError) -> str:
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    where = sqlite_path(url) or url.render_as_string(hide_password=True)
    if "locked" in reason or "busy" in reason:
        return f"The database {where} is locked by another program; close it and try again."
    if "not a database" in reason or "file is encrypted" in reason:
        return f"{where} is not an rsdesk database (or it is encrypted)."
    from rsdesk.db.server_password import missing_password_hint

    hint = missing_password_hint(reason) if url.password is None else None
    return f"Cannot open the database {where}: {reason}" + (f" {hint}" if hint else "")


# --- the audit hook -------------------------------------------------------------------------


def _pending(connection: Connection) -> list[auditlog.PendingEntry]:
    pending: list[auditlog.PendingEntry] = connection.info.setdefault(_PENDING_KEY, [])
    return pending


def _row_state(connection: Connection, mapper: Mapper[Any], record_id: int) -> dict[str, Any]:
    table = mapper.local_table
    row = connection.execute(select(table).where(table.c.id == record_id)).mappings().one()
    return dict(row)


def _after_insert(mapper: Mapper[Any], connection: Connection, target: Any) -> None:
    if not getattr(target, "__audited__", False):
        return
    spec = auditlog.audited_specs()[mapper.local_table.name]  # type: ignore[attr-defined]
    row = _row_state(connection, mapper, target.id)
    _pending(connection).append(auditlog.insert_entry(spec, target.id, row))


def _after_update(mapper: Mapper[Any], connection: Connection, target: Any) -> None:
    if not getattr(target, "__audited__", False):
        return
    from sqlalchemy import inspect

    spec = auditlog.audited_specs()[mapper.local_table.name]  # type: ignore[attr-defined]
    state = inspect(target)
    row = auditlog_state = _row_state(connection, mapper, target.id)
    changes: dict[str, list[Any]] = {}
    for column in mapper.local_table.columns:
        if column.name not in spec.columns:
            continue
        attr = mapper.get_property_by_column(column)
        history = state.attrs[attr.key].history
        if not history.has_changes():
            continue
        old = auditlog.canonical(history.deleted[0]) if history.deleted else None
        new = auditlog.canonical(row[column.name])
        if old != new:
            changes[column.name] = [old, new]
    if not changes:
        return
    canonical_state = {name: auditlog.canonical(auditlog_state[name]) for name in spec.columns}
    _pending(connection).append(
        auditlog.PendingEntry(
            spec.table_name, target.id, "update", changes, canonical_state, auditlog.new_salts(spec)
        )
    )


def _after_delete(mapper: Mapper[Any], connection: Connection, target: Any) -> None:
    if not getattr(target, "__audited__", False):
        return
    from sqlalchemy import inspect

    spec = auditlog.audited_specs()[mapper.local_table.name]  # type: ignore[attr-defined]
    loaded = inspect(target).dict
    state = {}
    for column in mapper.local_table.columns:
        if column.name in spec.columns:
            key = mapper.get_property_by_column(column).key
            state[column.name] = auditlog.canonical(loaded.get(key))
    changes = {name: [value, None] for name, value in state.items() if value is not None}
    _pending(connection).append(
        auditlog.PendingEntry(
            spec.table_name, target.id, "delete", changes, state, auditlog.new_salts(spec)
        )
    )


def _after_flush(session: Session, _flush_context: Any) -> None:
    connection = session.connection()
    pending = connection.info.pop(_PENDING_KEY, None)
    if pending:
        # Which tables a unit of work touched: the GUI refreshes only the views showing them.
        session.info.setdefault("touched_tables", set()).update(e.table_name for e in pending)
        actor = session.info.get("actor") or os_user()
        auditlog.append_entries(connection, actor, pending)


event.listen(Base, "after_insert", _after_insert, propagate=True)
event.listen(Base, "after_update", _after_update, propagate=True)
event.listen(Base, "after_delete", _after_delete, propagate=True)


def _before_flush(session: Session, _flush_context: Any, _instances: Any) -> None:
    """Refuse, before any SQL runs, a change the login's role or the unit's purpose forbids."""
    allowed = session.info.get(_WRITABLE_KEY)
    if allowed is not None:
        access_rules.check_writes(
            access_rules.access_of(session),
            allowed,
            [*session.new, *session.dirty, *session.deleted],
        )
    # An update or delete must start from the state the audit trail recorded (no laundering).
    trailguard.check_stored_states(session)


event.listen(Session, "before_flush", _before_flush)
event.listen(Session, "after_flush", _after_flush)


@event.listens_for(Engine, "rollback")
def _discard_pending_on_rollback(connection: Connection) -> None:
    if connection.invalidated:
        # A statement interrupted by Ctrl+C invalidates its connection, and asking for its info
        # would raise PendingRollbackError over the interrupt ("rsdesk: interrupted" became a
        # traceback); the info, pending entries included, went with the connection.
        return
    connection.info.pop(_PENDING_KEY, None)
