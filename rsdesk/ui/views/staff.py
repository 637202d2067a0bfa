"""Staff & onboarding: the staff register with each person's onboarding state, and a checklist
panel to complete a check, waive it with a reason or mark it not applicable.

Several rows may be selected: the checklist follows the current row, and *Close a check for
selected…* (button, the table's context menu, Ctrl+Shift+C) closes one check for all of them.

Everything goes through services (registers.fetch, services.onboarding, services.privacy) on the
operation runner; the view holds no rule of its own.
"""

from __future__ import annotations

import datetime as dt
import importlib
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QDate,
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QPoint,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Slot,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from rsdesk.services import onboarding, privacy, registers, training
from rsdesk.services.registers import RegisterQuery
from rsdesk.services.registers.labels import enum_label
from rsdesk.ui.context import AppContext
from rsdesk.ui.itemmodels.people_table_models import (
    ChecklistTableModel,
    RegisterRowsTableModel,
    SortRole,
)
from rsdesk.ui.views.base import View
from rsdesk.ui.views.register_view import RegisterHeader
from rsdesk.ui.widgets.badges import BadgeDelegate, badge_css
from rsdesk.ui.widgets.filter_combo import FilterCombo
from rsdesk.ui.widgets.flow_layout import FlowLayout
from rsdesk.ui.widgets.stale_rows import StaleRows

KEYS = (
    "staff_number",
    "full_name",
    "onboarding",
    "overdue_checks",
    "open_checks",
    "department",
    "role_category",
    "technology_area",
    "start_date",
    "end_date",
)
#: Rows fetched at most; the register is thousands of people, filters narrow it further.
MAX_ROWS = 50_000


class SourceSortedProxy(QSortFilterProxyModel):
    """Leaves sorting to the source model (one key per row), so that new rows are not re-sorted
    with a Python ``data()`` call per comparison on the GUI thread."""

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sourceModel().sort(column, order)


