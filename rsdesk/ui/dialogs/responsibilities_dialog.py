"""Tools > Responsibilities…: who is responsible for research security and who may sign off.

The responsibilities are TOML text (the shipped file explains every key). Saving validates them
in the service and stores the office's copy; from then on the appraisal sign-off refuses a role
or person not allowed for the level. A mistake is shown in one line and nothing is stored (an
adviser's department must be one of the departments: a typo is refused with the closest name).
"""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from rsdesk.services import responsibilities
from rsdesk.ui.context import AppContext
from rsdesk.ui.widgets.form import UnsavedChanges, may_close
from rsdesk.ui.widgets.write_dialog import WriteDialog


class ResponsibilitiesDialog(WriteDialog):
    loaded = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("ResponsibilitiesDialog")
        self.setWindowTitle(self.tr("Research-security responsibilities"))
        self.resize(720, 620)
        self.intro = QLabel(
            self.tr(
                "The central contact, advisers per department, and who may sign off an appraisal "
                "at each risk level. Whoever may sign off a level may also sign off the levels "
                "below it. Once saved, the appraisal sign-off accepts only these roles or people."
            )
        )
        self.intro.setWordWrap(True)
        self.state = QLabel()
        self.state.setObjectName("responsibilitiesState")
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("responsibilitiesText")
        self.editor.setAccessibleName(self.tr("Responsibilities (TOML)"))
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.error = QLabel()
        self.error.setObjectName("responsibilitiesError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c62828; font-weight: bold;")
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.reset_button = QPushButton(self.tr("Back to the defaults"))
        self.buttons.addButton(self.reset_button, QDialogButtonBox.ButtonRole.ResetRole)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.reset_button.clicked.connect(self.reset)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.state)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.unsaved = UnsavedChanges(self)
        self.context.ops.query(self._load, self._on_loaded)

    @staticmethod
    def _load(session: Session) -> tuple[str, bool]:
        return responsibilities.edited_text(session), responsibilities.load(session).enforced

    @Slot(object)
    def _on_loaded(self, loaded: tuple[str, bool]) -> None:
        text, enforced = loaded
        self.editor.setPlainText(text)
        self.state.setText(
            self.tr("The office's own roles are in force.")
            if enforced
            else self.tr("These are the defaults: sign-off is not yet restricted to them.")
        )
        self.unsaved.mark_clean()
        self.loaded.emit()

    def reject(self) -> None:
        """Escape, Cancel or the close button: ask before edited text is lost."""
        if may_close(self, self.unsaved.dirty(), self.save):
            super().reject()

    @Slot()
    def save(self) -> None:
        text = self.editor.toPlainText()
        self.buttons.setEnabled(False)
        self.context.ops.write(
            lambda session: responsibilities.save_text(session, text),
            self._on_saved,
            self._on_error,
        )

    @Slot()
    def reset(self) -> None:
        self.buttons.setEnabled(False)
        self.context.ops.write(responsibilities.reset, self._on_saved, self._on_error)
