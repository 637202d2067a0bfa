"""The schema revision this build expects, readable without importing Alembic.

Opening a database that is already current is the common case; checking it with one SELECT
instead of loading Alembic and its scripts saves most of a second at every start.
``tests/migrations/test_schema.py`` fails if this constant falls behind the migration scripts.
"""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

HEAD_REVISION = "0005"


def stored_revision(engine: Engine) -> str | None:
    """The revision recorded in the database, or None if it has none (or no version table)."""
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:
        return None


def is_current(engine: Engine) -> bool:
    return stored_revision(engine) == HEAD_REVISION
