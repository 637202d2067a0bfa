"""A larger SQLite page cache for the length of one bulk operation.

SQLite keeps about 2 MiB of pages per connection. An import of tens of thousands of rows inserts
into every index of its tables, touching the same index pages again and again; with the small
cache each touch reads the page back from the file (and on an encrypted file decrypts and
authenticates it again). Raising the cache for the operation and giving it back afterwards makes
those touches memory reads (the 100,000-collaboration import: about a quarter faster) without
keeping the memory for the rest of a long GUI session.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

#: Cache for bulk work, in MiB: the indexes a large import touches fit in it.
BULK_CACHE_MIB = 128


def cache_kib(connection: Connection) -> int:
    """The connection's page cache in KiB (``PRAGMA cache_size`` counts pages when positive)."""
    size = int(connection.exec_driver_sql("PRAGMA cache_size").scalar() or 0)
    if size < 0:
        return -size
    page = int(connection.exec_driver_sql("PRAGMA page_size").scalar() or 4096)
    return size * page // 1024


@contextmanager
def bulk_page_cache(connection: Connection, mib: int = BULK_CACHE_MIB) -> Iterator[None]:
    """At least ``mib`` MiB of page cache on a SQLite ``connection`` inside the block; the cache
    it had before comes back afterwards (freeing the extra pages). Other databases: nothing."""
    if connection.dialect.name != "sqlite":
        yield
        return
    before = cache_kib(connection)
    if before >= mib * 1024:
        yield
        return
    connection.exec_driver_sql(f"PRAGMA cache_size = {-mib * 1024}")
    try:
        yield
    finally:
        # A connection broken by the failure that ends the block needs no cache back.
        with contextlib.suppress(SQLAlchemyError):
            connection.exec_driver_sql(f"PRAGMA cache_size = {-before}")
