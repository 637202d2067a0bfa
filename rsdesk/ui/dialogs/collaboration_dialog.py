"""The collaboration editor: details, attachments, appraisals and history on tabs.

Loading and saving run through the operation runner (never on the GUI thread). A rule broken on
save comes back as a ValidationError naming its field; the reason is shown under that field and
the cursor goes there. Closing with unsaved changes asks first; records are archived, never
deleted.
"""

from __future__ import annotations

import dataclasses
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLocale, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from rsdesk.models.enums import CollaborationKind, CollaborationStatus
from rsdesk.services import amounts, attachment_files, audit_history, reference
from rsdesk.services import collaborations as service
from rsdesk.services.collaborations import CollaborationDetail, CollaborationInput
from rsdesk.services.concurrency import ConflictError
from rsdesk.services.errors import ValidationError
from rsdesk.ui.context import AppContext
from rsdesk.ui.itemmodels.register_table_model import enum_label
from rsdesk.ui.ops import show_error
from rsdesk.ui.widgets import form
from rsdesk.ui.widgets.date_edit import OptionalDateEdit
from rsdesk.ui.widgets.form import FieldError
from rsdesk.ui.widgets.partner_picker import PartnerPicker

WIZARD_MODULE = "rsdesk.ui.wizard.appraisal"


@dataclass(frozen=True)
class EditorData:
    """Everything the editor needs, read in one background query."""

    detail: CollaborationDetail | None
    departments: list[reference.Choice]
    staff: list[reference.StaffChoice]
    technology: list[reference.TechnologyChoice]
    dual_use: list[reference.Choice]
    history: list[audit_history.ReadableEntry]


def load_editor_data(session: Session, collaboration_id: int | None) -> EditorData:
    detail = service.load(session, collaboration_id) if collaboration_id is not None else None
    history: list[audit_history.ReadableEntry] = []
    if detail is not None:
        history = audit_history.readable_history(
            session, "collaboration", detail.id, "Collaboration"
        )
        for attachment in detail.attachments:
            history += audit_history.readable_history(
                session, "attachment", attachment.id, f"Attachment {attachment.file_name}"
            )
        for table, linked in (
            ("collaboration_partner", "Partner"),
            ("collaboration_technology", "Technology area"),
        ):
            history += audit_history.link_history(
                session, table, "collaboration_id", detail.id, linked
            )
        history.sort(key=lambda entry: entry.entry_id)
    return EditorData(
        detail,
        reference.departments(session),
        reference.staff(session, limit=5000),
        reference.technology_areas(session),
        reference.dual_use_categories(session),
        history,
    )


