"""The partner editor: names (main and other), kind, place, notes; screening hits; history."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from rsdesk.models.enums import PartnerKind, PartnerNameKind
from rsdesk.services import audit_history
from rsdesk.services import partners as service
from rsdesk.services.concurrency import ConflictError
from rsdesk.services.errors import ValidationError
from rsdesk.services.partners import OtherName, PartnerDetail, PartnerInput
from rsdesk.ui.context import AppContext
from rsdesk.ui.itemmodels.register_table_model import enum_label
from rsdesk.ui.ops import show_error
from rsdesk.ui.widgets import form
from rsdesk.ui.widgets.form import FieldError

SCREENING = "rsdesk.services.screening.workflow"


@dataclass(frozen=True)
class HitLine:
    """One screening hit as the Screening tab shows it."""

    list_name: str
    list_version: int
    our_name: str
    listed_as: str
    #: Percent, rounded, as the Screening register shows it.
    score_percent: int
    verdict: str
    #: The verdict's note, or for a hit reopened by a changed list entry the earlier verdict;
    #: shown on a line of its own under the hit.
    note: str
    reopened: bool = False


@dataclass(frozen=True)
class PartnerEditorData:
    detail: PartnerDetail | None
    history: list[audit_history.ReadableEntry]
    hits: list[HitLine]
    collaborations: list[service.PartnerCollaboration] = field(default_factory=list)


def load_partner_data(session: Session, partner_id: int | None) -> PartnerEditorData:
    if partner_id is None:
        return PartnerEditorData(None, [], [])
    detail = service.load(session, partner_id)
    hits: list[HitLine] = []
    if importlib.util.find_spec(SCREENING) is not None:
        from rsdesk.services.screening import reopened, workflow

        earlier = reopened.earlier_verdicts(session, partner_id)
        for row in workflow.results_for_partner(session, partner_id):
            prior = earlier.get(row.id)
            hits.append(
                HitLine(
                    row.list_name,
                    row.list_version,
                    row.partner_name_matched,
                    row.entry_name,
                    round((row.score or 0) * 100),
                    enum_label(str(row.verdict)),
                    _earlier_verdict_text(prior) if prior else (row.verdict_note or ""),
                    reopened=prior is not None,
                )
            )
    history = audit_history.partner_history(session, partner_id)
    collaborations = service.collaborations_of(session, partner_id)
    return PartnerEditorData(detail, history, hits, collaborations)


def _earlier_verdict_text(prior: Any) -> str:
    """ "Reopened: list entry changed in v2. Was False positive (eleni.schroeder, 2026-11-27
    18:50, v1): Different Vega"."""
    when = prior.decided_at.strftime("%Y-%m-%d %H:%M") if prior.decided_at else "?"
    return (
        f"Reopened: list entry changed in v{prior.reopened_on_version}. "
        f"Was {enum_label(str(prior.verdict))} ({prior.decided_by or '?'}, {when}, "
        f"v{prior.decided_on_version}): {prior.note or ''}"
    ).rstrip(": ")


