"""Choosing partners: search by any of their names, add to the list, remove from it."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QWidget,
)
from sqlalchemy.orm import Session

from rsdesk.services import partners as partner_service
from rsdesk.services.partners import PartnerChoice
from rsdesk.ui.ops import OperationRunner

SEARCH_DELAY_MS = 200
_ID = Qt.ItemDataRole.UserRole


class PartnerPicker(QWidget):
    """Left: a search box and its matches; right: the chosen partners. Enter or double-click adds."""

    changed = Signal()
    #: Emitted when a search's results are shown (tests and screen readers wait for it).
    results_shown = Signal()

    def __init__(self, ops: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self._generation = 0
        #: The text whose matches the list shows; Enter on newer text waits for its matches.
        self._shown_text: str | None = None
        self._searched_text = ""
        self._add_on_results = False
        self.search_box = QLineEdit()
        self.search_box.setObjectName("partnerSearch")
        self.search_box.setPlaceholderText(self.tr("Search partners by any name…"))
        self.search_box.setAccessibleName(self.tr("Search partners"))
        self.search_box.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setObjectName("partnerResults")
        self.results.setAccessibleName(self.tr("Matching partners"))
        self.chosen = QListWidget()
        self.chosen.setObjectName("partnerChosen")
        self.chosen.setAccessibleName(self.tr("Chosen partners"))
        self.add_button = QPushButton(self.tr("Add →"))
        self.add_button.setAccessibleName(self.tr("Add the selected partner"))
        self.remove_button = QPushButton(self.tr("← Remove"))
        self.remove_button.setAccessibleName(self.tr("Remove the selected partner"))
        for widget in (self.results, self.chosen):
            widget.setMinimumHeight(90)
            # Long partner names wrap instead of hiding behind a horizontal scroll bar.
            widget.setWordWrap(True)
            widget.setResizeMode(QListView.ResizeMode.Adjust)
            widget.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search_box, 0, 0)
        chosen_label = QLabel(self.tr("Chosen:"))
        chosen_label.setBuddy(self.chosen)
        layout.addWidget(chosen_label, 0, 2)
        layout.addWidget(self.results, 1, 0, 2, 1)
        layout.addWidget(self.add_button, 1, 1, Qt.AlignmentFlag.AlignBottom)
        layout.addWidget(self.remove_button, 2, 1, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.chosen, 1, 2, 2, 1)
        layout.setColumnStretch(0, 1)
        layout.setRowStretch(1, 1)
        layout.setRowStretch(2, 1)
        layout.setColumnStretch(2, 1)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.search)
        self.search_box.textChanged.connect(self._timer.start)
        self.search_box.installEventFilter(self)
        self.results.itemActivated.connect(self._add_item)
        self.chosen.itemActivated.connect(self._remove_item)
        self.add_button.clicked.connect(self._add_selected)
        self.remove_button.clicked.connect(self._remove_selected)
        self.setTabOrder(self.search_box, self.results)
        self.setTabOrder(self.results, self.add_button)
        self.setTabOrder(self.add_button, self.chosen)
        self.setTabOrder(self.chosen, self.remove_button)

    # -- API ----------------------------------------------------------------------------------

    def set_partners(self, partners: Sequence[tuple[int, str]]) -> None:
        """The chosen partners as (id, label) pairs, without emitting ``changed``."""
        self.chosen.clear()
        for partner_id, label in partners:
            self._append(partner_id, label)

    def partner_ids(self) -> tuple[int, ...]:
        return tuple(self.chosen.item(i).data(_ID) for i in range(self.chosen.count()))

    @Slot()
    def search(self) -> None:
        self._timer.stop()
        self._generation += 1
        generation, text = self._generation, self.search_box.text()
        self._searched_text = text

        def work(session: Session) -> tuple[int, list[PartnerChoice]]:
            return generation, partner_service.search(session, text, limit=40)

        self.ops.query(work, self._show_results)

    # -- internals ----------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        # Enter in the search box adds the first match; it must not reach the dialog's Save.
        if (
            watched is self.search_box
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
        ):
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._add_first()
                return True
            if event.key() == Qt.Key.Key_Down and self.results.count():
                self.results.setFocus(Qt.FocusReason.TabFocusReason)
                return True
        return super().eventFilter(watched, event)

    def _show_results(self, result: tuple[int, list[PartnerChoice]]) -> None:
        generation, choices = result
        if generation != self._generation:
            return
        self._shown_text = self._searched_text
        self.results.clear()
        taken = set(self.partner_ids())
        for choice in choices:
            if choice.id in taken:
                continue
            item = QListWidgetItem(choice.label)
            item.setToolTip(choice.label)  # the full name when the list is narrower than it
            item.setData(_ID, choice.id)
            item.setData(Qt.ItemDataRole.UserRole + 1, choice.name)
            self.results.addItem(item)
        if self.results.count():
            self.results.setCurrentRow(0)
        self.results_shown.emit()
        if self._add_on_results:
            self._add_on_results = False
            self._add_first()

    def _append(self, partner_id: int, label: str) -> None:
        item = QListWidgetItem(label)
        item.setToolTip(label)
        item.setData(_ID, partner_id)
        self.chosen.addItem(item)

    @Slot()
    def _add_first(self) -> None:
        if self._timer.isActive() or self._shown_text != self.search_box.text():
            # Typed faster than the search: add the first match of *this* text when it arrives.
            self._add_on_results = True
            self.search()
            return
        item = self.results.currentItem() or self.results.item(0)
        if item is not None:
            self._add_item(item)

    @Slot()
    def _add_selected(self) -> None:
        item = self.results.currentItem()
        if item is not None:
            self._add_item(item)

    @Slot(QListWidgetItem)
    def _add_item(self, item: QListWidgetItem) -> None:
        partner_id = item.data(_ID)
        if partner_id in self.partner_ids():
            return
        self._append(partner_id, item.data(Qt.ItemDataRole.UserRole + 1) or item.text())
        self.results.takeItem(self.results.row(item))
        self.changed.emit()

    @Slot()
    def _remove_selected(self) -> None:
        item = self.chosen.currentItem()
        if item is not None:
            self._remove_item(item)

    @Slot(QListWidgetItem)
    def _remove_item(self, item: QListWidgetItem) -> None:
        self.chosen.takeItem(self.chosen.row(item))
        self.changed.emit()
