"""Schema migrations with Alembic, shipped inside the package so an installed copy upgrades itself.

Before upgrading an existing SQLite file we take a backup; a database written by a newer rsdesk
(a revision this copy does not know) is refused rather than damaged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from rsdesk.db import foreign_keys
from rsdesk.db.session import Database
from rsdesk.models import Base
from rsdesk.services.errors import KnownError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def script_directory() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    head = script_directory().get_current_head()
    assert head is not None
    return head


def current_revision(database: Database) -> str | None:
    with database.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def needs_upgrade(database: Database) -> bool:
    return current_revision(database) != head_revision()


def _has_tables(connection: Connection) -> bool:
    from sqlalchemy import inspect

    return bool(inspect(connection).get_table_names())


def upgrade(database: Database, *, backup: bool = True) -> str | None:
    """Bring the schema to the head revision; returns the backup path if one was taken."""
    current = current_revision(database)
    head = head_revision()
    if current == head:
        return None
    known = {revision.revision for revision in script_directory().walk_revisions()}
    if current is not None and current not in known:
        raise KnownError(
            f"This database was written by a newer version of rsdesk (schema {current}); "
            "install that version or newer to open it."
        )
    database.acquire_writer_lock()
    with database.engine.connect() as connection:
        populated = _has_tables(connection)
    if populated and current is None:
        raise KnownError(
            f"{database.display_name()} holds tables but no rsdesk schema version; "
            "it is not an rsdesk database."
        )
    backup_path = None
    if backup and populated and database.path is not None:
        from rsdesk.db.backup import backup_file, prune_backups, rotating_backup_path
        from rsdesk.db.encryption import engine_passphrase

        backup_path = rotating_backup_path(database.path, reason="pre-upgrade")
        # An encrypted database's backup is encrypted with the same passphrase.
        backup_file(database.path, backup_path, engine_passphrase(database.engine))
        prune_backups(database.path)
    with database.engine.connect() as connection:
        if database.is_sqlite:
            # Batch migrations copy tables: dropping the old copy of a table that others refer
            # to must not fire its foreign keys. They are switched off before the transaction
            # begins (SQLite ignores the switch inside one: a PRAGMA here once did nothing) and
            # the whole file is checked before the commit instead.
            connection.execution_options(**{foreign_keys.OPTION: True})
        with connection.begin():
            command.upgrade(alembic_config(connection), "head")
            if database.is_sqlite:
                foreign_keys.check_all(connection)
    return str(backup_path) if backup_path else None


def schema_differences(database: Database) -> list[Any]:
    """What differs between the live schema and the models (empty when they agree)."""
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))
