"""The advice requests log: who asked the desk what, the advice given, opened and closed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from rsdesk.services import advice
from rsdesk.services.advice import AdviceInfo, AdviceInput
from rsdesk.ui.context import AppContext
from rsdesk.ui.views.register_view import RegisterView
from rsdesk.ui.widgets.form import UnsavedChanges, may_close
from rsdesk.ui.widgets.write_dialog import WriteDialog


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())


class AdviceDialog(WriteDialog):
    """Log a request, or record the advice given and close it.

    Who asked can be picked from the staff list (which files the request under their department,
    so the register's department filter finds it) or typed for someone outside it; partner and
    collaboration are optional. Closing with unsaved changes asks first.
    """

    loaded = Signal()

    def __init__(
        self, context: AppContext, request_id: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.request_id = request_id
        self._current: AdviceInfo | None = None
        self._collaboration_id: int | None = None
        self._requester_departments: dict[int, int | None] = {}
        self.setObjectName("AdviceDialog")
        self.setWindowTitle(self.tr("Advice request"))
        self.setMinimumWidth(560)
        today = dt.date.today()
        self.asked_edit = QDateEdit(_qdate(today))
        self.asked_edit.setObjectName("askedOn")
        self.asked_edit.setCalendarPopup(True)
        self.asked_edit.setDisplayFormat("yyyy-MM-dd")
        self.asked_edit.setMaximumDate(_qdate(today))
        self.staff_combo = _searchable_combo(self.tr("(not on the staff list)"))
        self.staff_combo.setObjectName("requesterStaff")
        self.staff_combo.setToolTip(
            self.tr("Pick who asked from the staff list; their department is filled in")
        )
        self.staff_combo.currentIndexChanged.connect(self._on_staff_chosen)
        self.requester_edit = QLineEdit()
        self.requester_edit.setObjectName("requester")
        self.requester_edit.setPlaceholderText(self.tr("Name, if not on the staff list"))
        self.department_combo = QComboBox()
        self.department_combo.setObjectName("adviceDepartment")
        self.department_combo.addItem(self.tr("(no department)"), None)
        self.partner_combo = _searchable_combo(self.tr("(no partner)"))
        self.partner_combo.setObjectName("advicePartner")
        self.collaboration_label = QLabel(self.tr("(none)"))
        self.collaboration_label.setObjectName("adviceCollaboration")
        self.collaboration_label.setWordWrap(True)
        self.choose_collaboration = QPushButton(self.tr("Choose…"))
        self.choose_collaboration.setObjectName("chooseCollaboration")
        self.choose_collaboration.setAccessibleName(self.tr("Choose the collaboration"))
        self.choose_collaboration.clicked.connect(self._choose_collaboration)
        self.clear_collaboration = QPushButton(self.tr("Cl&ear"))
        self.clear_collaboration.setObjectName("clearCollaboration")
        self.clear_collaboration.setAccessibleName(self.tr("No collaboration"))
        self.clear_collaboration.clicked.connect(lambda: self.set_collaboration(None, ""))
        self.clear_collaboration.setEnabled(False)
        collaboration_row = QHBoxLayout()
        collaboration_row.addWidget(self.collaboration_label, 1)
        collaboration_row.addWidget(self.choose_collaboration)
        collaboration_row.addWidget(self.clear_collaboration)
        self.question_edit = QPlainTextEdit()
        self.question_edit.setObjectName("question")
        self.question_edit.setTabChangesFocus(True)
        self.question_edit.setPlaceholderText(
            self.tr("e.g. May I host a visiting researcher from this institute?")
        )
        self.advice_edit = QPlainTextEdit()
        self.advice_edit.setObjectName("advice")
        self.advice_edit.setTabChangesFocus(True)
        self.closed_box = QCheckBox(self.tr("Answered and &closed on"))
        self.closed_box.setObjectName("adviceClosed")
        self.closed_edit = QDateEdit(_qdate(today))
        self.closed_edit.setObjectName("closedOn")
        self.closed_edit.setAccessibleName(self.tr("Closed on"))
        self.closed_edit.setCalendarPopup(True)
        self.closed_edit.setDisplayFormat("yyyy-MM-dd")
        self.closed_edit.setMaximumDate(_qdate(today))
        self.closed_edit.setEnabled(False)
        self.closed_box.toggled.connect(self.closed_edit.setEnabled)
        self.error = QLabel()
        self.error.setObjectName("adviceError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c62828; font-weight: bold;")
        self.error.hide()
        form = QFormLayout()
        form.addRow(self.tr("Asked o&n:"), self.asked_edit)
        form.addRow(self.tr("&Requester:"), self.staff_combo)
        form.addRow(self.tr("Asked &by:"), self.requester_edit)
        form.addRow(self.tr("&Department:"), self.department_combo)
        form.addRow(self.tr("&Partner:"), self.partner_combo)
        collaboration_caption = QLabel(self.tr("Co&llaboration:"))
        collaboration_caption.setBuddy(self.choose_collaboration)
        form.addRow(collaboration_caption, collaboration_row)
        form.addRow(self.tr("&Question:"), self.question_edit)
        form.addRow(self.tr("Advice &given:"), self.advice_edit)
        form.addRow(self.closed_box, self.closed_edit)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.unsaved = UnsavedChanges(self)
        self.context.ops.query(self._load, self._on_loaded)

    def _load(self, session: Session) -> tuple[advice.EditorChoices, AdviceInfo | None]:
        current = advice.get(session, self.request_id) if self.request_id is not None else None
        collaboration = current.collaboration_id if current is not None else None
        return advice.editor_choices(session, collaboration), current

    @Slot(object)
    def _on_loaded(self, loaded: tuple[advice.EditorChoices, AdviceInfo | None]) -> None:
        choices, info = loaded
        self.staff_combo.blockSignals(True)
        for person in choices.requesters:
            self.staff_combo.addItem(person.name, person.id)
            self._requester_departments[person.id] = person.department_id
        for department_id, name in choices.departments:
            self.department_combo.addItem(name, department_id)
        for partner_id, name in choices.partners:
            self.partner_combo.addItem(name, partner_id)
        self._current = info
        if info is not None:
            self.asked_edit.setDate(_qdate(info.asked_on))
            _choose(self.staff_combo, info.requester_staff_id, info.requester_name)
            self.requester_edit.setText(info.requester_name)
            _choose(self.department_combo, info.department_id, self.tr("(archived department)"))
            _choose(self.partner_combo, info.partner_id, self.tr("(archived partner)"))
            self.set_collaboration(info.collaboration_id, choices.collaboration)
            self.question_edit.setPlainText(info.question)
            self.advice_edit.setPlainText(info.advice or "")
            self.closed_box.setChecked(info.closed_on is not None)
            if info.closed_on:
                self.closed_edit.setDate(_qdate(info.closed_on))
        self.staff_combo.blockSignals(False)
        self.unsaved.mark_clean()
        self.loaded.emit()

    @Slot(int)
    def _on_staff_chosen(self, _index: int) -> None:
        """A requester from the staff list brings their name and department."""
        staff_id = self.staff_combo.currentData()
        if staff_id is None:
            return
        self.requester_edit.setText(self.staff_combo.currentText())
        department = self._requester_departments.get(int(staff_id))
        if department is not None:
            _choose(self.department_combo, department, str(department))

    def set_collaboration(self, collaboration_id: int | None, label: str) -> None:
        self._collaboration_id = collaboration_id
        self.collaboration_label.setText(label if collaboration_id else self.tr("(none)"))
        self.clear_collaboration.setEnabled(collaboration_id is not None)

    @Slot()
    def _choose_collaboration(self) -> None:
        from rsdesk.ui.wizard.pages.picker import CollaborationPickerDialog

        picker = CollaborationPickerDialog(self.context, self)
        picker.setWindowTitle(self.tr("Collaboration the request is about"))
        picker.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Choose"))
        if picker.new_button is not None:
            picker.new_button.hide()
        self.picker = picker
        picker.accepted.connect(self._on_collaboration_picked)
        picker.finished.connect(picker.deleteLater)
        picker.open()

    @Slot()
    def _on_collaboration_picked(self) -> None:
        picker = self.picker
        item = picker.results.currentItem()
        if item is not None:
            self.set_collaboration(picker.selected_id(), item.text())

    def data(self) -> AdviceInput:
        return AdviceInput(
            asked_on=_pydate(self.asked_edit.date()),
            requester_name=self.requester_edit.text(),
            question=self.question_edit.toPlainText(),
            requester_staff_id=self.staff_combo.currentData(),
            department_id=self.department_combo.currentData(),
            partner_id=self.partner_combo.currentData(),
            collaboration_id=self._collaboration_id,
            advice=self.advice_edit.toPlainText(),
            closed_on=_pydate(self.closed_edit.date()) if self.closed_box.isChecked() else None,
        )

    @Slot()
    def save(self) -> None:
        data = self.data()
        request_id = self.request_id
        # The version this form was loaded from: a save made meanwhile elsewhere is not undone.
        seen_version = self._current.row_version if self._current is not None else None

        def work(session: Session) -> AdviceInfo:
            if request_id is None:
                return advice.log_request(session, data)
            return advice.update_request(session, request_id, data, seen_version=seen_version)

        self.buttons.setEnabled(False)
        self.context.ops.write(work, self._on_saved, self._on_error)

    def reject(self) -> None:
        """Escape, Cancel or the close button: ask before typed changes are lost."""
        if may_close(self, self.unsaved.dirty(), self.save):
            super().reject()

    @Slot(object)
    def _on_saved(self, result: object) -> None:
        assert isinstance(result, AdviceInfo)
        self.request_id = result.id
        self._current = result
        self.unsaved.mark_clean()
        super()._on_saved(result)


def _searchable_combo(none_text: str) -> QComboBox:
    """A drop-down with a "none" entry that also finds an entry from any part of its name."""
    combo = QComboBox()
    combo.addItem(none_text, None)
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    completer = QCompleter(combo.model(), combo)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    combo.setCompleter(completer)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(24)
    return combo


def _choose(combo: QComboBox, value: int | None, missing_label: str) -> None:
    """Select ``value``; one no longer offered (archived, left) is added under ``missing_label``."""
    if value is not None and combo.findData(value) < 0:
        combo.addItem(missing_label, value)
    combo.setCurrentIndex(max(0, combo.findData(value)))


class AdviceView(RegisterView):
    register_name = "advice"
    watches = frozenset({"advice_request"})

    def _open(self, request_id: int | None) -> Any:
        dialog = AdviceDialog(self.context, request_id, self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self.editor = dialog
        return dialog

    def open_record(self, record_id: int) -> None:
        self._open(record_id)

    def new_record(self) -> None:
        self._open(None)
