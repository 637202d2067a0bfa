"""A page of questions: one widget per question, with help, options and a justification field."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from rsdesk.services.appraisal.model import Page, Question
from rsdesk.services.appraisal.workflow import Prefill
from rsdesk.services.wording import counted
from rsdesk.ui.wizard.pages.common import LEVEL_NAMES

if TYPE_CHECKING:
    from rsdesk.ui.wizard.appraisal import AppraisalWizard


class QuestionWidget(QFrame):
    """One question: text, help (also tooltip and What's This), options, justification."""

    def __init__(
        self,
        wizard: AppraisalWizard,
        question: Question,
        prefill: Prefill | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.wizard = wizard
        self.question = question
        self.setObjectName(f"question:{question.id}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setToolTip(question.help)
        self.setWhatsThis(question.help)
        layout = QVBoxLayout(self)
        layout.setSpacing(4)

        self.title = QLabel(f"<b>{_escape(question.text)}</b>")
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.title)
        self.help = QLabel(question.help)
        self.help.setObjectName("help")
        self.help.setWordWrap(True)
        self.help.setStyleSheet("color: palette(placeholder-text);")
        layout.addWidget(self.help)
        if prefill is not None:
            note = QLabel(self.tr("Pre-filled from the register: %s") % prefill.note)
            note.setObjectName("prefillNote")
            note.setWordWrap(True)
            note.setStyleSheet("color: #1565c0;")
            layout.addWidget(note)

        change = next((c for c in wizard.state.changes if c.question == question.id), None)
        if change is not None:
            before = (
                question.option(change.before).text
                if change.before and question.has_option(change.before)
                else self.tr("(unanswered)")
            )
            changed = QLabel(self.tr("Changed since the previous version; it was: %s") % before)
            changed.setObjectName("changedNote")
            changed.setWordWrap(True)
            changed.setStyleSheet("color: #ef6c00;")
            layout.addWidget(changed)

        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[str, QRadioButton] = {}
        chosen = wizard.answers.get(question.id)
        for index, option in enumerate(question.options):
            button = QRadioButton(option.text)
            button.setObjectName(f"option:{question.id}:{option.id}")
            button.setToolTip(question.help)
            button.setChecked(option.id == chosen)
            self.group.addButton(button, index)
            self.buttons[option.id] = button
            layout.addWidget(button)
        self.group.idToggled.connect(self._on_toggled)

        self.justification_label = QLabel(
            self.tr("Justification (required for this answer): why, and on what evidence?")
        )
        self.justification = QPlainTextEdit()
        self.justification.setObjectName(f"justification:{question.id}")
        self.justification_label.setBuddy(self.justification)
        # Several questions share a page: the name says which answer it justifies.
        self.justification.setAccessibleName(self.tr("Justification: %s") % question.text)
        self.justification.setPlaceholderText(
            self.tr("What did you find, and where is the evidence?")
        )
        self.justification.setMaximumHeight(64)
        self.justification.setTabChangesFocus(True)
        self.justification.setPlainText(wizard.justifications.get(question.id, ""))
        self.justification.textChanged.connect(self._on_justification)
        layout.addWidget(self.justification_label)
        layout.addWidget(self.justification)
        self._update_justification()

    def needs_justification(self) -> bool:
        chosen = self.wizard.answers.get(self.question.id)
        return bool(
            self.question.justify and chosen is not None and self.question.option(chosen).weight > 0
        )

    def _update_justification(self) -> None:
        needed = self.needs_justification()
        self.justification_label.setVisible(needed)
        self.justification.setVisible(needed)

    @Slot(int, bool)
    def _on_toggled(self, index: int, checked: bool) -> None:
        if not checked:
            return
        self.wizard.set_answer(self.question.id, self.question.options[index].id)
        self._update_justification()

    @Slot()
    def _on_justification(self) -> None:
        self.wizard.set_justification(self.question.id, self.justification.toPlainText())

    def choose(self, option_id: str) -> None:
        """Pick an option as a click would (tests, keyboard shortcuts)."""
        self.buttons[option_id].click()


class QuestionPage(QWizardPage):
    def __init__(self, wizard: AppraisalWizard, page: Page) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.page = page
        self.setObjectName(f"page:{page.id}")
        self.setTitle(page.title)
        self.setSubTitle(page.intro)
        inner = QWidget()
        inner_layout = QVBoxLayout(inner)
        self.questions: dict[str, QuestionWidget] = {}
        for question in wizard.model.page_questions(page.id):
            widget = QuestionWidget(wizard, question, wizard.prefill.get(question.id))
            self.questions[question.id] = widget
            inner_layout.addWidget(widget)
        inner_layout.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setWidget(inner)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.live = QLabel()
        self.live.setObjectName("liveScore")
        self.error = QLabel()
        self.error.setObjectName("pageError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c62828; font-weight: bold;")
        self.error.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.error)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.live)
        wizard.answers_changed.connect(self._update_live)
        wizard.answers_changed.connect(self._clear_error)
        self._update_live()

    @Slot()
    def _update_live(self) -> None:
        result = self.wizard_.live_result
        unanswered = sum(1 for q in self.questions if q not in self.wizard_.answers)
        text = self.tr("Current result: score %d, %s; %s unknown or unanswered so far") % (
            result.total,
            LEVEL_NAMES.get(result.level, result.level),
            counted(len(result.gaps), "question"),
        )
        if unanswered:
            text += self.tr("; %d unanswered on this page") % unanswered
        self.live.setText(text)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))

    def cleanupPage(self) -> None:
        self.show_error("")

    @Slot()
    def _clear_error(self) -> None:
        if self.error.isVisible():
            self.show_error("")

    def focus_question(self, question_id: str) -> None:
        widget = self.questions[question_id]
        self.scroll_area.ensureWidgetVisible(widget)
        if widget.needs_justification():
            widget.justification.setFocus()
        else:
            widget.setFocus()


def _escape(text: str) -> str:
    from html import escape

    return escape(text)