class CollaborationDialog(QDialog):
    """Create (``collaboration_id=None``) or edit one collaboration."""

    #: The data arrived and the form is filled (tests wait for this).
    loaded = Signal()
    #: A save succeeded: the stored record.
    saved = Signal(object)
    #: The form took in what an appraisal started from it wrote (tests wait for this).
    appraisal_outcome_taken = Signal()
    #: The attachments list was reloaded.
    attachments_changed = Signal()

    def __init__(
        self,
        context: AppContext,
        collaboration_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.collaboration_id = collaboration_id
        self.detail: CollaborationDetail | None = None
        self._initial: CollaborationInput | None = None
        self._busy = False
        self.setObjectName("CollaborationDialog")
        self.setWindowTitle(
            self.tr("New collaboration") if collaboration_id is None else self.tr("Collaboration")
        )
        self.setMinimumSize(980, 660)
        self.errors: dict[str, FieldError] = {}
        self.fields: dict[str, QWidget] = {}

        self.tabs = QTabWidget()
        self.tabs.setObjectName("tabs")
        self.tabs.addTab(self._build_details(), self.tr("D&etails"))
        self.tabs.addTab(self._build_attachments(), self.tr("Atta&chments"))
        self.tabs.addTab(self._build_appraisals(), self.tr("A&ppraisals"))
        self.tabs.addTab(self._build_history(), self.tr("&History"))

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.archive_button = QPushButton(self.tr("&Archive…"))
        self.archive_button.setObjectName("archiveButton")
        self.buttons.addButton(self.archive_button, QDialogButtonBox.ButtonRole.ResetRole)
        self.archive_button.setVisible(collaboration_id is not None)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.archive_button.clicked.connect(self.toggle_archived)
        self.status_label = QLabel()
        self.status_label.setObjectName("formStatus")

        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status_label, 1)
        bottom.addWidget(self.buttons)
        layout.addLayout(bottom)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.save)
        self.setEnabled(False)
        self.reload()

    # -- building -----------------------------------------------------------------------------

    def _add_row(self, form_layout: QFormLayout, key: str, label: str, widget: QWidget) -> None:
        widget.setObjectName(key)
        widget.setAccessibleName(label.replace("&", ""))
        error = FieldError()
        error.setObjectName(f"error_{key}")
        holder = QWidget()
        box = QVBoxLayout(holder)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(widget)
        box.addWidget(error)
        # Only the lists may grow; other rows keep their height so the form stays compact.
        grows = key in ("technology_codes", "partner_ids")
        holder.setSizePolicy(
            QSizePolicy.Policy.Preferred,
            QSizePolicy.Policy.Expanding if grows else QSizePolicy.Policy.Maximum,
        )
        caption = QLabel(label)
        caption.setBuddy(widget)
        form_layout.addRow(caption, holder)
        self.errors[key] = error
        self.fields[key] = widget

    def _build_details(self) -> QWidget:
        """Two columns of single-line fields on top; the partner picker and the technology areas
        side by side across the whole width below (their names are long, and squeezed into a
        column they were cut off); the description at the bottom."""
        page = QWidget()
        outer = QVBoxLayout(page)
        grid = QHBoxLayout()
        left = QFormLayout()
        right = QFormLayout()
        # Lists get their caption above them, so they can use the full width of their half.
        partners_form = QFormLayout()
        technology_form = QFormLayout()
        bottom = QFormLayout()
        for f in (left, right, partners_form, technology_form, bottom):
            f.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for f in (partners_form, technology_form):
            f.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.reference_label = QLabel(self.tr("assigned when saved"))
        self.reference_label.setObjectName("reference")
        self.reference_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        left.addRow(self.tr("Reference:"), self.reference_label)
        self.title_edit = QLineEdit()
        self.title_edit.setMaxLength(400)
        self._add_row(left, "title", self.tr("&Title:"), self.title_edit)
        self.kind_combo = QComboBox()
        self.kind_combo.addItem(self.tr("Choose…"), None)
        for kind in CollaborationKind:
            self.kind_combo.addItem(enum_label(kind), kind.value)
        self._add_row(left, "kind", self.tr("&Kind:"), self.kind_combo)
        self.status_combo = QComboBox()
        for status in CollaborationStatus:
            self.status_combo.addItem(enum_label(status), status.value)
        self._add_row(left, "status", self.tr("&Status:"), self.status_combo)
        self.department_combo = QComboBox()
        self._add_row(left, "department_id", self.tr("Depart&ment:"), self.department_combo)
        self.lead_combo = QComboBox()
        self.lead_combo.setEditable(True)
        self.lead_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        lead_completer = self.lead_combo.completer()
        if lead_completer is not None:
            lead_completer.setFilterMode(Qt.MatchFlag.MatchContains)
            lead_completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self._add_row(left, "lead_staff_id", self.tr("&Lead:"), self.lead_combo)
        self.partner_picker = PartnerPicker(self.context.ops)
        self._add_row(partners_form, "partner_ids", self.tr("Pa&rtners:"), self.partner_picker)
        self.description_edit = QPlainTextEdit()
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setMaximumHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self._add_row(bottom, "description", self.tr("Descr&iption:"), self.description_edit)

        self.start_edit = OptionalDateEdit()
        self._add_row(right, "start_date", self.tr("Start &date:"), self.start_edit)
        self.end_edit = OptionalDateEdit()
        self._add_row(right, "end_date", self.tr("E&nd date:"), self.end_edit)
        self.review_edit = OptionalDateEdit()
        self._add_row(right, "next_review_date", self.tr("Next re&view:"), self.review_edit)
        self.amount_edit = QLineEdit()
        self.amount_edit.setPlaceholderText(self.tr("whole euros, e.g. 250000"))
        self.amount_edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        self._add_row(right, "funding_amount_eur", self.tr("Fundin&g (EUR):"), self.amount_edit)
        self.source_edit = QLineEdit()
        self._add_row(right, "funding_source", self.tr("Funding s&ource:"), self.source_edit)
        self.field_edit = QLineEdit()
        self._add_row(right, "research_field", self.tr("Research &field:"), self.field_edit)
        self.dual_use_combo = QComboBox()
        self._add_row(right, "dual_use_code", self.tr("Dual-&use:"), self.dual_use_combo)
        self.technology_list = QListWidget()
        self.technology_list.setMinimumHeight(120)
        # Long area names wrap onto a second line instead of hiding behind a scroll bar.
        self.technology_list.setWordWrap(True)
        self.technology_list.setResizeMode(QListView.ResizeMode.Adjust)
        self.technology_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._add_row(
            technology_form,
            "technology_codes",
            self.tr("Technolog&y areas:"),
            self.technology_list,
        )

        grid.addLayout(left, 5)
        grid.addLayout(right, 4)
        lists = QHBoxLayout()
        lists.addLayout(partners_form, 3)
        lists.addLayout(technology_form, 2)
        outer.addLayout(grid)
        outer.addLayout(lists, 1)
        outer.addLayout(bottom)
        for widget in (self.title_edit, self.amount_edit, self.source_edit, self.field_edit):
            widget.textChanged.connect(self._on_edited)
        for combo in (
            self.kind_combo,
            self.status_combo,
            self.department_combo,
            self.dual_use_combo,
        ):
            combo.currentIndexChanged.connect(self._on_edited)
        self.lead_combo.currentIndexChanged.connect(self._on_edited)
        for date_edit in (self.start_edit, self.end_edit, self.review_edit):
            date_edit.dateChanged.connect(self._on_edited)
        self.description_edit.textChanged.connect(self._on_edited)
        self.technology_list.itemChanged.connect(self._on_edited)
        self.partner_picker.changed.connect(self._on_edited)
        return page

    def _build_attachments(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.attachments_hint = QLabel(
            self.tr("Save the collaboration first, then attach documents.")
        )
        self.attachment_list = QTreeWidget()
        self.attachment_list.setObjectName("attachments")
        self.attachment_list.setAccessibleName(self.tr("Attachments"))
        self.attachment_list.setRootIsDecorated(False)
        self.attachment_list.setHeaderLabels(
            [self.tr("File"), self.tr("Size"), self.tr("Added"), self.tr("SHA-256")]
        )
        self.attachment_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.attachment_list.itemActivated.connect(lambda *_: self.open_attachment())
        buttons = QHBoxLayout()
        self.add_attachment_button = QPushButton(self.tr("Add…"))
        self.open_attachment_button = QPushButton(self.tr("Open"))
        self.save_attachment_button = QPushButton(self.tr("Save as…"))
        self.remove_attachment_button = QPushButton(self.tr("Remove…"))
        self.add_attachment_button.clicked.connect(self.choose_attachment)
        self.open_attachment_button.clicked.connect(self.open_attachment)
        self.save_attachment_button.clicked.connect(self.save_attachment_as)
        self.remove_attachment_button.clicked.connect(self.remove_attachment)
        for button in (
            self.add_attachment_button,
            self.open_attachment_button,
            self.save_attachment_button,
            self.remove_attachment_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addWidget(self.attachments_hint)
        layout.addWidget(self.attachment_list, 1)
        layout.addLayout(buttons)
        return page

    def _build_appraisals(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.appraisal_list = QTreeWidget()
        self.appraisal_list.setObjectName("appraisals")
        self.appraisal_list.setAccessibleName(self.tr("Appraisals"))
        self.appraisal_list.setRootIsDecorated(False)
        self.appraisal_list.setHeaderLabels(
            [
                self.tr("Version"),
                self.tr("Status"),
                self.tr("Risk"),
                self.tr("Decision"),
                self.tr("Signed off"),
            ]
        )
        self.appraisal_button = QPushButton(self.tr("Start appraisal…"))
        self.appraisal_button.setObjectName("appraisalButton")
        self.appraisal_button.clicked.connect(self.open_wizard)
        if importlib.util.find_spec(WIZARD_MODULE) is None:
            self.appraisal_button.setEnabled(False)
            self.appraisal_button.setToolTip(self.tr("The appraisal wizard is not installed."))
        layout.addWidget(self.appraisal_list, 1)
        # The researcher's self-assessment form (#12): written out, filled offline, read back.
        self.form_button = QPushButton(self.tr("Self-assessment form…"))
        self.form_button.setObjectName("formButton")
        self.form_button.setToolTip(self.tr("An Excel form for the researcher to fill offline"))
        self.form_button.clicked.connect(self.save_form)
        self.import_form_button = QPushButton(self.tr("Import returned form…"))
        self.import_form_button.setObjectName("importFormButton")
        self.import_form_button.clicked.connect(self.import_form)
        row = QHBoxLayout()
        row.addWidget(self.appraisal_button)
        row.addStretch(1)
        row.addWidget(self.form_button)
        row.addWidget(self.import_form_button)
        layout.addLayout(row)
        return page

    def _build_history(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.history_list = QTreeWidget()
        self.history_list.setObjectName("history")
        self.history_list.setAccessibleName(self.tr("History"))
        self.history_list.setHeaderLabels(
            [self.tr("When (UTC)"), self.tr("Who"), self.tr("What"), self.tr("Change")]
        )
        self.history_list.setRootIsDecorated(True)
        layout.addWidget(self.history_list)
        return page

    # -- loading ------------------------------------------------------------------------------

    def reload(self) -> None:
        collaboration_id = self.collaboration_id
        self.context.ops.query(lambda s: load_editor_data(s, collaboration_id), self._on_loaded)

    def _on_loaded(self, data: EditorData) -> None:
        self.detail = data.detail
        self._fill_choices(data)
        if data.detail is not None:
            self._fill(data.detail)
        self._fill_history(data.history)
        self._initial = self._input_or_none()
        self.setEnabled(True)
        self._update_state()
        self.partner_picker.search()  # the first partners alphabetically, before any typing
        self.title_edit.setFocus()
        self.loaded.emit()

    def _fill_choices(self, data: EditorData) -> None:
        for combo in (self.department_combo, self.lead_combo, self.dual_use_combo):
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(self.tr("None"), None)
        for choice in data.departments:
            self.department_combo.addItem(choice.label, choice.value)
        for person in data.staff:
            self.lead_combo.addItem(person.label, person.id)
        for choice in data.dual_use:
            self.dual_use_combo.addItem(choice.label, choice.value)
        for combo in (self.department_combo, self.lead_combo, self.dual_use_combo):
            combo.blockSignals(False)
        self.technology_list.blockSignals(True)
        self.technology_list.clear()
        for area in data.technology:
            item = QListWidgetItem(area.name + (" ★" if area.most_sensitive else ""))
            item.setData(Qt.ItemDataRole.UserRole, area.code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            if area.most_sensitive:
                item.setToolTip(self.tr("One of the most sensitive areas"))
            self.technology_list.addItem(item)
        self.technology_list.blockSignals(False)

    @staticmethod
    def _select(combo: QComboBox, value: Any) -> None:
        position = combo.findData(value)
        combo.setCurrentIndex(max(position, 0))

    def _fill(self, d: CollaborationDetail) -> None:
        self.setWindowTitle(self.tr("Collaboration %s") % d.reference)
        self.reference_label.setText(d.reference + (self.tr(" (archived)") if d.archived else ""))
        self.title_edit.setText(d.title)
        self._select(self.kind_combo, d.kind)
        self._select(self.status_combo, d.status)
        if d.department_id is not None and self.department_combo.findData(d.department_id) < 0:
            self.department_combo.addItem(d.department or str(d.department_id), d.department_id)
        self._select(self.department_combo, d.department_id)
        if d.lead_staff_id is not None and self.lead_combo.findData(d.lead_staff_id) < 0:
            self.lead_combo.addItem(d.lead or str(d.lead_staff_id), d.lead_staff_id)
        self._select(self.lead_combo, d.lead_staff_id)
        self._select(self.dual_use_combo, d.dual_use_code)
        self.partner_picker.set_partners(
            [(p.id, f"{p.name} ({p.country})" if p.country else p.name) for p in d.partners]
        )
        self.description_edit.setPlainText(d.description or "")
        self.start_edit.set_value(d.start_date)
        self.end_edit.set_value(d.end_date)
        self.review_edit.set_value(d.next_review_date)
        self.amount_edit.setText("" if d.funding_amount_eur is None else str(d.funding_amount_eur))
        self.source_edit.setText(d.funding_source or "")
        self.field_edit.setText(d.research_field or "")
        for row in range(self.technology_list.count()):
            item = self.technology_list.item(row)
            checked = item.data(Qt.ItemDataRole.UserRole) in d.technology_codes
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self._fill_attachments(d)
        self._fill_appraisals(d)
        self.archive_button.setText(self.tr("Un&archive") if d.archived else self.tr("&Archive…"))

    def _fill_attachments(self, d: CollaborationDetail) -> None:
        locale = QLocale()
        self.attachment_list.clear()
        for info in d.attachments:
            item = QTreeWidgetItem(
                [
                    info.file_name,
                    locale.formattedDataSize(info.size_bytes),
                    info.added_at.strftime("%Y-%m-%d %H:%M"),
                    info.sha256[:16] + "…",
                ]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, info.id)
            item.setToolTip(3, info.sha256)
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.attachment_list.addTopLevelItem(item)
        for column in range(3):
            self.attachment_list.resizeColumnToContents(column)
        if d.attachments:
            first = self.attachment_list.topLevelItem(0)
            if first is not None:
                self.attachment_list.setCurrentItem(first)

    def _fill_appraisals(self, d: CollaborationDetail) -> None:
        self.appraisal_list.clear()
        for a in d.appraisals:
            signed = f"{a.signed_off_by}, {a.signed_off_at:%Y-%m-%d}" if a.signed_off_at else "—"
            self.appraisal_list.addTopLevelItem(
                QTreeWidgetItem(
                    [
                        str(a.version),
                        enum_label(a.status),
                        enum_label(a.risk_level) if a.risk_level else "—",
                        enum_label(a.decision) if a.decision else "—",
                        signed,
                    ]
                )
            )
        draft = any(a.status == "draft" for a in d.appraisals)
        if draft:
            self.appraisal_button.setText(self.tr("Continue appraisal…"))
        elif d.appraisals:
            self.appraisal_button.setText(self.tr("Re-appraise…"))
        else:
            self.appraisal_button.setText(self.tr("Start appraisal…"))

    def _fill_history(self, history: list[audit_history.ReadableEntry]) -> None:
        self.history_list.clear()
        for entry in history:
            top = QTreeWidgetItem(
                [
                    entry.at.strftime("%Y-%m-%d %H:%M:%S"),
                    entry.actor,
                    f"{entry.subject}: {entry.what}",
                    ", ".join(change.label for change in entry.changes)
                    if entry.action == "update"
                    else "",
                ]
            )
            for change in entry.changes:
                top.addChild(
                    QTreeWidgetItem(["", "", change.label, f"{change.old} → {change.new}"])
                )
            self.history_list.addTopLevelItem(top)
        self.history_list.resizeColumnToContents(0)
        self.history_list.resizeColumnToContents(1)
        self.history_list.setColumnWidth(2, 260)

    # -- the form's value ---------------------------------------------------------------------

    def form_input(self) -> CollaborationInput:
        """What the form says, as the service's input. Raises ValidationError for a bad number."""
        return self._form_input(self._amount())

    def _amount(self) -> int | None:
        return amounts.parse_whole_euros(
            self.amount_edit.text(), "funding_amount_eur", self.tr("Funding amount")
        )

    def form_problems(self) -> list[ValidationError]:
        """Every problem the form shows before anything is sent: an amount that does not read
        as one, and the service's checks of the typed and picked fields."""
        problems: list[ValidationError] = []
        try:
            amount = self._amount()
        except ValidationError as problem:
            problems.append(problem)
            amount = None
        problems += service.field_problems(self._form_input(amount))
        order = list(self.errors)  # the form's order, top to bottom
        problems.sort(key=lambda p: order.index(p.field) if p.field in order else len(order))
        return problems

    def _form_input(self, amount: int | None) -> CollaborationInput:
        codes = tuple(
            self.technology_list.item(row).data(Qt.ItemDataRole.UserRole)
            for row in range(self.technology_list.count())
            if self.technology_list.item(row).checkState() == Qt.CheckState.Checked
        )
        lead = self.lead_combo.currentData() if self.lead_combo.currentText() else None
        return CollaborationInput(
            title=self.title_edit.text(),
            kind=self.kind_combo.currentData() or "",
            status=self.status_combo.currentData(),
            department_id=self.department_combo.currentData(),
            lead_staff_id=lead,
            research_field=self.field_edit.text() or None,
            description=self.description_edit.toPlainText() or None,
            dual_use_code=self.dual_use_combo.currentData(),
            funding_amount_eur=amount,
            funding_source=self.source_edit.text() or None,
            start_date=self.start_edit.value(),
            end_date=self.end_edit.value(),
            next_review_date=self.review_edit.value(),
            partner_ids=self.partner_picker.partner_ids(),
            technology_codes=codes,
        )

    def _input_or_none(self) -> CollaborationInput | None:
        try:
            return self.form_input()
        except ValidationError:
            return None

    def is_dirty(self) -> bool:
        return self._input_or_none() != self._initial

    @Slot()
    def _on_edited(self) -> None:
        self._update_state()

    def _update_state(self) -> None:
        dirty = self.is_dirty()
        self.save_button.setEnabled(not self._busy)
        marker = " *" if dirty else ""
        base = (
            self.tr("New collaboration")
            if self.detail is None
            else self.tr("Collaboration %s") % self.detail.reference
        )
        self.setWindowTitle(base + marker)
        has_record = self.detail is not None
        self.attachments_hint.setVisible(not has_record)
        archived = self.detail is not None and self.detail.archived
        selected = self.attachment_list.currentItem() is not None
        self.add_attachment_button.setEnabled(has_record and not archived)
        self.remove_attachment_button.setEnabled(has_record and selected and not archived)
        kept_as_evidence = (
            self.tr(
                "This collaboration is archived and kept as evidence; unarchive it to change its attachments."
            )
            if archived
            else ""
        )
        self.add_attachment_button.setToolTip(kept_as_evidence)
        self.remove_attachment_button.setToolTip(kept_as_evidence)
        for button in (self.open_attachment_button, self.save_attachment_button):
            button.setEnabled(has_record and selected)
        if importlib.util.find_spec(WIZARD_MODULE) is not None:
            self.appraisal_button.setEnabled(has_record)

    def show_field_error(self, error: ValidationError) -> None:
        """Each of the error's problems under its field; the first field gets the focus."""
        for label in self.errors.values():
            label.clear_error()
        shown = [p for p in error.problems if p.field in self.errors]
        if not shown:
            self.status_label.setText(str(error))
            return
        for problem in reversed(shown):  # the first problem of a field wins
            self.errors[str(problem.field)].show_error(str(problem))
        self.tabs.setCurrentIndex(0)
        self.fields[str(shown[0].field)].setFocus(Qt.FocusReason.OtherFocusReason)
        if len(error.problems) == 1:
            self.status_label.setText(self.tr("Not saved: %s") % error)
        else:
            self.status_label.setText(
                self.tr("Not saved: %s problems, marked by their fields.") % len(error.problems)
            )

    # -- actions ------------------------------------------------------------------------------

    @Slot()
    def save(self) -> None:
        if self._busy:
            return
        try:
            ValidationError.raise_any(self.form_problems())
        except ValidationError as exc:
            self.show_field_error(exc)
            return
        data = self.form_input()
        for label in self.errors.values():
            label.clear_error()
        collaboration_id = self.collaboration_id
        # The version this form was loaded from: a save made meanwhile elsewhere is not undone.
        seen_version = self.detail.row_version if self.detail is not None else None
        self._busy = True
        self._update_state()

        def work(session: Session) -> CollaborationDetail:
            if collaboration_id is None:
                return service.create(session, data)
            return service.update(session, collaboration_id, data, seen_version=seen_version)

        self.context.ops.write(work, self._on_saved, self._on_save_failed)

    def _on_saved(self, detail: CollaborationDetail) -> None:
        self._busy = False
        self.detail = detail
        self.collaboration_id = detail.id
        self._initial = self._input_or_none()
        self.status_label.setText(self.tr("Saved %s.") % detail.reference)
        self.context.signals.status_message.emit(self.tr("Saved %s") % detail.reference)
        self.saved.emit(detail)
        self.accept()

    def _on_save_failed(self, error: BaseException) -> None:
        self._busy = False
        self._update_state()
        if isinstance(error, ValidationError):
            self.show_field_error(error)
        else:
            if isinstance(error, ConflictError):
                # The form stays as typed, so the user can copy their changes before reopening.
                self.status_label.setText(self.tr("Not saved: %s") % error)
            show_error(self, error)

    @Slot()
    def toggle_archived(self) -> None:
        if self.detail is None:
            return
        collaboration_id = self.detail.id
        if self.detail.archived:
            work = lambda s: service.unarchive(s, collaboration_id)  # noqa: E731
        else:
            if not form.ask_confirm(
                self,
                self.tr("Archive collaboration"),
                self.tr(
                    "Archive %s? It leaves the register and its reports, but its history and "
                    "appraisals are kept and it can be restored with “Include archived”."
                )
                % self.detail.reference,
            ):
                return
            work = lambda s: service.archive(s, collaboration_id)  # noqa: E731
        self.context.ops.write(work, self._on_archived, self._on_save_failed)

    def _on_archived(self, detail: CollaborationDetail) -> None:
        self.detail = detail
        self.context.signals.status_message.emit(
            (self.tr("Archived %s") if detail.archived else self.tr("Restored %s"))
            % detail.reference
        )
        self.saved.emit(detail)
        self._initial = self._input_or_none()
        self.accept()

    def reject(self) -> None:
        if self.isEnabled() and self.is_dirty():
            answer = form.ask_discard_changes(self)
            if answer == QMessageBox.StandardButton.Cancel:
                return
            if answer == QMessageBox.StandardButton.Save:
                self.save()
                return
        super().reject()

    # -- attachments --------------------------------------------------------------------------

    def _current_attachment_id(self) -> int | None:
        item = self.attachment_list.currentItem()
        return None if item is None else int(item.data(0, Qt.ItemDataRole.UserRole))

    @Slot()
    def choose_attachment(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Attach a document"))
        if path:
            self.add_attachment(Path(path))

    def add_attachment(self, path: Path) -> None:
        """Store ``path`` in the database (read and hashed in the background)."""
        if self.detail is None:
            return
        collaboration_id = self.detail.id

        def work(session: Session) -> CollaborationDetail:
            try:
                content = path.read_bytes()
            except OSError as exc:
                raise ValidationError(f"Cannot read {path.name}: {exc.strerror or exc}") from exc
            name = attachment_files.check_name(path.name)
            service.add_attachment(session, collaboration_id, name, content)
            return service.load(session, collaboration_id)

        self.context.ops.write(work, self._on_attachments, self._on_attachment_failed)

    def _on_attachments(self, detail: CollaborationDetail) -> None:
        if self.detail is not None:
            # The form was not refilled: its save must still compare with the version it shows.
            detail = dataclasses.replace(detail, row_version=self.detail.row_version)
        self.detail = detail
        self._fill_attachments(detail)
        self._update_state()
        self.attachments_changed.emit()
        collaboration_id = detail.id
        self.context.ops.query(
            lambda s: load_editor_data(s, collaboration_id), self._refresh_history
        )

    def _refresh_history(self, data: EditorData) -> None:
        self._fill_history(data.history)

    def _on_attachment_failed(self, error: BaseException) -> None:
        show_error(self, error)

    @Slot()
    def open_attachment(self) -> None:
        attachment_id = self._current_attachment_id()
        if attachment_id is None:
            return

        def work(session: Session) -> Path:
            info, content = service.attachment_content(session, attachment_id)
            return attachment_files.open_copies().write(info.file_name, content)

        self.context.ops.query(work, self._open_file, self._on_attachment_failed)

    def _open_file(self, path: Path) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    @Slot()
    def save_attachment_as(self) -> None:
        item = self.attachment_list.currentItem()
        if item is None:
            return
        suggested = attachment_files.safe_file_name(item.text(0))
        out, _ = QFileDialog.getSaveFileName(self, self.tr("Save attachment"), suggested)
        if out:
            self.save_attachment_to(Path(out))

    def save_attachment_to(self, out: Path) -> None:
        attachment_id = self._current_attachment_id()
        if attachment_id is None:
            return

        def work(session: Session) -> Path:
            _info, content = service.attachment_content(session, attachment_id)
            return attachment_files.write_file(out, content)

        self.context.ops.query(work, self._on_attachment_saved, self._on_attachment_failed)

    def _on_attachment_saved(self, out: Path) -> None:
        self.status_label.setText(self.tr("Saved to %s") % out)
        self.attachments_changed.emit()

    @Slot()
    def remove_attachment(self) -> None:
        attachment_id = self._current_attachment_id()
        item = self.attachment_list.currentItem()
        if attachment_id is None or self.detail is None or item is None:
            return
        if not form.ask_confirm(
            self,
            self.tr("Remove attachment"),
            self.tr(
                "Remove %s from this collaboration?\n\nThe file's content is deleted for good; "
                "only its name and fingerprint (SHA-256) stay in the audit trail."
            )
            % item.text(0),
        ):
            return
        collaboration_id = self.detail.id

        def work(session: Session) -> CollaborationDetail:
            service.remove_attachment(session, attachment_id)
            return service.load(session, collaboration_id)

        self.context.ops.write(work, self._on_attachments, self._on_attachment_failed)

    # -- appraisal ----------------------------------------------------------------------------

    form_written = Signal(object)
    form_imported = Signal(object)

    @Slot()
    def save_form(self, out: str | None = None) -> None:
        """Write the self-assessment form (asks where unless ``out`` is given)."""
        if self.detail is None:
            return
        if not out:
            suggested = f"{self.detail.reference} self-assessment.xlsx"
            out, _ = QFileDialog.getSaveFileName(
                self, self.tr("Save the self-assessment form"), suggested, "Excel (*.xlsx)"
            )
        if not out:
            return
        collaboration_id, path = self.detail.id, Path(out)

        def work(session: Session) -> Path:
            from rsdesk.services.appraisal.form import write_form

            return write_form(session, collaboration_id, path)

        self.context.ops.query(work, self.form_written.emit, lambda e: show_error(self, e))

    @Slot()
    def import_form(self, path: str | None = None) -> None:
        """Read a returned form into a draft appraisal answered by the researcher."""
        if self.detail is None:
            return
        if not path:
            path, _ = QFileDialog.getOpenFileName(
                self, self.tr("Import a returned self-assessment form"), "", "Excel (*.xlsx)"
            )
        if not path:
            return
        source = Path(path)
        collaboration_id = self.detail.id

        def work(session: Session) -> Any:
            from rsdesk.services.appraisal.form import import_form

            return import_form(session, source, expected_collaboration_id=collaboration_id)

        self.context.ops.write(work, self._on_form_imported, lambda e: show_error(self, e))

    def _on_form_imported(self, result: Any) -> None:
        message = (
            self.tr(
                "Imported the researcher's answers as a draft appraisal (%s so far): review them "
                "with Continue appraisal…"
            )
            % result.result.level_name
        )
        self.status_label.setText(message)
        self.context.signals.status_message.emit(message)
        self.form_imported.emit(result)
        self._reload_after_appraisal()  # the draft it made may have set the status

    @Slot()
    def open_wizard(self) -> None:
        if self.detail is None or importlib.util.find_spec(WIZARD_MODULE) is None:
            return
        from rsdesk.ui.wizard.appraisal import open_appraisal_wizard

        open_appraisal_wizard(
            self.context,
            collaboration_id=self.detail.id,
            parent=self,
            on_open=self._follow_appraisal,
        )

    def _follow_appraisal(self, wizard: Any) -> None:
        """Take in what the appraisal started here writes to the collaboration (see
        :meth:`_take_appraisal_outcome`). Called again when Appraise… brings the wizard back."""
        if wizard.property("followedByEditor"):
            return
        wizard.setProperty("followedByEditor", True)
        for signal in (wizard.draft_saved, wizard.signed_off, wizard.draft_discarded):
            signal.connect(self._reload_after_appraisal)

    @Slot()
    def _reload_after_appraisal(self, *_: Any) -> None:
        if self.detail is None:
            return
        collaboration_id = self.detail.id
        self.context.ops.query(
            lambda s: load_editor_data(s, collaboration_id), self._take_appraisal_outcome
        )

    def _take_appraisal_outcome(self, data: EditorData) -> None:
        """A draft's first save, its discard and the sign-off set the collaboration's status (and
        the sign-off its risk level and next review date) and raise its version. This editor
        opened that appraisal, so it is no other officer's change: the form takes the new status
        and review date (unless the user changed that field here), adopts the new version so
        that its own save is not refused as stale, and keeps everything else as typed."""
        new, old, initial = data.detail, self.detail, self._initial
        if new is None or old is None:
            return
        if self.status_combo.currentData() == old.status:
            self._select(self.status_combo, new.status)
        if self.review_edit.value() == old.next_review_date:
            self.review_edit.set_value(new.next_review_date)
        if initial is not None:
            self._initial = dataclasses.replace(
                initial, status=new.status, next_review_date=new.next_review_date
            )
        self.detail = new
        self._fill_appraisals(new)
        self._fill_history(data.history)
        self._update_state()
        self.appraisal_outcome_taken.emit()
