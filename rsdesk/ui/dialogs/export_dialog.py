"""Export to Excel: the audit workbook (every register and the audit log) or one register whole,
optionally with personal data pseudonymised, in a background job with progress and Cancel.

(The current filtered view of a register is exported from the view itself: "Export view…".)
"""

from __future__ import annotations

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
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from rsdesk.services import registers
from rsdesk.services.access import Capability
from rsdesk.ui.context import AppContext


class ExportDialog(QDialog):
    #: Emitted after the workbook was written (with its path).
    exported = Signal(object)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("ExportDialog")
        self.setWindowTitle(self.tr("Export to Excel"))
        self.resize(520, 260)

        self.audit_choice = QRadioButton(
            self.tr("Audit workbook: cover sheet, every register and the audit log")
        )
        self.audit_choice.setObjectName("auditWorkbook")
        self.audit_choice.setChecked(True)
        self.register_choice = QRadioButton(self.tr("One register:"))
        self.register_choice.setObjectName("oneRegister")
        self.register_box = QComboBox()
        self.register_box.setObjectName("register")
        for name in registers.names():
            self.register_box.addItem(registers.get(name).title, name)
        self.register_box.setEnabled(False)
        self.register_choice.toggled.connect(self.register_box.setEnabled)
        one = QHBoxLayout()
        one.addWidget(self.register_choice)
        one.addWidget(self.register_box, 1)

        self.pseudonymise = QCheckBox(
            self.tr("Replace staff names, e-mails and numbers by pseudonyms (for sharing)")
        )
        self.pseudonymise.setObjectName("pseudonymise")

        self.path_edit = QLineEdit(str(Path.home() / "rsdesk-audit.xlsx"))
        self.path_edit.setObjectName("path")
        self.path_edit.setAccessibleName(self.tr("Workbook to write"))
        browse = QPushButton(self.tr("Choose…"))
        browse.clicked.connect(self.choose_file)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)

        self.status = QLabel("")
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("Save as:"), path_row)

        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton(
            self.tr("Export"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.export_button.setObjectName("exportButton")
        self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.export_button.clicked.connect(self.run_export)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.audit_choice)
        layout.addLayout(one)
        layout.addWidget(self.pseudonymise)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

    @Slot()
    def choose_file(self) -> None:
        out, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Export to Excel"),
            self.path_edit.text(),
            self.tr("Excel workbook (*.xlsx)"),
        )
        if out:
            self.path_edit.setText(out if out.lower().endswith(".xlsx") else out + ".xlsx")

    @Slot()
    def run_export(self) -> None:
        out = Path(self.path_edit.text()).expanduser()
        if out.suffix.lower() != ".xlsx":
            out = out.with_suffix(".xlsx")
        if not out.parent.is_dir():
            self.status.setText(self.tr("The folder %s does not exist.") % out.parent)
            return
        db = self.context.db
        name = None if self.audit_choice.isChecked() else self.register_box.currentData()
        pseudonymise = self.pseudonymise.isChecked()

        def work(progress: Any, cancel: Any) -> Path:
            from rsdesk.services import pseudonyms

            pseudonymiser = None
            if pseudonymise:
                with db.unit_of_work(Capability.EXPORT) as session:
                    pseudonymiser = pseudonyms.Pseudonymiser(pseudonyms.ensure_secret(session))
            with db.read() as session:
                if name is None:
                    from rsdesk.services.reports.xlsx.audit import export_audit_workbook

                    export_audit_workbook(
                        session,
                        out,
                        actor=db.actor,
                        database=db.display_name(),
                        pseudonymiser=pseudonymiser,
                        progress=progress,
                        cancel=cancel,
                    )
                else:
                    from rsdesk.services.registers.base import RegisterQuery
                    from rsdesk.services.reports.xlsx.registers import export_register

                    export_register(
                        session,
                        name,
                        out,
                        RegisterQuery(include_archived=True),
                        actor=db.actor,
                        pseudonymiser=pseudonymiser,
                        progress=progress,
                        cancel=cancel,
                    )
            return out

        self.export_button.setEnabled(False)
        self.status.setText(self.tr("Exporting…"))
        self.context.ops.job(self.tr("Exporting to Excel…"), work, self._done, self._failed)

    def _done(self, out: Path) -> None:
        self.export_button.setEnabled(True)
        self.status.setText(self.tr("Written to %s") % out)
        self.context.signals.status_message.emit(self.tr("Exported to %s") % out)
        self.exported.emit(out)

    def _failed(self, exc: BaseException) -> None:
        from rsdesk.services.errors import KnownError
        from rsdesk.services.progress import Cancelled

        self.export_button.setEnabled(True)
        if isinstance(exc, Cancelled):
            self.status.setText(self.tr("Cancelled; no file was written."))
        elif isinstance(exc, KnownError):
            self.status.setText(str(exc))
        else:
            from rsdesk.ui.ops import show_error

            show_error(self, exc)
