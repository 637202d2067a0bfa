"""A table model over any register: the first page at once, the count next, other rows on demand.

How it stays fast on 100,000 rows (the approach of Anki's browser table): a new query first reads
just the ids of its first page, which an index walk answers in milliseconds, and shows those rows;
then it reads every matching id in order (their number is the count) and appends the rest, while
``loading`` stays true. A query superseded by the next keystroke stops reading. ``rowCount`` is
the number of ids known; ``data`` looks the row up in a small cache of pages and, when the page
is missing, asks the operation runner for it in the background and shows a placeholder. When the
page arrives, ``dataChanged`` repaints just those rows. Sorting and filtering are a new
``RegisterQuery`` run by the database; the old rows stay on screen until the new first page is
there, so typing in the quick filter never flashes an empty table.

Threading: workers only run service functions on their own session and return plain tuples; every
model change happens on the GUI thread in the runner's callbacks. A generation number drops
answers to queries that were superseded while they ran.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections import OrderedDict
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QDateTime,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTime,
    Signal,
)
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from rsdesk.services import register_layout as layout
from rsdesk.services.register_layout import RegisterQuery, RegisterSpec
from rsdesk.services.wording import enum_label, field_label
from rsdesk.ui.ops import OperationRunner
from rsdesk.ui.widgets.badges import badge_colours, muted_text

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# The registers' SQL (rsdesk.services.registers) is imported where a worker reads, not here: the
# model is built before the database layer is loaded when the window opens on the start-up
# preview (rsdesk.ui.app).

ItemDataRole = Qt.ItemDataRole
#: The raw value of a cell (dates as dates, amounts as numbers), for sorting and for editors.
SortRole = int(ItemDataRole.UserRole) + 1
#: The record id of the row (same for every column).
RowIdRole = int(ItemDataRole.UserRole) + 2
#: The badge value of a risk or status cell ("high", "approved"...), or None.
BadgeRole = int(ItemDataRole.UserRole) + 3
#: The register column key of the cell.
ColumnKeyRole = int(ItemDataRole.UserRole) + 4

PAGE_SIZE = 200
#: Rows a new query shows before its count: a full screen on any display, read before the rest of
#: the first page because a rare search word means walking far for every row found.
FIRST_ROWS = 80
#: Pages kept in memory (LRU); 50 pages of 200 rows is plenty for any screen and scroll-back.
MAX_PAGES = 50

_NUMERIC = {layout.INT, layout.MONEY}
_DATES = {layout.DATE, layout.DATETIME}
_BADGES = {layout.RISK, layout.STATUS}


def date_pattern(locale: QLocale) -> str:
    """The locale's short date with a four-digit year; ISO 8601 for the C locale."""
    if locale.language() == QLocale.Language.C:
        return "yyyy-MM-dd"
    pattern = locale.dateFormat(QLocale.FormatType.ShortFormat)
    return pattern if "yyyy" in pattern else pattern.replace("yy", "yyyy")


def number_locale(locale: QLocale | None = None) -> QLocale:
    """``locale`` with thousands separators always on.

    The C locale (the default where no language is set, and in the tests) omits them, so an
    amount read "323000" while the dashboard and the Excel export say "323,000"; every other
    locale keeps its own style ("323.000", "323 000").
    """
    grouped = QLocale(locale if locale is not None else QLocale())
    grouped.setNumberOptions(QLocale.NumberOption.DefaultNumberOptions)
    return grouped


