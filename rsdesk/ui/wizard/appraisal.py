"""The appraisal wizard: a guided run through the question bank, ending in a signed-off decision.

Pages: start (the collaboration, what was pre-filled, what changed since the last version), one
page per page of the bank, a summary (score breakdown, gaps, suggested measures), and the
decision. A signed-off appraisal opens as a single read-only record page.

The wizard holds no rules: it keeps the answers in memory, asks the pure scoring engine for the
live result, and saves through the workflow services on the operation runner's write lane.
Use :func:`open_appraisal_wizard`, which loads the draft in the background and then shows the
wizard. Opening writes nothing: a new draft is created by the first "Save draft" or the sign-off.
One wizard per collaboration: opening it again brings the open one to the front.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QWidget, QWizard
from shiboken6 import isValid
from sqlalchemy.orm import Session

from rsdesk.services.appraisal import load_model, score, workflow
from rsdesk.services.appraisal.model import AppraisalModel
from rsdesk.services.appraisal.scoring import ScoreResult
from rsdesk.services.appraisal.workflow import (
    AnswerChange,
    AppraisalSummary,
    AppraisalView,
    Prefill,
    SignOff,
)
from rsdesk.services.errors import KnownError
from rsdesk.ui.context import AppContext
from rsdesk.ui.ops import show_error


@dataclass(frozen=True)
class WizardState:
    """Everything the wizard shows, loaded in one background job."""

    model: AppraisalModel
    appraisal: AppraisalView
    prefill: dict[str, Prefill] = field(default_factory=dict)
    staff: tuple[tuple[int, str], ...] = ()
    changes: tuple[AnswerChange, ...] = ()
    history: tuple[AppraisalSummary, ...] = ()
    actor: str = ""
    #: level -> (role titles, named people) allowed to sign off (services/responsibilities.py).
    signers: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=dict)
    #: level -> who signs off, in words: the office's rule once saved, else the model's text.
    sign_off_by: dict[str, str] = field(default_factory=dict)


def _state(session: Session, appraisal: AppraisalView, actor: str) -> WizardState:
    model = load_model(session=session)
    read_only = appraisal.read_only
    return WizardState(
        model=model,
        appraisal=appraisal,
        prefill={}
        if read_only
        else workflow.prefill_answers(session, appraisal.collaboration_id, model),
        staff=tuple(workflow.staff_choices(session)),
        changes=tuple(workflow.changes_since_previous(session, appraisal)),
        history=tuple(workflow.history(session, appraisal.collaboration_id)),
        actor=actor,
        signers=_signers(session),
        sign_off_by=_sign_off_texts(session, model),
    )


def _sign_off_texts(session: Session, model: Any) -> dict[str, str]:
    try:
        from rsdesk.services import responsibilities
    except ImportError:  # the sign-off rules (#12) are not part of this build
        return {}
    return responsibilities.sign_off_texts(session, model)


def _signers(session: Session) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    from rsdesk.models.enums import RiskLevel

    try:
        from rsdesk.services import responsibilities
    except ImportError:  # the sign-off rules (#12) are not part of this build
        return {}
    data = responsibilities.load(session)
    return {level.value: data.allowed_signers(level) for level in RiskLevel}


def load_for_collaboration(session: Session, collaboration_id: int, actor: str = "") -> WizardState:
    """Resume the collaboration's open draft, or prepare a new one (not saved; writes nothing)."""
    draft = workflow.current_draft(session, collaboration_id)
    if draft is None:
        draft = workflow.new_draft(session, collaboration_id)
    return _state(session, draft, actor)


def load_appraisal(session: Session, appraisal_id: int, actor: str = "") -> WizardState:
    return _state(session, workflow.get_appraisal(session, appraisal_id), actor)


def ask_save_changes(parent: QWidget) -> QMessageBox.StandardButton:
    """Modal question when closing with unsaved answers (tests replace this helper)."""
    return QMessageBox.question(
        parent,
        parent.tr("Unsaved answers"),
        parent.tr("Save the answers as a draft before closing?"),
        QMessageBox.StandardButton.Save
        | QMessageBox.StandardButton.Discard
        | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Save,
    )


