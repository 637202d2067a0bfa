"""On a shared server the status bar says which role the login has and what it may do."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from rsdesk.db import Database, open_database
from tests.services.private_server import as_login, private_database, private_logins

pytestmark = pytest.mark.ui


@pytest.fixture
def compliance_db() -> Iterator[Database]:
    url = os.environ.get("RSDESK_TEST_DATABASE_URL")
    if not url:
        pytest.skip("RSDESK_TEST_DATABASE_URL is not set (CI sets it)")
    with private_database(url) as database_url, private_logins(url, "compliance") as logins:
        from rsdesk.services import server_roles

        owner = open_database(database_url)
        with owner.unit_of_work() as session:
            server_roles.set_up(session)
            server_roles.grant(session, logins["compliance"], "compliance")
        owner.dispose()
        database = open_database(as_login(database_url, logins["compliance"]))
        yield database
        database.dispose()


@pytest.mark.postgres
def test_status_bar_shows_the_role_on_a_server(qtbot, qapp, compliance_db: Database) -> None:
    from PySide6.QtWidgets import QLabel

    from rsdesk.ui.context import AppContext
    from rsdesk.ui.main_window import MainWindow

    context = AppContext.create(compliance_db)
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    label = window.findChild(QLabel, "roleLabel")
    assert label is not None
    assert label.text() == "Role: compliance (may read and export)"
    context.ops.wait()


def test_no_role_label_on_a_database_file(main_window) -> None:
    from PySide6.QtWidgets import QLabel

    assert main_window.findChild(QLabel, "roleLabel") is None