class StaffView(View):
    watches = frozenset({"staff_member", "onboarding_check", "training_record", "department"})

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.spec = registers.get("staff")
        self.staff_id: int | None = None
        self._loading = 0

        # -- filters --
        self.search = QLineEdit()
        self.search.setObjectName("staffSearch")
        self.search.setAccessibleName(self.tr("Search staff"))
        # Short: the box is narrow beside the filters, and the longer text was cut mid-word.
        self.search.setPlaceholderText(self.tr("Search…"))
        self.search.setToolTip(self.tr("Search by name, staff number or e-mail"))
        self.search.setClearButtonEnabled(True)
        self.department = FilterCombo()
        self.department.setObjectName("staffDepartment")
        self.department.setAccessibleName(self.tr("Department"))
        self.department.addItem(self.tr("All departments"), None)
        self.onboarding_filter = FilterCombo()
        self.onboarding_filter.setObjectName("staffOnboardingFilter")
        self.onboarding_filter.setAccessibleName(self.tr("Onboarding state"))
        for value, label in (
            (None, self.tr("Any onboarding state")),
            ("overdue", self.tr("Overdue checks")),
            ("open", self.tr("Open checks")),
            ("complete", self.tr("Complete")),
        ):
            self.onboarding_filter.addItem(label, value)
        # Short, so that the row fits a 1280-pixel window on one line.
        self.show_left = QCheckBox(self.tr("Show people who left"))
        self.anonymise_button = QPushButton(self.tr("Anonymise former staff…"))
        self.anonymise_button.setToolTip(
            self.tr("Remove the identity of people who left longer ago than the retention period")
        )
        self.new_button = QPushButton(self.tr("New…"))
        self.new_button.setObjectName("newStaff")
        self.new_button.setToolTip(self.tr("Add a staff member (their checklist follows)"))
        self.rules_button = QPushButton(self.tr("Rules…"))
        self.rules_button.setToolTip(
            self.tr("Onboarding checks, training catalogue and retention period")
        )
        self.access_button = QPushButton(self.tr("Subject-access export…"))
        self.access_button.setEnabled(False)
        self.count_label = QLabel()
        self.count_label.setObjectName("staffCount")
        self.close_checks_action = QAction(self.tr("&Close a check for selected…"), self)
        self.close_checks_action.setObjectName("closeChecksAction")
        self.close_checks_action.setShortcut(QKeySequence("Ctrl+Shift+C"))
        self.close_checks_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.close_checks_action.setToolTip(
            self.tr(
                "Complete, waive or mark not applicable one check for every selected person "
                "(Ctrl+Shift+C); select several with Shift or Ctrl"
            )
        )
        self.close_checks_action.triggered.connect(self.close_checks_for_selected)
        self.addAction(self.close_checks_action)
        self.edit_action = QAction(self.tr("&Open"), self)
        self.edit_action.triggered.connect(self.edit_selected)
        # Under the table with the count, not in the filter row: that row already sets the
        # window's minimum width.
        self.close_checks_button = QPushButton(self.tr("Close a check for selected…"))
        self.close_checks_button.setObjectName("closeChecksButton")
        self.close_checks_button.setToolTip(self.close_checks_action.toolTip())
        self.close_checks_button.clicked.connect(self.close_checks_action.trigger)
        self.close_checks_action.setEnabled(False)  # until somebody is selected
        self.close_checks_button.setEnabled(False)
        filters = QHBoxLayout()
        # Not squeezed below its natural width by the controls beside it (they wrap first).
        self.search.setMinimumWidth(self.search.sizeHint().width())
        filters.addWidget(self.search, 1, Qt.AlignmentFlag.AlignTop)  # by the first line
        # Drop-downs and buttons in one flow: on one line where the window allows (a 1280-pixel
        # screen), wrapping onto another only when narrower; in a plain row they held the window
        # at 1190 pixels or more, and as two flows side by side both wrapped early.
        controls = FlowLayout()
        for widget in (
            self.department,
            self.onboarding_filter,
            self.show_left,
            self.new_button,
            self.rules_button,
            self.access_button,
            self.anonymise_button,
        ):
            controls.addWidget(widget)
        filters.addLayout(controls, 10)

        # -- the register --
        self.model = RegisterRowsTableModel(self.spec, KEYS, self)
        self.proxy = SourceSortedProxy(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SortRole)
        self.table = QTableView()
        self.table.setObjectName("staffTable")
        self.table.setAccessibleName(self.tr("Staff"))
        self.table.setHorizontalHeader(RegisterHeader(Qt.Orientation.Horizontal, self.table))
        self.table.horizontalHeader().setSectionsClickable(True)
        self.table.setItemDelegate(BadgeDelegate(self.table))
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # Several people at once for "Close a check for selected…"; the checklist follows the
        # current row (the one last clicked or moved to).
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        for number, key in enumerate(KEYS):
            self.table.setColumnWidth(number, max(56, self.spec.column(key).width * 7))
        # Most names fit in 135 pixels (the tooltip has the rest); what it saves goes to the
        # department, which was cut after "Computer Scien" at 1280 pixels.
        self.table.setColumnWidth(KEYS.index("full_name"), 135)
        self.table.setColumnWidth(KEYS.index("open_checks"), 86)

        # -- the checklist panel --
        self.person_label = QLabel(self.tr("Select a person to see their checklist."))
        self.person_label.setObjectName("personLabel")
        self.person_label.setWordWrap(True)
        self.person_label.setTextFormat(Qt.TextFormat.PlainText)
        self.checklist_model = ChecklistTableModel(self)
        self.checklist = QTableView()
        self.checklist.setObjectName("checklistTable")
        self.checklist.setAccessibleName(self.tr("Onboarding checklist"))
        self.checklist.setModel(self.checklist_model)
        self.checklist.setItemDelegate(BadgeDelegate(self.checklist))
        self.checklist.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.checklist.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.checklist.verticalHeader().hide()
        checklist_header = self.checklist.horizontalHeader()
        # Dates and status fit their contents; who closed it gets about nine characters (a long
        # login is cut, the tooltip has it); the check and the evidence share the rest and wrap
        # onto more lines rather than end in "Sensitive facility br…" (a person has a handful of
        # checks, so fitting the rows to their text costs nothing).
        for column in range(6):
            mode = QHeaderView.ResizeMode.ResizeToContents
            if column in (0, 5):
                mode = QHeaderView.ResizeMode.Stretch
            elif column == 3:
                mode = QHeaderView.ResizeMode.Interactive
            checklist_header.setSectionResizeMode(column, mode)
        checklist_header.resizeSection(
            3, self.checklist.fontMetrics().horizontalAdvance("giulia.sch") + 12
        )
        self.checklist.setWordWrap(True)
        self.checklist.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.note = QLineEdit()
        self.note.setObjectName("checkNote")
        self.note.setPlaceholderText(self.tr("Evidence, or the reason for a waiver"))
        self.on_date = QDateEdit()
        self.on_date.setObjectName("checkDate")
        self.on_date.setCalendarPopup(True)
        self.on_date.setDisplayFormat("yyyy-MM-dd")
        self.on_date.setDate(QDate.currentDate())
        self.on_date.setMaximumDate(QDate.currentDate())
        self.complete_button = QPushButton(self.tr("Complete"))
        self.complete_button.setObjectName("completeCheck")
        self.waive_button = QPushButton(self.tr("Waive…"))
        self.waive_button.setObjectName("waiveCheck")
        self.waive_button.setToolTip(self.tr("Waive the check; the note above is the reason"))
        self.not_applicable_button = QPushButton(self.tr("Not applicable"))
        self.not_applicable_button.setObjectName("notApplicableCheck")
        self.reopen_button = QPushButton(self.tr("Reopen"))
        self.reopen_button.setObjectName("reopenCheck")
        buttons = QHBoxLayout()
        for button in (
            self.complete_button,
            self.waive_button,
            self.not_applicable_button,
            self.reopen_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch()
        form = QFormLayout()
        form.addRow(self.tr("Note"), self.note)
        form.addRow(self.tr("Date"), self.on_date)
        self.training_label = QLabel()
        self.training_statuses: list[Any] = []
        self.training_label.setObjectName("personTraining")
        self.training_label.setWordWrap(True)
        self.training_label.setTextFormat(Qt.TextFormat.RichText)
        panel = QWidget()
        panel_layout = QVBoxLayout(panel)
        panel_layout.setContentsMargins(6, 0, 0, 0)
        title = QLabel(self.tr("<b>Onboarding checklist</b>"))
        panel_layout.addWidget(title)
        panel_layout.addWidget(self.person_label)
        panel_layout.addWidget(self.checklist, 1)
        panel_layout.addLayout(form)
        panel_layout.addLayout(buttons)
        panel_layout.addWidget(QLabel(self.tr("<b>Training</b>")))
        panel_layout.addWidget(self.training_label)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("staffSplitter")
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(panel)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        # A little more for the register than the checklist (whose check and note wrap): at
        # 1280 pixels the department column showed "Compute" of "Computer Science".
        self.splitter.setSizes([665, 595])
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.splitter, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.close_checks_button)
        bottom.addWidget(self.count_label, 1)
        layout.addLayout(bottom)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)
        self._search_timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(self._search_timer.start)
        self.department.currentIndexChanged.connect(self.refresh)
        self.onboarding_filter.currentIndexChanged.connect(self.refresh)
        self.show_left.toggled.connect(self.refresh)
        self.stale_rows = StaleRows(self.table)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.table.selectionModel().currentRowChanged.connect(self._on_selection)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._show_row_menu)
        self.checklist.selectionModel().selectionChanged.connect(self._update_buttons)
        self.complete_button.clicked.connect(self.complete_selected)
        self.waive_button.clicked.connect(self.waive_selected)
        self.not_applicable_button.clicked.connect(self.not_applicable_selected)
        self.reopen_button.clicked.connect(self.reopen_selected)
        self.anonymise_button.clicked.connect(self.anonymise_former_staff)
        self.access_button.clicked.connect(self.subject_access_export)
        self.rules_button.clicked.connect(self.open_rules)
        self.new_button.clicked.connect(self.new_record)
        self.table.doubleClicked.connect(self.edit_selected)
        self._update_buttons()
        self._load_departments()
        self.refresh()

    # -- loading ------------------------------------------------------------------------------

    def _load_departments(self) -> None:
        filt = next(f for f in self.spec.filters if f.key == "department")
        assert filt.choices is not None
        choices = filt.choices

        def done(items: list[tuple[Any, str]]) -> None:
            for value, label in items:
                self.department.addItem(label, value)

        self.context.ops.query(lambda session: list(choices(session)), done)

    def current_query(self) -> RegisterQuery:
        filters: dict[str, Any] = {}
        if self.department.currentData() is not None:
            filters["department"] = self.department.currentData()
        if self.onboarding_filter.currentData() is not None:
            filters["onboarding"] = self.onboarding_filter.currentData()
        show_left = self.show_left.isChecked()
        if not show_left:
            # People past their end date are hidden too, not only archived records.
            filters["employment"] = "current"
        header = self.table.horizontalHeader()
        section = header.sortIndicatorSection()
        sort_key = KEYS[section] if 0 <= section < len(KEYS) else None
        return RegisterQuery(
            text=self.search.text().strip(),
            filters=filters,
            sort_key=sort_key,
            descending=header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder,
            include_archived=show_left,
        )

    def refresh(self) -> None:
        query = self.current_query()
        spec = self.spec
        self._loading += 1
        # The rows shown are the old query's until the new ones arrive (a dashboard drill-down
        # showed all 3,887 people under "Overdue checks" for a second): say so.
        self.count_label.setText(self.tr("Loading…"))
        self.stale_rows.start()

        def work(session: Session) -> tuple[int, list[tuple[Any, ...]]]:
            total = registers.count(session, spec, query)
            return total, registers.fetch(session, spec, query, limit=MAX_ROWS, keys=KEYS)

        self.context.ops.query(work, self._on_rows)
        self._load_checklist()

    def _on_rows(self, value: tuple[int, list[tuple[Any, ...]]]) -> None:
        self._loading -= 1
        total, rows = value
        if not self._loading:  # else a newer query is on its way: the rows stay dimmed
            self.stale_rows.stop()
        keep = self.staff_id
        also = [i for i in self.selected_staff_ids() if i != keep]
        self.model.set_rows(rows)
        shown = len(rows)
        text = self.tr("%n people", "", total)
        if shown < total:
            text += self.tr(" (first %1 shown; refine the filters)").replace("%1", f"{shown:,}")
        self.count_label.setText(text)
        if keep is not None:
            # The people selected before stay selected, so that a bulk close shows its result.
            if self.select_staff(keep):
                self._add_to_selection(also)
        elif rows:
            # Like a mail program: show the first person's checklist rather than an empty panel.
            self.table.selectRow(0)

    def select_staff(self, staff_id: int) -> bool:
        row = self.model.row_of(staff_id)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        # Through the selection model: the table's selectRow reads the keyboard's modifiers in
        # extended selection, so with Ctrl held it would take the person out of the selection.
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        self.table.selectionModel().setCurrentIndex(index, flags)
        self.table.scrollTo(index)
        return True

    def _add_to_selection(self, staff_ids: list[int]) -> None:
        selection = self.table.selectionModel()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for staff_id in staff_ids:
            row = self.model.row_of(staff_id)
            if row >= 0:
                selection.select(self.proxy.mapFromSource(self.model.index(row, 0)), flags)

    def selected_staff_ids(self) -> list[int]:
        """The people selected in the table, top to bottom as shown."""
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [
            self.model.row_id(self.proxy.mapToSource(self.proxy.index(row, 0)).row())
            for row in rows
        ]

    def select_staff_ids(self, staff_ids: list[int]) -> None:
        """Select these people (the first becomes the current row, whose checklist shows)."""
        if staff_ids and self.select_staff(staff_ids[0]):
            self._add_to_selection(staff_ids[1:])

    @Slot(QItemSelection, QItemSelection)
    def _on_selection(self, *_: Any) -> None:
        """The checklist follows the current row while it is selected, else the first selected."""
        selection = self.table.selectionModel()
        rows = selection.selectedRows()
        current = selection.currentIndex()
        if current.isValid() and selection.isRowSelected(current.row()):
            row: int | None = current.row()
        else:
            row = min((index.row() for index in rows), default=None)
        staff_id = (
            None
            if row is None
            else self.model.row_id(self.proxy.mapToSource(self.proxy.index(row, 0)).row())
        )
        self.close_checks_action.setEnabled(bool(rows))
        self.close_checks_button.setEnabled(bool(rows))
        if staff_id != self.staff_id:
            self.staff_id = staff_id
            self._load_checklist()

    def _load_checklist(self) -> None:
        staff_id = self.staff_id
        self.access_button.setEnabled(staff_id is not None)
        if staff_id is None:
            self.checklist_model.set_items([])
            self.person_label.setText(self.tr("Select a person to see their checklist."))
            self.training_statuses = []
            self.training_label.setText("")
            self._update_buttons()
            return

        def work(session: Session) -> tuple[Any, ...]:
            from rsdesk.services import staff as staff_service

            person = staff_service.get(session, staff_id)
            items = onboarding.checklist(session, staff_id)
            statuses = []
            if not person.archived:
                statuses = [s for s in training.person_status(session, staff_id) if s.required]
            return person, items, statuses

        self.context.ops.query(work, self._on_checklist)

    def _on_checklist(self, value: tuple[Any, ...]) -> None:
        person, items, statuses = value
        if person.id != self.staff_id:
            return
        selected = self._selected_check()
        role = enum_label(person.role_category)
        sensitivity = [
            text
            for flag, text in (
                (person.technology_area_code, self.tr("critical technology")),
                (person.dual_use_code, self.tr("dual-use")),
                (person.sensitive_facility_access, self.tr("sensitive facility access")),
            )
            if flag
        ]
        line = f"{person.full_name} ({person.staff_number}) — {role}"
        if sensitivity:
            line += " — " + ", ".join(sensitivity)
        self.person_label.setText(line)
        self.checklist_model.set_items(items)
        if selected is not None:
            for row in range(len(items)):
                if items[row].id == selected:
                    self.checklist.selectRow(row)
        self.training_statuses = list(statuses)
        self._fill_training_strip()
        self._update_buttons()

    def _fill_training_strip(self) -> None:
        """One badge per required course, in the matrix's colours for the current palette."""
        from rsdesk.services.training import STATUS_LABELS

        parts = [
            f'<span style="{badge_css(status.status.value)}">&nbsp;'
            f"{_escape(status.course.name)}: {STATUS_LABELS[status.status]}&nbsp;</span>"
            for status in self.training_statuses
        ]
        self.training_label.setText(" ".join(parts) or self.tr("No required courses."))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self.staff_id is not None:
            self._fill_training_strip()

    # -- actions ------------------------------------------------------------------------------

    def _selected_check(self) -> int | None:
        rows = self.checklist.selectionModel().selectedRows()
        return self.checklist_model.item(rows[0].row()).id if rows else None

    @Slot()
    def _update_buttons(self, *_: Any) -> None:
        selected = self._selected_check() is not None
        for button in (
            self.complete_button,
            self.waive_button,
            self.not_applicable_button,
            self.reopen_button,
        ):
            button.setEnabled(selected)

    def _act(self, action: str) -> None:
        check_id = self._selected_check()
        if check_id is None:
            return
        note = self.note.text()
        on = self.on_date.date().toPython()
        assert isinstance(on, dt.date)

        def work(session: Session) -> Any:
            if action == "complete":
                return onboarding.complete(session, check_id, on=on, evidence=note)
            if action == "waive":
                return onboarding.waive(session, check_id, note, on=on)
            if action == "not_applicable":
                return onboarding.mark_not_applicable(session, check_id, on=on, note=note)
            return onboarding.reopen(session, check_id)

        def done(_: Any) -> None:
            self.note.clear()
            self.context.signals.status_message.emit(self.tr("Checklist updated."))

        self.context.ops.write(work, done)

    @Slot()
    def complete_selected(self) -> None:
        self._act("complete")

    @Slot()
    def waive_selected(self) -> None:
        self._act("waive")

    @Slot()
    def not_applicable_selected(self) -> None:
        self._act("not_applicable")

    @Slot()
    def reopen_selected(self) -> None:
        self._act("reopen")

    def row_menu(self) -> QMenu:
        """The table's context menu: open the person, or close a check for everyone selected."""
        menu = QMenu(self)
        menu.addAction(self.edit_action)
        menu.addAction(self.close_checks_action)
        return menu

    @Slot(QPoint)
    def _show_row_menu(self, position: QPoint) -> None:
        index = self.table.indexAt(position)
        if index.isValid() and not self.table.selectionModel().isRowSelected(index.row()):
            self.table.selectRow(index.row())  # a click outside the selection starts a new one
        self.row_menu().exec(self.table.viewport().mapToGlobal(position))

    @Slot()
    def close_checks_for_selected(self) -> None:
        """Open the dialog for the selected people once their checks are counted."""
        staff_ids = self.selected_staff_ids()
        if not staff_ids:
            self.context.signals.status_message.emit(self.tr("Select the people first."))
            return
        self.context.ops.query(
            lambda session: onboarding.plan_close_checks(session, staff_ids),
            self._open_close_checks,
        )

    def _open_close_checks(self, plan: onboarding.ClosePlan) -> None:
        from rsdesk.ui.dialogs.close_checks_dialog import CloseChecksDialog

        if not plan.choices:
            self.context.signals.status_message.emit(
                self.tr("None of the selected people has an onboarding check to close.")
            )
            return
        self.close_checks_dialog = CloseChecksDialog(self.context, plan, self)
        self.close_checks_dialog.saved.connect(self._on_checks_closed)
        self.close_checks_dialog.open()

    def _on_checks_closed(self, result: onboarding.CloseChecksResult) -> None:
        from rsdesk.ui.dialogs.close_checks_dialog import counted

        parts = [counted(result.closed, self.tr("%1 check closed"), self.tr("%1 checks closed"))]
        for count, one, many in (
            (result.already_closed, self.tr("%1 already closed"), self.tr("%1 already closed")),
            (
                result.without_check,
                self.tr("%1 person without this check"),
                self.tr("%1 people without this check"),
            ),
            (
                result.former_staff,
                self.tr("%1 person who has left skipped"),
                self.tr("%1 people who have left skipped"),
            ),
        ):
            if count:
                parts.append(counted(count, one, many))
        self.context.signals.status_message.emit("; ".join(parts) + ".")

    @Slot()
    def anonymise_former_staff(self) -> None:
        def found(value: tuple[int, list[privacy.Leaver]]) -> None:
            months, leavers = value
            if not leavers:
                QMessageBox.information(
                    self,
                    self.tr("Anonymise former staff"),
                    self.tr(
                        "Nobody left more than %1 months ago who is still identifiable."
                    ).replace("%1", str(months)),
                )
                return
            answer = QMessageBox.question(
                self,
                self.tr("Anonymise former staff"),
                self.tr(
                    "%1 people left more than %2 months ago. Replace their name, e-mail and "
                    "staff number by a pseudonym, also in the audit log's history? Statistics "
                    "are kept. This cannot be undone."
                )
                .replace("%1", str(len(leavers)))
                .replace("%2", str(months)),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
            db = self.context.db

            def job(progress: Any, cancel: Any) -> privacy.AnonymiseResult:
                with db.unit_of_work() as session:
                    return privacy.anonymise_due(session, progress=progress, cancel=cancel)

            self.context.ops.job(
                self.tr("Anonymising former staff"),
                job,
                lambda result: self.context.signals.status_message.emit(
                    self.tr("%1 former staff anonymised.").replace("%1", str(result.people))
                ),
                touches=frozenset({"staff_member", "advice_request"}),
            )

        self.context.ops.query(
            lambda s: (privacy.retention_months(s), privacy.due_for_anonymisation(s)), found
        )

    def new_record(self) -> Any:
        from rsdesk.ui.dialogs.staff_dialog import StaffDialog

        self.staff_dialog = StaffDialog(self.context, None, self)
        self.staff_dialog.saved.connect(self._on_staff_saved)
        self.staff_dialog.open()
        return self.staff_dialog

    @Slot()
    def edit_selected(self, *_: Any) -> None:
        staff_id = self.staff_id
        if staff_id is None:
            return
        from rsdesk.services import staff as staff_service

        self.context.ops.query(lambda s: staff_service.get(s, staff_id), self._open_editor)

    def _open_editor(self, person: Any) -> None:
        from rsdesk.ui.dialogs.staff_dialog import StaffDialog

        self.staff_dialog = StaffDialog(self.context, person, self)
        self.staff_dialog.saved.connect(self._on_staff_saved)
        self.staff_dialog.open()

    def _on_staff_saved(self, change: Any) -> None:
        self.staff_id = change.staff.id

    @Slot()
    def open_rules(self) -> Any:
        from rsdesk.ui.dialogs.people_rules_dialog import PeopleRulesDialog

        self.rules_dialog = PeopleRulesDialog(self.context, self)
        self.rules_dialog.open()
        return self.rules_dialog

    @Slot()
    def subject_access_export(self) -> None:
        staff_id = self.staff_id
        if staff_id is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Subject-access export"),
            str(Path.home() / f"subject-access-{staff_id}.xlsx"),
            self.tr("Excel workbook (*.xlsx)"),
        )
        if path:
            self.export_subject_access(staff_id, Path(path))

    def export_subject_access(self, staff_id: int, path: Path) -> None:
        self.context.ops.query(
            lambda s: privacy.subject_access_export(s, staff_id, path),
            lambda out: self.context.signals.status_message.emit(
                self.tr("Written %1").replace("%1", str(out))
            ),
        )

    # -- View hooks ---------------------------------------------------------------------------

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def apply_filters(self, filters: dict[str, Any]) -> None:
        value = filters.get("onboarding")
        index = self.onboarding_filter.findData(value)
        self.onboarding_filter.setCurrentIndex(max(0, index))

    def export_current(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Export staff"),
            str(Path.home() / "staff.xlsx"),
            self.tr("Excel workbook (*.xlsx)"),
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, out: Path) -> int:
        """Export the people the view lists (its search, filters and sort) to ``out`` in a
        background job; returns the task id."""
        from rsdesk.ui.views.register_view import XLSX_EXPORT_MODULE

        if self._search_timer.isActive():  # typed but not applied yet: show what is exported
            self._search_timer.stop()
            self.refresh()
        exporter = importlib.import_module(XLSX_EXPORT_MODULE).export_register
        db, query = self.context.db, self.current_query()

        def work(progress: Any, cancel: Any) -> Path:
            with db.read() as session:
                exporter(
                    session, "staff", out, query, actor=db.actor, progress=progress, cancel=cancel
                )
            return out

        return self.context.ops.job(
            self.tr("Exporting staff…"),
            work,
            lambda written: self.context.signals.status_message.emit(
                self.tr("Written %1").replace("%1", str(written))
            ),
        )

    def save_state(self) -> None:
        self.context.settings.set_value("staff/splitter", self.splitter.saveState())


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
