"""Screening: the lists loaded, loading a list file in the background, and the hits with their
verdict buttons.

The table is the ``screening`` register (current list versions by default). Loading a file and
re-screening every partner run as jobs with a progress dialog; a verdict is one write.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from rsdesk.services.progress import CancelToken, Progress
from rsdesk.ui.context import AppContext
from rsdesk.ui.itemmodels.register_table_model import SortRole
from rsdesk.ui.ops import show_error
from rsdesk.ui.views.register_view import RegisterView

LIST_FILE_FILTER = "List files (*.xml *.csv *.json *.jsonl *.txt);;All files (*)"
TOUCHES = frozenset({"screening_list", "screening_entry", "screening_result"})


def _lists_summary(session: Session) -> tuple[list[Any], Any]:
    from rsdesk.services.screening import lists, workflow

    return lists.versions(session, active_only=True), workflow.dashboard_counts(session)


class ScreeningView(RegisterView):
    register_name = "screening"
    watches = frozenset({"screening_list", "screening_result", "partner", "partner_name"})
    search_placeholder = "Search partner or listed name (Ctrl+F)"
    can_create = False

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        self.lists_label = QLabel()
        self.lists_label.setObjectName("screeningLists")
        self.lists_label.setWordWrap(True)
        self.load_button = QPushButton()
        self.load_button.setObjectName("loadList")
        self.rescreen_button = QPushButton()
        self.rescreen_button.setObjectName("rescreenAll")
        self.true_button = QPushButton()
        self.true_button.setObjectName("markTrueMatch")
        self.false_button = QPushButton()
        self.false_button.setObjectName("markFalsePositive")
        super().__init__(context, parent)
        self.load_button.setText(self.tr("&Load list…"))
        self.load_button.setToolTip(
            self.tr("Import a sanctions or entity list file as the newest version of its list")
        )
        self.rescreen_button.setText(self.tr("&Re-screen all partners"))
        self.true_button.setText(self.tr("True &match…"))
        self.true_button.setToolTip(self.tr("The partner is the listed body"))
        self.false_button.setText(self.tr("False &positive…"))
        self.false_button.setToolTip(
            self.tr("Not the listed body; stays dismissed until the list entry changes")
        )
        self.load_button.clicked.connect(self.load_list)
        self.rescreen_button.clicked.connect(self.rescreen_all)
        self.true_button.clicked.connect(self._mark_true)
        self.false_button.clicked.connect(self._mark_false)
        actions = QHBoxLayout()
        actions.setContentsMargins(0, 0, 0, 0)
        actions.addWidget(self.lists_label, 1)
        for button in (self.load_button, self.rescreen_button, self.true_button, self.false_button):
            actions.addWidget(button)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertLayout(0, actions)
        # Hits on current list versions; replaced versions are history, one click away.
        self.apply_filters({"current": "current"})
        self.table.selectionModel().currentRowChanged.connect(self._update_buttons)
        self._update_buttons()
        self._load_summary()

    # -- data ---------------------------------------------------------------------------------

    def refresh(self) -> None:
        super().refresh()
        self._load_summary()

    def _load_summary(self) -> None:
        self.context.ops.query(_lists_summary, self._show_summary)

    def _show_summary(self, value: tuple[list[Any], Any]) -> None:
        versions, counts = value
        if not versions:
            self.lists_label.setText(
                self.tr("No lists loaded yet. Load the lists your office screens against.")
            )
            return
        names = ", ".join(f"{v.name} (v{v.version_no}, {v.entry_count:,})" for v in versions)
        self.lists_label.setText(
            self.tr("%d hits to review, %d confirmed matches. Lists: %s")
            % (counts.pending_hits, counts.confirmed_matches, names)
        )

    @Slot()
    def _update_buttons(self, *_args: Any) -> None:
        selected = self.current_id() is not None
        self.true_button.setEnabled(selected)
        self.false_button.setEnabled(selected)

    # -- actions ------------------------------------------------------------------------------

    @Slot()
    def load_list(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self, self.tr("Load a screening list"), "", LIST_FILE_FILTER
        )
        if name:
            self.load_file(Path(name))

    def load_file(self, path: Path, list_name: str | None = None) -> int:
        """Load ``path`` and re-screen every partner, in the background."""
        db = self.context.db

        def work(progress: Progress, cancel: CancelToken) -> str:
            from rsdesk.services.screening import lists, workflow

            with db.unit_of_work() as session:
                outcome = lists.load_file(
                    session, path, name=list_name, progress=progress, cancel=cancel
                )
            if outcome.already_loaded:
                return outcome.describe()
            with db.unit_of_work() as session:
                summary = workflow.rescreen_all(session, progress=progress, cancel=cancel)
            return f"{outcome.describe()}; {summary.describe()}"

        return self.context.ops.job(
            self.tr("Loading %s") % path.name, work, self._on_job_done, touches=TOUCHES
        )

    @Slot()
    def rescreen_all(self) -> int:
        db = self.context.db

        def work(progress: Progress, cancel: CancelToken) -> str:
            from rsdesk.services.screening import workflow

            with db.unit_of_work() as session:
                return workflow.rescreen_all(session, progress=progress, cancel=cancel).describe()

        return self.context.ops.job(
            self.tr("Re-screening partners"), work, self._on_job_done, touches=TOUCHES
        )

    def _on_job_done(self, message: str) -> None:
        self.context.signals.status_message.emit(message)
        self.refresh()

    @Slot()
    def _mark_true(self) -> None:
        self._ask_verdict("true_match", self.tr("True match"))

    @Slot()
    def _mark_false(self) -> None:
        self._ask_verdict("false_positive", self.tr("False positive"))

    def _ask_verdict(self, verdict: str, title: str) -> None:
        result_id = self.current_id()
        if result_id is None:
            return
        note, accepted = QInputDialog.getText(
            self,
            title,
            self.tr("Why? (kept in the audit trail)"),
            QLineEdit.EchoMode.Normal,
        )
        if accepted:
            self.decide(result_id, verdict, note)

    def decide(
        self, result_id: int, verdict: str, note: str, seen_verdict: str | None = None
    ) -> int:
        """Record a verdict, unless the hit's verdict changed since this list showed it.

        ``seen_verdict`` defaults to the verdict the table shows for the hit; a refusal (another
        officer decided meanwhile) is shown and the list reloaded with the current verdicts.
        """
        if seen_verdict is None:
            seen_verdict = self._shown_verdict(result_id)

        def work(session: Session) -> None:
            from rsdesk.services.screening import workflow

            workflow.decide(session, result_id, verdict, note, seen_verdict=seen_verdict)

        return self.context.ops.write(work, lambda _result: self.refresh(), self._on_refused)

    def _shown_verdict(self, result_id: int) -> str | None:
        row = self.model.row_of(result_id)
        if row is None or not self.model.row_loaded(row):
            return None
        column = self.model.column_keys().index("verdict")
        value = self.model.index(row, column).data(SortRole)
        return None if value is None else str(getattr(value, "value", value))

    def _on_refused(self, error: BaseException) -> None:
        self.refresh()
        show_error(self, error)