class RegisterTableModel(QAbstractTableModel):
    """Rows of one register for one query, paged from the database.

    Use ``set_query`` to filter or sort (the view does this), ``refresh`` after data changed,
    ``row_id``/``row_of`` to map rows to record ids. ``first_page_loaded`` fires when the rows on
    screen of a new query are in, ``loaded`` once its count (and every row id) is known too;
    ``page_loaded`` when a later page arrives.
    """

    #: The rows of the first page of a new query are in; the count may still be coming.
    first_page_loaded = Signal()
    #: The new query is fully read: rows, count and total are final.
    loaded = Signal()
    page_loaded = Signal(int)
    loading_changed = Signal(bool)

    def __init__(
        self,
        ops: OperationRunner,
        spec: RegisterSpec,
        query: RegisterQuery | None = None,
        page_size: int = PAGE_SIZE,
        parent: Any = None,
        first_rows: int = FIRST_ROWS,
    ) -> None:
        super().__init__(parent)
        self.ops = ops
        self.spec = spec
        self.page_size = page_size
        self.first_rows = min(first_rows, page_size)
        self._query = query or RegisterQuery()
        self._columns = spec.columns
        self._count = 0
        #: Records in the register with no filter (respecting "include archived").
        self._total: int | None = None
        #: Every id of the current query, in display order.
        self._ids: list[int] = []
        self._positions: dict[int, int] | None = None
        self._pages: OrderedDict[int, list[tuple[Any, ...] | None]] = OrderedDict()
        self._requested: set[int] = set()
        self._generation = 0
        self._pending_reload = False
        #: Showing the start-up preview's rows, with the register's layout but not its SQL.
        self._preview = False
        self._badge_cache: dict[tuple[str, int], tuple[QColor, QColor] | None] = {}
        #: Column key -> {code: label} for columns holding the institution's codes.
        self._code_labels: dict[str, dict[str, str]] = {}
        #: Whether a column holds the institution's codes (worked out at the first read).
        self._has_code_labels: bool | None = None
        self._locale = QLocale()
        self._numbers = number_locale(self._locale)
        self._date_format = date_pattern(self._locale)
        self._time_format = (
            "HH:mm"
            if self._locale.language() == QLocale.Language.C
            else self._locale.timeFormat(QLocale.FormatType.ShortFormat)
        )
        self._align_right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        self._align_left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        self._align_center = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter

    # -- queries ------------------------------------------------------------------------------

    @property
    def query(self) -> RegisterQuery:
        return self._query

    @property
    def count(self) -> int:
        """Rows matching the current query (what rowCount reports)."""
        return self._count

    @property
    def total(self) -> int | None:
        """Rows in the whole register, or None before the first load."""
        return self._total

    @property
    def loading(self) -> bool:
        return self._pending_reload

    def set_query(self, query: RegisterQuery) -> None:
        """Show the rows of ``query``; the current rows stay until the new ones arrive."""
        need_total = self._total is None or query.include_archived != self._query.include_archived
        self._query = query
        self._reload(need_total=need_total)

    def refresh(self) -> None:
        """Re-read the current query (after a write); keeps the rows' positions if it can."""
        self._reload(need_total=True, keep=True)

    def show_first_page(self, ids: list[int], rows: list[tuple[Any, ...]]) -> None:
        """Show rows read without the database layer (the start-up preview) until the first
        query's own rows arrive; the model counts as loading meanwhile."""
        self.beginResetModel()
        self._ids = list(ids)
        self._positions = None
        self._count = len(ids)
        self._pages = OrderedDict([(0, list(rows))])
        self._requested.clear()
        self._pending_reload = True
        self._preview = True
        self.endResetModel()

    @property
    def has_rows(self) -> bool:
        """Whether rows are there to show (a first page, or the preview's)."""
        return self._count > 0 and 0 in self._pages

    def set_spec(self, spec: RegisterSpec) -> None:
        """The register's full description, in place of the preview's layout-only one (the
        same columns in the same order: the rows shown stay valid)."""
        if [c.key for c in spec.columns] != [c.key for c in self._columns]:
            raise ValueError(f"the columns of {spec.name} changed")
        self.spec = spec
        self._columns = spec.columns
        self._preview = False

    def _reload(self, need_total: bool, keep: bool = False) -> None:
        if self._preview:
            return  # no SQL yet: the query is kept and read once the spec is the real one
        self._generation += 1
        generation = self._generation
        if not self._pending_reload:
            self._pending_reload = True
            self.loading_changed.emit(True)
        if self._has_code_labels is None:
            from rsdesk.services.registers.labels import has_code_labels

            self._has_code_labels = has_code_labels(self.spec)
        if need_total and self._has_code_labels:
            self._load_code_labels()
        if keep:
            self._reload_whole(generation, need_total)
        else:
            self._reload_first_page(generation, need_total)

    def _load_code_labels(self) -> None:
        """Labels of coded columns (sensitivity levels...), read with the first rows and after
        every write, since the office may edit its levels."""
        from rsdesk.services.registers.labels import code_labels

        spec = self.spec
        self.ops.query(lambda session: code_labels(session, spec), self._on_code_labels)

    def _on_code_labels(self, found: dict[str, dict[str, str]]) -> None:
        if found == self._code_labels:
            return
        self._code_labels = found
        if self._count:
            self.dataChanged.emit(
                self.index(0, 0), self.index(self._count - 1, len(self._columns) - 1)
            )

    def _superseded(self, generation: int) -> Any:
        """A check a worker polls to stop reading for a query that is no longer wanted."""
        return lambda: generation != self._generation

    def _reload_first_page(self, generation: int, need_total: bool) -> None:
        """First the rows on screen (an index walk that stops after one page), then the count."""
        spec, query, first = self.spec, self._query, self.first_rows
        cancelled = self._superseded(generation)

        def work(session: Session) -> tuple[Any, ...]:
            from rsdesk.services.registers import base as register_base

            try:
                ids = register_base.ordered_ids(session, spec, query, first, cancelled)
                return generation, ids, _page_rows(session, spec, ids)
            except register_base.QueryCancelled:
                return generation, None, None

        self.ops.query(
            work, lambda result: self._on_first_page(result, need_total), self._on_failed
        )

    def _on_first_page(self, result: tuple[Any, ...], need_total: bool) -> None:
        generation, ids, rows = result
        if generation != self._generation or ids is None:
            return
        self.beginResetModel()
        self._ids = ids
        self._positions = None
        self._count = len(ids)
        self._pages = OrderedDict([(0, rows)])
        self._requested.clear()
        self.endResetModel()
        complete = len(ids) < self.first_rows and not need_total  # a short answer is all there is
        if complete:
            self._pending_reload = False
        self.first_page_loaded.emit()
        if complete:
            self._finish_reload(None)
        else:
            self._count_rest(generation, need_total)

    def _count_rest(self, generation: int, need_total: bool) -> None:
        spec, query, size, shown = self.spec, self._query, self.page_size, self._count

        cancelled = self._superseded(generation)

        def work(session: Session) -> tuple[Any, ...]:
            from rsdesk.services.registers import base as register_base

            try:
                ids = register_base.ordered_ids(session, spec, query, cancelled=cancelled)
                total = _total(session, spec, query, ids) if need_total else None
            except register_base.QueryCancelled:
                return generation, None, None, None
            # The rest of the first page, which only its first rows were read for.
            page = _page_rows(session, spec, ids[:size]) if len(ids) > shown else None
            return generation, ids, total, page

        self.ops.query(work, self._on_counted, self._on_failed)

    def _on_counted(self, result: tuple[Any, ...]) -> None:
        generation, ids, total, first_page = result
        if generation != self._generation or ids is None:
            return
        shown = self._count
        if ids[:shown] == self._ids:
            # The first rows stand (the usual case): the rows after them are appended, so
            # whatever the user did with the first rows meanwhile (selection, scroll) stays.
            if first_page is not None:
                self._pages[0] = first_page
            if len(ids) > shown:
                self.beginInsertRows(QModelIndex(), shown, len(ids) - 1)
                self._ids = ids
                self._count = len(ids)
                self._positions = None
                self.endInsertRows()
        else:
            # The data changed between the two reads: show the newer answer.
            self.beginResetModel()
            self._ids = ids
            self._count = len(ids)
            self._positions = None
            self._pages.clear()
            if first_page is not None:
                self._pages[0] = first_page
            self._requested.clear()
            self.endResetModel()
        self._finish_reload(total)

    def _reload_whole(self, generation: int, need_total: bool) -> None:
        """Ids, count and the pages on screen in one read (after a write, keeping positions)."""
        spec, query, size = self.spec, self._query, self.page_size
        keep_pages = sorted(self._pages)[-3:]
        if 0 not in keep_pages:
            keep_pages.insert(0, 0)
        cancelled = self._superseded(generation)

        def work(session: Session) -> tuple[Any, ...]:
            from rsdesk.services.registers import base as register_base

            try:
                ids = register_base.ordered_ids(session, spec, query, cancelled=cancelled)
            except register_base.QueryCancelled:
                return generation, None, None, None
            pages = {
                page: _page_rows(session, spec, ids[page * size : (page + 1) * size])
                for page in keep_pages
                if page * size < len(ids) or page == 0
            }
            total = _total(session, spec, query, ids) if need_total else None
            return generation, ids, total, pages

        self.ops.query(work, self._on_reloaded, self._on_failed)

    def _on_reloaded(self, result: tuple[Any, ...]) -> None:
        generation, ids, total, pages = result
        if generation != self._generation or ids is None:
            return
        if ids == self._ids and ids:
            # Same rows in the same order: swap the values in place, no reset (selection and
            # scroll position stay).
            self._pages = OrderedDict(sorted(pages.items()))
            self._requested.clear()
            self.dataChanged.emit(
                self.index(0, 0), self.index(self._count - 1, len(self._columns) - 1)
            )
        else:
            self.beginResetModel()
            self._ids = ids
            self._positions = None
            self._count = len(ids)
            self._pages = OrderedDict(sorted(pages.items()))
            self._requested.clear()
            self.endResetModel()
        self.first_page_loaded.emit()
        self._finish_reload(total)

    def _finish_reload(self, total: int | None) -> None:
        if total is not None:
            self._total = total
        self._pending_reload = False
        self.loading_changed.emit(False)
        self.loaded.emit()

    def _on_failed(self, error: BaseException) -> None:
        from rsdesk.ui.ops import show_error

        self._pending_reload = False
        self._requested.clear()
        self.loading_changed.emit(False)
        show_error(self.ops.dialog_parent, error)

    # -- pages --------------------------------------------------------------------------------

    def _request(self, page: int) -> None:
        if page in self._requested:
            return
        self._requested.add(page)
        generation = self._generation
        spec, size = self.spec, self.page_size
        ids = self._ids[page * size : (page + 1) * size]

        def work(session: Session) -> tuple[int, int, list[tuple[Any, ...] | None]]:
            return generation, page, _page_rows(session, spec, ids)

        self.ops.query(work, self._on_page, self._on_failed)

    def _on_page(self, result: tuple[int, int, list[tuple[Any, ...] | None]]) -> None:
        generation, page, rows = result
        if generation != self._generation:
            return
        self._requested.discard(page)
        self._pages[page] = rows
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)
        first = page * self.page_size
        last = min(first + self.page_size, self._count) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(self._columns) - 1))
        self.page_loaded.emit(page)

    def _row(self, row: int) -> tuple[Any, ...] | None:
        page_number, offset = divmod(row, self.page_size)
        page = self._pages.get(page_number)
        if page is None:
            self._request(page_number)
            return None
        self._pages.move_to_end(page_number)
        return page[offset] if offset < len(page) else None

    def row_loaded(self, row: int) -> bool:
        page = self._pages.get(row // self.page_size)
        return page is not None and row % self.page_size < len(page)

    def row_id(self, row: int) -> int | None:
        """The record id of ``row`` (known for every row, loaded or not)."""
        return int(self._ids[row]) if 0 <= row < self._count else None

    def row_of(self, record_id: int) -> int | None:
        """The row of ``record_id`` in the current query, or None when it is not in it."""
        if self._positions is None:
            self._positions = {value: row for row, value in enumerate(self._ids)}
        return self._positions.get(record_id)

    def column_keys(self) -> list[str]:
        return [column.key for column in self._columns]

    # -- Qt model API -------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:  # noqa: N802
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return None
        column = self._columns[section]
        if role == ItemDataRole.DisplayRole:
            return column.label
        if role == ItemDataRole.ToolTipRole:
            return column.label
        if role == ItemDataRole.TextAlignmentRole:
            return self._align_right if column.kind in _NUMERIC else self._align_left
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self._columns):
            return
        key = self._columns[column].key
        descending = order == Qt.SortOrder.DescendingOrder
        if key == self._query.sort_key and descending == self._query.descending:
            return
        self.set_query(replace(self._query, sort_key=key, descending=descending))

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        # Returning None means "no data" to Qt (see tests/ui/test_none_refcount.py for why this
        # is safe with the PySide6 releases pyproject.toml allows).
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if not (0 <= row < self._count and 0 <= col < len(self._columns)):
            return None
        column = self._columns[col]
        if role == ItemDataRole.TextAlignmentRole:
            if column.kind in _NUMERIC:
                return self._align_right
            return self._align_left
        values = self._row(row)
        if values is None:
            if role == ItemDataRole.DisplayRole and col == 0:
                return self.tr("Loading…")
            return None
        value = values[col + 1]
        if value is None and column.empty_text:
            # A blank that means something ("Not appraised") says so, muted like a placeholder;
            # SortRole stays None so that sorting and filtering are unchanged.
            if role == ItemDataRole.DisplayRole:
                return column.empty_text
            if role == ItemDataRole.ForegroundRole:
                return muted_text()
        if role == ItemDataRole.DisplayRole:
            labels = self._code_labels.get(column.key)
            if labels is not None and value is not None:
                return labels.get(value, value)
            return self.display(column.kind, value)
        if role == ItemDataRole.ToolTipRole:
            if value is None or column.kind not in (layout.TEXT,):
                return None
            text = self.display(column.kind, value)
            return text if text and len(text) > column.width else None
        if role == SortRole:
            return value
        if role == RowIdRole:
            return values[0]
        if role == ColumnKeyRole:
            return column.key
        if column.kind in _BADGES and value is not None:
            key = str(getattr(value, "value", value))
            if role == BadgeRole:
                return key
            if role in (ItemDataRole.BackgroundRole, ItemDataRole.ForegroundRole):
                colours = self._badge(key)
                if colours is None:
                    return None
                return colours[0] if role == ItemDataRole.BackgroundRole else colours[1]
        return None

    def _badge(self, key: str) -> tuple[QColor, QColor] | None:
        palette = QApplication.palette()
        cache_key = (key, palette.color(QPalette.ColorRole.Base).rgba())
        if cache_key not in self._badge_cache:
            self._badge_cache[cache_key] = badge_colours(key, palette)
        return self._badge_cache[cache_key]

    def display(self, kind: str, value: Any) -> str | None:
        """The text a cell shows: locale-aware dates and numbers, readable enum labels."""
        if value is None:
            return None
        if kind in _NUMERIC:
            # Amounts are whole euros (as in the Excel export's "#,##0"); cents, where a
            # register has them, still show.
            if isinstance(value, decimal.Decimal | float) and value != int(value):
                return self._numbers.toString(float(value), "f", 2)
            return self._numbers.toString(int(value))
        if kind == layout.DATE:
            if isinstance(value, str):
                value = dt.date.fromisoformat(value[:10])
            return self._locale.toString(
                QDate(value.year, value.month, value.day), self._date_format
            )
        if kind == layout.DATETIME:
            if isinstance(value, str):
                value = dt.datetime.fromisoformat(value)
            moment = QDateTime(
                QDate(value.year, value.month, value.day),
                QTime(value.hour, value.minute, value.second),
            )
            return self._locale.toString(moment, f"{self._date_format} {self._time_format}")
        if kind == layout.BOOL:
            return self.tr("Yes") if value else self.tr("No")
        if kind in (layout.ENUM, layout.STATUS, layout.RISK):
            return enum_label(value)
        if isinstance(value, dict):  # the audit log's changed fields, by column name
            return ", ".join(sorted(field_label(str(name)) for name in value))
        return str(value)


def _total(session: Session, spec: RegisterSpec, query: RegisterQuery, ids: list[int]) -> int:
    from rsdesk.services import registers

    """Records in the register with no filter (respecting "include archived")."""
    unfiltered = RegisterQuery(include_archived=query.include_archived)
    if unfiltered == replace(query, sort_key=None, descending=False):
        return len(ids)
    return registers.count(session, spec, unfiltered)


def _page_rows(
    session: Session, spec: RegisterSpec, ids: list[int]
) -> list[tuple[Any, ...] | None]:
    """Rows for ``ids`` by position; None where a record vanished since the ids were read."""
    from rsdesk.services.registers import base as register_base

    rows = {row[0]: row for row in register_base.rows_for_ids(session, spec, ids)}
    return [rows.get(record_id) for record_id in ids]
