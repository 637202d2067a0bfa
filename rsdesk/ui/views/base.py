"""The contract between the main window and its views."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QAbstractItemView, QWidget

from rsdesk.ui.context import AppContext
from rsdesk.ui.signals import Changes


class View(QWidget):
    """A page of the main window. Subclasses override the hooks they support.

    Views are created lazily the first time they are shown and live until the window closes.
    They ask services for data through ``context.ops`` and never touch SQL.
    """

    #: Tables whose changes make this view reload (see Changes); empty means never.
    watches: frozenset[str] = frozenset()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._stale = False
        context.signals.data_changed.connect(self._on_data_changed)

    def _on_data_changed(self, changes: Changes) -> None:
        if self.watches and changes.touches(*self.watches):
            if self.isVisible():
                self.refresh()
            else:
                self._stale = True

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        # Tab leaves a table for the buttons beside it (Record safeguard…, Grant access…); the
        # arrows move between cells. Qt's default kept Tab cycling through the cells for ever.
        for table in self.findChildren(QAbstractItemView):
            table.setTabKeyNavigation(False)
        if self._stale:
            self._stale = False
            self.refresh()

    # -- hooks --------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload what the view shows."""

    def new_record(self) -> None:
        """File > New while this view is current."""

    def focus_search(self) -> None:
        """Edit > Find: put the cursor in the view's quick filter."""

    def apply_filters(self, filters: dict[str, Any]) -> None:
        """Show a filtered subset (dashboard drill-down)."""

    def export_current(self) -> None:
        """File > Export: export what the view shows."""

    def save_state(self) -> None:
        """Remember column widths, splitters and the like (called when the window closes)."""
