"""The audit log, read-only: filter by table, person and dates; verify the hash chain."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QWidget

from rsdesk.services import audit, audit_history, audit_watch
from rsdesk.services.audit import VerifyResult
from rsdesk.services.registers.labels import field_label
from rsdesk.ui.context import AppContext
from rsdesk.ui.views.register_view import RegisterView
from rsdesk.ui.widgets.date_edit import OptionalDateEdit


def _labelled(label: QLabel, field: QWidget) -> QWidget:
    """Label and field in one piece, so that a flowing filter bar never splits them."""
    pair = QWidget()
    layout = QHBoxLayout(pair)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(4)
    layout.addWidget(label)
    layout.addWidget(field)
    return pair


class AuditLogView(RegisterView):
    register_name = "audit_log"
    records_noun = "audit log entries"
    #: Every write adds entries; the view reloads when it is next shown.
    watches = frozenset({"*"})
    can_create = False
    #: The date range and Verify chain join the filters: too much for the search row.
    filters_on_own_row = True

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.search_box.setPlaceholderText(self.tr("Search who and which table (Ctrl+F)"))
        self.since_edit = OptionalDateEdit()
        self.since_edit.setObjectName("filter_since")
        self.since_edit.setAccessibleName(self.tr("From date"))
        self.until_edit = OptionalDateEdit()
        self.until_edit.setObjectName("filter_until")
        self.until_edit.setAccessibleName(self.tr("Until date"))
        from_label = QLabel(self.tr("Fro&m:"))
        from_label.setBuddy(self.since_edit)
        until_label = QLabel(self.tr("&Until:"))
        until_label.setBuddy(self.until_edit)
        # Each label travels with its field: at 800 px the flow put "From:" on one row and its
        # date on the next.
        for label, field in ((from_label, self.since_edit), (until_label, self.until_edit)):
            self.filter_bar.addWidget(_labelled(label, field))
        self.since_edit.dateChanged.connect(self._on_dates)
        self.until_edit.dateChanged.connect(self._on_dates)
        self.verify_button = QPushButton(self.tr("Verif&y chain"))
        self.verify_button.setObjectName("verifyButton")
        self.verify_button.setToolTip(
            self.tr(
                "Check that no entry was altered, removed or reordered, and that every record matches its last entry"
            )
        )
        self.verify_button.clicked.connect(self.verify)
        self.filter_bar.addWidget(self.verify_button)
        self.last_result: VerifyResult | None = None

    def _on_data_changed(self, changes: Any) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    @Slot()
    def _on_dates(self) -> None:
        since, until = self.since_edit.value(), self.until_edit.value()
        self._extra_filters.pop("since", None)
        self._extra_filters.pop("until", None)
        if since is not None:
            self._extra_filters["since"] = since
        if until is not None:
            self._extra_filters["until"] = until
        self._apply_query_now()

    def apply_filters(self, filters: dict[str, Any]) -> None:
        super().apply_filters(filters)
        for key, edit in (("since", self.since_edit), ("until", self.until_edit)):
            value = filters.get(key)
            edit.blockSignals(True)
            edit.set_value(value if isinstance(value, dt.date) else None)
            edit.blockSignals(False)
        self.drill_label.setVisible(bool(set(self._extra_filters) - {"since", "until"}))

    def new_record(self) -> None:
        self.context.signals.status_message.emit(self.tr("The audit log is read-only."))

    def open_record(self, record_id: int) -> None:
        """Entries have no editor; Enter shows the entry's changed fields (read afresh, so that
        the service can redact the pseudonym secret)."""
        self.context.ops.query(
            lambda session: audit_history.entry_changes(session, record_id),
            lambda changes: self._show_entry(record_id, changes),
            self._on_read_failed,
        )

    def _show_entry(self, record_id: int, changes: dict[str, list[Any]]) -> None:
        text = "\n".join(
            sorted(
                f"{field_label(name)}: {pair[0]!r} → {pair[1]!r}" for name, pair in changes.items()
            )
        )
        QMessageBox.information(
            self, self.tr("Audit entry %s") % record_id, text or self.tr("No field changes.")
        )

    @Slot()
    def verify(self) -> int:
        """Check the whole chain in a background job with progress; returns the task id."""
        db = self.context.db
        self.verify_button.setEnabled(False)

        def work(progress: Any, cancel: Any) -> VerifyResult:
            with db.read() as session:
                result = audit.verify(session, progress, cancel)
                # What this computer saw verified, for the next opens to compare with.
                audit_watch.remember_if_verified(
                    session, db, audit_watch.from_verify_result(result)
                )
                return result

        return self.context.ops.job(
            self.tr("Verifying the audit trail…"), work, self._on_verified, self._on_verify_failed
        )

    def _on_verified(self, result: VerifyResult) -> None:
        self.verify_button.setEnabled(True)
        self.last_result = result
        locale = self.locale()
        if result.ok:
            message = self.tr(
                "The audit trail is intact: %s entries and %s records checked; latest hash %s."
            ) % (
                locale.toString(result.entries_checked),
                locale.toString(result.records_checked),
                result.latest_hash,
            )
            self.context.signals.status_message.emit(message)
            # The hash in full and selectable, where an auditor can compare it with the
            # workbook's cover; not blocking, as nothing waits for an answer.
            box = QMessageBox(QMessageBox.Icon.Information, self.tr("Audit trail"), message)
            box.setParent(self, box.windowFlags())
            box.setObjectName("verifiedIntactBox")
            box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()
        else:
            message = self.tr("The audit trail is broken: %s") % result.problem
            if result.bad_entry_id is not None:
                self.show_entry(result.bad_entry_id)
            QMessageBox.warning(self, self.tr("Audit trail"), message)

    def show_entry(self, entry_id: int) -> None:
        """Clear the filters and select (scroll to) one entry once the rows have loaded.

        The selection is made by the load that clearing the filters starts (``_on_loaded``
        selects ``_selected_id``), so the entry is found even when its page is not read yet.
        """
        self.apply_filters({})
        self._selected_id = entry_id
        self.select_id(entry_id)  # already there when the filters were clear

    def _on_read_failed(self, error: BaseException) -> None:
        from rsdesk.ui.ops import show_error

        show_error(self, error)

    def _on_verify_failed(self, error: BaseException) -> None:
        from rsdesk.ui.ops import show_error

        self.verify_button.setEnabled(True)
        show_error(self, error)
