"""Decision: approve / approve with conditions / reject / escalate, measures, who signs and when."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QCompleter,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWizardPage,
)

from rsdesk.models.enums import AppraisalDecision
from rsdesk.services.appraisal.workflow import (
    CONDITIONS_REQUIRED,
    MeasurePlan,
    SignOff,
    add_months,
    earliest_sign_off,
)
from rsdesk.ui.wizard.pages.common import LEVEL_NAMES

if TYPE_CHECKING:
    from rsdesk.ui.wizard.appraisal import AppraisalWizard

CODE_ROLE = Qt.ItemDataRole.UserRole + 1
#: Each with its Alt key; the page's keys differ from each other and from the wizard's buttons
#: (Alt+B back, Alt+N next), checked in tests/ui/test_keyboard.py.
DECISIONS = (
    (AppraisalDecision.APPROVE, "A&pprove"),
    (AppraisalDecision.APPROVE_WITH_CONDITIONS, "Approve with &conditions (the measures below)"),
    (AppraisalDecision.REJECT, "Re&ject"),
    (AppraisalDecision.ESCALATE, "&Escalate to the research-security committee"),
)


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())


class DecisionPage(QWizardPage):
    COLUMN_MEASURE, COLUMN_OWNER, COLUMN_DUE = range(3)

    def __init__(self, wizard: AppraisalWizard) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.setObjectName("decisionPage")
        self.setTitle(self.tr("Decision"))
        self.setSubTitle(
            self.tr(
                "Record the decision, the measures agreed with their owners, and who signs off."
            )
        )
        self.setFinalPage(True)
        self._filled_codes: tuple[str, ...] | None = None

        self.level_label = QLabel()
        self.level_label.setObjectName("decisionLevel")
        self.level_label.setWordWrap(True)

        self.decisions = QButtonGroup(self)
        decision_box = QVBoxLayout()
        self.decision_buttons: dict[AppraisalDecision, QRadioButton] = {}
        for index, (decision, label) in enumerate(DECISIONS):
            button = QRadioButton(self.tr(label))
            button.setObjectName(f"decision:{decision.value}")
            self.decisions.addButton(button, index)
            self.decision_buttons[decision] = button
            decision_box.addWidget(button)

        self.note = QPlainTextEdit()
        self.note.setObjectName("decisionNote")
        self.note.setAccessibleName(self.tr("Decision note"))
        self.note.setPlaceholderText(
            self.tr("Reasons, conditions, advice (required to reject or escalate)")
        )
        self.note.setMaximumHeight(60)

        self.measures = QTableWidget(0, 3)
        self.measures.setObjectName("measuresTable")
        self.measures.setAccessibleName(self.tr("Mitigation measures"))
        self.measures.setHorizontalHeaderLabels(
            [self.tr("Measure (tick to agree)"), self.tr("Owner"), self.tr("Due")]
        )
        header = self.measures.horizontalHeader()
        header.setSectionResizeMode(self.COLUMN_MEASURE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(self.COLUMN_OWNER, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.COLUMN_DUE, QHeaderView.ResizeMode.ResizeToContents)
        self.measures.verticalHeader().setVisible(False)
        self.measures.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.measures.setWordWrap(True)
        self.add_measure_button = QPushButton(self.tr("&Add another measure"))
        self.add_measure_button.setObjectName("addMeasure")
        self.add_measure_button.clicked.connect(self._on_add_measure)

        self.signer = QLineEdit(wizard.state.actor)
        self.signer.setObjectName("signer")
        self.role = QLineEdit()
        self.role.setObjectName("signerRole")
        self.date = QDateEdit(_qdate(dt.date.today()))
        self.date.setObjectName("signedOn")
        self.date.setAccessibleName(self.tr("Sign-off date"))
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setMaximumDate(_qdate(dt.date.today()))
        # A draft cannot be dated before it was started (the service refuses it too); the
        # earliest date is said next to the field, where a refused date is explained.
        earliest = min(earliest_sign_off(wizard.appraisal.created_at), dt.date.today())
        self.date.setMinimumDate(_qdate(earliest))
        self.date.setMaximumWidth(180)
        self.date.dateChanged.connect(self._update_review)
        self.date_note = QLabel(
            self.tr("not before %s, when the draft was started") % earliest
            if wizard.appraisal.saved
            else self.tr("not before %s: a new draft starts when it is saved or signed off")
            % earliest
        )
        self.date_note.setObjectName("signedOnNote")
        self.date_note.setWordWrap(True)
        date_row = QHBoxLayout()
        date_row.addWidget(self.date)
        date_row.addWidget(self.date_note, 1)
        self.review_label = QLabel()
        self.review_label.setObjectName("nextReview")
        self.error = QLabel()
        self.error.setObjectName("decisionError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c62828; font-weight: bold;")
        self.error.hide()

        form = QFormLayout()
        form.addRow(self.tr("&Signed off by"), self.signer)
        form.addRow(self.tr("&Role"), self.role)
        date_label = QLabel(self.tr("Da&te"))
        date_label.setBuddy(self.date)
        form.addRow(date_label, date_row)
        form.addRow(self.tr("Next review"), self.review_label)
        measures_label = QLabel(self.tr("&Mitigation measures"))
        measures_label.setBuddy(self.measures)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.add_measure_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.level_label)
        layout.addLayout(decision_box)
        layout.addWidget(self.note)
        layout.addWidget(measures_label)
        layout.addWidget(self.measures, 1)
        layout.addLayout(buttons)
        layout.addLayout(form)
        layout.addWidget(self.error)

    # -- filling ------------------------------------------------------------------------------

    def initializePage(self) -> None:
        result = self.wizard_.live_result
        level = self.wizard_.model.level(result.level)
        sign_off = self.wizard_.state.sign_off_by.get(result.level, level.sign_off)
        self.level_label.setText(
            self.tr("<b>%s</b> risk (score %d). %s Sign-off by: %s.")
            % (
                LEVEL_NAMES.get(result.level, result.level),
                result.total,
                level.consequence,
                sign_off,
            )
        )
        if not self.role.text():
            self.role.setPlaceholderText(sign_off)
        # Only the roles and people allowed for the level are offered (#12); the service refuses
        # any other once the office has saved its responsibilities.
        roles, people = self.wizard_.state.signers.get(result.level, ((), ()))
        self.role.setCompleter(QCompleter(list(roles), self.role))
        self.signer.setCompleter(QCompleter(list(people), self.signer))
        if roles or people:
            self.role.setPlaceholderText("; ".join([*roles, *people]))
            self.role.setToolTip(self.tr("May sign off: %s") % "; ".join([*roles, *people]))
        # Plain approval is not an outcome at High and above (conditions, escalation or
        # rejection are); the service refuses it, the page does not offer it.
        approve = self.decision_buttons[AppraisalDecision.APPROVE]
        conditions_required = result.level in CONDITIONS_REQUIRED
        approve.setEnabled(not conditions_required)
        approve.setToolTip(
            self.tr("%s risk: approve with conditions, escalate or reject")
            % LEVEL_NAMES.get(result.level, result.level)
            if conditions_required
            else ""
        )
        if conditions_required and approve.isChecked():
            self.decisions.setExclusive(False)
            approve.setChecked(False)
            self.decisions.setExclusive(True)
        if self.decisions.checkedButton() is None:
            default = {
                "low": AppraisalDecision.APPROVE,
                "medium": AppraisalDecision.APPROVE_WITH_CONDITIONS,
                "high": AppraisalDecision.APPROVE_WITH_CONDITIONS,
                "very_high": AppraisalDecision.ESCALATE,
            }[result.level]
            self.decision_buttons[default].setChecked(True)
        codes = tuple(m.code for m in result.measures)
        if codes != self._filled_codes:
            self._fill_measures()
            self._filled_codes = codes
        self._update_review()
        self.error.hide()

    def _fill_measures(self) -> None:
        custom = [r for r in range(self.measures.rowCount()) if self._code(r) is None]
        kept = [(self._item(r).text(), self._item(r).checkState()) for r in custom]
        self.measures.setRowCount(0)
        for measure in self.wizard_.live_result.measures:
            self._add_row(measure.text, measure.code, checked=False)
        for text, state in kept:
            self._add_row(text, None, checked=state == Qt.CheckState.Checked)
        self.measures.resizeRowsToContents()

    def _add_row(self, text: str, code: str | None, *, checked: bool) -> int:
        row = self.measures.rowCount()
        self.measures.insertRow(row)
        item = QTableWidgetItem(text)
        flags = (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsUserCheckable
            | Qt.ItemFlag.ItemIsSelectable
        )
        if code is None:
            flags |= Qt.ItemFlag.ItemIsEditable
        item.setFlags(flags)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        item.setData(CODE_ROLE, code)
        self.measures.setItem(row, self.COLUMN_MEASURE, item)
        owner = QComboBox()
        owner.setObjectName(f"owner:{row}")
        owner.setAccessibleName(self.tr("Owner of measure %d") % (row + 1))
        owner.addItem(self.tr("(no owner yet)"), None)
        for staff_id, name in self.wizard_.state.staff:
            owner.addItem(name, staff_id)
        self.measures.setCellWidget(row, self.COLUMN_OWNER, owner)
        due = QDateEdit(_qdate(dt.date.today() + dt.timedelta(days=30)))
        due.setObjectName(f"due:{row}")
        due.setAccessibleName(self.tr("Due date of measure %d") % (row + 1))
        due.setCalendarPopup(True)
        due.setDisplayFormat("yyyy-MM-dd")
        self.measures.setCellWidget(row, self.COLUMN_DUE, due)
        return row

    def _item(self, row: int) -> QTableWidgetItem:
        item = self.measures.item(row, self.COLUMN_MEASURE)
        assert item is not None
        return item

    def _code(self, row: int) -> str | None:
        code = self._item(row).data(CODE_ROLE)
        return str(code) if code else None

    @Slot()
    def _on_add_measure(self) -> None:
        row = self._add_row(self.tr("Describe the measure"), None, checked=True)
        self.measures.setCurrentCell(row, 0)
        self.measures.editItem(self._item(row))

    @Slot()
    def _update_review(self) -> None:
        result = self.wizard_.live_result
        signed_on = _pydate(self.date.date())
        review = add_months(signed_on, result.review_months)
        self.review_label.setText(
            self.tr("%s (%d months for %s risk; none if a proposal is rejected)")
            % (
                review.isoformat(),
                result.review_months,
                LEVEL_NAMES.get(result.level, result.level),
            )
        )

    # -- reading ------------------------------------------------------------------------------

    def check_measure(
        self, code: str, owner_staff_id: int | None = None, due: dt.date | None = None
    ) -> None:
        """Tick a suggested measure and set its owner and due date (as a user would)."""
        for row in range(self.measures.rowCount()):
            if self._code(row) == code:
                self._item(row).setCheckState(Qt.CheckState.Checked)
                owner: QComboBox = self.measures.cellWidget(row, self.COLUMN_OWNER)  # type: ignore[assignment]
                if owner_staff_id is not None:
                    owner.setCurrentIndex(owner.findData(owner_staff_id))
                if due is not None:
                    editor: QDateEdit = self.measures.cellWidget(row, self.COLUMN_DUE)  # type: ignore[assignment]
                    editor.setDate(_qdate(due))
                return
        raise KeyError(code)

    def chosen_measures(self) -> tuple[MeasurePlan, ...]:
        plans = []
        for row in range(self.measures.rowCount()):
            item = self._item(row)
            if item.checkState() != Qt.CheckState.Checked:
                continue
            owner: QComboBox = self.measures.cellWidget(row, self.COLUMN_OWNER)  # type: ignore[assignment]
            due: QDateEdit = self.measures.cellWidget(row, self.COLUMN_DUE)  # type: ignore[assignment]
            code = self._code(row)
            plans.append(
                MeasurePlan(
                    description=item.text(),
                    code=code,
                    owner_staff_id=owner.currentData(),
                    due_date=_pydate(due.date()),
                )
            )
        return tuple(plans)

    def decision(self) -> SignOff:
        checked = self.decisions.checkedId()
        choice = DECISIONS[checked][0] if checked >= 0 else ""
        return SignOff(
            decision=choice,
            signed_by=self.signer.text(),
            role=self.role.text(),
            signed_on=_pydate(self.date.date()),
            note=self.note.toPlainText(),
            measures=self.chosen_measures(),
        )

    def show_error(self, message: str, field: str | None = None) -> None:
        self.error.setText(message)
        self.error.show()
        if field == "signed_on":
            self.date_note.setText(message)
            self.date_note.setStyleSheet("color: #c62828; font-weight: bold;")

    def validatePage(self) -> bool:
        # Sign-off runs in the background; the wizard closes itself when it succeeds.
        if self.wizard_.signed:
            return True
        self.error.hide()
        self.wizard_.sign_off(self.decision())
        return False
