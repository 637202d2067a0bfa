"""Training: the matrix of people x required courses coloured by status, filterable by department,
with compliance per department underneath and bulk recording of completions.

The matrix comes from one service call (``training.matrix``: one aggregate query for the latest
expiry per person and course, one for the people) on the operation runner.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QSortFilterProxyModel, Qt, QTimer, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from rsdesk.services import reference, training
from rsdesk.services.training import STATUS_LABELS, TrainingMatrix, TrainingStatus
from rsdesk.ui.context import AppContext
from rsdesk.ui.itemmodels.people_table_models import (
    ComplianceTableModel,
    SortRole,
    TrainingMatrixTableModel,
)
from rsdesk.ui.views.base import View
from rsdesk.ui.widgets.badges import badge_css
from rsdesk.ui.widgets.filter_combo import FilterCombo


class TrainingView(View):
    watches = frozenset({"training_record", "training_course", "staff_member", "department"})

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.dialog: Any = None
        self.loaded = 0

        self.department = FilterCombo()
        self.department.setObjectName("trainingDepartment")
        self.department.setAccessibleName(self.tr("Department"))
        self.department.addItem(self.tr("All departments"), None)
        self.search = QLineEdit()
        self.search.setObjectName("trainingSearch")
        self.search.setAccessibleName(self.tr("Search people"))
        self.search.setPlaceholderText(self.tr("Search name or staff number…"))
        self.search.setClearButtonEnabled(True)
        self.record_button = QPushButton(self.tr("Record completions…"))
        self.record_button.setObjectName("recordCompletions")
        self.export_button = QPushButton(self.tr("Export matrix…"))
        top = QHBoxLayout()
        top.addWidget(self.search, 2)
        top.addWidget(self.department)
        self.legend: dict[TrainingStatus, QLabel] = {}
        for status, label in STATUS_LABELS.items():
            chip = QLabel(f" {self.tr(label)} ")
            chip.setObjectName(f"trainingLegend_{status.value}")
            self.legend[status] = chip
            top.addWidget(chip)
        self._style_legend()
        top.addStretch()
        top.addWidget(self.record_button)
        top.addWidget(self.export_button)

        self.model = TrainingMatrixTableModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SortRole)
        self.table = QTableView()
        self.table.setObjectName("trainingMatrix")
        self.table.setAccessibleName(self.tr("Training matrix"))
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.horizontalHeader().setDefaultSectionSize(118)
        self.table.horizontalHeader().setMinimumSectionSize(60)

        self.compliance_model = ComplianceTableModel(self)
        compliance_proxy = QSortFilterProxyModel(self)
        compliance_proxy.setSourceModel(self.compliance_model)
        compliance_proxy.setSortRole(SortRole)
        self.compliance = QTableView()
        self.compliance.setObjectName("trainingCompliance")
        self.compliance.setAccessibleName(self.tr("Compliance per department"))
        self.compliance.setModel(compliance_proxy)
        self.compliance.setSortingEnabled(True)
        self.compliance.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.compliance.verticalHeader().hide()
        self.compliance.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.summary = QLabel()
        self.summary.setObjectName("trainingSummary")

        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(QLabel(self.tr("<b>Compliance per department</b>")))
        lower_layout.addWidget(self.compliance)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("trainingSplitter")
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(lower)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.summary)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)
        self._search_timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(self._search_timer.start)
        self.department.currentIndexChanged.connect(self.refresh)
        self.record_button.clicked.connect(self.open_completion_dialog)
        self.export_button.clicked.connect(self.export_current)
        self.context.ops.query(reference.departments, self._on_departments)
        # Opening the database put the catalogue's courses in (rsdesk/db/session.py).
        self.refresh()

    def _style_legend(self) -> None:
        """Legend chips in the matrix's badge colours, mixed from the current palette."""
        for status, chip in self.legend.items():
            chip.setStyleSheet(f"{badge_css(status.value)} border-radius:3px; padding:2px;")

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._style_legend()
            self.table.viewport().update()

    def _on_departments(self, items: list[reference.Choice]) -> None:
        for choice in items:
            self.department.addItem(choice.label, choice.value)

    def refresh(self) -> None:
        department_id = self.department.currentData()
        search = self.search.text().strip()

        def work(session: Session) -> tuple[TrainingMatrix, list[Any]]:
            grid = training.matrix(session, department_id, search=search)
            compliance = training.compliance_by_department(
                session, grid.today, department_id, grid=grid
            )
            return grid, compliance

        self.context.ops.query(work, self._on_loaded)

    def _on_loaded(self, value: tuple[TrainingMatrix, list[Any]]) -> None:
        grid, compliance = value
        self.model.set_matrix(grid)
        self.compliance_model.set_items(compliance)
        self.table.setColumnWidth(0, 190)
        self.table.setColumnWidth(1, 170)
        counts = grid.counts()
        parts = [f"{STATUS_LABELS[s]}: {n:,}" for s, n in counts.items()]
        self.summary.setText(self.tr("%n people", "", len(grid.rows)) + " — " + ", ".join(parts))
        self.loaded += 1

    @Slot()
    def open_completion_dialog(self) -> Any:
        from rsdesk.ui.dialogs.training_dialog import TrainingCompletionDialog

        if self.model.matrix is None:
            return None
        self.dialog = TrainingCompletionDialog(self.context, self.model.matrix, self)
        # Pre-select the people picked in the matrix, and the course of the current column.
        rows = {self.proxy.mapToSource(i).row() for i in self.table.selectionModel().selectedRows()}
        if rows:
            self.dialog.set_selected([self.model.matrix.rows[r].staff_id for r in rows])
        current = self.proxy.mapToSource(self.table.currentIndex())
        fixed = len(TrainingMatrixTableModel.FIXED)
        if current.isValid() and current.column() >= fixed:
            self.dialog.set_course(self.model.matrix.courses[current.column() - fixed].id)
        self.dialog.open()
        return self.dialog

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def apply_filters(self, filters: dict[str, Any]) -> None:
        if "department" in filters:
            index = self.department.findData(filters["department"])
            self.department.setCurrentIndex(max(0, index))

    def export_current(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Export training matrix"),
            str(Path.home() / "training-matrix.xlsx"),
            self.tr("Excel workbook (*.xlsx)"),
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        from rsdesk.services import people_exports

        # The matrix as shown: the department and search of the view's refresh.
        if self._search_timer.isActive():  # typed but not applied yet: show what is exported
            self._search_timer.stop()
            self.refresh()
        department_id = self.department.currentData()
        search = self.search.text().strip()
        actor = self.context.db.actor
        self.context.ops.query(
            lambda s: people_exports.export_training_matrix(
                s, path, department_id, actor=actor, search=search
            ),
            lambda _: self.context.signals.status_message.emit(
                self.tr("Written %1").replace("%1", str(path))
            ),
        )

    def save_state(self) -> None:
        self.context.settings.set_value("training/splitter", self.splitter.saveState())
