"""The appraisal wizard's pages."""

from rsdesk.ui.wizard.pages.decision import DecisionPage
from rsdesk.ui.wizard.pages.questions import QuestionPage, QuestionWidget
from rsdesk.ui.wizard.pages.record import RecordPage
from rsdesk.ui.wizard.pages.start import StartPage
from rsdesk.ui.wizard.pages.summary import SummaryPage

__all__ = [
    "DecisionPage",
    "QuestionPage",
    "QuestionWidget",
    "RecordPage",
    "StartPage",
    "SummaryPage",
]
