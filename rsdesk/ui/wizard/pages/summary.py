"""Summary: the score breakdown, the gaps and the suggested measures, before deciding."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWizardPage

from rsdesk.ui.wizard.pages.common import result_html

if TYPE_CHECKING:
    from rsdesk.ui.wizard.appraisal import AppraisalWizard


class SummaryPage(QWizardPage):
    def __init__(self, wizard: AppraisalWizard) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.setObjectName("summaryPage")
        self.setTitle(self.tr("Summary"))
        self.setSubTitle(
            self.tr("How the answers add up, what is still unknown, and what would lower the risk.")
        )
        self.text = QTextBrowser()
        self.text.setObjectName("summaryText")
        self.text.setAccessibleName(self.tr("Score breakdown"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)

    def initializePage(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        wizard = self.wizard_
        result = wizard.live_result
        html = ""
        if result.justifications_missing:
            items = "".join(
                f"<li>{escape(wizard.model.question(q).text)}</li>"
                for q in result.justifications_missing
            )
            html += (
                "<p style='color:#c62828'><b>"
                + escape(self.tr("Justifications are still missing for these answers:"))
                + f"</b></p><ul>{items}</ul>"
            )
        sign_off = wizard.state.sign_off_by.get(result.level)
        self.text.setHtml(html + result_html(result, sign_off=sign_off))
