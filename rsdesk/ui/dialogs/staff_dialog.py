"""Add or edit a staff member. Saving goes through ``services.staff`` (validation, checklist from
the rules, new checks on a change of role or research sensitivity); a validation error is shown
next to the form and marks the field at fault.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from rsdesk.models.enums import RoleCategory
from rsdesk.services import reference
from rsdesk.services import staff as staff_service
from rsdesk.services.errors import KnownError, ValidationError
from rsdesk.services.registers.labels import enum_label
from rsdesk.services.staff import StaffChange, StaffInfo, StaffInput
from rsdesk.ui.context import AppContext
from rsdesk.ui.widgets.form import UnsavedChanges, may_close


class _OptionalDate(QWidget):
    """A date with an on/off box: start and end dates may be unknown."""

    def __init__(self, label: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.enabled = QCheckBox(label)
        self.edit = QDateEdit()
        # Screen readers say which date this is; the row's mnemonic lands on the box.
        self.enabled.setAccessibleName(f"{name}: {label}")
        self.edit.setAccessibleName(name)
        self.setFocusProxy(self.enabled)
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("yyyy-MM-dd")
        self.edit.setDate(QDate.currentDate())
        self.edit.setEnabled(False)
        self.enabled.toggled.connect(self.edit.setEnabled)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.enabled)
        layout.addWidget(self.edit, 1)

    def value(self) -> dt.date | None:
        if not self.enabled.isChecked():
            return None
        day = self.edit.date().toPython()
        assert isinstance(day, dt.date)
        return day

    def set_value(self, day: dt.date | None) -> None:
        self.enabled.setChecked(day is not None)
        if day is not None:
            self.edit.setDate(QDate(day.year, day.month, day.day))


class StaffDialog(QDialog):
    """``staff`` None: a new person; else edits that person."""

    saved = Signal(object)  # StaffChange

    def __init__(
        self, context: AppContext, staff: StaffInfo | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.staff = staff
        self.setObjectName("StaffDialog")
        self.setWindowTitle(self.tr("New staff member") if staff is None else staff.full_name)
        self.resize(520, 0)
        self.staff_number = QLineEdit()
        self.full_name = QLineEdit()
        self.email = QLineEdit()
        self.department = QComboBox()
        self.department.addItem(self.tr("(none)"), None)
        self.role = QComboBox()
        for role in RoleCategory:
            self.role.addItem(enum_label(role), role.value)
        self.research_area = QLineEdit()
        self.technology = QComboBox()
        self.technology.addItem(self.tr("(none)"), None)
        self.dual_use = QComboBox()
        self.dual_use.addItem(self.tr("(none)"), None)
        self.facility = QCheckBox(self.tr("Has access to sensitive labs or facilities"))
        self.start_date = _OptionalDate(self.tr("known"), self.tr("Start date"))
        self.end_date = _OptionalDate(self.tr("has left or will leave"), self.tr("End date"))
        self.fields: dict[str, QWidget] = {
            "staff_number": self.staff_number,
            "full_name": self.full_name,
            "email": self.email,
            "department_id": self.department,
            "role_category": self.role,
            "research_area": self.research_area,
            "technology_area_code": self.technology,
            "dual_use_code": self.dual_use,
            "start_date": self.start_date,
            "end_date": self.end_date,
        }
        form = QFormLayout()
        form.addRow(self.tr("Staff &number:"), self.staff_number)
        form.addRow(self.tr("Na&me:"), self.full_name)
        form.addRow(self.tr("E-ma&il:"), self.email)
        form.addRow(self.tr("&Department:"), self.department)
        form.addRow(self.tr("&Role:"), self.role)
        form.addRow(self.tr("Research &area:"), self.research_area)
        form.addRow(self.tr("Critical &technology area:"), self.technology)
        form.addRow(self.tr("Dual-&use category:"), self.dual_use)
        form.addRow("", self.facility)
        form.addRow(self.tr("&Start date:"), self.start_date)
        form.addRow(self.tr("&End date:"), self.end_date)
        note = QLabel(
            self.tr(
                "Onboarding checks and required training follow from the role and the research "
                "sensitivity. Nothing about nationality or origin is recorded."
            )
        )
        note.setWordWrap(True)
        self.error_label = QLabel()
        self.error_label.setObjectName("staffError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #9C0006")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.loaded = False
        self.unsaved = UnsavedChanges(self)
        context.ops.query(self._choices, self._on_choices)

    @staticmethod
    def _choices(session: Session) -> tuple[Any, Any, Any]:
        return (
            reference.departments(session),
            reference.technology_areas(session),
            reference.dual_use_categories(session),
        )

    def _on_choices(self, value: tuple[Any, Any, Any]) -> None:
        departments, areas, categories = value
        for choice in departments:
            self.department.addItem(choice.label, choice.value)
        for area in areas:
            self.technology.addItem(area.name + (" *" if area.most_sensitive else ""), area.code)
        for choice in categories:
            self.dual_use.addItem(f"{choice.value} {choice.label}", choice.value)
        if self.staff is not None:
            self._fill(self.staff)
        self.unsaved.mark_clean()
        self.loaded = True

    def reject(self) -> None:
        """Escape, Cancel or the close button: ask before typed changes are lost."""
        if may_close(self, self.unsaved.dirty(), self.accept):
            super().reject()

    def _fill(self, staff: StaffInfo) -> None:
        self.staff_number.setText(staff.staff_number)
        self.full_name.setText(staff.full_name)
        self.email.setText(staff.email or "")
        self.department.setCurrentIndex(max(0, self.department.findData(staff.department_id)))
        self.role.setCurrentIndex(max(0, self.role.findData(staff.role_category.value)))
        self.research_area.setText(staff.research_area or "")
        self.technology.setCurrentIndex(
            max(0, self.technology.findData(staff.technology_area_code))
        )
        self.dual_use.setCurrentIndex(max(0, self.dual_use.findData(staff.dual_use_code)))
        self.facility.setChecked(staff.sensitive_facility_access)
        self.start_date.set_value(staff.start_date)
        self.end_date.set_value(staff.end_date)

    def data(self) -> StaffInput:
        return StaffInput(
            staff_number=self.staff_number.text(),
            full_name=self.full_name.text(),
            role_category=self.role.currentData(),
            email=self.email.text(),
            department_id=self.department.currentData(),
            research_area=self.research_area.text(),
            technology_area_code=self.technology.currentData(),
            dual_use_code=self.dual_use.currentData(),
            sensitive_facility_access=self.facility.isChecked(),
            start_date=self.start_date.value(),
            end_date=self.end_date.value(),
        )

    def accept(self) -> None:
        data = self.data()
        staff_id = self.staff.id if self.staff is not None else None
        # The version this form was loaded from: a save made meanwhile elsewhere is not undone.
        seen_version = self.staff.row_version if self.staff is not None else None

        def work(session: Session) -> StaffChange:
            if staff_id is None:
                return staff_service.create(session, data)
            return staff_service.update(session, staff_id, data, seen_version=seen_version)

        self.error_label.clear()
        for widget in self.fields.values():
            widget.setStyleSheet("")
        self.buttons.setEnabled(False)
        self.context.ops.write(work, self._on_saved, self._on_failed)

    def _on_saved(self, change: StaffChange) -> None:
        self.saved.emit(change)
        if change.checks_added:
            self.context.signals.status_message.emit(
                self.tr("%n onboarding checks added", "", len(change.checks_added))
            )
        super().accept()

    def _on_failed(self, exc: BaseException) -> None:
        from rsdesk.ui.ops import show_error

        self.buttons.setEnabled(True)
        if not isinstance(exc, KnownError):
            show_error(self, exc)
            return
        self.error_label.setText(str(exc))
        field = exc.field if isinstance(exc, ValidationError) else None
        widget = self.fields.get(field or "")
        if widget is not None:
            widget.setStyleSheet("border: 1px solid #9C0006")
            widget.setFocus()
