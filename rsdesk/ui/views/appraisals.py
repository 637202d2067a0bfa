"""The appraisals register: every wizard run, its level, decision and sign-off."""

from __future__ import annotations

import importlib.util

from rsdesk.ui.views.register_view import RegisterView

WIZARD_MODULE = "rsdesk.ui.wizard.appraisal"


class AppraisalsView(RegisterView):
    register_name = "appraisals"
    start_up_preview = True
    watches = frozenset({"appraisal", "collaboration"})
    #: Appraisals start from a collaboration (its editor's Appraisals tab), not from nothing.
    can_create = False

    def open_record(self, record_id: int) -> None:
        if importlib.util.find_spec(WIZARD_MODULE) is None:
            super().open_record(record_id)
            return
        from rsdesk.ui.wizard.appraisal import open_appraisal_wizard

        open_appraisal_wizard(self.context, appraisal_id=record_id, parent=self)

    def new_record(self) -> None:
        self.context.signals.status_message.emit(
            self.tr("Start an appraisal from the collaboration's Appraisals tab.")
        )
