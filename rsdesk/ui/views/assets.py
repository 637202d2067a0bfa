"""The sensitive assets register, with a detail panel: the asset's safeguards (expected, missing,
overdue for verification) and its access list (flagged where the briefing is not current)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QBrush, QColor, QPalette
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
    QWidget,
)
from sqlalchemy.orm import Session

from rsdesk.services import assets
from rsdesk.services.wording import counted
from rsdesk.ui.context import AppContext
from rsdesk.ui.views.register_view import RegisterView

WARNING = QColor("#FFC7CE")
WARNING_TEXT = QColor("#9C0006")
MISSING = QColor("#FFEB9C")


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
                self.tr("Briefing / training"),
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
        self.detail = QTabWidget()
        self.detail.setObjectName("assetDetail")
        self.detail.addTab(self.safeguard_table, self.tr("Safeguards"))
        self.detail.addTab(self.access_table, self.tr("Access list"))
        self.detail.addTab(self.link_table, self.tr("Collaborations"))
        self.detail.setMinimumHeight(200)
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
        self.safeguard_button = QPushButton(self.tr("Record safeguard…"))
        self.safeguard_button.setObjectName("recordSafeguard")
        self.safeguard_button.clicked.connect(self.record_safeguard)
        self.access_button = QPushButton(self.tr("Grant access…"))
        self.access_button.setObjectName("grantAccess")
        self.access_button.clicked.connect(self.grant_access)
        actions = QHBoxLayout()
        actions.addWidget(self.summary, 1)
        actions.addWidget(self.safeguard_button)
        actions.addWidget(self.access_button)
        self.link_button = QPushButton(self.tr("Link collaboration…"))
        self.link_button.setObjectName("linkCollaboration")
        self.link_button.clicked.connect(self.link_collaboration)
        actions.addWidget(self.link_button)
        self._enable_actions()
        layout = self.layout()
        assert layout is not None
        layout.addLayout(actions)  # type: ignore[attr-defined]
        layout.addWidget(self.detail_stack)  # type: ignore[attr-defined]
        self.table.selectionModel().selectionChanged.connect(self._on_selection)

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
        for button in (self.safeguard_button, self.access_button, self.link_button):
            button.setEnabled(self.detail_id is not None)

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

    @Slot()
    def _on_selection(self, *_: Any) -> None:
        asset_id = self.current_id()
        if asset_id != self.detail_id:
            self.detail_id = asset_id
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
            self.detail_stack.setCurrentWidget(self.detail_hint)
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
        self.link_table.setRowCount(len(links))
        for row, link in enumerate(links):
            values = [link.reference, link.title, self.tr("Yes") if link.partner_access else ""]
            for column, value in enumerate(values):
                self.link_table.setItem(row, column, QTableWidgetItem(value))

    @Slot(object)
    def _show_detail(self, loaded: Any) -> None:
        info, states, access, links = loaded
        if info.id != self.detail_id:
            return
        self._states = list(states)
        self.detail_stack.setCurrentWidget(self.detail)
        self._show_links(links)
        missing = sum(1 for s in states if s.missing)
        overdue = sum(1 for s in states if s.overdue)
        flagged = sum(1 for a in access if a.flagged)
        self.summary.setText(
            self.tr(
                "<b>%s</b> — %s. %s missing, %d overdue for verification; %d of %d people with access lack a current briefing."
            )
            % (
                info.name,
                info.level_name,
                counted(missing, "expected safeguard"),
                overdue,
                flagged,
                sum(1 for a in access if a.active),
            )
        )
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
                    item.setBackground(QBrush(WARNING))
                    item.setForeground(QBrush(WARNING_TEXT))
                elif state.missing:
                    item.setBackground(QBrush(MISSING))
                self.safeguard_table.setItem(row, column, item)
        self.access_table.setRowCount(len(access))
        for row, entry in enumerate(access):
            if not entry.active:
                briefing = self.tr("Access ended")
            elif entry.lacking:
                briefing = self.tr("Not current: %s") % ", ".join(entry.lacking)
            else:
                briefing = self.tr("Current")
            values = [
                entry.staff_name,
                entry.since.isoformat(),
                entry.until.isoformat() if entry.until else "",
                entry.reason,
                briefing,
            ]
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if entry.flagged:
                    item.setBackground(QBrush(WARNING))
                    item.setForeground(QBrush(WARNING_TEXT))
                self.access_table.setItem(row, column, item)
