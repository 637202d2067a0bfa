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

from typing import Any

from sqlalchemy import String, func, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from rsdesk.db.folding import (  # noqa: F401 - the light half, re-exported
    FOLD_FROM,
    FOLD_TO,
    SQLITE_FUNCTION,
    fold_accents,
    register_sqlite_function,
)


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
