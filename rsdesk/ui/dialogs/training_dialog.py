"""Record one course completed on one date by many people at once (select staff, pick a course and
a date). The write is one service call (``training.record_completions``): all or nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QShowEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from rsdesk.services import training
from rsdesk.services.training import CourseInfo, TrainingMatrix, TrainingStatus
from rsdesk.ui.context import AppContext
from rsdesk.ui.widgets.form import may_close

StaffIdRole = Qt.ItemDataRole.UserRole + 1
#: Name, staff number and department folded for matching (``training.person_search_key``).
SearchKeyRole = Qt.ItemDataRole.UserRole + 2


class PeopleFilterProxy(QSortFilterProxyModel):
    """Shows the people whose name, staff number or department hold every typed word, accents
    and case aside, by the same folding as the registers' search."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self._text = text
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(  # noqa: N802
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        if not self._text.strip():
            return True
        index = self.sourceModel().index(source_row, 0, source_parent)
        return training.key_matches(str(index.data(SearchKeyRole) or ""), self._text)


class TrainingCompletionDialog(QDialog):
    """Select people, a course and a date; OK records every completion in one transaction."""

    #: Emitted after the completions were committed, with the number recorded.
    recorded = Signal(int)

    def __init__(
        self, context: AppContext, matrix: TrainingMatrix, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.matrix = matrix
        self.setObjectName("TrainingCompletionDialog")
        self.setWindowTitle(self.tr("Record training completions"))
        self.resize(520, 560)

        self.course = QComboBox()
        self.course.setObjectName("course")
        for course in matrix.courses:
            self.course.addItem(course.name, course.id)
        self.completed_on = QDateEdit()
        self.completed_on.setObjectName("completedOn")
        self.completed_on.setCalendarPopup(True)
        self.completed_on.setDisplayFormat("yyyy-MM-dd")
        self.completed_on.setDate(QDate.currentDate())
        self.completed_on.setMaximumDate(QDate.currentDate())
        self.certificate = QLineEdit()
        self.certificate.setObjectName("certificate")
        self.certificate.setPlaceholderText(self.tr("Optional, e.g. the LMS session id"))
        self.expiry_label = QLabel()
        self.expiry_label.setObjectName("expiryLabel")

        # A few thousand names with check boxes: a plain list model is enough for a picker.
        self.people = QStandardItemModel(self)
        for row in matrix.rows:
            item = QStandardItem(training.person_label(row))
            item.setData(row.staff_id, StaffIdRole)
            item.setData(training.person_search_key(row), SearchKeyRole)
            item.setCheckable(True)
            item.setEditable(False)
            self.people.appendRow(item)
        self.proxy = PeopleFilterProxy(self)
        self.proxy.setSourceModel(self.people)
        self.filter = QLineEdit()
        self.filter.setObjectName("peopleFilter")
        self.filter.setAccessibleName(self.tr("Filter people"))
        self.filter.setPlaceholderText(self.tr("Filter by name, staff number or department…"))
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.set_text)
        self.list = QListView()
        self.list.setObjectName("people")
        self.list.setAccessibleName(self.tr("People to record the completion for"))
        self.list.setModel(self.proxy)
        self.select_shown = QPushButton(self.tr("Select shown"))
        self.select_none = QPushButton(self.tr("Select none"))
        self.select_due = QPushButton(self.tr("Select those who need it"))
        self.select_due.setToolTip(
            self.tr("Everybody shown for whom the course is required and missing or expired")
        )
        self.selection_label = QLabel()
        self.selection_label.setObjectName("selectionLabel")
        selectors = QHBoxLayout()
        selectors.addWidget(self.select_shown)
        selectors.addWidget(self.select_none)
        selectors.addWidget(self.select_due)
        selectors.addStretch()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Record"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow(self.tr("&Course:"), self.course)
        form.addRow(self.tr("Completed &on:"), self.completed_on)
        form.addRow(self.tr("Ce&rtificate:"), self.certificate)
        form.addRow("", self.expiry_label)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel(self.tr("People")))
        layout.addWidget(self.filter)
        layout.addWidget(self.list, 1)
        layout.addLayout(selectors)
        layout.addWidget(self.selection_label)
        layout.addWidget(self.buttons)

        self.select_shown.clicked.connect(lambda: self._check_shown(True))
        self.select_none.clicked.connect(lambda: self._check_shown(False))
        self.select_due.clicked.connect(self.select_needing)
        self.people.itemChanged.connect(self._update)
        self.course.currentIndexChanged.connect(self._update)
        self.completed_on.dateChanged.connect(self._update)
        self._update()
        #: What the form held when first shown (the caller may preselect a course and people).
        self._clean: tuple[Any, ...] | None = None

    def _form_state(self) -> tuple[Any, ...]:
        """What would be recorded; the people filter is only a way of finding them."""
        return (
            self.course.currentIndex(),
            self.completed_on.date(),
            self.certificate.text(),
            tuple(self.selected_ids()),
        )

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if self._clean is None:
            self._clean = self._form_state()

    def reject(self) -> None:
        """Escape, Cancel or the close button: ask before the chosen people and date are lost."""
        dirty = self._clean is not None and self._form_state() != self._clean
        if may_close(self, dirty, self.accept):
            super().reject()

    # -- selection ----------------------------------------------------------------------------

    def current_course(self) -> CourseInfo:
        course_id = self.course.currentData()
        return next(c for c in self.matrix.courses if c.id == course_id)

    def set_course(self, course_id: int) -> None:
        self.course.setCurrentIndex(self.course.findData(course_id))

    def selected_ids(self) -> list[int]:
        ids = []
        for row in range(self.people.rowCount()):
            item = self.people.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                ids.append(int(item.data(StaffIdRole)))
        return ids

    def set_selected(self, staff_ids: Sequence[int]) -> None:
        wanted = set(staff_ids)
        self.people.blockSignals(True)
        for row in range(self.people.rowCount()):
            item = self.people.item(row)
            checked = int(item.data(StaffIdRole)) in wanted
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.people.blockSignals(False)
        self.people.layoutChanged.emit()
        self._update()

    def _check_shown(self, checked: bool) -> None:
        shown = {
            int(self.proxy.index(row, 0).data(StaffIdRole)) for row in range(self.proxy.rowCount())
        }
        current = set(self.selected_ids())
        self.set_selected(sorted(current | shown if checked else current - shown))

    @Slot()
    def select_needing(self) -> None:
        column = [c.id for c in self.matrix.courses].index(self.course.currentData())
        shown = {
            int(self.proxy.index(row, 0).data(StaffIdRole)) for row in range(self.proxy.rowCount())
        }
        needing = [
            row.staff_id
            for row in self.matrix.rows
            if row.staff_id in shown
            and row.statuses[column] in (TrainingStatus.MISSING, TrainingStatus.EXPIRED)
        ]
        self.set_selected(needing)

    @Slot()
    def _update(self, *_: Any) -> None:
        count = len(self.selected_ids())
        self.selection_label.setText(self.tr("%n selected", "", count))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(count > 0)
        if self.course.count() == 0:
            return
        course = self.current_course()
        day = self.completed_on.date().toPython()
        assert isinstance(day, dt.date)
        expires = training.expiry(day, course.refresh_months)
        self.expiry_label.setText(
            self.tr("Counts until %1").replace("%1", expires.isoformat())
            if expires
            else self.tr("Does not expire")
        )

    # -- recording ----------------------------------------------------------------------------

    def accept(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        course_id = int(self.course.currentData())
        day = self.completed_on.date().toPython()
        assert isinstance(day, dt.date)
        certificate = self.certificate.text()
        self.buttons.setEnabled(False)

        def work(session: Session) -> training.BulkResult:
            result = training.record_completions(session, ids, course_id, day, certificate)
            assert isinstance(result, training.BulkResult)
            return result

        self.context.ops.write(work, self._on_recorded, self._on_failed)

    def _on_recorded(self, result: training.BulkResult) -> None:
        message = self.tr("%n completions recorded", "", result.recorded)
        if result.already_recorded:
            message += self.tr("; %1 were already recorded").replace(
                "%1", str(result.already_recorded)
            )
        self.context.signals.status_message.emit(message)
        self.recorded.emit(result.recorded)
        super().accept()

    def _on_failed(self, exc: BaseException) -> None:
        from rsdesk.ui.ops import show_error

        self.buttons.setEnabled(True)
        show_error(self, exc)
