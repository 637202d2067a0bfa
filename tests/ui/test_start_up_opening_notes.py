"""Starting the GUI on a database whose opening reopened checks due for renewal: the status bar
says so, as the command line does on stderr."""

from __future__ import annotations

import datetime as dt
import gc
from pathlib import Path

from sqlalchemy import select

from rsdesk.db import Database
from rsdesk.models import Department, OnboardingCheck
from rsdesk.services import onboarding, staff
from rsdesk.services import settings as settings_service
from rsdesk.services.training import add_months
from rsdesk.ui import app as app_module
from rsdesk.ui.main_window import MainWindow

MESSAGE = "Opening the database reopened 1 onboarding check due for renewal."


def _with_a_declaration_due_again(db: Database) -> Path:
    """A set-up database whose one declaration was completed 13 months ago, closed."""
    with db.unit_of_work() as session:
        settings_service.save(session, institution_name="Start-up University")
        session.add(Department(name="Geology"))
        staff.create(
            session,
            staff.StaffInput("S-001", "Jane Doe", "professor", start_date=dt.date(2012, 9, 1)),
        )
        check_id = session.scalar(
            select(OnboardingCheck.id).where(OnboardingCheck.check_code == "interests_declaration")
        )
        assert check_id is not None
        onboarding.complete(session, check_id, on=add_months(dt.date.today(), -13))
    path = db.path
    assert path is not None
    db.dispose()
    return path


def test_the_status_bar_says_what_opening_the_database_reopened(qtbot, db: Database) -> None:  # type: ignore[no-untyped-def]
    path = _with_a_declaration_due_again(db)
    window = app_module.start(str(path))
    assert isinstance(window, MainWindow)
    try:
        assert window.context.db.opening_notes == [MESSAGE]
        assert window.statusBar().currentMessage() == f"Checking the database file… {MESSAGE}"
        qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Database checked"))
        assert window.statusBar().currentMessage().endswith(MESSAGE)
    finally:
        window.context.ops.wait()
        window.close()
        window.context.db.dispose()
        window.deleteLater()
        gc.unfreeze()  # start() froze what existed, this test's objects among them
