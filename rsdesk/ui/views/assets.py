"""The sensitive assets register, with a detail panel: the asset's safeguards (expected, missing,
overdue for verification), its access list (flagged where the briefing is not current or the
holder has left) and its collaborations, each tab with the actions that add and remove its rows.

Flag colours are badge colours mixed from the palette with their own text colour, so that they
read on a dark theme too (a fixed pale background kept the palette's light text).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QEvent, Qt, Slot
from PySide6.QtGui import QAction, QBrush, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from rsdesk.services import assets
from rsdesk.services.wording import counted
from rsdesk.ui import ops
from rsdesk.ui.context import AppContext
from rsdesk.ui.views.register_view import RegisterView
from rsdesk.ui.widgets import form
from rsdesk.ui.widgets.badges import badge_colours

#: Badge hue of each flag (see ``badges.HUES``): red for what needs action, amber for a gap.
FLAG_HUES = {"overdue": "overdue", "missing": "pending", "access": "overdue"}


def _flag_item(item: QTableWidgetItem, flag: str, palette: QPalette) -> None:
    """Tint a cell for a flag with a background *and* a text colour from the same palette."""
    colours = badge_colours(FLAG_HUES[flag], palette)
    if colours is not None:
        item.setBackground(QBrush(colours[0]))
        item.setForeground(QBrush(colours[1]))


def _action(parent: QWidget, text: str, slot: Any) -> QAction:
    action = QAction(text, parent)
    action.triggered.connect(slot)
    return action


def _page(table: QTableWidget, *buttons: QPushButton) -> QWidget:
    """A tab: the table, then its buttons; the table's context menu offers the same actions."""
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 4, 0, 0)
    layout.addWidget(table)
    row = QHBoxLayout()
    row.addStretch(1)
    for button in buttons:
        row.addWidget(button)
        action = _action(table, button.text().replace("&", ""), button.click)
        action.setProperty("button", button)
        table.addAction(action)
    table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
    layout.addLayout(row)
    return page


