"""The collaborations register: the view officers live in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from rsdesk.ui.context import AppContext
from rsdesk.ui.views.register_view import RegisterView

if TYPE_CHECKING:
    from rsdesk.ui.dialogs.collaboration_dialog import CollaborationDialog


class CollaborationsView(RegisterView):
    register_name = "collaborations"
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
        self.search_box.setPlaceholderText(self.tr("Search titles and references (Ctrl+F)"))
        self.editor: CollaborationDialog | None = None

    def open_record(self, record_id: int) -> None:
        self._open_editor(record_id)

    def new_record(self) -> None:
        self._open_editor(None)

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
