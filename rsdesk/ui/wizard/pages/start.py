"""First page: which collaboration, which version, what the register already told us."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWizardPage

from rsdesk.ui.wizard.pages.common import STYLE, level_chip

if TYPE_CHECKING:
    from rsdesk.ui.wizard.appraisal import AppraisalWizard


class StartPage(QWizardPage):
    def __init__(self, wizard: AppraisalWizard) -> None:
        super().__init__()
        self.setObjectName("startPage")
        state = wizard.state
        appraisal = state.appraisal
        self.setTitle(self.tr("Appraisal of %s") % appraisal.collaboration_reference)
        kind = self.tr("Re-appraisal") if appraisal.version > 1 else self.tr("First appraisal")
        self.setSubTitle(
            self.tr("%s (version %d) of “%s”. Model %s %s.")
            % (
                kind,
                appraisal.version,
                appraisal.collaboration_title,
                state.model.id,
                state.model.version,
            )
        )
        self.text = QTextBrowser()
        self.text.setObjectName("startText")
        self.text.setAccessibleName(self.tr("About this appraisal"))
        self.text.setOpenLinks(False)
        self.text.setHtml(self._html(wizard))
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)

    def _html(self, wizard: AppraisalWizard) -> str:
        state = wizard.state
        model = state.model
        parts = [STYLE]
        parts.append(
            "<p>The appraisal has three parts — <b>know your research</b>, <b>know your partner</b>, "
            "<b>know the collaboration</b> — and then asks which safeguards are in place. Answer "
            "what you know; “don't know” counts as risk and is listed as a gap to close. Each "
            "question explains why it matters and what evidence to look for. "
            "<b>Save draft</b> keeps your answers; you can resume later.</p>"
        )
        if wizard.prefill:
            parts.append("<h3>Pre-filled from the register</h3><ul>")
            for question_id, prefill in wizard.prefill.items():
                question = model.question(question_id)
                option = question.option(prefill.option)
                parts.append(
                    f"<li>{escape(question.text)} — <b>{escape(option.text)}</b><br>"
                    f"<span class='muted'>{escape(prefill.note)}</span></li>"
                )
            parts.append(
                "</ul><p class='muted'>Check these answers; you can change any of them.</p>"
            )
        if state.changes:
            parts.append("<h3>Changed since the previous version</h3><ul>")
            for change in state.changes:
                before = _option_text(model, change.question, change.before)
                after = _option_text(model, change.question, change.after)
                parts.append(
                    f"<li>{escape(change.question_text)} — {escape(before)} → <b>{escape(after)}</b></li>"
                )
            parts.append("</ul>")
        earlier = [h for h in state.history if h.id != state.appraisal.id]
        if earlier:
            parts.append(
                "<h3>Earlier appraisals</h3><table class='grid'><tr><th>Version</th><th>Level</th>"
                "<th>Decision</th><th>Signed off</th><th>Model</th></tr>"
            )
            for item in earlier:
                signed = (
                    f"{escape(item.signed_off_by or '')}, {item.signed_off_at:%Y-%m-%d}"
                    if item.signed_off_at
                    else escape(item.status)
                )
                if item.sign_off_recorded is not None:
                    # The date may be an earlier meeting's: who typed it in, and when, too.
                    signed += f"<br><small>{escape(item.sign_off_recorded.text)}</small>"
                decision = escape((item.decision or "").replace("_", " "))
                parts.append(
                    f"<tr><td>{item.version}</td><td>{level_chip(item.risk_level)}</td>"
                    f"<td>{decision}</td><td>{signed}</td><td>{escape(item.model_version)}</td></tr>"
                )
            parts.append("</table>")
        return "".join(parts)


def _option_text(model, question_id: str, option_id: str | None) -> str:  # type: ignore[no-untyped-def]
    if option_id is None:
        return "(unanswered)"
    try:
        return model.question(question_id).option(option_id).text
    except KeyError:
        return option_id