def _table(headers: list[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().hide()
    table.setAlternatingRowColors(True)
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return table


class AssetsView(RegisterView):
    register_name = "assets"
    watches = frozenset(
        {
            "sensitive_asset",
            "asset_safeguard",
            "access_grant",
            "training_record",
            "collaboration_asset",
        }
    )

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.detail_id: int | None = None
        self._states: list[Any] = []
        self._access: list[Any] = []
        self._links: list[Any] = []
        self._info: Any = None
        #: What the panel shows, kept to repaint its flags when the palette changes.
        self._loaded: Any = None
        self.editor: QWidget | None = None
        self.summary = QLabel()
        self.summary.setObjectName("assetSummary")
        self.summary.setWordWrap(True)
        self.safeguard_table = _table(
            [
                self.tr("Safeguard"),
                self.tr("Kind"),
                self.tr("Status"),
                self.tr("Last verified"),
                self.tr("Due"),
                self.tr("Flag"),
            ],
            "safeguardTable",
        )
        self.access_table = _table(
            [
                self.tr("Person"),
                self.tr("Since"),
                self.tr("Until"),
                self.tr("Reason"),
                self.tr("Briefing, training, leaving"),
            ],
            "accessTable",
        )
        self.link_table = _table(
            [self.tr("Collaboration"), self.tr("Title"), self.tr("Partner access")],
            "linkTable",
        )
        for table, name in (
            (self.safeguard_table, self.tr("Safeguards of the selected asset")),
            (self.access_table, self.tr("Access list of the selected asset")),
            (self.link_table, self.tr("Collaborations touching the selected asset")),
        ):
            table.setAccessibleName(name)
        self.safeguard_button = self._button(
            self.tr("&Record safeguard…"), "recordSafeguard", self.record_safeguard
        )
        self.remove_safeguard_button = self._button(
            self.tr("Re&move safeguard…"), "removeSafeguard", self.remove_safeguard
        )
        self.access_button = self._button(
            self.tr("&Grant access…"), "grantAccess", self.grant_access
        )
        self.end_access_button = self._button(self.tr("En&d access…"), "endAccess", self.end_access)
        self.link_button = self._button(
            self.tr("Lin&k collaboration…"), "linkCollaboration", self.link_collaboration
        )
        self.unlink_button = self._button(
            self.tr("U&nlink collaboration…"), "unlinkCollaboration", self.unlink_collaboration
        )
        self.archive_button = self._button(
            self.tr("Ar&chive asset…"), "archiveAsset", self.toggle_archived
        )
        self.detail = QTabWidget()
        self.detail.setObjectName("assetDetail")
        self.detail.addTab(
            _page(self.safeguard_table, self.safeguard_button, self.remove_safeguard_button),
            self.tr("Safeguards"),
        )
        self.detail.addTab(
            _page(self.access_table, self.access_button, self.end_access_button),
            self.tr("Access list"),
        )
        self.detail.addTab(
            _page(self.link_table, self.link_button, self.unlink_button),
            self.tr("Collaborations"),
        )
        self.detail.setMinimumHeight(240)
        # Until a row is chosen the panel says what it is for instead of showing empty tables.
        self.detail_hint = QLabel(self.tr("Choose an asset to see its safeguards and access list."))
        self.detail_hint.setObjectName("assetDetailHint")
        self.detail_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail_hint.setWordWrap(True)
        self.detail_hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.detail_hint.setFrameShape(
            QFrame.Shape.StyledPanel
        )  # the panel's outline, as the tabs'
        self.detail_stack = QStackedWidget()
        self.detail_stack.setObjectName("assetDetailStack")
        self.detail_stack.addWidget(self.detail_hint)
        self.detail_stack.addWidget(self.detail)
        actions = QHBoxLayout()
        actions.addWidget(self.summary, 1)
        actions.addWidget(self.archive_button)
        for table in (self.safeguard_table, self.access_table, self.link_table):
            table.itemSelectionChanged.connect(self._enable_actions)
        self._enable_actions()
        layout = self.layout()
        assert layout is not None
        layout.addLayout(actions)  # type: ignore[attr-defined]
        layout.addWidget(self.detail_stack)  # type: ignore[attr-defined]
        self.table.selectionModel().selectionChanged.connect(self._on_selection)

    def _button(self, text: str, name: str, slot: Any) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

    def open_record(self, record_id: int) -> None:
        from rsdesk.ui.dialogs.asset_dialog import AssetDialog

        dialog = AssetDialog(self.context, record_id, self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self.editor = dialog

    def new_record(self) -> None:
        from rsdesk.ui.dialogs.asset_dialog import AssetDialog

        dialog = AssetDialog(self.context, None, self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self.editor = dialog

    def _enable_actions(self) -> None:
        chosen = self.detail_id is not None and self._info is not None
        archived = bool(self._info is not None and self._info.archived)
        for button in (self.safeguard_button, self.access_button, self.link_button):
            button.setEnabled(chosen and not archived)
        self.remove_safeguard_button.setEnabled(chosen and self._chosen_safeguard() is not None)
        self.end_access_button.setEnabled(chosen and self._chosen_grant() is not None)
        self.unlink_button.setEnabled(chosen and self._chosen_link() is not None)
        self.archive_button.setEnabled(chosen)
        self.archive_button.setText(
            self.tr("Rest&ore asset") if archived else self.tr("Ar&chive asset…")
        )
        # The tables' context menus offer the same actions, enabled alike.
        for table in (self.safeguard_table, self.access_table, self.link_table):
            for action in table.actions():
                button = action.property("button")
                if isinstance(button, QPushButton):
                    action.setEnabled(button.isEnabled())

    def _chosen(self, table: QTableWidget, rows: list[Any]) -> Any:
        selected = table.selectionModel().selectedRows() if table.selectionModel() else []
        if not selected:
            return None
        row = selected[0].row()
        return rows[row] if 0 <= row < len(rows) else None

    def _chosen_safeguard(self) -> Any:
        """The selected safeguard when it is recorded (an expected one not recorded has no row)."""
        state = self._chosen(self.safeguard_table, self._states)
        return state if state is not None and state.id is not None else None

    def _chosen_grant(self) -> Any:
        """The selected grant unless it has already ended."""
        entry = self._chosen(self.access_table, self._access)
        if entry is None:
            return None
        return entry if entry.until is None or entry.until >= dt.date.today() else None

    def _chosen_link(self) -> Any:
        return self._chosen(self.link_table, self._links)

    def _write(self, work: Any) -> None:
        """Run a change in the background; a refusal is shown as one message."""
        self.context.ops.write(work, None, lambda error: ops.show_error(self, error))

    def remove_safeguard(self) -> None:
        state, asset_id = self._chosen_safeguard(), self.detail_id
        if state is None or asset_id is None:
            return
        if not form.ask_confirm(
            self,
            self.tr("Remove safeguard"),
            self.tr(
                "Remove “%s” from this asset? Its status, verification date and evidence are "
                "deleted (the audit log keeps them)."
            )
            % state.text,
        ):
            return
        code = state.code
        self._write(lambda session: assets.remove_safeguard(session, asset_id, code))

    def end_access(self) -> None:
        from rsdesk.ui.dialogs.asset_dialog import EndAccessDialog

        entry = self._chosen_grant()
        if entry is None:
            return
        dialog = EndAccessDialog(self.context, entry, self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self.editor = dialog

    def unlink_collaboration(self) -> None:
        link, asset_id = self._chosen_link(), self.detail_id
        if link is None or asset_id is None:
            return
        if not form.ask_confirm(
            self,
            self.tr("Unlink collaboration"),
            self.tr(
                "Unlink %s from this asset? Its appraisal no longer pre-fills the access "
                "question from it."
            )
            % link.reference,
        ):
            return
        collaboration_id = link.collaboration_id
        self._write(
            lambda session: assets.unlink_collaboration(session, collaboration_id, asset_id)
        )

    def toggle_archived(self) -> None:
        """Archive (asking first) or restore the chosen asset; nothing is deleted."""
        info, asset_id = self._info, self.detail_id
        if info is None or asset_id is None or info.id != asset_id:
            return
        archive = not info.archived
        if archive and not form.ask_confirm(
            self,
            self.tr("Archive asset"),
            self.tr(
                "Archive “%s”? It leaves the register and the figures; its safeguards, access "
                "list and history are kept. “Include archived” shows it again, and Restore "
                "brings it back."
            )
            % info.name,
        ):
            return
        self._write(lambda session: assets.archive_asset(session, asset_id, archived=archive))

    def link_collaboration(self) -> None:
        from rsdesk.ui.dialogs.asset_dialog import LinkDialog

        if self.detail_id is None:
            return
        dialog = LinkDialog(self.context, self.detail_id, self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self.editor = dialog

    def record_safeguard(self) -> None:
        from rsdesk.ui.dialogs.asset_dialog import SafeguardDialog

        if self.detail_id is None:
            return
        row = self.safeguard_table.currentRow()
        code = None
        if 0 <= row < len(self._states):
            code = self._states[row].code
        dialog = SafeguardDialog(self.context, self.detail_id, code, self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self.editor = dialog

    def grant_access(self) -> None:
        from rsdesk.ui.dialogs.asset_dialog import AccessDialog

        if self.detail_id is None:
            return
        dialog = AccessDialog(self.context, self.detail_id, self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self.editor = dialog

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self._loaded is not None:
            self._show_detail(self._loaded)

    @Slot()
    def _on_selection(self, *_: Any) -> None:
        asset_id = self.current_id()
        if asset_id != self.detail_id:
            self.detail_id = asset_id
            self._info = None
            self._enable_actions()
            self.load_detail()

    def refresh(self) -> None:
        super().refresh()
        if self.detail_id is not None:
            self.load_detail()

    def load_detail(self) -> None:
        asset_id = self.detail_id
        if asset_id is None:
            self.safeguard_table.setRowCount(0)
            self.access_table.setRowCount(0)
            self.link_table.setRowCount(0)
            self.summary.clear()
            self._states, self._access, self._links, self._info = [], [], [], None
            self._loaded = None
            self.detail_stack.setCurrentWidget(self.detail_hint)
            self._enable_actions()
            return
        today = dt.date.today()

        def work(session: Session) -> Any:
            return (
                assets.get_asset(session, asset_id),
                assets.safeguards(session, asset_id, today),
                assets.access_list(session, asset_id, today),
                assets.collaborations_of_asset(session, asset_id),
            )

        self.context.ops.query(work, self._show_detail)

    def _show_links(self, links: list[Any]) -> None:
        self._links = list(links)
        self.link_table.setRowCount(len(links))
        for row, link in enumerate(links):
            values = [link.reference, link.title, self.tr("Yes") if link.partner_access else ""]
            for column, value in enumerate(values):
                self.link_table.setItem(row, column, QTableWidgetItem(value))

    def _access_state(self, entry: Any) -> str:
        if not entry.active:
            if entry.since > dt.date.today():
                return self.tr("Starts %s") % entry.since.isoformat()
            return self.tr("Access ended")
        if entry.held_after_leaving:
            return self.tr("Holder has left (%s) — end the access") % (
                entry.holder_end_date.isoformat()
            )
        if entry.lacking:
            return self.tr("Not current: %s") % ", ".join(entry.lacking)
        return self.tr("Current")

    @Slot(object)
    def _show_detail(self, loaded: Any) -> None:
        info, states, access, links = loaded
        if info.id != self.detail_id:
            return
        self._loaded = loaded
        self._info = info
        self._states = list(states)
        self._access = list(access)
        self.detail_stack.setCurrentWidget(self.detail)
        self._show_links(links)
        palette = self.palette()
        missing = sum(1 for s in states if s.missing)
        overdue = sum(1 for s in states if s.overdue)
        unbriefed = len({a.staff_id for a in access if a.needs_briefing})
        leavers = len({a.staff_id for a in access if a.held_after_leaving})
        holders = len({a.staff_id for a in access if a.active})
        text = self.tr(
            "<b>%s</b> — %s. %s missing, %d overdue for verification; "
            "%d of %d people with access lack a current briefing."
        ) % (
            info.name,
            info.level_name,
            counted(missing, "expected safeguard"),
            overdue,
            unbriefed,
            holders,
        )
        if leavers:
            text += " " + self.tr("<b>%s who left still %s access.</b>") % (
                counted(leavers, "person", "people"),
                "has" if leavers == 1 else "have",
            )
        if info.archived:
            text += " " + self.tr("Archived.")
        self.summary.setText(text)
        self.safeguard_table.setRowCount(len(states))
        for row, state in enumerate(states):
            if state.missing:
                flag = self.tr("Missing (expected)")
            elif state.overdue:
                flag = self.tr("Overdue for verification")
            else:
                flag = ""
            values = [
                state.text,
                state.category.capitalize(),
                assets.STATUS_LABELS[state.status] if state.status else self.tr("Not recorded"),
                state.last_verified_on.isoformat() if state.last_verified_on else "",
                state.due_on.isoformat() if state.due_on else "",
                flag,
            ]
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if state.overdue:
                    _flag_item(item, "overdue", palette)
                elif state.missing:
                    _flag_item(item, "missing", palette)
                self.safeguard_table.setItem(row, column, item)
        self.access_table.setRowCount(len(access))
        for row, entry in enumerate(access):
            values = [
                entry.staff_name,
                entry.since.isoformat(),
                entry.until.isoformat() if entry.until else "",
                entry.reason,
                self._access_state(entry),
            ]
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if entry.flagged:
                    _flag_item(item, "access", palette)
                self.access_table.setItem(row, column, item)
        self._enable_actions()
