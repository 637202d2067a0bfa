"""Edit the institution's onboarding rules, training catalogue and retention period.

The rules are TOML text (the shipped files are the starting point and explain every key). Saving
validates them in the service and stores the edited copy in the database; a mistake is shown in
one line and nothing is stored. Rules that add or shorten a renewal period reach back into checks
already completed, so saving them first says how many the next open will reopen and asks.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from rsdesk.services import onboarding, privacy, training
from rsdesk.ui.context import AppContext
from rsdesk.ui.widgets.form import UnsavedChanges, may_close


def _stored_texts(session: Session) -> tuple[str, str, int, str, str]:
    def text_of(key: str, shipped: str) -> tuple[str, str]:
        stored = onboarding.stored_setting_document(session, key)
        if not stored:
            return shipped, "shipped"
        return stored.get("source_text") or _to_toml(stored), "edited"

    rules, rules_source = text_of(onboarding.RULES_SETTING, onboarding.shipped_rules_text())
    catalogue, catalogue_source = text_of(
        training.CATALOGUE_SETTING, training.shipped_catalogue_text()
    )
    return rules, catalogue, privacy.retention_months(session), rules_source, catalogue_source


def _to_toml(document: dict[str, Any]) -> str:
    """The stored JSON copy written back as TOML (arrays of tables, then plain keys)."""
    lines = []
    for key, value in document.items():
        if not isinstance(value, list):
            lines.append(f"{key} = {_value(value)}")
    for key, value in document.items():
        if isinstance(value, list):
            for item in value:
                lines.append("")
                lines.append(f"[[{key}]]")
                tables = []
                for name, inner in item.items():
                    if isinstance(inner, dict):
                        tables.append((name, inner))
                    else:
                        lines.append(f"{name} = {_value(inner)}")
                for name, inner in tables:
                    lines.append(f"[{key}.{name}]")
                    for inner_key, inner_value in inner.items():
                        lines.append(f"{inner_key} = {_value(inner_value)}")
    return "\n".join(lines) + "\n"


def _value(value: Any) -> str:
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def reopening_question(forecast: onboarding.RenewalForecast) -> str:
    """What saving rules that renew sooner will do to completed checks, in words."""
    checks = (
        "1 completed check" if forecast.reopened == 1 else f"{forecast.reopened:,} completed checks"
    )
    days = onboarding.RENEWAL_DUE_DATE_REACHES_BACK.days
    return (
        f"These rules add or shorten the renewal of {', '.join(forecast.renewing_sooner)}. "
        f"The next time the database is opened, {checks} will be reopened as due again. "
        f"Those whose renewal date is more than {days} days past are due on that day.\n\n"
        "Save the rules?"
    )


def ask_to_reopen(parent: QWidget, forecast: onboarding.RenewalForecast) -> bool:
    """Yes or No before saving rules that reopen completed checks (tests replace it)."""
    answer = QMessageBox.question(
        parent,
        parent.tr("Completed checks will be reopened"),
        reopening_question(forecast),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


class PeopleRulesDialog(QDialog):
    saved = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("PeopleRulesDialog")
        self.setWindowTitle(self.tr("Onboarding and training rules"))
        self.resize(760, 640)
        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.rules = QPlainTextEdit()
        self.rules.setObjectName("onboardingRules")
        self.rules.setAccessibleName(self.tr("Onboarding rules (TOML)"))
        self.catalogue = QPlainTextEdit()
        self.catalogue.setObjectName("trainingCatalogue")
        self.catalogue.setAccessibleName(self.tr("Training catalogue (TOML)"))
        for editor in (self.rules, self.catalogue):
            editor.setFont(fixed)
            editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.retention = QSpinBox()
        self.retention.setObjectName("retentionMonths")
        self.retention.setRange(1, 600)
        self.retention.setSuffix(self.tr(" months"))
        self.source_label = QLabel()
        self.source_label.setWordWrap(True)
        self.error_label = QLabel()
        self.error_label.setObjectName("rulesError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #9C0006")
        self.reset_button = QPushButton(self.tr("Restore shipped rules"))
        tabs = QTabWidget()
        tabs.addTab(self.rules, self.tr("Onboarding checks"))
        tabs.addTab(self.catalogue, self.tr("Training catalogue"))
        privacy_page = QWidget()
        form = QFormLayout(privacy_page)
        form.addRow(self.tr("Anonymise former staff after"), self.retention)
        form.addRow(
            "",
            QLabel(self.tr("Counted from the end date. Statistics and the audit trail are kept.")),
        )
        tabs.addTab(privacy_page, self.tr("Retention"))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.addButton(self.reset_button, QDialogButtonBox.ButtonRole.ResetRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reset_button.clicked.connect(self.restore_shipped)
        intro = QLabel(
            self.tr(
                "Checks and courses apply by role and research sensitivity only, never by "
                "who the person is. Existing checklists keep their checks; new rules apply "
                "to people added or changed from now on. A renewal period (renew_months) "
                "added or shortened also applies to checks already completed: those due "
                "again are reopened the next time the database is opened."
            )
        )
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.source_label)
        layout.addWidget(tabs, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.loaded = False
        self.unsaved = UnsavedChanges(self)
        context.ops.query(_stored_texts, self._on_loaded)

    def _on_loaded(self, value: tuple[str, str, int, str, str]) -> None:
        rules, catalogue, months, rules_source, catalogue_source = value
        self.rules.setPlainText(rules)
        self.catalogue.setPlainText(catalogue)
        self.retention.setValue(months)
        self.source_label.setText(
            self.tr("Onboarding rules: %1; training catalogue: %2.")
            .replace("%1", rules_source)
            .replace("%2", catalogue_source)
        )
        self.unsaved.mark_clean()
        self.loaded = True

    def reject(self) -> None:
        """Escape, Cancel or the close button: ask before edited rules are lost."""
        if may_close(self, self.unsaved.dirty(), self.accept):
            super().reject()

    def _after_asking_about_renewals(self, rules: str, go_on: Any) -> None:
        """Runs ``go_on()`` once the user agrees to the checks ``rules`` will reopen (at once
        when they reopen none); invalid rules show their error instead."""

        def forecast(session: Session) -> onboarding.RenewalForecast:
            return onboarding.renewal_forecast(session, rules)

        def decide(result: onboarding.RenewalForecast) -> None:
            if result.reopened == 0 or ask_to_reopen(self, result):
                go_on()

        self.error_label.clear()
        self.context.ops.query(forecast, decide, self._on_failed)

    def accept(self) -> None:
        rules = self.rules.toPlainText()
        if rules == onboarding.shipped_rules_text():
            self._save()  # the shipped rules are not stored: nothing changes
        else:
            self._after_asking_about_renewals(rules, self._save)

    def _save(self) -> None:
        rules = self.rules.toPlainText()
        catalogue = self.catalogue.toPlainText()
        months = self.retention.value()
        shipped_rules = onboarding.shipped_rules_text()
        shipped_catalogue = training.shipped_catalogue_text()

        def work(session: Session) -> None:
            if rules != shipped_rules:
                onboarding.save_rules_text(session, rules)
            if catalogue != shipped_catalogue:
                training.save_catalogue_text(session, catalogue)
            privacy.set_retention_months(session, months)

        self.error_label.clear()
        self.context.ops.write(work, self._on_saved, self._on_failed)

    @Slot()
    def restore_shipped(self) -> None:
        """Back to the shipped rules and catalogue, stored at once (after the renewal question
        when the shipped rules renew sooner than the edited ones)."""
        self._after_asking_about_renewals(onboarding.shipped_rules_text(), self._restore_shipped)

    def _restore_shipped(self) -> None:
        self.rules.setPlainText(onboarding.shipped_rules_text())
        self.catalogue.setPlainText(training.shipped_catalogue_text())
        self.unsaved.mark_clean()  # stored at once: nothing left to lose

        def work(session: Session) -> None:
            onboarding.reset_rules(session)
            training.reset_catalogue(session)

        self.context.ops.write(work, lambda _: self.source_label.setText(self.tr("Shipped rules.")))

    def _on_saved(self, _: Any) -> None:
        self.saved.emit()
        super().accept()

    def _on_failed(self, exc: BaseException) -> None:
        from rsdesk.services.errors import KnownError
        from rsdesk.ui.ops import show_error

        if isinstance(exc, KnownError):
            self._show_rules_error(str(exc))
        else:
            show_error(self, exc)

    def _show_rules_error(self, message: str) -> None:
        """The message with the line of the rule it names (its ``[[check]]`` or ``[[course]]``
        header, or the TOML syntax error's line), and the cursor put on that line."""
        from PySide6.QtGui import QTextCursor

        from rsdesk.services.rule_lines import error_line

        found = error_line(message, self.rules.toPlainText(), self.catalogue.toPlainText())
        if found is None:
            self.error_label.setText(message)
            return
        editor = self.rules if found.text == "rules" else self.catalogue
        where = (
            self.tr("Onboarding checks, line %1")
            if found.text == "rules"
            else self.tr("Training catalogue, line %1")
        ).replace("%1", str(found.line))
        self.error_label.setText(f"{where}: {message}")
        tabs = self.findChild(QTabWidget)
        if tabs is not None:
            tabs.setCurrentWidget(editor)
        block = editor.document().findBlockByNumber(found.line - 1)
        if block.isValid():
            cursor = QTextCursor(block)
            editor.setTextCursor(cursor)
            editor.centerCursor()
