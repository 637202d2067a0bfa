"""Screening: the lists loaded, loading a list file in the background, and the hits with their
verdict buttons.

The table is the ``screening`` register (current list versions by default). Loading a file and
re-screening every partner run as jobs with a progress dialog; a verdict is one write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from rsdesk.services.errors import ValidationError
from rsdesk.services.progress import CancelToken, Progress
from rsdesk.services.wording import counted
from rsdesk.ui.context import AppContext
from rsdesk.ui.itemmodels.register_table_model import SortRole
from rsdesk.ui.ops import show_error
from rsdesk.ui.views.register_view import RegisterView

LIST_FILE_FILTER = "List files (*.xml *.csv *.json *.jsonl *.txt);;All files (*)"
#: Shown first, so the verdict is in sight at 1280-1400 px; the rest follow in register order.
LEADING_COLUMNS = ("partner", "entry", "score", "verdict")
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
        self.reopen_button = QPushButton()
        self.reopen_button.setObjectName("setBackToPending")
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
        self.reopen_button.setText(self.tr("Set back to pe&nding…"))
        self.reopen_button.setToolTip(
            self.tr("Undo a verdict given by mistake; the audit trail keeps the old one")
        )
        self.reopen_button.clicked.connect(self._ask_reopen)
        self.load_button.clicked.connect(self.load_list)
        self.rescreen_button.clicked.connect(self.rescreen_all)
        self.true_button.clicked.connect(self._mark_true)
        self.false_button.clicked.connect(self._mark_false)
        actions = QHBoxLayout()
        actions.setContentsMargins(0, 0, 0, 0)
        actions.addWidget(self.lists_label, 1)
        for button in (
            self.load_button,
            self.rescreen_button,
            self.true_button,
            self.false_button,
            self.reopen_button,
        ):
            actions.addWidget(button)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertLayout(0, actions)
        # The selected hit's verdict in words: the buttons stay on (overruling is allowed).
        self.decision_label = QLabel()
        self.decision_label.setObjectName("screeningDecision")
        self.decision_label.setWordWrap(True)
        self.decision_label.setTextFormat(Qt.TextFormat.PlainText)
        below_table = layout.indexOf(self.table) + 1
        layout.insertWidget(below_table if below_table > 0 else layout.count(), self.decision_label)
        self._put_verdict_in_sight()
        # Hits on current list versions; replaced versions are history, one click away.
        self.apply_filters({"current": "current"})
        self.table.selectionModel().currentRowChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        self.model.dataChanged.connect(self._update_buttons)
        self.model.rowsInserted.connect(self._update_buttons)
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
            self.tr("%s to review, %s. Lists: %s")
            % (
                counted(counts.pending_hits, "hit"),
                counted(counts.confirmed_matches, "confirmed match", "confirmed matches"),
                names,
            )
        )

    def _put_verdict_in_sight(self) -> None:
        """Verdict beside the partner, entry and score: it was past the right edge at 1400 px.

        A layout the user arranged since this order came in is kept.
        """
        layout_key = f"{self._settings_key}/verdict_in_sight"
        if self.context.settings.value(layout_key):
            return
        self._order_columns()
        self.context.settings.set_value(layout_key, "1")

    def _order_columns(self) -> None:
        header = self.table.horizontalHeader()
        keys = self.model.column_keys()
        for visual, key in enumerate(LEADING_COLUMNS):
            if key in keys:
                header.moveSection(header.visualIndex(keys.index(key)), visual)

    def reset_columns(self) -> None:
        super().reset_columns()
        self._order_columns()

    def _cell(self, result_id: int, key: str) -> Any:
        row = self.model.row_of(result_id)
        if row is None or not self.model.row_loaded(row):
            return None
        return self.model.index(row, self.model.column_keys().index(key)).data(SortRole)

    def _describe_decision(self, result_id: int | None, shown: str | None) -> str:
        if result_id is None:
            return ""
        if shown in (None, "pending"):
            return self.tr("Pending review: no verdict yet.")
        what = {
            "true_match": self.tr("Confirmed as a true match"),
            "false_positive": self.tr("Dismissed as a false positive"),
        }.get(str(shown), str(shown).replace("_", " ").capitalize())
        who = self._cell(result_id, "decided_by")
        when = self._cell(result_id, "decided_at")
        note = self._cell(result_id, "note")
        text = what
        if who:
            text += self.tr(" by %s") % who
        if isinstance(when, dt.datetime):
            text += self.tr(" on %s") % when.strftime("%Y-%m-%d")
        if note:
            text += f": {note}"
        return text

    @Slot()
    def _update_buttons(self, *_args: Any) -> None:
        """Overruling a verdict is allowed, so a decided hit keeps the buttons, worded as a change."""
        result_id = self.current_id()
        shown = None if result_id is None else self._shown_verdict(result_id)
        decided = shown not in (None, "pending")
        self.true_button.setEnabled(result_id is not None and shown != "true_match")
        self.false_button.setEnabled(result_id is not None and shown != "false_positive")
        self.reopen_button.setEnabled(decided)
        self.decision_label.setText(self._describe_decision(result_id, shown))
        if decided:
            self.true_button.setText(self.tr("Change to true &match…"))
            self.false_button.setText(self.tr("Change to false &positive…"))
        else:
            self.true_button.setText(self.tr("True &match…"))
            self.false_button.setText(self.tr("False &positive…"))

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

    def _ask_verdict(self, verdict: str, title: str, note: str = "", problem: str = "") -> None:
        """Ask why; a refused reason (blank) asks again with the reason beside the field."""
        result_id = self.current_id()
        if result_id is None:
            return
        label = self.tr("Why? (kept in the audit trail)")
        if problem:
            label = f"{problem}\n{label}"
        note, accepted = QInputDialog.getText(self, title, label, QLineEdit.EchoMode.Normal, note)
        if accepted:
            self.decide(
                result_id,
                verdict,
                note,
                on_invalid=lambda error: self._ask_verdict(verdict, title, note, str(error)),
            )

    @Slot()
    def _ask_reopen(self) -> None:
        result_id = self.current_id()
        if result_id is None:
            return
        seen = self._shown_verdict(result_id)
        answer = QMessageBox.question(
            self,
            self.tr("Set back to pending"),
            self.tr("Set this hit back to pending review? The audit trail keeps the verdict."),
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.reopen(result_id, seen)

    def reopen(self, result_id: int, seen_verdict: str | None) -> int:
        """Set a decided hit back to pending, unless another officer changed it meanwhile."""

        def work(session: Session) -> None:
            from rsdesk.services.screening import workflow

            workflow.reopen(session, result_id, seen_verdict=seen_verdict)

        def done(_result: object) -> None:
            self.context.signals.status_message.emit(self.tr("Hit set back to pending review"))
            self.refresh()

        return self.context.ops.write(work, done, self._on_refused)

    def decide(
        self,
        result_id: int,
        verdict: str,
        note: str,
        seen_verdict: str | None = None,
        on_invalid: Callable[[BaseException], None] | None = None,
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

        def done(_result: object) -> None:
            saved = self.tr("Verdict saved: %s") % (
                self.tr("true match") if verdict == "true_match" else self.tr("false positive")
            )
            self.context.signals.status_message.emit(saved)
            self.refresh()

        def refused(error: BaseException) -> None:
            if on_invalid is not None and isinstance(error, ValidationError):
                on_invalid(error)
            else:
                self._on_refused(error)

        return self.context.ops.write(work, done, refused)

    def _shown_verdict(self, result_id: int) -> str | None:
        value = self._cell(result_id, "verdict")
        return None if value is None else str(getattr(value, "value", value))

    def _on_refused(self, error: BaseException) -> None:
        self.refresh()
        show_error(self, error)
