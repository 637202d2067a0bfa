"""Read-only record of a signed-off appraisal: exactly what was decided, frozen at sign-off."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWizardPage

from rsdesk.ui.wizard.pages.common import STYLE, result_html

if TYPE_CHECKING:
    from rsdesk.ui.wizard.appraisal import AppraisalWizard


class RecordPage(QWizardPage):
    def __init__(self, wizard: AppraisalWizard) -> None:
        super().__init__()
        self.setObjectName("recordPage")
        appraisal = wizard.state.appraisal
        self.setTitle(self.tr("Signed-off appraisal (read-only)"))
        self.setSubTitle(
            self.tr("Signed off by %s on %s. To change anything, start a re-appraisal.")
            % (
                appraisal.signed_off_by or "",
                f"{appraisal.signed_off_at:%Y-%m-%d}" if appraisal.signed_off_at else "",
            )
        )
        self.text = QTextBrowser()
        self.text.setObjectName("recordText")
        self.text.setAccessibleName(self.tr("Appraisal record"))
        self.text.setReadOnly(True)
        parts = [STYLE, "<h3>Decision</h3><table class='grid'>"]
        rows = [
            ("Decision", (appraisal.decision or "").replace("_", " ").capitalize()),
            ("Note", appraisal.decision_note or ""),
            ("Signed off by", appraisal.signed_off_by or ""),
            ("Role", appraisal.signed_off_role or ""),
            # The decision's date (maybe an earlier meeting's); when it was typed in is below.
            ("Date", f"{appraisal.signed_off_at:%Y-%m-%d}" if appraisal.signed_off_at else ""),
            (
                "Recorded",
                appraisal.sign_off_recorded.text if appraisal.sign_off_recorded else "",
            ),
            (
                "Next review",
                appraisal.next_review_date.isoformat() if appraisal.next_review_date else "—",
            ),
        ]
        for label, value in rows:
            parts.append(f"<tr><th>{escape(label)}</th><td>{escape(value or '—')}</td></tr>")
        parts.append("</table>")
        if appraisal.measures:
            parts.append(
                "<h3>Agreed measures</h3><table class='grid'><tr><th>Measure</th><th>Owner</th>"
                "<th>Due</th><th>Status</th></tr>"
            )
            for measure in appraisal.measures:
                parts.append(
                    f"<tr><td>{escape(measure.description)}</td><td>{escape(measure.owner_name or '—')}</td>"
                    f"<td>{measure.due_date.isoformat() if measure.due_date else '—'}</td>"
                    f"<td>{escape(measure.status.replace('_', ' '))}</td></tr>"
                )
            parts.append("</table>")
        if appraisal.result is not None:
            parts.append(result_html(appraisal.result, with_answers=True))
        self.text.setHtml("".join(parts))
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
