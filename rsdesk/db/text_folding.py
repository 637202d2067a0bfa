"""Accent- and case-blind text for searching names: "universidad cordoba" finds "Universidad de
Córdoba" on SQLite and PostgreSQL alike.

One table of letters decides it for both engines: every precomposed Latin letter with marks
(Latin-1, Latin Extended-A and -B, Latin Extended Additional, so Vietnamese too) stands for its
plain lower-case letter, a few letters without a decomposition (ø, ł, đ, ħ, ı, ŧ) for the letter
they are read as, and combining marks are dropped. SQLite runs ``fold_accents`` as the
``rsdesk_fold`` function that every rsdesk connection registers; PostgreSQL runs
``translate(lower(x), …)`` with the same table, which needs no extension (``unaccent`` would
need a superuser once per database). Letters of other scripts are only lower-cased.

Why not a stored, pre-folded column: it would need a hand-written backfill migration, and every
bulk writer (demo data, imports) to fill it. Folding while searching costs about 10 ms more on
the 100,000-collaboration demo's 20,000 partners and 29,000 other names: SQLite calls into Python
for each non-ASCII name, and remembers what it folded (``benchmarks/bench_partner_search.py``).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

from sqlalchemy import String, func, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

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


class accent_fold(FunctionElement[str]):  # noqa: N801 - an SQL function, named like one
    """``expr`` folded as ``fold_accents`` folds it, in SQL, for LIKE against a folded pattern."""

    inherit_cache = True
    type = String()


@compiles(accent_fold)
def _accent_fold_default(element: accent_fold, compiler: Any, **kw: Any) -> str:
    (argument,) = element.clauses.clauses
    # Plain SQL literals: the table is letters and marks only, never a quote.
    folded = func.translate(
        func.lower(argument), literal_column(f"'{FOLD_FROM}'"), literal_column(f"'{FOLD_TO}'")
    )
    return str(compiler.process(folded, **kw))


@compiles(accent_fold, "sqlite")
def _accent_fold_sqlite(element: accent_fold, compiler: Any, **kw: Any) -> str:
    # Text that is all ASCII (as many characters as bytes) needs no call into Python: SQLite's
    # LIKE already ignores ASCII case. Skipping the call halves the time on the demo's names.
    text = compiler.process(element.clauses, **kw)
    return (
        f"CASE WHEN length({text}) = length(CAST({text} AS BLOB)) THEN {text} "
        f"ELSE {SQLITE_FUNCTION}({text}) END"
    )


def sortable(expr: Any) -> Any:
    """``expr`` as names sort: folded and lower-cased on both engines, so "Łukasz" comes among
    the L's and "de Vries" among the D's (a plain ORDER BY puts both after Z)."""
    return func.lower(accent_fold(expr))


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
