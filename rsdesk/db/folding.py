"""Folding text for accent- and case-blind comparison, without SQLAlchemy: the letter table,
``fold_accents`` and the ``rsdesk_fold`` function every SQLite connection registers. The SQL side
(``accent_fold``, ``sortable``) is in ``rsdesk.db.text_folding``, which explains the choice; this
part is light so that the start-up preview (``rsdesk.services.startup_cache``) can register the
function on its plain sqlite3 connection before SQLAlchemy is loaded.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

#: The name of the SQL function on SQLite connections.
SQLITE_FUNCTION = "rsdesk_fold"

_LATIN_RANGES = ((0x00C0, 0x0250), (0x1E00, 0x1F00))
_NO_DECOMPOSITION = {"ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ħ": "h"}
_NO_DECOMPOSITION |= {"Ħ": "h", "ı": "i", "ŧ": "t", "Ŧ": "t"}
#: Combining diacritical marks (text stored decomposed, "o" + U+0301): dropped.
_MARKS = "".join(chr(code) for code in range(0x0300, 0x0370))


def _letter_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for start, end in _LATIN_RANGES:
        for code in range(start, end):
            letter = chr(code)
            parts = unicodedata.normalize("NFKD", letter)
            base, marks = parts[:1], parts[1:]
            if (
                base.isascii()
                and base.isalpha()
                and marks
                and all(map(unicodedata.combining, marks))
            ):
                table[letter] = base.lower()
    table.update(_NO_DECOMPOSITION)
    return table


_TABLE = _letter_table()
#: ``translate``'s arguments on PostgreSQL: letters map one to one, the marks at the end of
#: FROM have no counterpart in TO, which deletes them.
FOLD_FROM = "".join(_TABLE) + _MARKS
FOLD_TO = "".join(_TABLE.values())
_FOLDED = {**_TABLE, **dict.fromkeys(_MARKS, "")}
_ACCENTED = re.compile("[" + re.escape("".join(_FOLDED)) + "]")


def fold_accents(text: str | None) -> str | None:
    """``text`` in lower case without accents ("Córdoba" -> "cordoba"); None stays None.

    Called once per row by SQLite, so plain ASCII (most names) returns at once, and other text
    only looks up the letters that change (``str.translate`` was three times slower).
    """
    if text is None:
        return None
    text = text.lower()
    if text.isascii():
        return text
    return _ACCENTED.sub(lambda match: _FOLDED[match.group()], text)


#: SQLite folds the same names on every keystroke: remembering them halves the cost of a search
#: (a dictionary lookup instead of the regular expression). Bounded: about 15 MB when full
#: (20,000 non-ASCII names take 3 MB).
_cached_fold = functools.lru_cache(maxsize=100_000)(fold_accents)


def register_sqlite_function(dbapi_connection: Any) -> None:
    """Make ``rsdesk_fold`` available on a new SQLite (or SQLCipher) connection."""
    try:
        dbapi_connection.create_function(SQLITE_FUNCTION, 1, _cached_fold, deterministic=True)
    except TypeError:  # a driver without the keyword: the same function, less optimisable
        dbapi_connection.create_function(SQLITE_FUNCTION, 1, _cached_fold)
