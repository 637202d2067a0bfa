"""A pseudonymised workbook never names a login: not in a report stamp's ``author``, not as the user
folder of a path or the user of a database URL, not on the Cover. Checked the way a reader would
look for a leak: every login and person name the database holds, searched in every cell."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select

from rsdesk.db import auditlog, open_database
from rsdesk.models import AuditEntry, StaffMember
from rsdesk.services import demo, pseudonyms
from rsdesk.services.registers.base import RegisterQuery
from rsdesk.services.reports.pdf.appraisal import generate_appraisal_record
from rsdesk.services.reports.pdf.listing import generate_listing
from rsdesk.services.reports.xlsx.audit import export_audit_workbook
from rsdesk.services.reports.xlsx.registers import export_register

LOGIN = "jdoe"
HOME_PATH = f"/home/{LOGIN}/rsdesk/office.sqlite3"
WINDOWS_USER = "Jane Doe"
WINDOWS_PATH = f"C:\\Users\\{WINDOWS_USER}\\Documents\\office.sqlite3"
SERVER_URL = f"postgresql+psycopg://{LOGIN}:***@db.example.org:5432/rsdesk"


@pytest.fixture
def reported(db_path: Path):
    """A demo database whose reports were made by ``jdoe`` from a home folder, a Windows user
    folder and a server URL, as rsdesk stamps them."""
    database = open_database(db_path, actor=LOGIN)
    demo.generate(database, size=30, seed=11)
    with database.unit_of_work() as session:
        pseudonyms.ensure_secret(session)
        generate_appraisal_record(session, 1, database_name=HOME_PATH, actor=LOGIN)
        generate_appraisal_record(session, 2, database_name=WINDOWS_PATH, actor="jane.doe")
        generate_listing(
            session, "partners", RegisterQuery(), database_name=SERVER_URL, actor=LOGIN
        )
    yield database
    database.dispose()


def _real_names(database) -> set[str]:
    """Every login and person name the database holds (long enough to search for)."""
    names = {LOGIN, "jane.doe", WINDOWS_USER}
    with database.read() as session:
        names |= set(session.scalars(select(AuditEntry.actor).distinct()))
        for row in session.execute(select(StaffMember.full_name, StaffMember.email)):
            names |= {value for value in row if value}
        connection = session.connection()
        for table_name, spec in auditlog.audited_specs().items():
            for column in spec.columns:
                # Who did something (answered_by says researcher or officer: not a person).
                by_someone = column.endswith("_by") and column != "answered_by"
                if column in spec.personal or by_someone or column == "requester_name":
                    names |= {
                        value
                        for value in connection.exec_driver_sql(
                            f"SELECT DISTINCT {column} FROM {table_name}"
                        ).scalars()
                        if isinstance(value, str)
                    }
    return {name for name in names if len(name.strip()) >= 3}


def _cells(path: Path) -> list[str]:
    workbook = openpyxl.load_workbook(path)
    props = workbook.properties
    texts = [str(value) for value in (props.title, props.subject, props.creator) if value]
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            texts += [str(value) for value in row if value is not None]
    return texts


def _pseudonymiser(database) -> pseudonyms.Pseudonymiser:
    with database.read() as session:
        secret = pseudonyms.load_secret(session)
    assert secret is not None
    return pseudonyms.Pseudonymiser(secret)


def _stamps(path: Path, sheet: str = "Audit log") -> list[tuple[Any, dict[str, Any]]]:
    """(Who, stamp) of every archived report's insert in the workbook's audit sheet."""
    rows = openpyxl.load_workbook(path)[sheet].iter_rows(min_row=2, values_only=True)
    return [
        (row[2], json.loads(row[6])["stamp"][1])
        for row in rows
        if row[3] == "archived_report" and row[5] == "insert"
    ]


def test_no_login_or_name_anywhere_in_a_pseudonymised_workbook(reported, tmp_path) -> None:
    out = tmp_path / "audit.xlsx"
    pseudonymiser = _pseudonymiser(reported)
    with reported.read() as session:
        export_audit_workbook(
            session, out, actor=LOGIN, database=HOME_PATH, pseudonymiser=pseudonymiser
        )
    cells = _cells(out)
    real = _real_names(reported)
    assert len(real) > 40  # staff, signers, decision makers and the logins
    leaked = sorted({name for name in real for cell in cells if name in cell})
    assert leaked == []

    person = pseudonymiser(LOGIN)
    stamps = _stamps(out)
    assert len(stamps) == 3
    # The stamp's author is the pseudonym the Who column shows for the same login.
    assert {who for who, _ in stamps} == {person}
    assert sorted(stamp["author"] for _, stamp in stamps) == sorted(
        [person, person, pseudonymiser("jane.doe")]
    )
    assert {stamp["database"] for _, stamp in stamps} == {
        f"/home/{person}/rsdesk/office.sqlite3",
        f"C:\\Users\\{pseudonymiser(WINDOWS_USER)}\\Documents\\office.sqlite3",
        f"postgresql+psycopg://{person}:***@db.example.org:5432/rsdesk",
    }
    cover = openpyxl.load_workbook(out)["Cover"].iter_rows(values_only=True)
    assert "office.sqlite3" in {value for row in cover for value in row}


def test_a_pseudonymised_cover_names_the_database_file_only_and_says_what_stays_as_typed(
    reported, tmp_path
) -> None:
    """A tester's database sat in /tmp/.../astrid.iyer/: no home folder, yet a login; and the
    cover's "pseudonymised" read as if free text were too."""
    out = tmp_path / "audit.xlsx"
    path = "/tmp/pytest-7/astrid.iyer/r.sqlite3"
    with reported.read() as session:
        export_audit_workbook(
            session, out, actor=LOGIN, database=path, pseudonymiser=_pseudonymiser(reported)
        )
    workbook = openpyxl.load_workbook(out)
    assert workbook.properties.subject == "Registers and audit log of r.sqlite3"
    facts = {row[0]: row[1] for row in workbook["Cover"].iter_rows(values_only=True) if row}
    assert facts["Database"] == "r.sqlite3"
    assert facts["Personal data"] == "pseudonymised"
    assert facts["Free text"].startswith(
        "Names, e-mails and staff numbers in the staff columns and logins are pseudonyms; "
        "free text such as titles, descriptions and notes is exported as typed"
    )
    assert "astrid" not in " ".join(_cells(out))

    register_out = tmp_path / "staff.xlsx"
    with reported.read() as session:
        export_register(
            session, "staff", register_out, actor=LOGIN, pseudonymiser=_pseudonymiser(reported)
        )
    register_cover = {
        row[0]: row[1]
        for row in openpyxl.load_workbook(register_out)["Cover"].iter_rows(values_only=True)
        if row
    }
    assert "exported as typed" in register_cover["Free text"]


def test_the_audit_register_export_hides_logins_the_same_way(reported, tmp_path) -> None:
    out = tmp_path / "log.xlsx"
    pseudonymiser = _pseudonymiser(reported)
    with reported.read() as session:
        export_register(session, "audit_log", out, actor=LOGIN, pseudonymiser=pseudonymiser)
    cells = _cells(out)
    assert not [cell for cell in cells if LOGIN in cell or WINDOWS_USER in cell]
    assert any("author" in cell and pseudonymiser(LOGIN) in cell for cell in cells)


def test_an_internal_export_keeps_logins_and_paths(reported, tmp_path) -> None:
    out = tmp_path / "internal.xlsx"
    with reported.read() as session:
        export_audit_workbook(session, out, actor=LOGIN, database=HOME_PATH)
    stamps = _stamps(out)
    assert {stamp["author"] for _, stamp in stamps} == {LOGIN, "jane.doe"}
    assert {stamp["database"] for _, stamp in stamps} == {HOME_PATH, WINDOWS_PATH, SERVER_URL}
