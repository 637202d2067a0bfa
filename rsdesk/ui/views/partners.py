"""The partners register, with their screening status."""

from __future__ import annotations

from rsdesk.ui.views.register_view import RegisterView


class PartnersView(RegisterView):
    register_name = "partners"
    start_up_preview = True
    watches = frozenset({"partner", "partner_name", "collaboration_partner", "screening_result"})

    def open_record(self, record_id: int) -> None:
        self._open_editor(record_id)

    def new_record(self) -> None:
        self._open_editor(None)

    def _open_editor(self, record_id: int | None) -> object:
        from rsdesk.ui.dialogs.partner_dialog import PartnerDialog

        dialog = PartnerDialog(self.context, record_id, self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self.editor = dialog
        return dialog
