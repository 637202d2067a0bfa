"""Roles on a shared PostgreSQL server: each login may do what its role allows, and no more.

The server tests run on a private database with private logins (tests/services/private_server.py)
set up with ``rsdesk db roles setup`` and ``rsdesk db roles grant``, and open rsdesk as each login.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import ProgrammingError

from rsdesk.db import Database, open_database
from rsdesk.models import ArchivedReport, AuditEntry, Partner
from rsdesk.services import access, audit, demo, partners
from rsdesk.services.access import Capability
from rsdesk.services.errors import PermissionDenied
from rsdesk.services.reports.pdf.annual import generate_annual
from rsdesk.services.reports.xlsx.registers import export_register
from tests.services.private_server import as_login, private_database, private_logins

COMPLIANCE_MAY_NOT_CHANGE = "Your role (compliance) may read and export but not change records."
MANAGER_MAY_NOT_EXPORT_PERSONAL = (
    "Your role (manager) may read and print reports but not export personal data "
    "(a pseudonymised export is allowed)."
)


def rsdesk(url: URL, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rsdesk", "--db", url.render_as_string(False), *args],
        capture_output=True,
        text=True,
        env={**os.environ},
        timeout=300,
    )


def refused_in_one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture(scope="module")
def server() -> Iterator[dict[str, Any]]:
    """A demo database on a private server database, its roles set up, one login per role."""
    url = os.environ.get("RSDESK_TEST_DATABASE_URL")
    if not url:
        pytest.skip("RSDESK_TEST_DATABASE_URL is not set (CI sets it)")
    with (
        private_database(url) as database_url,
        private_logins(url, "officer", "compliance", "manager", "nobody") as logins,
    ):
        owner = open_database(database_url)
        demo.generate(owner, size=20)
        owner.dispose()
        assert rsdesk(database_url, "db", "roles", "setup").returncode == 0
        for role in ("officer", "compliance", "manager"):
            result = rsdesk(database_url, "db", "roles", "grant", logins[role], role)
            assert result.returncode == 0, result.stderr
            assert result.stdout.strip() == f"{logins[role]} is now {role}"
        yield {"url": database_url, "logins": logins}


@pytest.fixture
def open_as(server: dict[str, Any]) -> Iterator[Any]:
    opened: list[Database] = []

    def open_login(role: str) -> Database:
        database = open_database(as_login(server["url"], server["logins"][role]))
        opened.append(database)
        return database

    yield open_login
    for database in opened:
        database.dispose()


def counts(database: Database) -> tuple[int, int]:
    with database.read() as session:
        return (
            session.scalar(select(func.count()).select_from(Partner)) or 0,
            session.scalar(select(func.count()).select_from(AuditEntry)) or 0,
        )


# --- on a database file, the one local user may do everything ---------------------------------


def test_the_local_user_of_a_file_has_every_right(db: Database) -> None:
    assert db.access.role_name == "admin"
    assert all(db.access.allows(capability) for capability in Capability)
    with db.unit_of_work() as session:
        partners.create(session, partners.PartnerInput(name="Local Institute", kind="university"))


def test_a_refusal_names_the_role_and_what_it_may_do() -> None:
    both = access.Access("pat", frozenset({access.Role.COMPLIANCE, access.Role.MANAGER}))
    assert both.allows(Capability.EXPORT_PERSONAL)
    assert both.allows(Capability.REPORTS)
    with pytest.raises(PermissionDenied) as refused:
        both.require(Capability.EDIT)
    assert str(refused.value) == (
        "Your role (compliance + manager) may read, export and print reports "
        "but not change records."
    )


# --- on a server ------------------------------------------------------------------------------


@pytest.mark.postgres
def test_logins_get_their_roles(open_as: Any, server: dict[str, Any]) -> None:
    for role in ("officer", "compliance", "manager"):
        database = open_as(role)
        assert database.access.role_name == role
        assert database.actor == server["logins"][role]
    superuser = open_database(server["url"])
    try:
        assert access.Role.ADMIN in superuser.access.roles
    finally:
        superuser.dispose()


@pytest.mark.postgres
def test_compliance_cannot_change_a_record(open_as: Any) -> None:
    compliance = open_as("compliance")
    before = counts(compliance)
    with pytest.raises(PermissionDenied) as refused, compliance.unit_of_work() as session:
        partners.create(session, partners.PartnerInput(name="Sneaky Ltd", kind="company"))
    assert str(refused.value) == COMPLIANCE_MAY_NOT_CHANGE
    # An export's unit of work may write only the pseudonym secret, not a record.
    refused_change = pytest.raises(PermissionDenied, match="not change records")
    with refused_change, compliance.unit_of_work(Capability.EXPORT) as session:
        partners.create(session, partners.PartnerInput(name="Sneaky Ltd", kind="company"))
    refused_change = pytest.raises(PermissionDenied, match="not change records")
    with refused_change, compliance.read() as session:
        session.add(Partner(name="Sneaky Ltd", kind="company"))
        session.flush()
    assert counts(compliance) == before


@pytest.mark.postgres
def test_compliance_is_refused_by_the_database_too(open_as: Any) -> None:
    """The grants made by ``db roles setup`` refuse what rsdesk refuses, even outside rsdesk."""
    compliance = open_as("compliance")
    with compliance.engine.connect() as connection:
        with pytest.raises(ProgrammingError, match="permission denied"):
            connection.execute(text("UPDATE partner SET name = 'Changed'"))
        connection.rollback()
        with pytest.raises(ProgrammingError, match="permission denied"):
            connection.execute(text("DELETE FROM audit_entry"))


@pytest.mark.postgres
def test_compliance_change_on_the_command_line_is_one_line(
    server: dict[str, Any], tmp_path: Path
) -> None:
    url = as_login(server["url"], server["logins"]["compliance"])
    line = refused_in_one_line(rsdesk(url, "screening", "run"))
    assert line == f"rsdesk: {COMPLIANCE_MAY_NOT_CHANGE}"
    # ...while exporting personal data is what compliance is for.
    out = tmp_path / "staff.xlsx"
    result = rsdesk(url, "export", "xlsx", str(out), "--what", "staff")
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 0
    line = refused_in_one_line(rsdesk(url, "report", "annual", "--year", "2025", "--out", "x.pdf"))
    assert line == "rsdesk: Your role (compliance) may read and export but not print reports."


@pytest.mark.postgres
def test_manager_cannot_export_personal_data(open_as: Any, tmp_path: Path) -> None:
    manager = open_as("manager")
    for register in ("staff", "onboarding", "training", "collaborations"):
        out = tmp_path / f"{register}.xlsx"
        with manager.read() as session, pytest.raises(PermissionDenied) as refused:
            export_register(session, register, out)
        assert str(refused.value) == MANAGER_MAY_NOT_EXPORT_PERSONAL
        assert not out.exists()
    # A register without people in it, and pseudonymised people, may leave the office.
    with manager.read() as session:
        export_register(session, "partners", tmp_path / "partners.xlsx")
    assert (tmp_path / "partners.xlsx").stat().st_size > 0


@pytest.mark.postgres
def test_manager_personal_export_on_the_command_line_is_one_line(
    server: dict[str, Any], tmp_path: Path
) -> None:
    url = as_login(server["url"], server["logins"]["manager"])
    out = tmp_path / "staff.xlsx"
    line = refused_in_one_line(rsdesk(url, "export", "xlsx", str(out), "--what", "staff"))
    assert line == f"rsdesk: {MANAGER_MAY_NOT_EXPORT_PERSONAL}"
    assert not out.exists()
    line = refused_in_one_line(rsdesk(url, "export", "xlsx", str(tmp_path / "audit.xlsx")))
    assert line == f"rsdesk: {MANAGER_MAY_NOT_EXPORT_PERSONAL}"
    result = rsdesk(url, "export", "xlsx", str(out), "--what", "staff", "--pseudonymise")
    assert result.returncode == 0, result.stderr


@pytest.mark.postgres
def test_manager_prints_reports_recorded_under_their_login(
    open_as: Any, server: dict[str, Any]
) -> None:
    manager = open_as("manager")
    with manager.unit_of_work(Capability.REPORTS) as session:
        report_id, content = generate_annual(
            session, 2025, database_name=manager.display_name(), actor=manager.actor
        )
    assert content.startswith(b"%PDF")
    with manager.read() as session:
        entry = session.scalars(
            select(AuditEntry).where(
                AuditEntry.table_name == "archived_report", AuditEntry.record_id == report_id
            )
        ).one()
        assert entry.actor == server["logins"]["manager"]
        assert session.get(ArchivedReport, report_id) is not None
        assert audit.verify(session).ok
    # A report's unit of work does not open the door to changing records.
    refused = pytest.raises(PermissionDenied, match=r"^Your role \(manager\) .* not change records")
    with refused, manager.unit_of_work(Capability.REPORTS) as session:
        partners.create(session, partners.PartnerInput(name="Sneaky Ltd", kind="company"))


@pytest.mark.postgres
def test_officer_changes_records_as_their_login(open_as: Any, server: dict[str, Any]) -> None:
    officer = open_as("officer")
    with officer.unit_of_work() as session:
        created = partners.create(
            session, partners.PartnerInput(name="Open Science Institute", kind="university")
        )
    with officer.read() as session:
        entry = session.scalars(
            select(AuditEntry).where(
                AuditEntry.table_name == "partner", AuditEntry.record_id == created.id
            )
        ).one()
        assert entry.actor == server["logins"]["officer"]
    with pytest.raises(PermissionDenied, match="not administer the database"):
        officer.access.require(Capability.ADMIN)
    # Officers change records, but the audit trail cannot be deleted, not even with psql.
    refused = pytest.raises(ProgrammingError, match="permission denied")
    with officer.engine.connect() as connection, refused:
        connection.execute(text("DELETE FROM audit_entry WHERE id = 1"))


@pytest.mark.postgres
def test_a_login_without_a_role_is_refused_at_the_door(server: dict[str, Any]) -> None:
    login = server["logins"]["nobody"]
    with pytest.raises(PermissionDenied) as refused:
        open_database(as_login(server["url"], login))
    assert str(refused.value) == (
        f"The login {login} has no rsdesk role on this database; an administrator gives one "
        "with 'rsdesk db roles grant LOGIN ROLE'."
    )
    line = refused_in_one_line(rsdesk(as_login(server["url"], login), "audit", "verify"))
    assert "has no rsdesk role" in line


@pytest.mark.postgres
def test_granting_checks_the_login_and_the_role(server: dict[str, Any]) -> None:
    url = server["url"]
    line = refused_in_one_line(rsdesk(url, "db", "roles", "grant", "no_such_login_x", "officer"))
    assert "There is no login 'no_such_login_x'" in line
    line = refused_in_one_line(
        rsdesk(url, "db", "roles", "grant", server["logins"]["nobody"], "auditor")
    )
    assert "There is no role 'auditor'" in line
    officer_url = as_login(url, server["logins"]["officer"])
    line = refused_in_one_line(
        rsdesk(officer_url, "db", "roles", "grant", server["logins"]["nobody"], "admin")
    )
    assert line.endswith("but not administer the database.")
    shown = rsdesk(url, "db", "roles", "show")
    assert shown.returncode == 0
    assert f"compliance  {server['logins']['compliance']}" in shown.stdout


@pytest.mark.postgres
def test_a_table_a_later_upgrade_adds_gets_the_same_grants(
    open_as: Any, server: dict[str, Any]
) -> None:
    owner = open_database(server["url"])
    try:
        with owner.engine.begin() as connection:
            connection.execute(text("CREATE TABLE later_register (id SERIAL PRIMARY KEY)"))
            connection.execute(text("INSERT INTO later_register DEFAULT VALUES"))
    finally:
        owner.dispose()
    with open_as("compliance").engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM later_register")).scalar_one() == 1
        with pytest.raises(ProgrammingError, match="permission denied"):
            connection.execute(text("INSERT INTO later_register DEFAULT VALUES"))
    with open_as("officer").engine.begin() as connection:
        connection.execute(text("INSERT INTO later_register DEFAULT VALUES"))