class PartnerDialog(QDialog):
    loaded = Signal()
    saved = Signal(object)

    def __init__(
        self, context: AppContext, partner_id: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.partner_id = partner_id
        self.detail: PartnerDetail | None = None
        self._initial: PartnerInput | None = None
        self.setObjectName("PartnerDialog")
        self.setWindowTitle(self.tr("New partner") if partner_id is None else self.tr("Partner"))
        self.setMinimumSize(640, 520)
        self.resize(860, 560)  # room for the Screening and History tabs' columns
        self.errors: dict[str, FieldError] = {}
        self.fields: dict[str, QWidget] = {}

        details = QWidget()
        layout = QFormLayout(details)
        self.name_edit = QLineEdit()
        self.kind_combo = QComboBox()
        self.kind_combo.addItem(self.tr("Choose…"), None)
        for kind in PartnerKind:
            self.kind_combo.addItem(enum_label(kind), kind.value)
        self.country_edit = QLineEdit()
        self.country_edit.setMaxLength(2)
        self.country_edit.setPlaceholderText(self.tr("ISO code, e.g. DE (for statistics only)"))
        self.city_edit = QLineEdit()
        self.website_edit = QLineEdit()
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setMaximumHeight(80)
        self.names_table = QTableWidget(0, 2)
        self.names_table.setAccessibleName(self.tr("Other names"))
        self.names_table.setHorizontalHeaderLabels([self.tr("Other name"), self.tr("Kind")])
        self.names_table.horizontalHeader().setStretchLastSection(False)
        self.names_table.horizontalHeader().setSectionResizeMode(
            0, self.names_table.horizontalHeader().ResizeMode.Stretch
        )
        self.names_table.verticalHeader().hide()
        self.names_table.setMinimumHeight(110)
        names_box = QWidget()
        names_layout = QVBoxLayout(names_box)
        names_layout.setContentsMargins(0, 0, 0, 0)
        names_layout.addWidget(self.names_table)
        row = QHBoxLayout()
        self.add_name_button = QPushButton(self.tr("Add name"))
        self.remove_name_button = QPushButton(self.tr("Remove name"))
        self.add_name_button.clicked.connect(lambda: self.add_other_name("", PartnerNameKind.ALIAS))
        self.remove_name_button.clicked.connect(self._remove_name)
        row.addWidget(self.add_name_button)
        row.addWidget(self.remove_name_button)
        row.addStretch(1)
        names_layout.addLayout(row)
        for key, label, widget in (
            ("name", self.tr("&Name:"), self.name_edit),
            ("kind", self.tr("&Kind:"), self.kind_combo),
            ("country", self.tr("&Country:"), self.country_edit),
            ("city", self.tr("C&ity:"), self.city_edit),
            ("website", self.tr("&Website:"), self.website_edit),
            ("other_names", self.tr("&Other names:"), names_box),
            ("notes", self.tr("No&tes:"), self.notes_edit),
        ):
            self._add_row(layout, key, label, widget)

        self.hits_list = QTreeWidget()
        self.hits_list.setAccessibleName(self.tr("Screening hits"))
        self.hits_list.setRootIsDecorated(False)
        self.hits_list.setHeaderLabels(
            [
                self.tr("List"),
                self.tr("Version"),
                self.tr("Our name"),
                self.tr("Listed as"),
                self.tr("Score (%)"),
                self.tr("Verdict"),
            ]
        )
        self.hits_list.setWordWrap(True)
        self.history_list = QTreeWidget()
        self.history_list.setAccessibleName(self.tr("History"))
        self.history_list.setHeaderLabels(
            [self.tr("When (UTC)"), self.tr("Who"), self.tr("What"), self.tr("Change")]
        )

        self.collaborations_list = QTreeWidget()
        self.collaborations_list.setAccessibleName(self.tr("Collaborations with this partner"))
        self.collaborations_list.setRootIsDecorated(False)
        self.collaborations_list.setHeaderLabels(
            [
                self.tr("Reference"),
                self.tr("Title"),
                self.tr("Status"),
                self.tr("Risk"),
                self.tr("Start"),
                self.tr("Role"),
            ]
        )
        header = self.collaborations_list.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(1, header.ResizeMode.Stretch)  # the title takes the room
        self.collaborations_list.itemActivated.connect(self._open_collaboration)
        self.show_collaborations_button = QPushButton(self.tr("Show in the &register"))
        self.show_collaborations_button.setToolTip(
            self.tr("Close this editor and show these collaborations in the Collaborations view")
        )
        self.show_collaborations_button.clicked.connect(self._show_collaborations)
        collaborations_tab = QWidget()
        collaborations_layout = QVBoxLayout(collaborations_tab)
        collaborations_layout.addWidget(self.collaborations_list, 1)
        collaborations_row = QHBoxLayout()
        self.collaborations_note = QLabel()
        collaborations_row.addWidget(self.collaborations_note, 1)
        collaborations_row.addWidget(self.show_collaborations_button)
        collaborations_layout.addLayout(collaborations_row)

        self.tabs = QTabWidget()
        self.tabs.addTab(details, self.tr("&Details"))
        self.tabs.addTab(collaborations_tab, self.tr("Co&llaborations"))
        self.tabs.addTab(self.hits_list, self.tr("&Screening"))
        self.tabs.addTab(self.history_list, self.tr("&History"))
        self.tabs.setTabEnabled(1, partner_id is not None)
        self.tabs.setTabEnabled(2, importlib.util.find_spec(SCREENING) is not None)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.archive_button = QPushButton(self.tr("&Archive…"))
        self.archive_button.setVisible(partner_id is not None)
        self.buttons.addButton(self.archive_button, QDialogButtonBox.ButtonRole.ResetRole)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.archive_button.clicked.connect(self.toggle_archived)
        self.status_label = QLabel()
        main = QVBoxLayout(self)
        main.addWidget(self.tabs, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status_label, 1)
        bottom.addWidget(self.buttons)
        main.addLayout(bottom)
        self.setEnabled(False)
        context.ops.query(lambda s: load_partner_data(s, partner_id), self._on_loaded)

    def _add_row(self, layout: QFormLayout, key: str, label: str, widget: QWidget) -> None:
        widget.setObjectName(key)
        widget.setAccessibleName(label.replace("&", "").rstrip(":"))
        error = FieldError()
        holder = QWidget()
        box = QVBoxLayout(holder)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(widget)
        box.addWidget(error)
        caption = QLabel(label)
        caption.setBuddy(widget)
        layout.addRow(caption, holder)
        self.errors[key] = error
        self.fields[key] = widget

    def add_other_name(self, name: str, kind: str) -> None:
        row = self.names_table.rowCount()
        self.names_table.insertRow(row)
        self.names_table.setItem(row, 0, QTableWidgetItem(name))
        combo = QComboBox()
        for value in PartnerNameKind:
            combo.addItem(enum_label(value), value.value)
        combo.setCurrentIndex(max(combo.findData(str(kind)), 0))
        self.names_table.setCellWidget(row, 1, combo)
        if not name:
            self.names_table.setCurrentCell(row, 0)
            item = self.names_table.item(row, 0)
            if item is not None:
                self.names_table.editItem(item)

    @Slot()
    def _remove_name(self) -> None:
        row = self.names_table.currentRow()
        if row >= 0:
            self.names_table.removeRow(row)

    def _on_loaded(self, data: PartnerEditorData) -> None:
        self.detail = data.detail
        d = data.detail
        if d is not None:
            self.setWindowTitle(self.tr("Partner: %s") % d.name)
            self.name_edit.setText(d.name)
            self.kind_combo.setCurrentIndex(max(self.kind_combo.findData(d.kind), 0))
            self.country_edit.setText(d.country or "")
            self.city_edit.setText(d.city or "")
            self.website_edit.setText(d.website or "")
            self.notes_edit.setPlainText(d.notes or "")
            for other in d.other_names:
                self.add_other_name(other.name, str(other.kind))
            self.archive_button.setText(
                self.tr("Un&archive") if d.archived else self.tr("&Archive…")
            )
        self._fill_collaborations(data)
        for hit in data.hits:
            verdict = self.tr("%s (reopened)") % hit.verdict if hit.reopened else hit.verdict
            item = QTreeWidgetItem(
                [
                    hit.list_name,
                    str(hit.list_version),
                    hit.our_name,
                    hit.listed_as,
                    str(hit.score_percent),
                    verdict,
                ]
            )
            for column in (1, 4):
                item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight)
            for column in range(item.columnCount()):
                item.setToolTip(column, item.text(column))
            self.hits_list.addTopLevelItem(item)
            if hit.note:  # the reason on a line of its own, under the hit, whole
                note = QTreeWidgetItem([hit.note])
                note.setToolTip(0, hit.note)
                item.addChild(note)
                note.setFirstColumnSpanned(True)
                item.setExpanded(True)
        _fit_columns(self.hits_list)
        for entry in data.history:
            self.history_list.addTopLevelItem(_history_item(entry))
        _fit_columns(self.history_list)
        self._initial = self.form_input()
        self.setEnabled(True)
        self.name_edit.setFocus()
        self.loaded.emit()

    def form_input(self) -> PartnerInput:
        names = []
        for row in range(self.names_table.rowCount()):
            item = self.names_table.item(row, 0)
            combo = self.names_table.cellWidget(row, 1)
            kind: Any = (
                combo.currentData() if isinstance(combo, QComboBox) else PartnerNameKind.ALIAS
            )
            if item is not None and item.text().strip():
                names.append(OtherName(item.text(), kind))
        return PartnerInput(
            name=self.name_edit.text(),
            kind=self.kind_combo.currentData() or "",
            country=self.country_edit.text() or None,
            city=self.city_edit.text() or None,
            website=self.website_edit.text() or None,
            notes=self.notes_edit.toPlainText() or None,
            other_names=tuple(names),
        )

    def is_dirty(self) -> bool:
        return self.form_input() != self._initial

    @Slot()
    def save(self) -> None:
        data = self.form_input()
        partner_id = self.partner_id
        # The version this form was loaded from: a save made meanwhile elsewhere is not undone.
        seen_version = self.detail.row_version if self.detail is not None else None
        for label in self.errors.values():
            label.clear_error()

        def work(session: Session) -> PartnerDetail:
            if partner_id is None:
                return service.create(session, data)
            return service.update(session, partner_id, data, seen_version=seen_version)

        self.context.ops.write(work, self._on_saved, self._on_failed)

    def _on_saved(self, detail: PartnerDetail) -> None:
        self.detail = detail
        self.partner_id = detail.id
        self._initial = self.form_input()
        self.context.signals.status_message.emit(self.tr("Saved %s") % detail.name)
        self.saved.emit(detail)
        self.accept()

    def _on_failed(self, error: BaseException) -> None:
        if isinstance(error, ValidationError) and error.field in self.errors:
            self.errors[error.field].show_error(str(error))
            self.tabs.setCurrentIndex(0)
            self.fields[error.field].setFocus()
            self.status_label.setText(self.tr("Not saved: %s") % error)
        else:
            if isinstance(error, ConflictError):
                # The form stays as typed, so the user can copy their changes before reopening.
                self.status_label.setText(self.tr("Not saved: %s") % error)
            show_error(self, error)

    @Slot()
    def toggle_archived(self) -> None:
        if self.detail is None:
            return
        partner_id = self.detail.id
        if self.detail.archived:
            self.context.ops.write(
                lambda s: service.unarchive(s, partner_id), self._on_saved, self._on_failed
            )
            return
        if form.ask_confirm(
            self,
            self.tr("Archive partner"),
            self.tr(
                "Archive %s? Existing collaborations keep it; it leaves the picker and register."
            )
            % self.detail.name,
        ):
            self.context.ops.write(
                lambda s: service.archive(s, partner_id), self._on_saved, self._on_failed
            )

    def _fill_collaborations(self, data: PartnerEditorData) -> None:
        shown = data.collaborations
        for c in shown:
            item = QTreeWidgetItem(
                [
                    c.reference,
                    c.title + (self.tr(" (archived)") if c.archived else ""),
                    enum_label(c.status),
                    enum_label(c.risk_level) if c.risk_level else self.tr("Not appraised"),
                    c.start_date.isoformat() if c.start_date else "",
                    c.role or "",
                ]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, c.id)
            self.collaborations_list.addTopLevelItem(item)
        total = data.detail.collaboration_count if data.detail is not None else 0
        if not shown:
            note = self.tr("No collaborations with this partner yet.")
        elif total > len(shown):
            note = self.tr("The %1 newest of %2; the register shows them all.")
            note = note.replace("%1", str(len(shown))).replace("%2", str(total))
        else:
            note = self.tr("Enter or double-click opens one (this editor closes first).")
        self.collaborations_note.setText(note)
        self.show_collaborations_button.setEnabled(bool(shown))
        if shown:
            self.tabs.setTabText(1, self.tr("Co&llaborations (%s)") % total)
        for column in (0, 2, 3, 4, 5):
            self.collaborations_list.resizeColumnToContents(column)

    @Slot()
    def _show_collaborations(self) -> None:
        partner_id, name = self.partner_id, self.detail.name if self.detail else ""
        if partner_id is None or not self._closed_on_request():
            return
        self.context.signals.navigate.emit(
            "collaborations", {"partner": partner_id, "label": self.tr("partner %s") % name}
        )

    @Slot(QTreeWidgetItem)
    def _open_collaboration(self, item: QTreeWidgetItem) -> None:
        collaboration_id = item.data(0, Qt.ItemDataRole.UserRole)
        if collaboration_id is None or not self._closed_on_request():
            return
        self.context.signals.open_record.emit("collaborations", int(collaboration_id))

    def _closed_on_request(self) -> bool:
        """Closes the editor as Cancel does (asking about unsaved changes first); False if the
        user chose to stay, or a save is still under way."""
        self.reject()
        return not self.isVisible()

    def reject(self) -> None:
        if self.isEnabled() and self.is_dirty():
            answer = form.ask_discard_changes(self)
            if answer == QMessageBox.StandardButton.Cancel:
                return
            if answer == QMessageBox.StandardButton.Save:
                self.save()
                return
        super().reject()