def ask_discard_draft(parent: QWidget) -> bool:
    """Modal confirmation before a saved draft is deleted (tests replace this helper)."""
    answer = QMessageBox.question(
        parent,
        parent.tr("Discard draft"),
        parent.tr(
            "Delete this draft appraisal and its answers? A collaboration that became "
            "“under appraisal” when the draft was started is proposed again."
        ),
        QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Discard


def tell_after_sign_off(parent: QWidget, text: str) -> None:
    """What the sign-off left for the officer to do (tests replace this helper)."""
    QMessageBox.information(parent, parent.tr("Appraisal signed off"), text)


def ask_pdf_path(parent: QWidget, suggested: str) -> str:
    """Modal file dialog for the PDF record; "" when cancelled (tests replace this helper)."""
    path, _filter = QFileDialog.getSaveFileName(
        parent, parent.tr("Save the appraisal record"), suggested, parent.tr("PDF files (*.pdf)")
    )
    return path


class AppraisalWizard(QWizard):
    #: The answers or justifications changed (live result recomputed).
    answers_changed = Signal()
    #: A draft save finished (the saved AppraisalView).
    draft_saved = Signal(object)
    #: Sign-off finished (the signed AppraisalView).
    signed_off = Signal(object)
    #: The PDF record was written (its path).
    pdf_written = Signal(str)
    #: The draft was discarded (the one-line message saying what was undone).
    draft_discarded = Signal(str)

    def __init__(
        self, context: AppContext, state: WizardState, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        from rsdesk.ui.wizard.pages import (
            DecisionPage,
            QuestionPage,
            RecordPage,
            StartPage,
            SummaryPage,
        )

        self.context = context
        self.state = state
        self.model = state.model
        self.appraisal = state.appraisal
        self.answers: dict[str, str] = dict(state.appraisal.answers)
        self.justifications: dict[str, str] = dict(state.appraisal.justifications)
        self.dirty = False
        self.busy = False
        self._closing_after_save = False
        self._signed = False
        self.live_result: ScoreResult = self._score()
        #: Register facts behind the current answers (a kept earlier answer shows no fact).
        self.prefill = {
            q: fact for q, fact in state.prefill.items() if self.answers.get(q) == fact.option
        }

        self.setObjectName("AppraisalWizard")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.HaveHelpButton, False)
        self.resize(900, 720)
        self.read_only = state.appraisal.read_only
        title = self.tr("Appraisal of %s — %s, version %d") % (
            state.appraisal.collaboration_reference,
            state.appraisal.collaboration_title,
            state.appraisal.version,
        )
        self.setWindowTitle(title)

        self.setOption(QWizard.WizardOption.HaveCustomButton2, True)
        self.setButtonText(QWizard.WizardButton.CustomButton2, self.tr("Save as PDF…"))
        pdf_button = self.button(QWizard.WizardButton.CustomButton2)
        pdf_button.setObjectName("pdfButton")
        pdf_button.setToolTip(
            self.tr("The appraisal record as a PDF: every answer, the scores and the decision")
        )
        self.customButtonClicked.connect(self._on_custom_button)
        if self.read_only:
            self.record_page = RecordPage(self)
            self.addPage(self.record_page)
            self.setOption(QWizard.WizardOption.NoCancelButton, True)
            self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("Close"))
            return

        self.start_page = StartPage(self)
        self.addPage(self.start_page)
        self.question_pages = [QuestionPage(self, page) for page in self.model.pages]
        for page in self.question_pages:
            self.addPage(page)
        self.summary_page = SummaryPage(self)
        self.addPage(self.summary_page)
        self.decision_page = DecisionPage(self)
        self.addPage(self.decision_page)

        self.setOption(QWizard.WizardOption.HaveCustomButton1, True)
        self.setButtonText(QWizard.WizardButton.CustomButton1, self.tr("Save draft"))
        self.button(QWizard.WizardButton.CustomButton1).setObjectName("saveDraftButton")
        self.button(QWizard.WizardButton.CustomButton1).setToolTip(
            self.tr("Keep the answers as a draft; resume it later from the collaboration")
        )
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("Sign off"))
        self.setOption(QWizard.WizardOption.HaveCustomButton3, True)
        self.setButtonText(QWizard.WizardButton.CustomButton3, self.tr("Discard draft…"))
        discard = self.button(QWizard.WizardButton.CustomButton3)
        discard.setObjectName("discardDraftButton")
        discard.setToolTip(
            self.tr("Delete this saved draft and undo the status change its start made")
        )
        discard.setEnabled(self.appraisal.saved)
        self.setButtonLayout(
            [
                QWizard.WizardButton.CustomButton3,
                QWizard.WizardButton.Stretch,
                QWizard.WizardButton.CustomButton2,
                QWizard.WizardButton.CustomButton1,
                QWizard.WizardButton.BackButton,
                QWizard.WizardButton.NextButton,
                QWizard.WizardButton.FinishButton,
                QWizard.WizardButton.CancelButton,
            ]
        )

    # -- answers and the live result ----------------------------------------------------------

    def _score(self) -> ScoreResult:
        return score(self.model, self.answers, self.justifications)

    def set_answer(self, question_id: str, option_id: str | None) -> None:
        if self.answers.get(question_id) == option_id:
            return
        if option_id is None:
            self.answers.pop(question_id, None)
        else:
            self.answers[question_id] = option_id
        self._changed()

    def set_justification(self, question_id: str, text: str) -> None:
        text = text.strip()
        if self.justifications.get(question_id, "") == text:
            return
        if text:
            self.justifications[question_id] = text
        else:
            self.justifications.pop(question_id, None)
        self._changed()

    def _changed(self) -> None:
        self.dirty = True
        self.live_result = self._score()
        self.answers_changed.emit()

    # -- saving -------------------------------------------------------------------------------

    @Slot(int)
    def _on_custom_button(self, which: int) -> None:
        if which == QWizard.WizardButton.CustomButton1.value:
            self.save_draft()
        elif which == QWizard.WizardButton.CustomButton2.value:
            self.export_pdf()
        elif which == QWizard.WizardButton.CustomButton3.value:
            self.discard_draft()

    def export_pdf(self) -> None:
        """Ask where, then write the appraisal record PDF in the background (a draft is saved first)."""
        view = self.appraisal
        suggested = f"{view.collaboration_reference}-appraisal-v{view.version}.pdf"
        path = ask_pdf_path(self, suggested)
        if not path:
            return
        if self.read_only or (self.appraisal.saved and not self.dirty):
            self._write_pdf(path)
        else:
            self.save_draft(lambda _view: self._write_pdf(path))

    def _write_pdf(self, path: str) -> None:
        from pathlib import Path

        appraisal_id = self.appraisal.id
        assert appraisal_id is not None
        db = self.context.db

        def work(progress: Any, cancel: Any) -> str:
            from rsdesk.services.access import Capability
            from rsdesk.services.reports.pdf.appraisal import generate_appraisal_record

            with db.unit_of_work(Capability.REPORTS) as session:
                _report_id, content = generate_appraisal_record(
                    session,
                    appraisal_id,
                    database_name=db.display_name(),
                    actor=db.actor,
                    progress=progress,
                    cancel=cancel,
                )
            try:
                Path(path).write_bytes(content)
            except OSError as exc:
                raise KnownError(f"Cannot write {path}: {exc.strerror}") from None
            return path

        def done(written: str) -> None:
            self.context.signals.status_message.emit(self.tr("Saved %s") % written)
            self.pdf_written.emit(written)

        self.context.ops.job(
            self.tr("Appraisal record"),
            work,
            done,
            lambda exc: show_error(self, exc),
            touches=frozenset({"archived_report"}),
        )

    @staticmethod
    def _store(
        session: Session, view: AppraisalView, answers: dict[str, str], notes: dict[str, str]
    ) -> int:
        """Create the draft (first save) or save it if nobody saved it since it was loaded."""
        if view.id is None:
            created = workflow.create_draft(
                session, view.collaboration_id, answers=answers, justifications=notes
            )
            assert created.id is not None
            return created.id
        workflow.save_draft(session, view.id, answers, notes, seen_version=view.row_version)
        return view.id

    def save_draft(self, on_saved: Callable[[AppraisalView], None] | None = None) -> None:
        if self.read_only or self.busy:
            return
        view = self.appraisal
        answers = dict(self.answers)
        justifications = dict(self.justifications)
        self._set_busy(True)

        def work(session: Session) -> AppraisalView:
            saved_id = self._store(session, view, answers, justifications)
            return workflow.get_appraisal(session, saved_id)

        def done(view: AppraisalView) -> None:
            self._set_busy(False)
            self.appraisal = view
            self.button(QWizard.WizardButton.CustomButton3).setEnabled(True)
            self.dirty = answers != self.answers or justifications != self.justifications
            self.context.signals.status_message.emit(
                self.tr("Draft of %s saved") % view.collaboration_reference
            )
            self.draft_saved.emit(view)
            if on_saved is not None:
                on_saved(view)

        self.context.ops.write(work, done, self._on_error)

    def sign_off(self, decision: SignOff) -> None:
        """Save the answers and sign off in one unit of work; closes the wizard when done."""
        if self.busy:
            return
        view = self.appraisal
        answers = dict(self.answers)
        justifications = dict(self.justifications)
        self._set_busy(True)

        def work(session: Session) -> AppraisalView:
            appraisal_id = self._store(session, view, answers, justifications)
            return workflow.sign_off(session, appraisal_id, decision)

        def done(view: AppraisalView) -> None:
            self._set_busy(False)
            self.appraisal = view
            self.dirty = False
            self._signed = True
            message = self.tr("Appraisal of %s signed off") % view.collaboration_reference
            if view.notice:
                message += "; " + view.notice
                tell_after_sign_off(self, view.notice + ".")
            self.context.signals.status_message.emit(message)
            self.signed_off.emit(view)
            self.accept()

        self.context.ops.write(work, done, self._on_error)

    def discard_draft(self) -> None:
        """After confirmation, delete the saved draft (undoing its status change) and close."""
        view = self.appraisal
        if self.read_only or self.busy or view.id is None or not ask_discard_draft(self):
            return
        appraisal_id, seen = view.id, view.row_version
        self._set_busy(True)

        def work(session: Session) -> str:
            return workflow.discard_draft(session, appraisal_id, seen_version=seen)

        def done(message: str) -> None:
            self._set_busy(False)
            self.dirty = False
            self.context.signals.status_message.emit(message)
            self.draft_discarded.emit(message)
            super(AppraisalWizard, self).reject()

        self.context.ops.write(work, done, self._on_error)

    def _on_error(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, KnownError) and not self.read_only:
            field_name = getattr(exc, "field", None)
            self.decision_page.show_error(str(exc), field_name)
            if field_name and self.model.has_question(field_name):
                # Show the question the message is about, with the message on its page.
                self.go_to_question(field_name, str(exc))
            elif self.currentPage() is not self.decision_page:
                QMessageBox.warning(self, self.tr("Appraisal"), str(exc))
            return
        show_error(self, exc)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for which in (
            QWizard.WizardButton.CustomButton1,
            QWizard.WizardButton.CustomButton3,
            QWizard.WizardButton.FinishButton,
            QWizard.WizardButton.NextButton,
            QWizard.WizardButton.BackButton,
        ):
            button = self.button(which)
            if button is not None:
                button.setEnabled(not busy)
        if not self.read_only and not self.appraisal.saved:
            self.button(QWizard.WizardButton.CustomButton3).setEnabled(False)
        if busy:
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()

    def go_to_question(self, question_id: str, message: str = "") -> None:
        """Go back to the page holding ``question_id``, focus it and show ``message`` there."""
        target = self.model.question(question_id).page
        for page in self.question_pages:
            if page.page.id != target:
                continue
            ids = self.pageIds()
            target_id = next(i for i in ids if self.page(i) is page)
            while ids.index(self.currentId()) > ids.index(target_id):
                self.back()
            page.focus_question(question_id)
            page.show_error(message)
            return

    # -- closing ------------------------------------------------------------------------------

    def reject(self) -> None:
        if self.read_only or not self.dirty or self._closing_after_save:
            super().reject()
            return
        answer = ask_save_changes(self)
        if answer == QMessageBox.StandardButton.Cancel:
            return
        if answer == QMessageBox.StandardButton.Save:
            self._closing_after_save = True
            self.save_draft(lambda _view: super(AppraisalWizard, self).reject())
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.read_only or self._signed or not self.dirty:
            super().closeEvent(event)
            return
        event.ignore()
        self.reject()

    @property
    def signed(self) -> bool:
        return self._signed


