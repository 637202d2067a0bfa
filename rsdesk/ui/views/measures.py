"""The mitigation measures register: what was agreed, who owns it, what is overdue."""

from __future__ import annotations

from rsdesk.ui.views.register_view import RegisterView


class MeasuresView(RegisterView):
    register_name = "measures"
    start_up_preview = True
    watches = frozenset({"mitigation_measure", "collaboration", "appraisal"})
    #: Measures are agreed in an appraisal, not created here.
    can_create = False

    def open_record(self, record_id: int) -> None:
        from rsdesk.ui.dialogs.measure_dialog import MeasureDialog

        dialog = MeasureDialog(self.context, record_id, self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self.editor = dialog

    def new_record(self) -> None:
        self.context.signals.status_message.emit(
            self.tr("Measures are agreed in an appraisal; open the collaboration to appraise it.")
        )