def _history_item(entry: audit_history.ReadableEntry) -> QTreeWidgetItem:
    """One history entry: what it is about ("Other name BUAA: added", "Verdict on hit ...") on
    top, each changed field below, "old → new" as in the other History tabs."""
    if entry.action.startswith("verdict"):  # the verdict first: the hit's name can be long
        what = f"{entry.what.capitalize()} on hit {entry.subject}"
    elif entry.subject in ("", "Partner"):
        what = entry.what
    else:
        what = f"{entry.subject}: {entry.what}"
    summary = ""
    if entry.action == "update":
        summary = ", ".join(change.label for change in entry.changes)
    elif entry.action.startswith("verdict"):
        verdict = entry.change("verdict")
        summary = verdict.new if verdict is not None else ""
    top = QTreeWidgetItem([entry.at.strftime("%Y-%m-%d %H:%M:%S"), entry.actor, what, summary])
    top.setToolTip(2, what)
    for change in entry.changes:
        value = f"{change.old} \u2192 {change.new}"
        child = QTreeWidgetItem(["", "", change.label, value])
        child.setToolTip(3, value)
        top.addChild(child)
    return top


def _fit_columns(tree: QTreeWidget) -> None:
    """Every column but the last as wide as its contents (dates and names whole at any scale);
    the last takes the rest of the room."""
    header = tree.header()
    header.setStretchLastSection(True)
    widest = max(160, tree.viewport().width() * 2 // 5)
    for column in range(tree.columnCount() - 1):
        tree.resizeColumnToContents(column)
        if tree.columnWidth(column) > widest:  # the rest is in the tooltip
            tree.setColumnWidth(column, widest)
