"""Create or edit a sensitive asset: name, kind, sensitivity level, owner, department, EU critical
technology areas, dual-use category, export-licence flag, location and description.

Choices (levels, staff, departments, technology areas, dual-use categories) are reference data
read in the background; the service validates what is saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from rsdesk.models.enums import AssetKind
from rsdesk.services import assets, reference
from rsdesk.services.assets import AssetInfo, AssetInput
from rsdesk.services.errors import KnownError
from rsdesk.ui.context import AppContext
from rsdesk.ui.widgets.form import UnsavedChanges, may_close
from rsdesk.ui.widgets.write_dialog import WriteDialog


@dataclass(frozen=True)
class AssetEditorData:
    """What the editor needs, read in one background query."""

    levels: list[Any]
    current: AssetInfo | None
    people: list[tuple[int, str]]
    departments: list[reference.Choice]
    technology: list[reference.TechnologyChoice]
    dual_use: list[reference.Choice]


class AssetDialog(WriteDialog):
    loaded = Signal()

    def __init__(
        self, context: AppContext, asset_id: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.asset_id = asset_id
        self._current: AssetInfo | None = None
        self.setObjectName("AssetDialog")
        self.setWindowTitle(
            self.tr("Sensitive asset") if asset_id else self.tr("New sensitive asset")
        )
        self.setMinimumWidth(620)
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("assetName")
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("assetKind")
        for kind in AssetKind:
            self.kind_combo.addItem(assets.KIND_LABELS[kind], kind.value)
        self.level_combo = QComboBox()
        self.level_combo.setObjectName("assetLevel")
        self.owner_combo = QComboBox()
        self.owner_combo.setObjectName("assetOwner")
        self.owner_combo.addItem(self.tr("(no owner)"), None)
        self.department_combo = QComboBox()
        self.department_combo.setObjectName("assetDepartment")
        self.department_combo.addItem(self.tr("(no department)"), None)
        self.location_edit = QLineEdit()
        self.location_edit.setPlaceholderText(
            self.tr("Building and room, or the system it lives on")
        )
        self.technology_list = QListWidget()
        self.technology_list.setObjectName("assetTechnology")
        self.technology_list.setAccessibleName(self.tr("EU critical technology areas"))
        self.technology_list.setToolTip(
            self.tr("Tick every area the asset belongs to (★: one of the most sensitive areas)")
        )
        self.technology_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.technology_list.setMinimumHeight(self.fontMetrics().height() * 6)
        self.technology_list.setWordWrap(True)
        self.technology_list.setResizeMode(QListView.ResizeMode.Adjust)
        self.technology_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.dual_use_combo = QComboBox()
        self.dual_use_combo.setObjectName("assetDualUse")
        self.dual_use_combo.addItem(self.tr("(not dual-use listed)"), None)
        self.dual_use_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.dual_use_combo.setMinimumContentsLength(24)
        self.export_box = QCheckBox(self.tr("An export licence may be needed"))
        self.export_box.setObjectName("assetExportLicence")
        self.location_edit.setObjectName("assetLocation")
        self.description_edit = QPlainTextEdit()
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setMaximumHeight(90)
        self.level_help = QLabel()
        self.level_help.setWordWrap(True)
        # Secondary text in the palette's own colour: readable on light and dark themes alike.
        self.level_help.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.level_help.setObjectName("assetLevelHelp")
        self.error = QLabel()
        self.error.setObjectName("assetError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c62828; font-weight: bold;")
        self.error.hide()
        form = QFormLayout()
        form.addRow(self.tr("&Name:"), self.name_edit)
        form.addRow(self.tr("&Kind:"), self.kind_combo)
        form.addRow(self.tr("&Sensitivity:"), self.level_combo)
        form.addRow("", self.level_help)
        form.addRow(self.tr("&Owner:"), self.owner_combo)
        form.addRow(self.tr("De&partment:"), self.department_combo)
        form.addRow(self.tr("&Technology areas:"), self.technology_list)
        form.addRow(self.tr("D&ual-use category:"), self.dual_use_combo)
        form.addRow("", self.export_box)
        form.addRow(self.tr("&Location or system:"), self.location_edit)
        form.addRow(self.tr("&Description:"), self.description_edit)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.level_combo.currentIndexChanged.connect(self._show_level_help)
        self._levels: list[Any] = []
        self.unsaved = UnsavedChanges(self)
        self.context.ops.query(self._load, self._on_loaded)

    def _load(self, session: Session) -> AssetEditorData:
        from rsdesk.services.appraisal.workflow import staff_choices

        return AssetEditorData(
            levels=list(assets.load_rules(session).levels),
            current=assets.get_asset(session, self.asset_id) if self.asset_id else None,
            people=list(staff_choices(session)),
            departments=reference.departments(session),
            technology=reference.technology_areas(session),
            dual_use=reference.dual_use_categories(session),
        )

    @Slot(object)
    def _on_loaded(self, loaded: AssetEditorData) -> None:
        self._levels, current = loaded.levels, loaded.current
        self._current = current
        for level in self._levels:
            self.level_combo.addItem(level.name, level.code)
        for staff_id, name in loaded.people:
            self.owner_combo.addItem(name, staff_id)
        for choice in loaded.departments:
            self.department_combo.addItem(choice.label, choice.value)
        for choice in loaded.dual_use:
            self.dual_use_combo.addItem(choice.label, choice.value)
        chosen = set(current.technology_areas) if current is not None else set()
        for area in loaded.technology:
            item = QListWidgetItem(area.name + (" ★" if area.most_sensitive else ""))
            item.setData(Qt.ItemDataRole.UserRole, area.code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = area.code in chosen
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            if area.most_sensitive:
                item.setToolTip(self.tr("One of the most sensitive areas"))
            self.technology_list.addItem(item)
        if current is not None:
            for combo, value, label in (
                (self.owner_combo, current.owner_staff_id, current.owner_name),
                (self.department_combo, current.department_id, current.department),
                (self.dual_use_combo, current.dual_use_code, current.dual_use_code),
            ):
                if value is not None and combo.findData(value) < 0:
                    combo.addItem(label or str(value), value)  # a former member of staff
                combo.setCurrentIndex(max(0, combo.findData(value)))
            self.name_edit.setText(current.name)
            self.kind_combo.setCurrentIndex(self.kind_combo.findData(current.kind.value))
            self.level_combo.setCurrentIndex(self.level_combo.findData(current.sensitivity_level))
            self.location_edit.setText(current.location or "")
            self.export_box.setChecked(current.export_licence_possible)
            self.description_edit.setPlainText(current.description or "")
        else:
            self.level_combo.setCurrentIndex(self.level_combo.findData("sensitive"))
        self._show_level_help()
        self.unsaved.mark_clean()
        self.loaded.emit()

    def reject(self) -> None:
        """Escape, Cancel or the close button: ask before typed changes are lost."""
        if may_close(self, self.unsaved.dirty(), self.save):
            super().reject()

    @Slot()
    def _show_level_help(self) -> None:
        code = self.level_combo.currentData()
        level = next((lvl for lvl in self._levels if lvl.code == code), None)
        self.level_help.setText(level.description if level else "")
        # A dialog does not grow for a wrapped label by itself: reserve the lines it needs,
        # or the description is squeezed (worst at 150 % scaling).
        width = max(self.level_combo.width(), self.minimumWidth() // 2)
        self.level_help.setMinimumHeight(self.level_help.heightForWidth(width))

    def data(self) -> AssetInput:
        return AssetInput(
            name=self.name_edit.text(),
            kind=str(self.kind_combo.currentData()),
            sensitivity_level=str(self.level_combo.currentData()),
            owner_staff_id=self.owner_combo.currentData(),
            department_id=self.department_combo.currentData(),
            technology_areas=self.technology_codes(),
            dual_use_code=self.dual_use_combo.currentData(),
            export_licence_possible=self.export_box.isChecked(),
            location=self.location_edit.text(),
            description=self.description_edit.toPlainText(),
        )

    def technology_codes(self) -> tuple[str, ...]:
        """The ticked technology areas, in the list's order."""
        items = (self.technology_list.item(row) for row in range(self.technology_list.count()))
        return tuple(
            item.data(Qt.ItemDataRole.UserRole)
            for item in items
            if item.checkState() == Qt.CheckState.Checked
        )

    @Slot()
    def save(self) -> None:
        data = self.data()
        asset_id = self.asset_id
        # The version this form was loaded from: a save made meanwhile elsewhere is not undone.
        seen_version = self._current.row_version if self._current is not None else None

        def work(session: Session) -> AssetInfo:
            if asset_id is None:
                return assets.create_asset(session, data)
            return assets.update_asset(session, asset_id, data, seen_version=seen_version)

        self.buttons.setEnabled(False)
        self.context.ops.write(work, self._on_saved, self._on_error)

    @Slot(object)
    def _on_saved(self, result: object) -> None:
        assert isinstance(result, AssetInfo)
        self.asset_id = result.id
        super()._on_saved(result)

    def _show_error(self, error: KnownError) -> None:
        super()._show_error(error)
        if getattr(error, "field", None) == "name":  # a blank or taken name: fix it there
            self.name_edit.setFocus()
            self.name_edit.selectAll()


