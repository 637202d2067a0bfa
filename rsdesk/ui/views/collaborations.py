"""The collaborations register: the view officers live in.

Besides opening a record, a collaboration can be appraised straight from the register: the
*Appraise…* button, the table's context menu and Ctrl+Shift+A open the appraisal wizard for the
selected row (resuming its draft, or starting one).
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QPushButton, QWidget

from rsdesk.ui.context import AppContext
from rsdesk.ui.views.register_view import RegisterView

if TYPE_CHECKING:
    from rsdesk.ui.dialogs.collaboration_dialog import CollaborationDialog
    from rsdesk.ui.wizard.appraisal import AppraisalWizard

WIZARD_MODULE = "rsdesk.ui.wizard.appraisal"


class CollaborationsView(RegisterView):
    register_name = "collaborations"
    start_up_preview = True
    watches = frozenset(
        {
            "collaboration",
            "collaboration_partner",
            "collaboration_technology",
            "partner",
            "appraisal",
        }
    )

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.search_box.setPlaceholderText(self.tr("Search titles, references, leads (Ctrl+F)"))
        self.editor: CollaborationDialog | None = None
        #: The last wizard opened from this view (tests and the screenshots look at it).
        self.wizard: AppraisalWizard | None = None

        available = importlib.util.find_spec(WIZARD_MODULE) is not None
        self.appraise_action = QAction(self.tr("A&ppraise…"), self)
        self.appraise_action.setObjectName("appraiseAction")
        self.appraise_action.setShortcut(QKeySequence("Ctrl+Shift+A"))
        self.appraise_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.appraise_action.setToolTip(
            self.tr("Open the appraisal wizard for the selected collaboration (Ctrl+Shift+A)")
        )
        self.appraise_action.triggered.connect(self.appraise_selected)
        self.addAction(self.appraise_action)
        self.open_action = QAction(self.tr("&Open"), self)
        self.open_action.triggered.connect(self._open_selected)

        self.appraise_button = QPushButton(self.appraise_action.text())
        self.appraise_button.setObjectName("appraiseButton")
        self.appraise_button.setAccessibleName(self.tr("Appraise the selected collaboration"))
        self.appraise_button.setToolTip(self.appraise_action.toolTip())
        self.appraise_button.clicked.connect(self.appraise_action.trigger)
        # Under the table, not in the filter row: that row already sets the window's minimum
        # width, and one more button pushed it past a 1366-pixel laptop screen.
        self.bottom_bar.insertWidget(0, self.appraise_button)
        if not available:
            self.appraise_action.setToolTip(self.tr("The appraisal wizard is not installed."))
            self.appraise_button.setToolTip(self.appraise_action.toolTip())
        self._wizard_available = available

        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._show_row_menu)
        self.table.selectionModel().currentRowChanged.connect(self._update_actions)
        self.model.loaded.connect(self._update_actions)
        self._update_actions()

    def open_record(self, record_id: int) -> None:
        self._open_editor(record_id)

    def new_record(self) -> None:
        self._open_editor(None)

    @Slot()
    def appraise_selected(self) -> None:
        """Open the wizard for the selected collaboration (its draft, or a new one)."""
        record_id = self.current_id()
        if record_id is None or not self._wizard_available:
            self.context.signals.status_message.emit(self.tr("Select a collaboration to appraise."))
            return
        from rsdesk.ui.wizard.appraisal import open_appraisal_wizard

        open_appraisal_wizard(
            self.context, collaboration_id=record_id, parent=self, on_open=self._on_wizard
        )

    def row_menu(self) -> QMenu:
        """The table's context menu: open the record or appraise it."""
        menu = QMenu(self)
        menu.addAction(self.open_action)
        menu.addAction(self.appraise_action)
        return menu

    def _on_wizard(self, wizard: AppraisalWizard) -> None:
        self.wizard = wizard

    @Slot(QPoint)
    def _show_row_menu(self, position: QPoint) -> None:
        index = self.table.indexAt(position)
        if index.isValid():
            self.table.selectRow(index.row())
        self._update_actions()
        self.row_menu().exec(self.table.viewport().mapToGlobal(position))

    @Slot()
    def _open_selected(self) -> None:
        record_id = self.current_id()
        if record_id is not None:
            self.open_record(record_id)

    @Slot()
    def _update_actions(self) -> None:
        selected = self.current_id() is not None
        self.open_action.setEnabled(selected)
        self.appraise_action.setEnabled(selected and self._wizard_available)
        self.appraise_button.setEnabled(selected and self._wizard_available)

    def _open_editor(self, record_id: int | None) -> CollaborationDialog:
        # Imported on first use: the editor and its services are not needed to show the table.
        from rsdesk.ui.dialogs.collaboration_dialog import CollaborationDialog

        dialog = CollaborationDialog(self.context, record_id, self)
        dialog.saved.connect(self._on_saved)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self.editor = dialog
        return dialog

    def _on_saved(self, detail: object) -> None:
        self._selected_id = getattr(detail, "id", None)
