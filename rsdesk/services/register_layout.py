"""The shape of a register: its columns, filters and queries, without the SQL that reads them.

Views, models and the start-up preview need only this part; the SQL expressions it points to
(``Column.expr``, ``RegisterSpec.base``...) are SQLAlchemy objects from
``rsdesk.services.registers``, but nothing here imports SQLAlchemy, so that the main window can
draw a register's first rows before the database layer is loaded (``rsdesk.ui.app``). A spec
rebuilt from the start-up cache (``rsdesk.services.startup_cache``) has no expressions at all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Select
    from sqlalchemy.orm import QueryableAttribute, Session
    from sqlalchemy.sql.elements import ColumnElement

    from rsdesk.services.registers.base import SearchTerm

    #: A column or an expression: model attributes (``Partner.name``) and Core expressions alike.
    Expr = ColumnElement[Any] | QueryableAttribute[Any]

#: Kinds of column, which decide formatting in views, Excel and PDF.
TEXT, INT, MONEY, DATE, DATETIME, BOOL, ENUM, RISK, STATUS = (
    "text",
    "int",
    "money",
    "date",
    "datetime",
    "bool",
    "enum",
    "risk",
    "status",
)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    expr: Expr
    kind: str = TEXT
    visible: bool = True
    #: Typical width in characters, for views and spreadsheets.
    width: int = 16
    #: For ENUM/STATUS/RISK columns: the allowed values (drop-downs, validation).
    choices: tuple[str, ...] = ()
    #: Holds personal data (pseudonymised in exports that leave the office).
    personal: bool = False
    #: What an empty cell means, shown (muted) instead of a blank: "Not appraised" for a
    #: collaboration's risk. Sorting and filtering still see the empty value.
    empty_text: str = ""
    #: What the column sorts by, when not its value: a name by its folded form
    #: (``text_folding.sortable``), so that "Łukasz" sorts among the L's and not after Z. Empty
    #: exactly where ``expr`` is.
    sort_by: Expr | None = None
    #: Whether a PDF listing prints the column; None means as in the view (``visible``). A note
    #: the view keeps for the detail pane is what an auditor reads on paper.
    printed: bool | None = None
    #: Values are single words (a login, a code) that must print whole: a listing keeps the
    #: column at its typical width instead of breaking "eleni.schroeder" across two lines.
    unbroken: bool = False

    @property
    def in_print(self) -> bool:
        return self.visible if self.printed is None else self.printed

    @property
    def sort_expr(self) -> Expr:
        return self.expr if self.sort_by is None else self.sort_by


@dataclass(frozen=True)
class Filter:
    key: str
    label: str
    #: Adds the condition for ``value`` to the query.
    apply: Callable[[Select[Any], Any], Select[Any]]
    #: (value, label) pairs the user picks from; a callable when they come from the database.
    choices: Callable[[Session], Sequence[tuple[Any, str]]] | None = None


@dataclass(frozen=True)
class RegisterSpec:
    name: str
    title: str
    #: The record's id expression (first value of every fetched row).
    id_expr: Expr
    #: The FROM clause: a select of nothing but joins, e.g. ``select().select_from(a.join(b))``.
    base: Callable[[], Select[Any]]
    columns: tuple[Column, ...]
    #: What the quick filter searches: expressions (case-blind) or ``SearchTerm``s (accents too).
    search: tuple[Expr | SearchTerm, ...] = ()
    filters: tuple[Filter, ...] = ()
    default_sort: str | None = None
    #: Whether the default sort runs newest (or highest) first, so that a register opens on what
    #: matters now rather than on records that ended years ago.
    default_descending: bool = False
    archived_expr: Expr | None = None
    #: Table name in the audit log, for the history tab.
    audit_table: str | None = None
    #: Filters the view opens with, which exports and listings made without a view use too, so
    #: that paper shows what the screen shows ("current list versions"). ``KEY=all`` on the
    #: command line (``ALL_VALUES``) lifts one.
    default_filters: tuple[tuple[str, Any], ...] = ()

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)

    def column_index(self, key: str) -> int:
        return [c.key for c in self.columns].index(key)


@dataclass(frozen=True)
class RegisterQuery:
    text: str = ""
    filters: dict[str, Any] = field(default_factory=dict)
    sort_key: str | None = None
    descending: bool = False
    include_archived: bool = False
    #: Restrict to these ids (e.g. a dashboard drill-down); None means no restriction.
    ids: tuple[int, ...] | None = None

    def describe(self, spec: RegisterSpec, session: Session | None = None) -> str:
        """Human summary of the query, for export cover sheets and report stamps.

        With a session, a filter's value reads as the choice the user picked ("Risk level =
        Very high", "Department = Physics"), not as the code or id it is stored as.
        """
        parts = []
        if self.text:
            parts.append(f'search "{self.text}"')
        filters = {f.key: f for f in spec.filters}
        for key, value in sorted(self.filters.items()):
            if value in (None, "", ()):
                continue
            spec_filter = filters.get(key)
            if spec_filter is None:
                parts.append(f"{key} = {value}")
                continue
            shown = value
            if session is not None and spec_filter.choices is not None and _hashable(value):
                shown = dict(spec_filter.choices(session)).get(value, value)
            parts.append(f"{spec_filter.label} = {shown}")
        for key, _value in spec.default_filters:
            if self.filters.get(key) in (None, "", ()) and key in filters:
                parts.append(f"{filters[key].label}: all")
        if self.include_archived:
            parts.append("archived included")
        return "; ".join(parts) if parts else "all records"


#: The filter value that lifts a default filter (``--filter current=all``).
ALL_VALUES = "all"


def with_default_filters(spec: RegisterSpec, query: RegisterQuery) -> RegisterQuery:
    """The query with the spec's default filters where it names none; a filter set to
    ``ALL_VALUES`` is lifted instead (kept as empty, so that ``describe`` says "all")."""
    filters = dict(spec.default_filters)
    filters.update(query.filters)
    filters = {k: (None if v == ALL_VALUES else v) for k, v in filters.items()}
    return replace(query, filters=filters)


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True