class SafeguardDialog(WriteDialog):
    """Record a catalogue safeguard of an asset: status, date last verified, evidence."""

    def __init__(
        self,
        context: AppContext,
        asset_id: int,
        code: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        from rsdesk.models.enums import SafeguardStatus
        from rsdesk.ui.widgets.date_edit import OptionalDateEdit

        super().__init__(parent)
        self.context = context
        self.asset_id = asset_id
        self.setObjectName("SafeguardDialog")
        self.setWindowTitle(self.tr("Record a safeguard"))
        self.setMinimumWidth(480)
        self.code_combo = QComboBox()
        self.code_combo.setObjectName("safeguardCode")
        for rule in assets.load_rules().safeguards:
            self.code_combo.addItem(f"{rule.text} ({rule.category})", rule.code)
        if code:
            self.code_combo.setCurrentIndex(max(0, self.code_combo.findData(code)))
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("safeguardStatus")
        for status in SafeguardStatus:
            self.status_combo.addItem(assets.STATUS_LABELS[status], status.value)
        self.verified_edit = OptionalDateEdit()
        self.verified_edit.setObjectName("lastVerified")
        self.evidence_edit = QPlainTextEdit()
        self.evidence_edit.setTabChangesFocus(True)
        self.evidence_edit.setMaximumHeight(80)
        self.evidence_edit.setPlaceholderText(
            self.tr("What shows it is in place (audit, log, document)")
        )
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c62828; font-weight: bold;")
        self.error.hide()
        form = QFormLayout()
        form.addRow(self.tr("&Safeguard:"), self.code_combo)
        form.addRow(self.tr("S&tatus:"), self.status_combo)
        form.addRow(self.tr("&Last verified:"), self.verified_edit)
        form.addRow(self.tr("&Evidence:"), self.evidence_edit)
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
        self.unsaved.mark_clean()

    def reject(self) -> None:
        if may_close(self, self.unsaved.dirty(), self.save):
            super().reject()

    @Slot()
    def save(self) -> None:
        asset_id = self.asset_id
        code = str(self.code_combo.currentData())
        status = str(self.status_combo.currentData())
        verified = self.verified_edit.value()
        evidence = self.evidence_edit.toPlainText()
        self.buttons.setEnabled(False)
        self.context.ops.write(
            lambda session: assets.set_safeguard(
                session, asset_id, code, status, last_verified_on=verified, evidence=evidence
            ),
            self._on_saved,
            self._on_error,
        )


class AccessDialog(WriteDialog):
    """Grant a staff member access to an asset, for a reason and (optionally) until a date.

    People who have left are hidden unless asked for (access of the past can still be recorded),
    and marked with their last day; the service refuses access that outlasts employment.
    """

    loaded = Signal()

    def __init__(self, context: AppContext, asset_id: int, parent: QWidget | None = None) -> None:
        import datetime as dt

        from PySide6.QtCore import QDate

        from rsdesk.ui.widgets.date_edit import OptionalDateEdit
        from rsdesk.ui.widgets.form import FieldError, mark_view_only

        super().__init__(parent)
        self.context = context
        self.asset_id = asset_id
        self._candidates: list[assets.AccessCandidate] = []
        self.setObjectName("AccessDialog")
        self.setWindowTitle(self.tr("Grant access"))
        self.setMinimumWidth(480)
        self.staff_combo = QComboBox()
        self.staff_combo.setObjectName("accessStaff")
        self.leavers_box = QCheckBox(self.tr("Show people who have &left"))
        self.leavers_box.setObjectName("showLeavers")
        self.leavers_box.setToolTip(
            self.tr("To record access someone had before they left; it must end by their last day")
        )
        self.leavers_box.toggled.connect(self._fill_people)
        mark_view_only(self.leavers_box)  # showing more people is not a change to save
        self.since_edit = OptionalDateEdit()
        self.since_edit.setObjectName("accessSince")
        today = dt.date.today()
        self.since_edit.set_value(today)
        self.since_edit.setMaximumDate(QDate(today.year + 5, 12, 31))
        self.until_edit = OptionalDateEdit()
        self.until_edit.setObjectName("accessUntil")
        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("accessReason")
        self.reason_edit.setPlaceholderText(self.tr("Why this person needs access"))
        # Said instead of an empty Person list: where the people come from.
        self.empty_hint = QLabel()
        self.empty_hint.setObjectName("accessEmptyHint")
        self.empty_hint.setWordWrap(True)
        self.empty_hint.hide()
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c62828; font-weight: bold;")
        self.error.hide()
        self.errors: dict[str, FieldError] = {}
        self.fields: dict[str, QWidget] = {}
        form = QFormLayout()
        for key, label, widget in (
            ("staff_id", self.tr("&Person:"), self.staff_combo),
            ("since", self.tr("&Since:"), self.since_edit),
            ("until", self.tr("&Until:"), self.until_edit),
            ("reason", self.tr("&Reason:"), self.reason_edit),
        ):
            widget.setAccessibleName(label.replace("&", "").rstrip(":"))
            error = FieldError()
            error.setObjectName(f"{key}Error")
            holder = QWidget()
            box = QVBoxLayout(holder)
            box.setContentsMargins(0, 0, 0, 0)
            box.addWidget(widget)
            if key == "staff_id":
                box.addWidget(self.leavers_box)
                box.addWidget(self.empty_hint)
            box.addWidget(error)
            caption = QLabel(label)
            caption.setBuddy(widget)
            form.addRow(caption, holder)
            self.errors[key] = error
            self.fields[key] = widget
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
        self.context.ops.query(assets.access_candidates, self._on_loaded)

    @Slot(object)
    def _on_loaded(self, candidates: list[assets.AccessCandidate]) -> None:
        self._candidates = list(candidates)
        self._fill_people()
        self.unsaved.mark_clean()
        self.loaded.emit()

    def reject(self) -> None:
        if may_close(self, self.unsaved.dirty(), self.save):
            super().reject()

    @Slot()
    def _fill_people(self) -> None:
        chosen = self.staff_combo.currentData()
        show_leavers = self.leavers_box.isChecked()
        self.staff_combo.clear()
        for person in self._candidates:
            if person.left and not show_leavers:
                continue
            label = person.name
            if person.left and person.end_date is not None:
                label = self.tr("%s — left %s") % (person.name, person.end_date.isoformat())
            elif person.end_date is not None:
                label = self.tr("%s — leaves %s") % (person.name, person.end_date.isoformat())
            self.staff_combo.addItem(label, person.staff_id)
        if chosen is not None and self.staff_combo.findData(chosen) >= 0:
            self.staff_combo.setCurrentIndex(self.staff_combo.findData(chosen))
        leavers = sum(1 for person in self._candidates if person.left)
        self.leavers_box.setVisible(leavers > 0)
        if not self._candidates:
            self.empty_hint.setText(
                self.tr(
                    "No staff are recorded yet. Add or import them first under "
                    "Staff & onboarding; then grant access here."
                )
            )
        elif self.staff_combo.count() == 0:
            self.empty_hint.setText(
                self.tr(
                    "Everybody in the staff register has left. Tick “Show people who have "
                    "left” to record access they had, or add staff under Staff & onboarding."
                )
            )
        else:
            self.empty_hint.clear()
        self.empty_hint.setVisible(bool(self.empty_hint.text()))
        self.staff_combo.setEnabled(self.staff_combo.count() > 0)
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setEnabled(self.staff_combo.count() > 0)

    def _clear_errors(self) -> None:
        self.error.hide()
        for error in self.errors.values():
            error.clear_error()

    def _show_field_error(self, key: str, message: str) -> None:
        self.errors[key].show_error(message)
        self.fields[key].setFocus()
        self.adjustSize()  # a wrapped message needs its second line (the dialog does not grow)

    @Slot()
    def save(self) -> None:
        asset_id = self.asset_id
        staff_id = self.staff_combo.currentData()
        since = self.since_edit.value()
        until = self.until_edit.value()
        reason = self.reason_edit.text()
        self._clear_errors()
        if staff_id is None:
            self._show_field_error("staff_id", self.tr("Choose the person"))
            return
        if since is None:
            self._show_field_error("since", self.tr("Enter the date access starts"))
            return
        self.buttons.setEnabled(False)
        self.context.ops.write(
            lambda session: assets.grant_access(
                session, asset_id, int(staff_id), since, reason, until
            ),
            self._on_saved,
            self._on_error,
        )

    def _show_error(self, error: KnownError) -> None:
        field = getattr(error, "field", None)
        if field in self.errors:
            self._show_field_error(str(field), str(error))
            return
        self.error.setText(str(error))
        self.error.show()


class EndAccessDialog(WriteDialog):
    """End one access grant on a chosen day (the holder's last day when they have left)."""

    def __init__(
        self, context: AppContext, entry: assets.AccessInfo, parent: QWidget | None = None
    ) -> None:
        import datetime as dt

        from rsdesk.ui.widgets.date_edit import OptionalDateEdit
        from rsdesk.ui.widgets.form import FieldError

        super().__init__(parent)
        self.context = context
        self.entry = entry
        self.setObjectName("EndAccessDialog")
        self.setWindowTitle(self.tr("End access"))
        self.setMinimumWidth(420)
        intro = QLabel(
            self.tr("%s has had access since %s. The last day of access:")
            % (entry.staff_name, entry.since.isoformat())
        )
        intro.setWordWrap(True)
        self.until_edit = OptionalDateEdit()
        self.until_edit.setObjectName("endAccessOn")
        self.until_edit.setAccessibleName(self.tr("Last day of access"))
        default = dt.date.today()
        if entry.holder_left and entry.holder_end_date is not None:
            default = max(entry.holder_end_date, entry.since)  # offboarding: the last day
        self.until_edit.set_value(default)
        self.error = FieldError()
        form = QFormLayout()
        caption = QLabel(self.tr("&Last day:"))
        caption.setBuddy(self.until_edit)
        form.addRow(caption, self.until_edit)
        form.addRow("", self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.end_button = self.buttons.addButton(
            self.tr("&End access"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.end_button.setObjectName("confirmEndAccess")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

    @Slot()
    def save(self) -> None:
        until = self.until_edit.value()
        grant_id = self.entry.id
        if until is None:
            self.error.show_error(self.tr("Enter the last day of access"))
            return
        self.buttons.setEnabled(False)
        self.context.ops.write(
            lambda session: assets.end_access(session, grant_id, until),
            self._on_saved,
            self._on_error,
        )

    def _show_error(self, error: KnownError) -> None:
        self.error.show_error(str(error))
        self.until_edit.setFocus()
        self.adjustSize()


class LinkDialog(WriteDialog):
    """Link a collaboration to the asset it touches (and whether the partner gets access)."""

    loaded = Signal()

    def __init__(self, context: AppContext, asset_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.asset_id = asset_id
        self.setObjectName("LinkDialog")
        self.setWindowTitle(self.tr("Link a collaboration"))
        self.setMinimumWidth(520)
        self.collaboration_combo = QComboBox()
        self.collaboration_combo.setObjectName("linkCollaboration")
        self.partner_box = QCheckBox(self.tr("The partner gets access to this asset"))
        self.partner_box.setToolTip(
            self.tr("The appraisal of the collaboration then pre-fills the access question")
        )
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c62828; font-weight: bold;")
        self.error.hide()
        form = QFormLayout()
        form.addRow(self.tr("&Collaboration:"), self.collaboration_combo)
        form.addRow("", self.partner_box)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.context.ops.query(assets.collaboration_choices, self._on_loaded)

    @Slot(object)
    def _on_loaded(self, choices: list[tuple[int, str]]) -> None:
        for collaboration_id, label in choices:
            self.collaboration_combo.addItem(label, collaboration_id)
        self.loaded.emit()

    @Slot()
    def save(self) -> None:
        asset_id = self.asset_id
        collaboration_id = self.collaboration_combo.currentData()
        partner_access = self.partner_box.isChecked()
        if collaboration_id is None:
            self.error.setText(self.tr("Choose the collaboration"))
            self.error.show()
            return
        self.buttons.setEnabled(False)
        self.context.ops.write(
            lambda session: assets.link_collaboration(
                session, int(collaboration_id), asset_id, partner_access=partner_access
            ),
            self._on_saved,
            self._on_error,
        )
