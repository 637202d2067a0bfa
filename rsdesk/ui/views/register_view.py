"""A reusable view for any register: quick filter, filter drop-downs, table, counts, export.

Subclass it for a register and override what differs::

    class PartnersView(RegisterView):
        register_name = "partners"
        watches = frozenset({"partner", "partner_name"})

        def open_record(self, record_id: int) -> None:   # double-click / Enter
            PartnerDialog.edit(self.context, record_id, self)

        def new_record(self) -> None:                    # File > New
            PartnerDialog.create(self.context, self)

The rest is shared: search as you type (debounced), the spec's filters as combo boxes (choices
read in the background), "Include archived", a column chooser on the header's context menu,
"1,234 of 100,000", sorting by the database, column widths / visible columns / sort remembered
per register, ``apply_filters`` for dashboard drill-downs and ``export_current`` to Excel.
"""

from __future__ import annotations

import importlib
import importlib.util
import math
import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QModelIndex,
    QObject,
    QPoint,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QStyle,
    QStyleOptionHeader,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from rsdesk.services.register_layout import RegisterQuery, RegisterSpec
from rsdesk.ui.context import AppContext
from rsdesk.ui.itemmodels.register_table_model import (
    FIRST_ROWS,
    RegisterTableModel,
    number_locale,
)
from rsdesk.ui.views.base import View
from rsdesk.ui.widgets.badges import BadgeDelegate, muted_text
from rsdesk.ui.widgets.filter_combo import FilterCombo
from rsdesk.ui.widgets.flow_layout import FlowLayout
from rsdesk.ui.widgets.stale_rows import StaleRows

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

SEARCH_DELAY_MS = 250
EN_SPACE, THIN_SPACE, WORD_JOINER = "\u2002", "\u2009", "\u2060"
XLSX_EXPORT_MODULE = "rsdesk.services.reports.xlsx.registers"


def xlsx_export_installed() -> bool:
    """Whether this build ships the Excel export, found without importing it (start-up time)."""
    try:
        return importlib.util.find_spec(XLSX_EXPORT_MODULE) is not None
    except ModuleNotFoundError:
        return False


def xlsx_export_available() -> bool:
    if not xlsx_export_installed():
        return False
    return hasattr(importlib.import_module(XLSX_EXPORT_MODULE), "export_register")


#: More filters than this move to a row of their own below the search box.
FILTERS_ON_THE_SEARCH_ROW = 3


class RegisterTable(QTableView):
    """The register's table: Enter opens the current row like a double-click does, and an empty
    table says why it is empty (``empty_text``) in a muted line across its middle, painted
    over the viewport rather than as a row, so that the model, selection and keyboard stay
    those of an empty table."""

    open_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._empty_text = ""
        self.setTabKeyNavigation(False)  # Tab moves on to the next control, arrows between cells
        self.doubleClicked.connect(self._on_double_clicked)

    def empty_text(self) -> str:
        return self._empty_text

    def set_empty_text(self, text: str) -> None:
        """What the table says while it has no rows ("" for nothing, e.g. while loading)."""
        if text != self._empty_text:
            self._empty_text = text
            self.viewport().update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        super().paintEvent(event)
        model = self.model()
        if not self._empty_text or model is None or model.rowCount() > 0:
            return
        painter = QPainter(self.viewport())
        painter.setPen(muted_text())
        area = self.viewport().rect().adjusted(12, 0, -12, 0)
        painter.drawText(
            area,
            int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap),
            self._empty_text,
        )
        painter.end()

    @Slot(QModelIndex)
    def _on_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_requested.emit(index.row())

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.open_requested.emit(self.currentIndex().row())
            event.accept()
            return
        super().keyPressEvent(event)


