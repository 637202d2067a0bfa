"""The advice requests log: who asked the desk what, the advice given, opened and closed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from rsdesk.services import advice
from rsdesk.services.advice import AdviceInfo, AdviceInput
from rsdesk.services.errors import KnownError
from rsdesk.ui.context import AppContext
from rsdesk.ui.views.register_view import RegisterView


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())


class AdviceDialog(QDialog):
    """Log a request, or record the advice given and close it."""

    saved = Signal(object)
    loaded = Signal()

    def __init__(
        self, context: AppContext, request_id: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.request_id = request_id
        self._current: AdviceInfo | None = None
        self.setObjectName("AdviceDialog")
        self.setWindowTitle(self.tr("Advice request"))
        self.setMinimumWidth(560)
        today = dt.date.today()
        self.asked_edit = QDateEdit(_qdate(today))
        self.asked_edit.setCalendarPopup(True)
        self.asked_edit.setDisplayFormat("yyyy-MM-dd")
        self.asked_edit.setMaximumDate(_qdate(today))
        self.requester_edit = QLineEdit()
        self.requester_edit.setObjectName("requester")
        self.question_edit = QPlainTextEdit()
        self.question_edit.setObjectName("question")
        self.question_edit.setTabChangesFocus(True)
        self.question_edit.setPlaceholderText(
            self.tr("e.g. May I host a visiting researcher from this institute?")
        )
        self.advice_edit = QPlainTextEdit()
        self.advice_edit.setObjectName("advice")
        self.advice_edit.setTabChangesFocus(True)
        self.closed_box = QCheckBox(self.tr("Answered and closed on"))
        self.closed_edit = QDateEdit(_qdate(today))
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
        form.addRow(self.tr("Asked on:"), self.asked_edit)
        form.addRow(self.tr("Asked by:"), self.requester_edit)
        form.addRow(self.tr("Question:"), self.question_edit)
        form.addRow(self.tr("Advice given:"), self.advice_edit)
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
        if request_id is not None:
            self.context.ops.query(lambda s: advice.get(s, request_id), self._on_loaded)

    @Slot(object)
    def _on_loaded(self, info: AdviceInfo) -> None:
        self._current = info
        self.asked_edit.setDate(_qdate(info.asked_on))
        self.requester_edit.setText(info.requester_name)
        self.question_edit.setPlainText(info.question)
        self.advice_edit.setPlainText(info.advice or "")
        self.closed_box.setChecked(info.closed_on is not None)
        if info.closed_on:
            self.closed_edit.setDate(_qdate(info.closed_on))
        self.loaded.emit()

    def data(self) -> AdviceInput:
        current = self._current
        return AdviceInput(
            asked_on=_pydate(self.asked_edit.date()),
            requester_name=self.requester_edit.text(),
            question=self.question_edit.toPlainText(),
            requester_staff_id=current.requester_staff_id if current else None,
            department_id=current.department_id if current else None,
            partner_id=current.partner_id if current else None,
            collaboration_id=current.collaboration_id if current else None,
            advice=self.advice_edit.toPlainText(),
            closed_on=_pydate(self.closed_edit.date()) if self.closed_box.isChecked() else None,
        )

    @Slot()
    def save(self) -> None:
        data = self.data()
        request_id = self.request_id
        seen_version = self._current.row_version if self._current is not None else None

        def work(session: Session) -> AdviceInfo:
            if request_id is None:
                return advice.log_request(session, data)
            return advice.update_request(session, request_id, data, seen_version=seen_version)

        self.buttons.setEnabled(False)
        self.context.ops.write(work, self._on_saved, self._on_error)

    @Slot(object)
    def _on_saved(self, info: AdviceInfo) -> None:
        self.buttons.setEnabled(True)
        self.request_id = info.id
        self.saved.emit(info)
        self.accept()

    @Slot(object)
    def _on_error(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        if not isinstance(error, KnownError):
            raise error
        self.error.setText(str(error))
        self.error.show()


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
