"""A private database and private logins on the test PostgreSQL server, dropped afterwards.

Tests that create roles or copy whole databases must not share RSDESK_TEST_DATABASE_URL's
database with tests running at the same time, so each gets its own, with unique names.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL

from rsdesk.db.engine import resolve_url


@contextmanager
def private_database(server_url: str) -> Iterator[URL]:
    """A new, empty database on the test server (its URL, as the superuser)."""
    name = f"rsdesk_t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(
        resolve_url(server_url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield resolve_url(server_url).set(database=name)
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@contextmanager
def private_logins(server_url: str, *names: str) -> Iterator[dict[str, str]]:
    """New login roles (trust authentication on the test server), by the given short names."""
    suffix = uuid.uuid4().hex[:8]
    logins = {name: f"rsdesk_t_{name}_{suffix}" for name in names}
    engine = create_engine(
        resolve_url(server_url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as connection:
        for login in logins.values():
            connection.execute(text(f'CREATE ROLE "{login}" LOGIN'))
    try:
        yield logins
    finally:
        with engine.connect() as connection:
            for login in logins.values():
                connection.execute(text(f'DROP ROLE IF EXISTS "{login}"'))
        engine.dispose()


def as_login(url: URL, login: str) -> URL:
    return url.set(username=login, password=None)
