"""Reading SQLite text that is not valid UTF-8, which only an edit outside rsdesk can leave.

SQLite keeps whatever bytes it is given in a TEXT value (the sqlite3 shell's
``CAST(X'4142FF43' AS TEXT)``, or ``replace()`` run on a BLOB), and Python's driver then refuses
the whole query ("Could not decode to UTF-8"). Readers that must name the edited record (``audit
verify``, the report archive) catch that failure and read again with :func:`undecodable_text_kept`,
where each bad byte becomes a lone surrogate (``errors="surrogateescape"``): a character that no
text rsdesk wrote can hold, so :func:`is_undecodable` tells such a value apart exactly. The second
read is only ever taken on a damaged file, so an intact one is read at full C speed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session

_DRIVER_MESSAGE = "Could not decode to UTF-8"
_SURROGATE = re.compile("[\ud800-\udfff]")


def is_undecodable_text_error(error: BaseException) -> bool:
    """Whether ``error`` (SQLAlchemy's or the driver's) is SQLite refusing to decode a TEXT value."""
    original = getattr(error, "orig", None) or error
    return _DRIVER_MESSAGE in str(original)


def is_undecodable(value: Any) -> bool:
    """Whether a value read under :func:`undecodable_text_kept` held bytes that are not UTF-8."""
    return isinstance(value, str) and _SURROGATE.search(value) is not None


@contextmanager
def undecodable_text_kept(session: Session, errors: str = "surrogateescape") -> Iterator[None]:
    """Within the block, SQLite TEXT that is not UTF-8 reads as text instead of failing.

    ``errors`` is the codec's error handler: ``surrogateescape`` (the default) keeps the bad bytes
    recognisable, ``replace`` shows them as U+FFFD for display. A no-op on other databases, which
    refuse such text when it is written.
    """
    raw = session.connection().connection.dbapi_connection
    if raw is None or not hasattr(raw, "text_factory"):
        yield
        return
    before = raw.text_factory
    raw.text_factory = functools.partial(str, encoding="utf-8", errors=errors)
    try:
        yield
    finally:
        raw.text_factory = before
