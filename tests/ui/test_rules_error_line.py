"""A mistake in the rules editor names the line of the rule at fault: "Onboarding rule 2
(interests_declaration): 'renew_months' must be..." left a coordinator counting [[check]]
headers in a file full of comments."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QTabWidget

from rsdesk.services import onboarding, training
from rsdesk.services.errors import ValidationError
from rsdesk.services.rule_lines import ErrorLine, error_line, header_line
from rsdesk.ui.dialogs.people_rules_dialog import PeopleRulesDialog


def _header_above(text: str, marker: str, header: str) -> int:
    """The 1-based line of the last ``header`` before the line holding ``marker``."""
    lines = text.splitlines()
    at = next(number for number, line in enumerate(lines) if marker in line)
    return next(n for n in range(at, -1, -1) if lines[n].strip() == header) + 1


def test_a_bad_renewal_period_names_the_line_of_its_rule_and_goes_there(qtbot, context, db):
    dialog = PeopleRulesDialog(context)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.loaded)
    text = dialog.rules.toPlainText().replace("renew_months = 12", "renew_months = 1.5")
    dialog.rules.setPlainText(text)
    dialog.accept()
    qtbot.waitUntil(lambda: "renew_months" in dialog.error_label.text(), timeout=10_000)
    line = _header_above(text, "renew_months = 1.5", "[[check]]")
    assert dialog.error_label.text().startswith(
        f"Onboarding checks, line {line}: Onboarding rule 2 (interests_declaration): "
    )
    assert dialog.rules.textCursor().blockNumber() + 1 == line
    with db.read() as session:
        assert onboarding.load_rules(session).source == "shipped"


def test_a_bad_course_opens_the_catalogue_tab_on_its_line(qtbot, context):
    dialog = PeopleRulesDialog(context)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.loaded)
    text = (
        dialog.catalogue.toPlainText()
        + "\n[[course]]\ncode = 'x'\nname = 'X'\nrefresh_months = -1\n"
    )
    dialog.catalogue.setPlainText(text)
    dialog.accept()
    qtbot.waitUntil(lambda: bool(dialog.error_label.text()), timeout=10_000)
    line = _header_above(text, "refresh_months = -1", "[[course]]")
    assert dialog.error_label.text().startswith(f"Training catalogue, line {line}: Training course")
    tabs = dialog.findChild(QTabWidget)
    assert tabs is not None
    assert tabs.currentWidget() is dialog.catalogue
    assert dialog.catalogue.textCursor().blockNumber() + 1 == line


def test_error_line_reads_toml_syntax_errors_and_leaves_other_messages_alone():
    rules = "# comment\n\n[[check]]\ncode = 'a'\n\n[[check]]\ncode = 'b'\n"
    assert header_line(rules, "check", 2) == 6
    assert header_line(rules, "check", 3) is None
    assert error_line("Onboarding rule 2 (b): 'title' is required text", rules, "") == ErrorLine(
        "rules", 6
    )
    with_syntax_error = "[[check]]\ncode = \n"
    with pytest.raises(ValidationError) as refused:
        onboarding.parse_toml_text(with_syntax_error, "Onboarding rules")
    assert error_line(str(refused.value), with_syntax_error, "") == ErrorLine("rules", 2)
    catalogue = training.shipped_catalogue_text()
    assert error_line("Training course 1 (x): 'name' is required text", "", catalogue) == (
        ErrorLine("catalogue", header_line(catalogue, "course", 1) or 0)
    )
    # A rule that is not in the text (the stored copy had fewer) and other messages: no line.
    assert error_line("Onboarding rule 9 (z): the code is used twice", rules, "") is None
    assert error_line("Onboarding rules: at least one [[check]] is required", rules, "") is None
    assert error_line("The database is read-only", rules, "") is None
