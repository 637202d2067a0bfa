"""Import a register from .xlsx or .csv: pick the file, check the column mapping, preview, import.

Nothing is written until Import is pressed; the preview is the same plan the import applies
(rebuilt in the write transaction, so that it cannot be stale). A file with any rejected row
imports nothing unless "Skip bad rows" is ticked; Cancel in the progress dialog rolls back.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rsdesk.services import importers
from rsdesk.services.collector import collector_paused
from rsdesk.services.errors import KnownError
from rsdesk.services.importers.plan import ImportPlan, SkippedRow
from rsdesk.ui.context import AppContext

MAX_LINES = 200
#: Rows named as left alone (already there); the rest are counted. The problems workbook and
#: ``--json`` list every row.
MAX_SKIPPED_LINES = 50
#: Skipped rows named in the result's summary line itself.
SKIPPED_IN_SUMMARY = 3
NOT_IMPORTED = ""


class ImportDialog(QDialog):
    """The file's columns with the field each goes to, the plan's counts and problems."""

    #: Emitted after the preview was built (with the plan).
    previewed = Signal(object)
    #: Emitted after a successful import (with the ImportResult).
    imported = Signal(object)

    def __init__(
        self, context: AppContext, parent: QWidget | None = None, target: str | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.source: importers.SourceTable | None = None
        self.plan: ImportPlan | None = None
        #: The preview's plan with the audit head it saw (written as it is if nothing changed).
        self.planned: importers.PlannedImport | None = None
        #: Whether the target was chosen (by the caller or the user) rather than left at its
        #: default: a chosen target is kept when a file is loaded instead of guessed.
        self._target_chosen = target is not None
        #: Target -> the mapping remembered for the loaded file's headers (read on load).
        self._remembered: dict[str, dict[int, str]] = {}
        self.setObjectName("ImportDialog")
        self.setWindowTitle(self.tr("Import from Excel or CSV"))
        self.resize(760, 620)

        self.path_edit = QLineEdit()
        self.path_edit.setObjectName("path")
        self.path_edit.setAccessibleName(self.tr("File to import"))
        self.path_edit.setReadOnly(True)
        browse = QPushButton(self.tr("Choose file…"))
        browse.clicked.connect(self.choose_file)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)

        self.target = QComboBox()
        self.target.setObjectName("target")
        for name in importers.names():
            self.target.addItem(importers.target(name).title, name)
        if target is not None:
            self.target.setCurrentIndex(max(0, self.target.findData(target)))
        self.target.currentIndexChanged.connect(self._target_changed)
        self.on_duplicate = QComboBox()
        self.on_duplicate.setObjectName("onDuplicate")
        self.on_duplicate.addItem(self.tr("Leave it as it is"), "skip")
        self.on_duplicate.addItem(self.tr("Update it from the file"), "update")
        self.on_duplicate.currentIndexChanged.connect(self.preview)
        self.skip_bad = QCheckBox(self.tr("Import the good rows even if some rows have problems"))
        self.skip_bad.setObjectName("skipBadRows")
        self.skip_bad.toggled.connect(self._update_import_button)

        form = QFormLayout()
        form.addRow(self.tr("File:"), path_row)
        form.addRow(self.tr("Import &into:"), self.target)
        form.addRow(self.tr("Record already &there:"), self.on_duplicate)
        form.addRow("", self.skip_bad)

        self.mapping_table = QTableWidget(0, 3)
        self.mapping_table.setObjectName("mapping")
        self.mapping_table.setAccessibleName(self.tr("Columns and what they are imported as"))
        self.mapping_table.setHorizontalHeaderLabels(
            [self.tr("Column in the file"), self.tr("First value"), self.tr("Imported as")]
        )
        self.mapping_table.verticalHeader().setVisible(False)
        self.mapping_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)

        self.summary = QLabel(self.tr("Choose a file to see what it would import."))
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        self.details = QPlainTextEdit()
        self.details.setObjectName("details")
        self.details.setAccessibleName(self.tr("Problems found and changes planned"))
        self.details.setReadOnly(True)

        #: Why Import is off, when it is (rows with problems and "import the good rows" not
        #: ticked: the import would be refused whole).
        self.import_blocked = QLabel()
        self.import_blocked.setObjectName("importBlocked")
        self.import_blocked.setWordWrap(True)
        self.import_blocked.hide()
        self.buttons = QDialogButtonBox()
        self.import_button = self.buttons.addButton(
            self.tr("Import"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.import_button.setObjectName("importButton")
        self.import_button.setEnabled(False)
        self.problems_button = self.buttons.addButton(
            self.tr("Save problems and changes…"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.problems_button.setEnabled(False)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.import_button.clicked.connect(self.run_import)
        self.problems_button.clicked.connect(self.save_problems)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel(self.tr("Columns (change a field to correct the matching):")))
        layout.addWidget(self.mapping_table, 2)
        layout.addWidget(self.summary)
        layout.addWidget(self.details, 1)
        layout.addWidget(self.import_blocked)
        layout.addWidget(self.buttons)

    # -- file and mapping ------------------------------------------------------------------------

    @Slot()
    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Import file"),
            str(Path.home()),
            self.tr("Spreadsheets (*.xlsx *.xlsm *.csv *.txt);;All files (*)"),
        )
        if path:
            self.load(Path(path))

    def load(self, path: Path) -> None:
        """Reads ``path`` in the background; the mapping and preview follow."""
        self.path_edit.setText(str(path))
        format = "csv" if path.suffix.lower() in (".csv", ".txt") else "xlsx"
        chosen = self.target.currentData() if self._target_chosen else None

        def work(session: Any) -> tuple[importers.SourceTable, str | None, dict[str, Any]]:
            source = importers.read_file(
                path, format, target=chosen, max_mb=importers.max_file_mb(session)
            )
            remembered = importers.remembered_mappings(session, source.headers)
            name: str | None = chosen
            if name is None:
                # A file imported before goes where it went then, with the mapping used then.
                name = next(iter(remembered), None)
            if name is None:
                try:
                    name = importers.guess_target(source)
                except KnownError:
                    name = None
            return source, name, remembered

        self._busy(self.tr("Reading %s…") % path.name)
        self.context.ops.query(work, self._loaded, self._failed)

    def _loaded(
        self, value: tuple[importers.SourceTable, str | None, dict[str, dict[int, str]]]
    ) -> None:
        self.source, name, self._remembered = value
        if name is not None and name != self.target.currentData():
            self.target.blockSignals(True)
            self.target.setCurrentIndex(self.target.findData(name))
            self.target.blockSignals(False)
        self._fill_mapping(self._remembered.get(self.target.currentData()))
        self.preview()

    def _fill_mapping(self, mapping: dict[int, str] | None) -> None:
        assert self.source is not None
        target = importers.target(self.target.currentData())
        if mapping is None:
            mapping = importers.auto_map(target, self.source.headers)
        first = self.source.rows[0][1] if self.source.rows else []
        self.mapping_table.setRowCount(len(self.source.headers))
        for row, header in enumerate(self.source.headers):
            self.mapping_table.setItem(row, 0, QTableWidgetItem(header))
            sample = first[row] if row < len(first) else None
            self.mapping_table.setItem(
                row, 1, QTableWidgetItem("" if sample is None else str(sample))
            )
            combo = QComboBox()
            combo.addItem(self.tr("— not imported —"), NOT_IMPORTED)
            for field in target.fields:
                combo.addItem(field.label, field.key)
            combo.setCurrentIndex(max(0, combo.findData(mapping.get(row, NOT_IMPORTED))))
            combo.currentIndexChanged.connect(self.preview)
            self.mapping_table.setCellWidget(row, 2, combo)

    def mapping(self) -> dict[int, str]:
        result = {}
        for row in range(self.mapping_table.rowCount()):
            combo = self.mapping_table.cellWidget(row, 2)
            if isinstance(combo, QComboBox) and combo.currentData():
                result[row] = combo.currentData()
        return result

    def set_field(self, header: str, field: str) -> None:
        """Map the column headed ``header`` to ``field`` (as a user picking it would)."""
        for row in range(self.mapping_table.rowCount()):
            item = self.mapping_table.item(row, 0)
            if item is not None and item.text() == header:
                combo = self.mapping_table.cellWidget(row, 2)
                assert isinstance(combo, QComboBox)
                combo.setCurrentIndex(combo.findData(field))

    @Slot()
    def _target_changed(self) -> None:
        self._target_chosen = True
        if self.source is not None:
            self._fill_mapping(self._remembered.get(self.target.currentData()))
            self.preview()

    # -- preview and import ------------------------------------------------------------------------

    @Slot()
    def preview(self) -> None:
        if self.source is None:
            return
        source, name, mapping = self.source, self.target.currentData(), self.mapping()
        duplicate = self.on_duplicate.currentData()

        def work(session: Any) -> importers.PlannedImport:
            return importers.plan_in(session, source, name, mapping, duplicate)

        self._busy(self.tr("Checking every row…"))
        self.context.ops.query(work, self._previewed, self._failed)

    def _previewed(self, planned: importers.PlannedImport) -> None:
        self.planned = planned
        self.plan = plan = planned.plan
        counts = plan.counts()
        self.summary.setText(
            self.tr(
                "%d rows: %d to create, %d to update, %d unchanged, %d already there, "
                "%d with problems."
            )
            % (
                len(plan.rows),
                counts["create"],
                counts["update"],
                counts["unchanged"],
                counts["skip"],
                counts["reject"],
            )
        )
        lines = [self.tr("Note: %s") % note for note in plan.source.notes + plan.notes]
        lines += [self.tr("Warning: %s") % warning for warning in plan.warnings]
        lines += [str(problem) for problem in plan.problems[:MAX_LINES]]
        if len(plan.problems) > MAX_LINES:
            lines.append(self.tr("… and %d more problems") % (len(plan.problems) - MAX_LINES))
        lines += self._skipped_lines(plan.skipped_rows())
        # Notes on single rows after the problems, which matter more ("renewal due, left open").
        row_notes = list(plan.row_notes(skipped=False))  # those are "Left as it is" above
        lines += [self.tr("Note: %s") % note for note in row_notes[:MAX_LINES]]
        if len(row_notes) > MAX_LINES:
            lines.append(self.tr("… and %d more notes") % (len(row_notes) - MAX_LINES))
        # What each update would change, field by field (e.g. a name losing its accents).
        changes = 0
        for change in plan.changes():
            if changes < MAX_LINES:
                lines.append(self.tr("Update %s") % change)
            changes += 1
        if changes > MAX_LINES:
            lines.append(self.tr("… and %d more changes") % (changes - MAX_LINES))
        self.details.setPlainText("\n".join(lines))
        self.problems_button.setEnabled(bool(plan.problems) or changes > 0)
        self._update_import_button()
        self.previewed.emit(plan)

    def _skipped_lines(self, skipped: Sequence[SkippedRow]) -> list[str]:
        """The rows left alone because their record is already there, by row and record (the
        first ``MAX_SKIPPED_LINES``, then how many more)."""
        lines = [self.tr("Left as it is: %s") % row for row in skipped[:MAX_SKIPPED_LINES]]
        if len(skipped) > MAX_SKIPPED_LINES:
            lines.append(
                self.tr(
                    "… and %d more rows left as they are (Save problems and changes… lists them all)"
                )
                % (len(skipped) - MAX_SKIPPED_LINES)
            )
        return lines

    @Slot()
    def _update_import_button(self) -> None:
        """Import is possible while the shown plan has something to write and would not be
        refused: with rows that have problems, only once "import the good rows" is ticked
        (ticking it after a refusal enables it again). When it is off, the line above the
        buttons says why."""
        plan = self.plan
        reason = ""
        if plan is None:
            pass
        elif plan.file_problems:
            reason = self.tr("Import is off: the file has a problem (listed above).")
        elif plan.rejected and not self.skip_bad.isChecked():
            reason = (
                self.tr(
                    "Import is off: %1 of %2 rows have problems, and an import is all or nothing. "
                    "Fix them in the file, or tick “Import the good rows even if some rows have "
                    "problems”."
                )
                .replace("%1", f"{plan.rejected:,}")
                .replace("%2", f"{len(plan.rows):,}")
            )
        elif not plan.counts()["create"] + plan.counts()["update"]:
            reason = self.tr("Nothing to import: no row creates or updates a record.")
        self.import_button.setEnabled(plan is not None and not reason)
        self.import_button.setToolTip(reason)
        self.import_blocked.setText(reason)
        self.import_blocked.setVisible(bool(reason))

    @Slot()
    def run_import(self) -> None:
        if self.source is None:
            return
        source, name, mapping = self.source, self.target.currentData(), self.mapping()
        duplicate, skip = self.on_duplicate.currentData(), self.skip_bad.isChecked()
        choices = (source, name, mapping, duplicate)
        db = self.context.db
        # The preview is written as it was shown, unless the database changed since (then
        # planned again inside the write, as a changed choice also has it planned again).
        planned = self.planned if importers.matches(self.planned, *choices) else None

        def work(progress: Any, cancel: Any) -> importers.ImportResult:
            if planned is not None:
                return importers.write_planned(
                    db, planned, skip_bad_rows=skip, progress=progress, cancel=cancel
                )
            with collector_paused(), db.unit_of_work(bulk=importers.is_bulk(source)) as session:
                plan = importers.build_plan(session, source, name, mapping, duplicate)
                return importers.apply_plan(
                    session, plan, skip_bad_rows=skip, progress=progress, cancel=cancel
                )

        self.import_button.setEnabled(False)
        self.context.ops.job(
            self.tr("Importing %s…") % Path(self.path_edit.text()).name,
            work,
            self._imported,
            self._import_failed,
            touches=frozenset(
                {"collaboration", "partner", "staff_member", "training_record", "onboarding_check"}
            ),
        )

    def _import_failed(self, exc: BaseException) -> None:
        """A refused or cancelled import: the message, with the plan's problems still listed
        (they say what to fix) and Import available again."""
        from rsdesk.services.progress import Cancelled

        if isinstance(exc, Cancelled):
            self.summary.setText(self.tr("Cancelled; nothing was imported."))
        elif isinstance(exc, KnownError):
            self.summary.setText(str(exc))
        else:
            from rsdesk.ui.ops import show_error

            show_error(self, exc)
        self._update_import_button()
        self.previewed.emit(self.plan)

    def _imported(self, result: importers.ImportResult) -> None:
        text = self.tr("Imported: %s.") % result.describe()
        if result.skipped_rows:
            # Named here as the import decided them (the preview may be older), not only counted.
            named = ", ".join(
                f"row {row.row} ({row.key})" for row in result.skipped_rows[:SKIPPED_IN_SUMMARY]
            )
            more = len(result.skipped_rows) - SKIPPED_IN_SUMMARY
            text += " " + (
                (
                    self.tr("Left as it was: %1.")
                    if len(result.skipped_rows) == 1
                    else self.tr("Left as they were: %1.")
                ).replace("%1", named)
                if more <= 0
                else self.tr("Left as they were: %1 and %2 more (listed below).")
                .replace("%1", named)
                .replace("%2", f"{more:,}")
            )
        self.summary.setText(text)
        lines = self._skipped_lines(result.skipped_rows)
        if result.rejected and self.plan is not None:
            lines += [self.tr("Not imported: %s") % p for p in self.plan.problems[:MAX_LINES]]
        self.details.setPlainText("\n".join(lines))
        self.context.signals.status_message.emit(self.tr("Imported: %s") % result.describe())
        self.imported.emit(result)

    @Slot()
    def save_problems(self) -> None:
        if self.plan is None:
            return
        out, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Save problems"),
            str(Path.home() / "import-problems.xlsx"),
            self.tr("Excel workbook (*.xlsx)"),
        )
        if out:
            from rsdesk.services.importers.problems import save_problems

            save_problems(self.plan, Path(out))

    def _busy(self, text: str) -> None:
        self.summary.setText(text)
        self.import_button.setEnabled(False)

    def _failed(self, exc: BaseException) -> None:
        from rsdesk.services.progress import Cancelled

        if isinstance(exc, Cancelled):
            self.summary.setText(self.tr("Cancelled; nothing was imported."))
        elif isinstance(exc, KnownError):
            self.summary.setText(str(exc))
        else:
            from rsdesk.ui.ops import show_error

            show_error(self, exc)
            return
        self.plan = None
        self.planned = None
        self.details.setPlainText("")
        self.problems_button.setEnabled(False)
        self.previewed.emit(None)
