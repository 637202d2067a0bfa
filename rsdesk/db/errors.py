"""Database errors caused by the environment (locked, full, read-only, unreachable) versus bugs.

Environment errors get one readable line for the user; anything else is a bug with a traceback.
"""

from __future__ import annotations

import re

ENVIRONMENT_MARKERS = {
    "database is locked": "The database is locked by another program; try again in a moment.",
    "database table is locked": "The database is locked by another program; try again.",
    "database or disk is full": "The disk holding the database is full; free some space.",
    "attempt to write a readonly database": "The database file is read-only for you.",
    "unable to open database file": "The database file cannot be opened (check the folder "
    "and its permissions).",
    "disk i/o error": "The disk reported an error while reading or writing the database.",
    "connection refused": "The database server refused the connection.",
    "could not connect": "The database server cannot be reached.",
    "server closed the connection": "The database server closed the connection.",
    "permission denied": "The database refused the operation: permission denied.",
}


#: What SQLite's driver says when a TEXT value holds bytes that are not UTF-8, and the column.
_UNDECODABLE = re.compile(r"could not decode to utf-8 column '([^']*)'")


def environment_error(exc: BaseException) -> str | None:
    """A one-line message if ``exc`` is a database error the user can act on, else None."""
    if not type(exc).__module__.startswith(("sqlalchemy", "sqlite3", "psycopg")):
        return None
    original = getattr(exc, "orig", None) or exc
    text = str(original).strip().lower()
    undecodable = _UNDECODABLE.search(text)
    if undecodable:
        # Only an edit outside rsdesk leaves such text; audit verify names the record.
        return (
            f"The database holds text that is not valid UTF-8 (column {undecodable.group(1)}), "
            "which rsdesk never writes: it was edited outside rsdesk. 'rsdesk audit verify' "
            "(or Verify chain in the audit log) names the record."
        )
    for marker, message in ENVIRONMENT_MARKERS.items():
        if marker in text:
            return message
    return None
