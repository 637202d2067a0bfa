"""The Reports view: generate the annual report or a register listing in the background, and
open again any report kept in the archive, byte for byte as it was issued.

All work happens in services (``rsdesk.services.reports``) through ``context.ops``; the view
asks where to save (``ask_save_path``, replaceable in tests) and opens the file when done.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from rsdesk.services import attachment_files, registers
from rsdesk.services.access import Capability
from rsdesk.services.errors import KnownError
from rsdesk.services.progress import NEVER_CANCELLED, CancelToken, Progress
from rsdesk.services.reports import archive
from rsdesk.services.reports.archive import ArchivedReportInfo
from rsdesk.ui.context import AppContext
from rsdesk.ui.views.base import View

_Index = QModelIndex | QPersistentModelIndex


def _write(path: Path, content: bytes, cancel: CancelToken = NEVER_CANCELLED) -> None:
    """Writes beside ``path`` and renames, so that neither a failure nor a Cancel leaves a PDF
    (or half of one) at the target; called inside the unit of work that archives the report, so
    a refusal here archives nothing either."""
    cancel.raise_if_cancelled()  # the last moment a Cancel can still stop the report
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_bytes(content)
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise KnownError(f"Cannot write {path}: {exc.strerror or exc}") from None


class ArchiveTableModel(QAbstractTableModel):
    """Archived reports, newest first (a short list: loaded whole)."""

    COLUMNS = ("Made (UTC)", "Kind", "Title", "By", "Size")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ArchivedReportInfo] = []

    def set_rows(self, rows: list[ArchivedReportInfo]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def report(self, row: int) -> ArchivedReportInfo:
        return self._rows[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        item = self._rows[index.row()]
        column = index.column()
        if column == 0:
            return f"{item.created_at:%Y-%m-%d %H:%M}"
        if column == 1:
            return item.kind.capitalize()
        if column == 2:
            return item.title
        if column == 3:
            return item.created_by
        return f"{item.size_bytes / 1024:,.0f} KB"

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None


class ReportsView(View):
    watches = frozenset({"archived_report"})

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        layout = QVBoxLayout(self)

        annual = QGroupBox(self.tr("Annual report"), self)
        form = QFormLayout(annual)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.year = QSpinBox(annual)
        self.year.setRange(1990, 2999)
        self.year.setValue(dt.date.today().year - 1)
        form.addRow(self.tr("Year"), self.year)
        self.annual_button = QPushButton(self.tr("Generate annual report\u2026"), annual)
        self.annual_button.clicked.connect(self._on_annual_clicked)
        form.addRow("", self.annual_button)
        layout.addWidget(annual)

        listing = QGroupBox(self.tr("Register listing (landscape, for filing)"), self)
        form = QFormLayout(listing)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.register_combo = QComboBox(listing)
        for name in registers.names():
            self.register_combo.addItem(registers.get(name).title, name)
        form.addRow(self.tr("Register"), self.register_combo)
        self.search = QLineEdit(listing)
        self.search.setPlaceholderText(self.tr("Quick search (optional)"))
        self.search.setMinimumWidth(320)
        form.addRow(self.tr("Search"), self.search)
        self.listing_button = QPushButton(self.tr("Generate listing\u2026"), listing)
        self.listing_button.clicked.connect(self._on_listing_clicked)
        form.addRow("", self.listing_button)
        layout.addWidget(listing)

        self.open_after = QCheckBox(self.tr("Open the PDF when it is ready"), self)
        self.open_after.setChecked(True)
        layout.addWidget(self.open_after)

        kept = QGroupBox(self.tr("Report archive: every report as it was issued"), self)
        box = QVBoxLayout(kept)
        self.model = ArchiveTableModel(self)
        self.table = QTableView(kept)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(self._on_open_clicked)
        box.addWidget(self.table)
        buttons = QHBoxLayout()
        self.open_button = QPushButton(self.tr("Open"), kept)
        self.open_button.clicked.connect(self._on_open_clicked)
        self.save_button = QPushButton(self.tr("Save a copy\u2026"), kept)
        self.save_button.clicked.connect(self._on_save_clicked)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.save_button)
        # Open and Save a copy act on the chosen report: usable once one is chosen.
        self.table.selectionModel().selectionChanged.connect(self._enable_archive_buttons)
        self._enable_archive_buttons()
        buttons.addStretch(1)
        box.addLayout(buttons)
        layout.addWidget(kept, 1)
        #: The last file written (tests and the status bar read it).
        self.last_written: Path | None = None
        self.refresh()

    # -- hooks replaceable in tests -----------------------------------------------------------

    def ask_save_path(self, suggested: str) -> Path | None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save the report"), str(Path.home() / suggested), "PDF (*.pdf)"
        )
        return Path(path) if path else None

    def open_file(self, path: Path) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    # -- behaviour ----------------------------------------------------------------------------

    def refresh(self) -> None:
        self.context.ops.query(archive.list_reports, self._show_archive)

    def _show_archive(self, rows: list[ArchivedReportInfo]) -> None:
        self.model.set_rows(rows)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self._enable_archive_buttons()  # a reset clears the choice without a signal

    @Slot()
    def _on_annual_clicked(self) -> None:
        year = self.year.value()
        path = self.ask_save_path(f"annual-report-{year}.pdf")
        if path is not None:
            self.generate_annual(year, path)

    def generate_annual(self, year: int, path: Path) -> None:
        from rsdesk.services.reports.pdf.annual import generate_annual

        db = self.context.db

        def work(progress: Progress, cancel: CancelToken) -> Path:
            with db.unit_of_work(Capability.REPORTS) as session:
                _, content = generate_annual(
                    session,
                    year,
                    database_name=db.display_name(),
                    actor=db.actor,
                    progress=progress,
                    cancel=cancel,
                )
                _write(path, content, cancel)
            return path

        self.context.ops.job(
            self.tr("Generating the annual report"),
            work,
            self._written,
            touches=frozenset({"archived_report"}),
            cancelled_message=self.tr(
                "Report cancelled; no PDF was saved and nothing was archived."
            ),
        )

    @Slot()
    def _on_listing_clicked(self) -> None:
        name = self.register_combo.currentData()
        path = self.ask_save_path(f"{name}-listing.pdf")
        if path is not None:
            self.generate_listing(name, self.search.text().strip(), path)

    def generate_listing(self, name: str, search: str, path: Path) -> None:
        from rsdesk.services.registers.base import RegisterQuery
        from rsdesk.services.reports.pdf.listing import generate_listing

        db = self.context.db

        def work(progress: Progress, cancel: CancelToken) -> Path:
            with db.unit_of_work(Capability.REPORTS) as session:
                _, content = generate_listing(
                    session,
                    name,
                    RegisterQuery(text=search),
                    database_name=db.display_name(),
                    actor=db.actor,
                    progress=progress,
                    cancel=cancel,
                )
                _write(path, content, cancel)
            return path

        self.context.ops.job(
            self.tr("Generating the listing"),
            work,
            self._written,
            touches=frozenset({"archived_report"}),
            cancelled_message=self.tr(
                "Report cancelled; no PDF was saved and nothing was archived."
            ),
        )

    def _written(self, path: Path) -> None:
        self.last_written = path
        self.context.signals.status_message.emit(self.tr("Saved %s") % path)
        if self.open_after.isChecked():
            self.open_file(path)

    @Slot()
    def _enable_archive_buttons(self) -> None:
        chosen = self._selected() is not None
        self.open_button.setEnabled(chosen)
        self.save_button.setEnabled(chosen)

    def _selected(self) -> ArchivedReportInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.report(rows[0].row()) if rows else None

    @Slot()
    def _on_open_clicked(self) -> None:
        report = self._selected()
        if report is None:
            return
        report_id = report.id

        # A copy only this user can read, in the application's private folder of open copies
        # (removed when rsdesk quits), never a shared temporary folder: a report of an encrypted
        # database is as confidential as the database.
        def work(session: Session) -> Path:
            content = archive.fetch(session, report_id).content
            return attachment_files.open_copies().write(f"report-{report_id}.pdf", content)

        def done(written: Path) -> None:
            self.last_written = written
            self.open_file(written)

        self.context.ops.query(work, done)

    @Slot()
    def _on_save_clicked(self) -> None:
        report = self._selected()
        if report is not None:
            path = self.ask_save_path(f"report-{report.id}.pdf")
            if path is not None:
                self.write_archived(report.id, path, open_it=False)

    def write_archived(self, report_id: int, path: Path, open_it: bool) -> None:
        def work(session: Session) -> Path:
            _write(path, archive.fetch(session, report_id).content)
            return path

        def done(written: Path) -> None:
            self.last_written = written
            self.context.signals.status_message.emit(self.tr("Saved %s") % written)
            if open_it:
                self.open_file(written)

        self.context.ops.query(work, done)
