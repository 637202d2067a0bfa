"""Recording progress on a mitigation measure: status, owner, due date, evidence."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from rsdesk.models.enums import MeasureStatus
from rsdesk.services import measures as service
from rsdesk.services import reference
from rsdesk.services.errors import ValidationError
from rsdesk.services.measures import MeasureDetail, MeasureUpdate
from rsdesk.ui.context import AppContext
from rsdesk.ui.itemmodels.register_table_model import enum_label
from rsdesk.ui.ops import show_error
from rsdesk.ui.widgets import form
from rsdesk.ui.widgets.date_edit import OptionalDateEdit
from rsdesk.ui.widgets.form import FieldError


class MeasureDialog(QDialog):
    loaded = Signal()
    saved = Signal(object)

    def __init__(self, context: AppContext, measure_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.measure_id = measure_id
        self._seen_version: int | None = None
        self._initial: MeasureUpdate | None = None
        self.setObjectName("MeasureDialog")
        self.setWindowTitle(self.tr("Mitigation measure"))
        self.setMinimumWidth(560)
        self.errors: dict[str, FieldError] = {}
        self.fields: dict[str, QWidget] = {}
        self.collaboration_label = QLabel()
        self.collaboration_label.setWordWrap(True)
        self.description_label = QLabel()
        self.description_label.setWordWrap(True)
        self.status_combo = QComboBox()
        for status in MeasureStatus:
            self.status_combo.addItem(enum_label(status), status.value)
        self.owner_combo = QComboBox()
        self.due_edit = OptionalDateEdit()
        self.completed_edit = OptionalDateEdit()
        self.evidence_edit = QPlainTextEdit()
        self.evidence_edit.setTabChangesFocus(True)
        self.evidence_edit.setPlaceholderText(self.tr("What shows the measure is in place"))
        layout = QFormLayout()
        layout.addRow(self.tr("Collaboration:"), self.collaboration_label)
        layout.addRow(self.tr("Measure:"), self.description_label)
        for key, label, widget in (
            ("status", self.tr("&Status:"), self.status_combo),
            ("owner_staff_id", self.tr("&Owner:"), self.owner_combo),
            ("due_date", self.tr("&Due:"), self.due_edit),
            ("completed_on", self.tr("&Completed on:"), self.completed_edit),
            ("evidence", self.tr("&Evidence:"), self.evidence_edit),
        ):
            widget.setAccessibleName(label.replace("&", "").rstrip(":"))
            error = FieldError()
            holder = QWidget()
            box = QVBoxLayout(holder)
            box.setContentsMargins(0, 0, 0, 0)
            box.addWidget(widget)
            box.addWidget(error)
            caption = QLabel(label)
            caption.setBuddy(widget)
            layout.addRow(caption, holder)
            self.errors[key] = error
            self.fields[key] = widget
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        main = QVBoxLayout(self)
        main.addLayout(layout)
        main.addWidget(self.buttons)
        self.setEnabled(False)

        def work(session: Session) -> tuple[MeasureDetail, list[reference.StaffChoice]]:
            return service.load(session, measure_id), reference.staff(session, limit=5000)

        context.ops.query(work, self._on_loaded)

    def _on_loaded(self, data: tuple[MeasureDetail, list[reference.StaffChoice]]) -> None:
        detail, staff = data
        self._seen_version = detail.row_version
        self.collaboration_label.setText(
            f"{detail.collaboration_reference} — {detail.collaboration_title}"
        )
        self.description_label.setText(detail.description)
        self.owner_combo.addItem(self.tr("None"), None)
        for person in staff:
            self.owner_combo.addItem(person.label, person.id)
        if (
            detail.owner_staff_id is not None
            and self.owner_combo.findData(detail.owner_staff_id) < 0
        ):
            self.owner_combo.addItem(
                detail.owner or str(detail.owner_staff_id), detail.owner_staff_id
            )
        self.owner_combo.setCurrentIndex(max(self.owner_combo.findData(detail.owner_staff_id), 0))
        self.status_combo.setCurrentIndex(max(self.status_combo.findData(detail.status), 0))
        self.due_edit.set_value(detail.due_date)
        self.completed_edit.set_value(detail.completed_on)
        self.evidence_edit.setPlainText(detail.evidence or "")
        self._initial = self.form_input()
        self.setEnabled(True)
        self.status_combo.setFocus()
        self.loaded.emit()

    def form_input(self) -> MeasureUpdate:
        return MeasureUpdate(
            status=self.status_combo.currentData(),
            owner_staff_id=self.owner_combo.currentData(),
            due_date=self.due_edit.value(),
            evidence=self.evidence_edit.toPlainText() or None,
            completed_on=self.completed_edit.value(),
        )

    @Slot()
    def save(self) -> None:
        data, measure_id = self.form_input(), self.measure_id
        # The version this form was loaded from: a save made meanwhile elsewhere is not undone.
        seen_version = self._seen_version
        for label in self.errors.values():
            label.clear_error()
        self.context.ops.write(
            lambda s: service.update(s, measure_id, data, seen_version=seen_version),
            self._on_saved,
            self._on_failed,
        )

    def _on_saved(self, detail: MeasureDetail) -> None:
        self._initial = self.form_input()
        self.saved.emit(detail)
        self.accept()

    def _on_failed(self, error: BaseException) -> None:
        if isinstance(error, ValidationError) and error.field in self.errors:
            self.errors[error.field].show_error(str(error))
            self.fields[error.field].setFocus()
        else:
            show_error(self, error)

    def reject(self) -> None:
        if self.isEnabled() and self.form_input() != self._initial:
            answer = form.ask_discard_changes(self)
            if answer == QMessageBox.StandardButton.Cancel:
                return
            if answer == QMessageBox.StandardButton.Save:
                self.save()
                return
        super().reject()