#: The editing wizard of each collaboration, so that a second "Appraise…" shows the first one
#: rather than a second window whose save would overwrite the first's answers.
_OPEN_WIZARDS: dict[int, AppraisalWizard] = {}


def _bring_to_front(
    context: AppContext,
    collaboration_id: int,
    on_open: Callable[[AppraisalWizard], None] | None,
) -> bool:
    """Raise the collaboration's open editing wizard, if there is one; True if there was."""
    wizard = _OPEN_WIZARDS.get(collaboration_id)
    if wizard is None:
        return False
    if not isValid(wizard) or not wizard.isVisible() or wizard.context is not context:
        del _OPEN_WIZARDS[collaboration_id]
        return False
    wizard.showNormal()
    wizard.raise_()
    wizard.activateWindow()
    if on_open is not None:
        on_open(wizard)
    return True


def open_appraisal_wizard(
    context: AppContext,
    *,
    collaboration_id: int | None = None,
    appraisal_id: int | None = None,
    parent: QWidget | None = None,
    on_open: Callable[[AppraisalWizard], None] | None = None,
) -> QDialog | None:
    """Load in the background, then show the wizard (non-modal).

    With neither id: first a dialog to pick the collaboration (returned, for tests).

    With ``collaboration_id``: resume its draft or start one (a re-appraisal after a sign-off).
    With ``appraisal_id``: open that appraisal (read-only if signed off).
    """
    actor = context.db.actor

    def show(state: WizardState) -> None:
        editing = not state.appraisal.read_only
        if editing and _bring_to_front(context, state.appraisal.collaboration_id, on_open):
            return
        wizard = AppraisalWizard(context, state, parent)
        wizard.finished.connect(wizard.deleteLater)
        if editing:
            _OPEN_WIZARDS[state.appraisal.collaboration_id] = wizard
        wizard.show()
        if on_open is not None:
            on_open(wizard)

    if appraisal_id is not None:
        context.ops.query(lambda s: load_appraisal(s, appraisal_id, actor), show)
    elif collaboration_id is not None:
        if _bring_to_front(context, collaboration_id, on_open):
            return None
        context.ops.query(lambda s: load_for_collaboration(s, collaboration_id, actor), show)
    else:
        from rsdesk.ui.wizard.pages.picker import CollaborationPickerDialog

        picker = CollaborationPickerDialog(context, parent)
        picker.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)

        def chosen() -> None:
            selected = picker.selected_id()
            if selected is not None:
                open_appraisal_wizard(
                    context, collaboration_id=selected, parent=parent, on_open=on_open
                )

        picker.accepted.connect(chosen)
        picker.open()
        return picker
    return None


__all__ = [
    "AppraisalWizard",
    "WizardState",
    "ask_discard_draft",
    "ask_save_changes",
    "load_appraisal",
    "load_for_collaboration",
    "open_appraisal_wizard",
]
