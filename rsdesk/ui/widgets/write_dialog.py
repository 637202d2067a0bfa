"""A small editor dialog whose Save runs one write in the background (``context.ops.write``).

The dialog disables ``buttons`` while the write runs; on success it emits ``saved`` with the
result and closes, on a refusal (a ``KnownError``) it shows the message in ``error`` and stays
open with the form as typed. Anything else is a bug and is raised again for the excepthook.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from rsdesk.services.errors import KnownError


class WriteDialog(QDialog):
    #: The write succeeded: its result.
    saved = Signal(object)

    buttons: QDialogButtonBox
    #: A QLabel (or FieldError) under the form; ``_show_error`` decides how it is shown.
    error: Any

    @Slot(object)
    def _on_saved(self, result: object) -> None:
        self.buttons.setEnabled(True)
        self.saved.emit(result)
        self.accept()

    @Slot(object)
    def _on_error(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        if not isinstance(error, KnownError):
            raise error
        self._show_error(error)

    def _show_error(self, error: KnownError) -> None:
        """Where the refusal goes; dialogs with a field for it override this."""
        self.error.setText(str(error))
        self.error.show()