class RegisterHeader(QHeaderView):
    """The register table's header: a right-aligned (number) heading keeps clear of its sort
    arrow, which the style draws over the heading's right end ("Entry" ran into it), and of the
    next column's heading."""

    def initStyleOptionForIndex(self, option: QStyleOptionHeader, logical_index: int) -> None:  # noqa: N802
        super().initStyleOptionForIndex(option, logical_index)
        if not option.textAlignment & Qt.AlignmentFlag.AlignRight:
            return
        # Trailing spaces do not count in right alignment; the word joiner makes them count.
        if option.sortIndicator != QStyleOptionHeader.SortIndicator.None_:
            arrow = self.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMarkSize, option, self)
            space = max(option.fontMetrics.horizontalAdvance(EN_SPACE), 1)
            option.text += EN_SPACE * max(1, math.ceil(arrow / space)) + WORD_JOINER  # >= arrow
        else:  # the cells' margin, so that the heading ends where the numbers do
            option.text += THIN_SPACE + WORD_JOINER


class RegisterView(View):
    """A register as a table with search, filters and a column chooser (see module docstring)."""

    #: The register shown (a name from rsdesk.services.registers).
    register_name: str = ""
    #: Text of the quick filter's placeholder; defaults to naming the register.
    search_placeholder: str = ""
    #: Whether File > New makes sense here (read-only registers say False).
    can_create: bool = True
    #: What the records are called in "No … match the search and filters"; the title in lower
    #: case by default.
    records_noun: str = ""
    #: Put the filters on a row of their own below the search box (else only when there are many).
    filters_on_own_row: bool = False
    #: Keep the first page's recipe for the next start (``ViewEntry.preview_register``).
    start_up_preview: bool = False

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        # While the window opens on the start-up preview: the register's layout, without SQL.
        self.spec: RegisterSpec = context.register_spec(self.register_name)
        self._settings_key = f"registers/{self.spec.name}"
        self._extra_filters: dict[str, Any] = {}
        self._drill_text = ""
        self._ids: tuple[int, ...] | None = None
        self._selected_id: int | None = None
        self._filter_combos: dict[str, QComboBox] = {}
        #: Whether the user picked the sort (remembered between runs) or it is the default.
        self._sort_chosen = False

        self.model = RegisterTableModel(context.ops, self.spec, parent=self)
        self.search_box = QLineEdit()
        self.search_box.setObjectName("quickFilter")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setPlaceholderText(
            self.search_placeholder or self.tr("Search %s (Ctrl+F)") % self.spec.title.lower()
        )
        self.search_box.setAccessibleName(self.tr("Quick filter"))
        self.search_box.setMinimumWidth(180)  # the filter row sets the window's minimum width
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._apply_query)
        self.search_box.textChanged.connect(self._search_timer.start)
        self.search_box.returnPressed.connect(self._apply_query_now)
        self._full_placeholder = self._short_placeholder = ""
        self.search_box.installEventFilter(self)

        self.archived_box = QCheckBox(self.tr("Include &archived"))
        self.archived_box.setObjectName("includeArchived")
        self.archived_box.setVisible(self.spec.archived_expr is not None)
        self.archived_box.toggled.connect(self._apply_query_now)

        self.count_label = QLabel()
        self.count_label.setObjectName("rowCount")
        self.count_label.setAccessibleName(self.tr("Row count"))
        self.count_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.drill_label = QLabel()
        self.drill_label.setObjectName("drillDown")
        self.clear_drill_button = QToolButton()
        self.clear_drill_button.setText(self.tr("Show all"))
        self.clear_drill_button.setAccessibleName(self.tr("Clear the drill-down filter"))
        self.clear_drill_button.clicked.connect(self.clear_filters)
        self.drill_label.hide()
        self.clear_drill_button.hide()

        self.export_button = QPushButton(self.tr("Export…"))
        self.export_button.setObjectName("exportButton")
        self.export_button.setAccessibleName(self.tr("Export the filtered register to Excel"))
        self.export_button.clicked.connect(self.export_current)
        if not xlsx_export_installed():
            self.export_button.setEnabled(False)
            self.export_button.setToolTip(self.tr("Excel export is not installed in this build."))
        else:
            self.export_button.setToolTip(self.tr("Export the rows shown to an Excel workbook"))

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        #: The row above the table; subclasses add their own buttons to it.
        self.top_bar = top
        search_label = QLabel(self.tr("F&ind:"))  # Alt+F is the File menu
        search_label.setBuddy(self.search_box)
        top.addWidget(search_label)
        top.addWidget(self.search_box, 2)
        # A flow layout: when the window is narrow the drop-downs wrap onto another line
        # instead of holding the window wide (six of them kept it at 1231 pixels or more).
        self.filter_bar = FlowLayout(spacing=6)
        for filter_ in self.spec.filters:
            if filter_.choices is None:
                continue
            combo = FilterCombo()
            combo.setObjectName(f"filter_{filter_.key}")
            combo.setAccessibleName(filter_.label)
            combo.setToolTip(filter_.label)
            combo.addItem(self.tr("%s: all") % filter_.label, None)
            combo.currentIndexChanged.connect(self._apply_query_now)
            self._filter_combos[filter_.key] = combo
            self.filter_bar.addWidget(combo)
        # Many filters (collaborations has six) go on a row of their own under the search box,
        # so that the view still fits a 1280-pixel laptop screen at 100 % and 150 %.
        self.filter_row: FlowLayout | None = None
        self.filter_bar.addWidget(self.archived_box)
        if self.filters_on_own_row or len(self._filter_combos) > FILTERS_ON_THE_SEARCH_ROW:
            self.filter_row = self.filter_bar
        else:
            top.addLayout(self.filter_bar)
        top.addStretch(1)
        top.addWidget(self.export_button)

        self.table = RegisterTable()
        self.table.setObjectName("registerTable")
        self.table.setHorizontalHeader(RegisterHeader(Qt.Orientation.Horizontal, self.table))
        self.table.setItemDelegate(BadgeDelegate(self.table))
        self.table.setAccessibleName(self.spec.title)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        header = self.table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.setSortIndicatorShown(True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._show_column_menu)
        self.table.open_requested.connect(self._on_open_requested)
        # The database sorts: the header's indicator (clickable, flipped on click) drives the
        # query, so QTableView's own sorting stays off.
        self.table.setSortingEnabled(False)
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)

        bottom = QHBoxLayout()
        bottom.setContentsMargins(0, 0, 0, 0)
        #: The row under the table (drill-down, counts); subclasses may add buttons to it.
        self.bottom_bar = bottom
        bottom.addWidget(self.drill_label)
        bottom.addWidget(self.clear_drill_button)
        bottom.addStretch(1)
        bottom.addWidget(self.count_label)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 6)
        layout.addLayout(top)
        if self.filter_row is not None:
            layout.addLayout(self.filter_row)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        self.setTabOrder(self.search_box, self.table)

        self.stale_rows = StaleRows(self.table)
        self.model.first_page_loaded.connect(self._on_first_page_loaded)
        self.model.loaded.connect(self._on_loaded)
        self.model.loading_changed.connect(self._on_loading_changed)
        self._restore_columns()
        # The header's sort indicator drives the query from now on.
        header.sortIndicatorChanged.connect(self._on_sort_changed)
        preview = context.first_page
        self._preview_layout: dict[str, Any] | None = None
        self._start_query: RegisterQuery | None = None
        #: The query a freshly built view reads (its sort aside), for the preview of a new sort.
        self._fresh_query: RegisterQuery | None = None
        if context.is_open or preview is None:
            self._start_reading()
        else:
            # The preview's rows until the database is open (MainWindow calls database_opened).
            self._preview_layout = preview.layout
            self.model.show_first_page(preview.ids, preview.rows)
            self.count_label.setText(self.tr("Counting…"))
            self._update_empty_text()

    def _start_reading(self) -> None:
        self._load_filter_choices()
        self._apply_query_now()
        if self.start_up_preview and self.context.db.path is not None:
            # The query a view of this register starts with: kept as the next start's preview.
            self._start_query = self._fresh_query = self.model.query

    def database_opened(self) -> bool:
        """After the start-up preview: take the register's full description and read. False
        when the register no longer has the preview's layout (the window builds the view again)."""
        from rsdesk.services import registers
        from rsdesk.services.startup_cache import layout_of

        spec = registers.get(self.register_name)
        if layout_of(spec) != self._preview_layout:
            return False
        self.spec = spec
        self.model.set_spec(spec)
        self._start_reading()
        return True

    # -- the API subclasses and the main window use -------------------------------------------

    def current_query(self) -> RegisterQuery:
        """The query the controls describe (text, filters, sort, archived, drill-down ids)."""
        filters = dict(self._extra_filters)
        for key, combo in self._filter_combos.items():
            value = combo.currentData()
            if value is not None:
                filters[key] = value
            else:
                filters.pop(key, None)
        header = self.table.horizontalHeader()
        section = header.sortIndicatorSection()
        sort_key = None
        descending = False
        if 0 <= section < len(self.spec.columns) and header.isSortIndicatorShown():
            sort_key = self.spec.columns[section].key
            descending = header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
        return RegisterQuery(
            text=self.search_box.text().strip(),
            filters=filters,
            sort_key=sort_key,
            descending=descending,
            include_archived=self.archived_box.isChecked(),
            ids=self._ids,
        )

    def current_id(self) -> int | None:
        index = self.table.currentIndex()
        return self.model.row_id(index.row()) if index.isValid() else None

    def select_id(self, record_id: int) -> bool:
        """Select the row of ``record_id`` if it is loaded; True when found."""
        row = self.model.row_of(record_id)
        if row is None:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def open_record(self, record_id: int) -> None:
        """Double-click or Enter on a row. Default: ask the main window to open it."""
        self.context.signals.open_record.emit(self.spec.name, record_id)

    # -- View hooks ---------------------------------------------------------------------------

    def refresh(self) -> None:
        if not self.context.is_open:
            return  # the view reads as soon as the database is open (database_opened)
        self._selected_id = self.current_id()
        self.model.refresh()
        self._load_filter_choices()

    def focus_search(self) -> None:
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    def apply_filters(self, filters: dict[str, Any]) -> None:
        """Show a subset: keys are the spec's filter keys plus ``text``, ``ids``, ``archived``.

        Filters with a drop-down set it (adding the value if its choices are not loaded yet);
        others (a partner id, a date range, a list of ids) show as a drill-down with "Show all".
        """
        filters = dict(filters)
        self._search_timer.stop()
        self.search_box.blockSignals(True)
        self.archived_box.blockSignals(True)
        self.search_box.setText(str(filters.pop("text", "") or ""))
        self.archived_box.setChecked(bool(filters.pop("archived", False)))
        ids = filters.pop("ids", None)
        self._ids = tuple(int(i) for i in ids) if ids is not None else None
        # How the drill-down reads to the user ("partner Acme"), where its value is an id.
        self._drill_text = str(filters.pop("label", "") or "")
        self._extra_filters = {}
        for key, combo in self._filter_combos.items():
            combo.blockSignals(True)
            value = filters.pop(key, None)
            if value is None:
                combo.setCurrentIndex(0)
            else:
                position = combo.findData(value)
                if position < 0:
                    combo.addItem(str(value), value)
                    position = combo.count() - 1
                combo.setCurrentIndex(position)
            combo.blockSignals(False)
        known = {f.key for f in self.spec.filters}
        self._extra_filters = {k: v for k, v in filters.items() if k in known and v is not None}
        self.search_box.blockSignals(False)
        self.archived_box.blockSignals(False)
        self._update_drill_label()
        self._apply_query_now()

    def clear_filters(self) -> None:
        self.apply_filters({})

    def export_current(self) -> None:
        if not xlsx_export_available():
            self.context.signals.status_message.emit(
                self.tr("Excel export is not installed in this build.")
            )
            return
        suggested = str(Path.home() / f"{self.spec.name}.xlsx")
        out, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Export %s") % self.spec.title,
            suggested,
            self.tr("Excel workbook (*.xlsx)"),
        )
        if not out:
            return
        if not out.lower().endswith(".xlsx"):
            out += ".xlsx"
        self.export_to(Path(out))

    def export_to(self, out: Path) -> int:
        """Export the rows the view shows to ``out`` in a background job; returns the task id."""
        if self._search_timer.isActive():  # typed but not applied yet: show what is exported
            self._apply_query_now()
        exporter = importlib.import_module(XLSX_EXPORT_MODULE).export_register
        db, name, query = self.context.db, self.spec.name, self.current_query()

        def work(progress: Any, cancel: Any) -> Path:
            with db.read() as session:
                exporter(
                    session, name, out, query, actor=db.actor, progress=progress, cancel=cancel
                )
            return out

        return self.context.ops.job(
            self.tr("Exporting %s…") % self.spec.title,
            work,
            self._on_exported,
            cancelled_message=self.tr("Export cancelled; no file was written."),
        )

    def _on_exported(self, out: Path) -> None:
        self.context.signals.status_message.emit(self.tr("Exported to %s") % out)

    def save_state(self) -> None:
        header = self.table.horizontalHeader()
        self.context.settings.set_value(f"{self._settings_key}/header", header.saveState())
        query = self.current_query()
        if self._sort_chosen and query.sort_key is not None:
            direction = "desc" if query.descending else "asc"
            self.context.settings.set_value(
                f"{self._settings_key}/sort", f"{query.sort_key} {direction}"
            )

    # -- internals ----------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.search_box and event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self._fit_placeholder()
        # Down arrow in the quick filter moves into the table, as in mail programs.
        if (
            watched is self.search_box
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Down
            and self.model.rowCount() > 0
        ):
            self.table.setFocus(Qt.FocusReason.TabFocusReason)
            # Focus alone makes row 0 current but leaves it unselected, so the detail panel
            # stayed empty: select it (or keep the row already selected).
            if not self.table.selectionModel().hasSelection():
                self.table.selectRow(0)
            return True
        return super().eventFilter(watched, event)

    def _fit_placeholder(self) -> None:
        """Drop the placeholder's "(Ctrl+F)" when the box is too narrow for all of it, rather
        than clip it mid-word; the tooltip keeps the whole text."""
        box = self.search_box
        current = box.placeholderText()
        if current != self._short_placeholder:
            self._full_placeholder = current  # set by the view (subclasses change it)
        full = self._full_placeholder
        self._short_placeholder = short = re.sub(r"\s*\([^)]*\)$", "", full)
        # The text room: the frame and the clear button (as wide as the box is high) taken off.
        room = box.contentsRect().width() - box.height() - 8
        chosen = full if box.fontMetrics().horizontalAdvance(full) <= room else short
        if chosen != current:
            box.setPlaceholderText(chosen)
        box.setToolTip(full)

    @Slot()
    def _apply_query(self) -> None:
        self._selected_id = self.current_id() or self._selected_id
        self.model.set_query(self.current_query())

    @Slot()
    def _apply_query_now(self) -> None:
        self._search_timer.stop()
        self._apply_query()

    @Slot(int, Qt.SortOrder)
    def _on_sort_changed(self, _section: int, _order: Qt.SortOrder) -> None:
        self._sort_chosen = True  # only the user changes the sort once the view is built
        self._apply_query_now()
        fresh = self._fresh_query
        query = self.model.query
        if fresh is not None and self.context.is_open and query.sort_key is not None:
            # The sort is saved when the window closes: the next start opens on it, and its
            # preview with it (else that start would be an ordinary one).
            direction = "desc" if query.descending else "asc"
            started_with = replace(fresh, sort_key=query.sort_key, descending=query.descending)
            self._record_start_page(started_with, f"{query.sort_key} {direction}")

    @Slot(int)
    def _on_open_requested(self, row: int) -> None:
        record_id = self.model.row_id(row)
        if record_id is not None:
            self.open_record(record_id)

    @Slot()
    def _on_loaded(self) -> None:
        self._update_count_label()
        self._update_empty_text()
        if self._selected_id is not None:
            self.select_id(self._selected_id)

    @Slot()
    def _on_first_page_loaded(self) -> None:
        if self._start_query is not None:
            self._record_start_page(self._start_query, self._sort_setting)
            self._start_query = None
        self.stale_rows.stop()  # the rows shown are the new query's
        if self.model.loading:  # the first rows are shown; their number follows
            self.count_label.setText(self.tr("Counting…"))
        self._update_empty_text()

    def _record_start_page(self, query: RegisterQuery, sort_setting: str) -> None:
        """Keep the first page's recipe for the next start's preview (services.startup_cache):
        ``query`` is what a view started with ``sort_setting`` saved reads first."""
        spec, path = self.spec, self.context.db.path
        assert path is not None

        def work(session: Session) -> None:
            from rsdesk.services import startup_cache, startup_recipe

            if not startup_cache.plain_sqlite_file(path):
                return  # encrypted: the preview cannot read it
            recipe = startup_recipe.record(session, spec, query, FIRST_ROWS, sort_setting)
            if recipe is None:
                return
            try:
                startup_cache.store(path, spec.name, recipe)
            except OSError:
                return  # a cache folder rsdesk may not write: starts are ordinary, that is all

        def failed(error: BaseException) -> None:
            # Only the next start's preview is lost; say why on the console, not in a dialog.
            sys.stderr.write(f"rsdesk: start-up preview not recorded: {error!r}\n")

        self.context.ops.query(work, on_error=failed)

    def _update_empty_text(self) -> None:
        """Why the table is empty: the search and filters, or a register with nothing in it yet
        (a blank table with "0 of 195" under it left testers wondering)."""
        query = self.model.query
        noun = self.records_noun or self.spec.title.lower()
        narrowed = bool(query.text or query.ids is not None or self._active_filters(query))
        if narrowed or self.model.total:
            text = self.tr("No %s match the search and filters") % noun
        elif self.model.total is None:
            text = ""  # not counted yet: say nothing rather than something wrong
        elif self.can_create:
            shortcut = QKeySequence(QKeySequence.StandardKey.New).toString(
                QKeySequence.SequenceFormat.NativeText
            )
            text = self.tr("No %s yet — New (%s) adds one") % (noun, shortcut)
        else:
            text = self.tr("No %s yet") % noun
        self.table.set_empty_text(text)

    @staticmethod
    def _active_filters(query: RegisterQuery) -> bool:
        return any(value not in (None, "", ()) for value in query.filters.values())

    @Slot(bool)
    def _on_loading_changed(self, loading: bool) -> None:
        if loading:
            # The rows shown are the old query's until the new ones arrive: say so.
            self.count_label.setText(self.tr("Loading…"))
            self.stale_rows.start()
        else:
            self.stale_rows.stop()
            self._update_count_label()

    def _update_count_label(self) -> None:
        locale = number_locale(self.locale())
        count, total = self.model.count, self.model.total
        if total is None or count == total:
            text = self.tr("%s records") % locale.toString(count)
            if count == 1:
                text = self.tr("1 record")
        else:
            text = self.tr("%s of %s") % (locale.toString(count), locale.toString(total))
        self.count_label.setText(text)

    def _update_drill_label(self) -> None:
        labels = {f.key: f.label for f in self.spec.filters}
        parts = [f"{labels.get(k, k)}: {v}" for k, v in self._extra_filters.items()]
        if parts and self._drill_text:
            parts = [self._drill_text]
        if self._ids is not None:
            chosen = number_locale(self.locale()).toString(len(self._ids))
            # A drill-down by ids reads as what picked them ("access without a current briefing").
            if self._drill_text and not parts:
                records = self.tr("1 record") if len(self._ids) == 1 else self.tr("%s records")
                parts.append(f"{self._drill_text} ({records.replace('%s', chosen)})")
            else:
                parts.append(self.tr("%s chosen records") % chosen)
        self.drill_label.setText(self.tr("Filtered by %s") % "; ".join(parts) if parts else "")
        self.drill_label.setVisible(bool(parts))
        self.clear_drill_button.setVisible(bool(parts))

    def _load_filter_choices(self) -> None:
        spec = self.spec

        def work(session: Session) -> dict[str, list[tuple[Any, str]]]:
            return {
                f.key: list(f.choices(session))
                for f in spec.filters
                if f.choices is not None and f.key in self._filter_keys
            }

        self._filter_keys = frozenset(self._filter_combos)
        self.context.ops.query(work, self._on_filter_choices)

    def _on_filter_choices(self, choices: dict[str, list[tuple[Any, str]]]) -> None:
        for key, items in choices.items():
            combo = self._filter_combos[key]
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(
                self.tr("%s: all") % self.spec.filters[self._filter_index(key)].label, None
            )
            for value, label in items:
                combo.addItem(label, value)
            position = combo.findData(current) if current is not None else 0
            if position < 0:
                combo.addItem(str(current), current)
                position = combo.count() - 1
            combo.setCurrentIndex(position)
            combo.blockSignals(False)

    def _filter_index(self, key: str) -> int:
        return [f.key for f in self.spec.filters].index(key)

    def _restore_columns(self) -> None:
        header = self.table.horizontalHeader()
        char = max(self.fontMetrics().averageCharWidth(), 6)
        heading, cells = header.fontMetrics(), self.table.fontMetrics()
        for section, column in enumerate(self.spec.columns):
            # Never narrower than the heading (plus room for the sort arrow): a number column's
            # "Collaborations" was cut to "llaborations".
            label_width = heading.horizontalAdvance(column.label) + 3 * char + 12
            # ... nor than what its empty cells say ("Not appraised" was cut to "Not apprais…").
            empty_width = cells.horizontalAdvance(column.empty_text) + 2 * char + 8
            header.resizeSection(
                section, max(column.width * char + 16, 48, label_width, empty_width)
            )
            header.setSectionHidden(section, not column.visible)
        state = self.context.settings.bytes_value(f"{self._settings_key}/header")
        if isinstance(state, QByteArray) and header.count() == len(self.spec.columns):
            header.restoreState(state)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self._restore_sort()

    def _restore_sort(self) -> None:
        """The sort the user chose last time, or the register's default (newest first where
        that matters). The header's saved state carries a sort too, but one the user may never
        have picked (earlier releases saved the default), so only a chosen sort is kept."""
        header = self.table.horizontalHeader()
        chosen = self.context.settings.value(f"{self._settings_key}/sort")
        #: The saved sort the view started with (the start-up preview is kept per setting).
        self._sort_setting = str(chosen or "")
        key, _, direction = self._sort_setting.partition(" ")
        keys = [column.key for column in self.spec.columns]
        self._sort_chosen = key in keys
        if not self._sort_chosen:
            key, direction = (
                self.spec.default_sort or "",
                ("desc" if self.spec.default_descending else "asc"),
            )
        if key not in keys:
            header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
            return
        order = Qt.SortOrder.DescendingOrder if direction == "desc" else Qt.SortOrder.AscendingOrder
        header.setSortIndicator(keys.index(key), order)

    @Slot(QPoint)
    def _show_column_menu(self, position: QPoint) -> None:
        menu = self.column_menu()
        menu.exec(self.table.horizontalHeader().mapToGlobal(position))

    def column_menu(self) -> QMenu:
        """The column chooser: one checkable action per column, and a reset."""
        header = self.table.horizontalHeader()
        menu = QMenu(self)
        menu.setTitle(self.tr("Columns"))
        visible = sum(not header.isSectionHidden(i) for i in range(header.count()))
        for section, column in enumerate(self.spec.columns):
            action = QAction(column.label, menu)
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(section))
            # The last visible column cannot be hidden: an empty table helps nobody.
            action.setEnabled(not (action.isChecked() and visible == 1))
            action.toggled.connect(
                lambda checked, s=section: header.setSectionHidden(s, not checked)
            )
            menu.addAction(action)
        menu.addSeparator()
        reset = menu.addAction(self.tr("Reset columns"))
        reset.triggered.connect(self.reset_columns)
        return menu

    def reset_columns(self) -> None:
        """Back to the register's own layout and sort, forgetting the user's."""
        self.context.settings.set_value(f"{self._settings_key}/header", None)
        self.context.settings.set_value(f"{self._settings_key}/sort", None)
        header = self.table.horizontalHeader()
        for visual, logical in enumerate(range(header.count())):
            header.moveSection(header.visualIndex(logical), visual)
        self._restore_columns()
        self._sort_chosen = False
