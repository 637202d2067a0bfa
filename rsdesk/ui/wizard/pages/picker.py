"""Which collaboration to appraise, when the wizard is started from nowhere in particular.

Searches the collaborations register (in the database, through the register spec) and, when the
collaboration editor is part of the build, offers to create one on the way.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
from typing import Any

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from rsdesk.services import registers
from rsdesk.ui.context import AppContext

ID_ROLE = Qt.ItemDataRole.UserRole
LIMIT = 200


def search_collaborations(session: Session, text: str) -> list[tuple[int, str]]:
    """(id, label) of the collaborations matching ``text``, newest reference first."""
    spec = registers.get("collaborations")
    query = registers.RegisterQuery(text=text, sort_key="reference", descending=True)
    rows = registers.fetch(
        session, spec, query, limit=LIMIT, keys=["reference", "title", "status", "risk_level"]
    )
    labels = []
    for record_id, reference, title, status, level in rows:
        extra = str(status).replace("_", " ")
        if level:
            extra += f", {str(level).replace('_', ' ')} risk"
        labels.append((int(record_id), f"{reference} — {title} ({extra})"))
    return labels


class CollaborationPickerDialog(QDialog):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("CollaborationPickerDialog")
        self.setWindowTitle(self.tr("Appraise a collaboration"))
        self.resize(640, 480)
        self.search = QLineEdit()
        self.search.setObjectName("pickerSearch")
        self.search.setAccessibleName(self.tr("Search collaborations"))
        self.search.setPlaceholderText(self.tr("Search by reference or title"))
        self.search.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setObjectName("pickerResults")
        self.results.setAccessibleName(self.tr("Matching collaborations"))
        self.results.itemDoubleClicked.connect(self._on_double_click)
        self.results.currentItemChanged.connect(self._update_buttons)
        self.status = QLabel()
        self.status.setObjectName("pickerStatus")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Appraise"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.new_button: QPushButton | None = None
        if importlib.util.find_spec("rsdesk.ui.dialogs.collaboration_dialog") is not None:
            self.new_button = self.buttons.addButton(
                self.tr("New collaboration…"), QDialogButtonBox.ButtonRole.ActionRole
            )
            self.new_button.clicked.connect(self._on_new)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(self._timer.start)
        self._generation = 0
        self._update_buttons()
        self.refresh()

    def selected_id(self) -> int | None:
        item = self.results.currentItem()
        return int(item.data(ID_ROLE)) if item is not None else None

    @Slot()
    def refresh(self) -> None:
        self._generation += 1
        generation = self._generation
        text = self.search.text()

        def done(rows: list[tuple[int, str]]) -> None:
            if generation != self._generation:
                return  # a newer search is on its way
            self.show_rows(rows)

        self.context.ops.query(lambda session: search_collaborations(session, text), done)

    def show_rows(self, rows: list[tuple[int, str]]) -> None:
        self.results.clear()
        for record_id, label in rows:
            item = QListWidgetItem(label)
            item.setData(ID_ROLE, record_id)
            self.results.addItem(item)
        if rows:
            self.results.setCurrentRow(0)
        count = len(rows)
        self.status.setText(
            self.tr("No collaboration matches.")
            if not count
            else self.tr("%d shown (first %d)") % (count, LIMIT)
            if count >= LIMIT
            else self.tr("%d shown") % count
        )
        self._update_buttons()

    @Slot()
    def _update_buttons(self, *_args: Any) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(
            self.results.currentItem() is not None
        )

    @Slot(QListWidgetItem)
    def _on_double_click(self, _item: QListWidgetItem) -> None:
        self.accept()

    @Slot()
    def _on_new(self) -> None:
        module = importlib.import_module("rsdesk.ui.dialogs.collaboration_dialog")
        dialog_class = module.CollaborationDialog
        parameters = inspect.signature(dialog_class).parameters
        kwargs: dict[str, Any] = {"context": self.context} if "context" in parameters else {}
        if "parent" in parameters:
            kwargs["parent"] = self
        dialog = dialog_class(**kwargs)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.search.clear()
            self.refresh()
