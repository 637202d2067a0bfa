"""Close one onboarding check for the people selected in Staff & onboarding (after a group
briefing, or when moving off a spreadsheet): the check, complete / waive / not applicable, a date
and a note. The write is one service call (``onboarding.close_checks``): all or nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, Slot
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from rsdesk.services import onboarding
from rsdesk.services.errors import KnownError, ValidationError
from rsdesk.ui.context import AppContext
from rsdesk.ui.widgets.form import FieldError, UnsavedChanges, may_close
from rsdesk.ui.widgets.write_dialog import WriteDialog


def counted(count: int, one: str, many: str) -> str:
    """``one`` or ``many`` with ``%1`` as the count: no translator is loaded, so Qt's ``%n``
    would read "1 people"."""
    return (one if count == 1 else many).replace("%1", f"{count:,}")


class CloseChecksDialog(WriteDialog):
    """Pick a check the selected people have; Save closes it for each of them who has it open.

    ``saved`` carries the service's ``CloseChecksResult`` (what was closed and left alone).
    """

    def __init__(
        self, context: AppContext, plan: onboarding.ClosePlan, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.plan = plan
        self.setObjectName("CloseChecksDialog")
        self.setWindowTitle(self.tr("Close a check for the selected people"))
        self.setMinimumWidth(520)

        self.people_label = QLabel(self._people_text())
        self.people_label.setObjectName("closeChecksPeople")
        self.people_label.setWordWrap(True)
        self.check_combo = QComboBox()
        self.check_combo.setObjectName("closeCheckCode")
        for choice in plan.choices:
            self.check_combo.addItem(
                self.tr("%1 (%2 open)").replace("%1", choice.title).replace("%2", str(choice.open)),
                choice.code,
            )
        if plan.choices:
            # The check most of them still have open: usually the one just briefed.
            busiest = max(range(len(plan.choices)), key=lambda row: plan.choices[row].open)
            self.check_combo.setCurrentIndex(busiest)
        self.action_combo = QComboBox()
        self.action_combo.setObjectName("closeCheckAction")
        for action, label in (
            ("complete", self.tr("Complete")),
            ("waive", self.tr("Waive (the note is the reason)")),
            ("not_applicable", self.tr("Not applicable")),
        ):
            self.action_combo.addItem(label, action)
        self.on_date = QDateEdit()
        self.on_date.setObjectName("closeCheckDate")
        self.on_date.setCalendarPopup(True)
        self.on_date.setDisplayFormat("yyyy-MM-dd")
        self.on_date.setDate(QDate.currentDate())
        # No maximum on the widget: with one, Qt ignored the keys of a future year without a
        # word and the date seemed to snap back. A future date is shown and refused instead.
        self.date_hint = QLabel(self.tr("No later than today"))
        self.date_hint.setObjectName("closeCheckDateHint")
        self.date_hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.date_error = FieldError()
        self.date_error.setObjectName("closeCheckDateError")
        self.note = QLineEdit()
        self.note.setObjectName("closeCheckNote")
        self.note_error = FieldError()
        self.summary = QLabel()
        self.summary.setObjectName("closeChecksSummary")
        self.summary.setWordWrap(True)
        self.error = FieldError()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow(self.tr("C&heck:"), self.check_combo)
        form.addRow(self.tr("&Action:"), self.action_combo)
        date_label = QLabel(self.tr("&Date:"))
        date_label.setBuddy(self.on_date)
        date_row = QHBoxLayout()
        date_row.addWidget(self.on_date, 1)
        date_row.addWidget(self.date_hint)
        form.addRow(date_label, date_row)
        form.addRow("", self.date_error)
        form.addRow(self.tr("&Note:"), self.note)
        form.addRow("", self.note_error)
        layout = QVBoxLayout(self)
        layout.addWidget(self.people_label)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.error)
        layout.addStretch()
        layout.addWidget(self.buttons)

        self.check_combo.currentIndexChanged.connect(self._update)
        self.action_combo.currentIndexChanged.connect(self._update)
        self.on_date.dateChanged.connect(self._update)
        self.note.textChanged.connect(self.note_error.clear_error)
        self._update()
        self.unsaved = UnsavedChanges(self)
        self.unsaved.mark_clean()

    def _people_text(self) -> str:
        text = counted(
            len(self.plan.staff_ids), self.tr("%1 person selected"), self.tr("%1 people selected")
        )
        if self.plan.former_staff:
            text += counted(
                self.plan.former_staff,
                self.tr("; %1 of them has left (or is archived) and will be skipped"),
                self.tr("; %1 of them have left (or are archived) and will be skipped"),
            )
        return text + "."

    # -- the form -----------------------------------------------------------------------------

    def set_check(self, code: str) -> None:
        self.check_combo.setCurrentIndex(self.check_combo.findData(code))

    def set_action(self, action: str) -> None:
        self.action_combo.setCurrentIndex(self.action_combo.findData(action))

    @Slot()
    def _update(self, *_: Any) -> None:
        """The summary of what Save will do; Save only when there is an open check to close."""
        waiving = self.action_combo.currentData() == "waive"
        if not waiving:
            self.note_error.clear_error()  # "A waiver needs a reason" no longer applies
        self.note.setPlaceholderText(
            self.tr("Why the check is waived (required)")
            if waiving
            else self.tr("Evidence, e.g. the briefing's date and attendance list")
        )
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        date_ok = self._show_date_problem()
        code = self.check_combo.currentData()
        if code is None:
            self.summary.setText(self.tr("None of the selected people has a check to close."))
            save.setEnabled(False)
            return
        outcome = self.plan.outcome(str(code))
        parts = [
            counted(
                outcome.closed, self.tr("Closes %1 open check"), self.tr("Closes %1 open checks")
            )
        ]
        if outcome.already_closed:
            parts.append(self.tr("%1 already closed").replace("%1", str(outcome.already_closed)))
        if outcome.without_check:
            parts.append(
                counted(
                    outcome.without_check,
                    self.tr("%1 person does not have this check"),
                    self.tr("%1 people do not have this check"),
                )
            )
        # People who have left are named once, in the line above the form.
        self.summary.setText("; ".join(parts) + ".")
        save.setEnabled(outcome.closed > 0 and date_ok)

    def _show_date_problem(self) -> bool:
        """Whether the date may be saved; a future one is named under the field."""
        today = QDate.currentDate()
        chosen = self.on_date.date()
        if chosen <= today:
            self.date_error.clear_error()
            return True
        self.date_error.show_error(
            self.tr("%1 is later than today; choose today or an earlier day.").replace(
                "%1", chosen.toString("yyyy-MM-dd")
            )
        )
        return False

    def reject(self) -> None:
        """Escape, Cancel or the close button: ask before a chosen check and note are lost."""
        if may_close(self, self.unsaved.dirty(), self.save):
            super().reject()

    # -- saving -------------------------------------------------------------------------------

    @Slot()
    def save(self) -> None:
        code = self.check_combo.currentData()
        if code is None or not self._show_date_problem():
            return
        staff_ids = list(self.plan.staff_ids)
        check_code, action = str(code), str(self.action_combo.currentData())
        on = self.on_date.date().toPython()
        assert isinstance(on, dt.date)
        note = self.note.text()
        self.note_error.clear_error()
        self.error.clear_error()
        self.buttons.setEnabled(False)

        def work(session: Session) -> onboarding.CloseChecksResult:
            return onboarding.close_checks(session, staff_ids, check_code, action, on=on, note=note)

        self.context.ops.write(work, self._on_saved, self._on_error)

    def _show_error(self, error: KnownError) -> None:
        """A missing reason goes under the note; anything else under the form."""
        if isinstance(error, ValidationError) and error.field == "waiver_reason":
            self.note_error.show_error(str(error))
            self.note.setFocus()
        else:
            self.error.show_error(str(error))
