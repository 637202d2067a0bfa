"""Exported workbooks read back with openpyxl: no pseudonym secret in any export, and in a
pseudonymised one no real name, e-mail or search text anywhere, the audit log included."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select

from rsdesk.cli import main
from rsdesk.db import Database, open_database
from rsdesk.models import Appraisal, Setting, StaffMember
from rsdesk.services import demo, pseudonyms, responsibilities
from rsdesk.services.registers.base import RegisterQuery
from rsdesk.services.reports.xlsx.audit import export_audit_workbook
from rsdesk.services.reports.xlsx.audit_privacy import REDACTED, WITHHELD_SEARCH
from rsdesk.services.reports.xlsx.registers import export_register
from tests.conftest import fresh_sqlite

ANCHOR = dt.date(2026, 6, 1)


def _fill(db: Database) -> str:
    """A small demo institution whose pseudonym secret exists and whose sign-off rules name a
    staff member; returns that staff member's name."""
    demo.generate(db, size=50, anchor=ANCHOR)
    with db.unit_of_work() as session:
        pseudonyms.ensure_secret(session)
        name = session.scalars(select(StaffMember.full_name).order_by(StaffMember.id)).all()[-1]
        text = responsibilities.edited_text(session)
        responsibilities.save_text(session, text.replace("people = []", f'people = ["{name}"]', 1))
    return name


def _secret(db: Database) -> str:
    with db.read() as session:
        secret = pseudonyms.load_secret(session)
    assert secret is not None
    return secret.hex()


def _pseudonymiser(db: Database) -> pseudonyms.Pseudonymiser:
    with db.read() as session:
        secret = pseudonyms.load_secret(session)
    assert secret is not None
    return pseudonyms.Pseudonymiser(secret)


def _audit_workbook(db: Database, out: Path, pseudonymise: bool, **kwargs: Any) -> Path:
    with db.read() as session:
        export_audit_workbook(
            session,
            out,
            actor=db.actor,
            database=db.display_name(),
            pseudonymiser=_pseudonymiser(db) if pseudonymise else None,
            **kwargs,
        )
    return out


def _texts(path: Path) -> list[str]:
    """Every cell value and document property of the workbook, as text."""
    workbook = openpyxl.load_workbook(path)
    props = workbook.properties
    texts = [
        str(value)
        for value in (props.title, props.subject, props.creator, props.lastModifiedBy)
        if value
    ]
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            texts += [str(value) for value in row if value is not None]
    return texts


def _audit_rows(path: Path, sheet: str = "Audit log") -> list[tuple[Any, ...]]:
    return list(openpyxl.load_workbook(path)[sheet].iter_rows(min_row=2, values_only=True))


@pytest.mark.parametrize("pseudonymise", [True, False], ids=["pseudonymised", "internal"])
def test_the_pseudonym_secret_never_reaches_a_workbook(
    any_db: Database, tmp_path: Path, pseudonymise: bool
) -> None:
    _fill(any_db)
    first = _secret(any_db)
    # A changed secret: its audit entry names only the new value, not the setting's key.
    with any_db.unit_of_work() as session:
        setting = session.scalars(select(Setting).where(Setting.key == pseudonyms.SECRET_KEY)).one()
        setting.value = "ab" * 32
    second = _secret(any_db)

    book = _audit_workbook(any_db, tmp_path / "all.xlsx", pseudonymise)
    with any_db.read() as session:
        export_register(
            session,
            "audit_log",
            tmp_path / "log.xlsx",
            actor=any_db.actor,
            pseudonymiser=_pseudonymiser(any_db) if pseudonymise else None,
        )
    for path in (book, tmp_path / "log.xlsx"):
        joined = "\n".join(_texts(path))
        assert first not in joined, path.name
        assert second not in joined, path.name
    secret_rows = [row for row in _audit_rows(book) if row[3] == "setting" and REDACTED in row[6]]
    inserted, changed = (json.loads(row[6]) for row in secret_rows)
    assert inserted == {"key": [None, pseudonyms.SECRET_KEY], "value": [None, REDACTED]}
    assert changed == {"value": [REDACTED, REDACTED]}


def test_audit_sheet_shows_signers_and_contacts_as_the_registers_pseudonyms(
    any_db: Database, tmp_path: Path
) -> None:
    listed = _fill(any_db)
    with any_db.read() as session:
        signers = set(session.scalars(select(Appraisal.signed_off_by)).all()) - {None}
        rules = responsibilities.load(session)
        staff = session.execute(select(StaffMember.full_name, StaffMember.email)).all()
    contacts = [rules.central_contact, *rules.advisers]
    real = {*signers, listed, *(c.name for c in contacts), *(c.email for c in contacts)}
    real |= {value for row in staff for value in row if value}
    assert signers
    assert len(contacts) >= 2

    out = _audit_workbook(any_db, tmp_path / "p.xlsx", True)
    audit_text = "\n".join(str(value) for row in _audit_rows(out) for value in row)
    leaked = sorted(value for value in real if value in audit_text)
    assert not leaked

    pseudonymiser = _pseudonymiser(any_db)
    signed = {row[8] for row in _audit_rows(out, "Appraisals")} - {None}
    assert signed == {pseudonymiser(name) for name in signers}
    for name in signed:
        assert f'"signed_off_by": [null, "{name}"]' in audit_text
    staff_names = {row[2] for row in _audit_rows(out, "Staff")}
    for contact in contacts:
        assert f'"name": "{pseudonymiser(contact.name)}"' in audit_text
        assert f'"email": "{pseudonymiser(contact.email, "email")}"' in audit_text
        # The TOML the office typed is pseudonymised the same way.
        assert f'name = \\"{pseudonymiser(contact.name)}\\"' in audit_text
    assert pseudonymiser(listed) in staff_names
    assert f'"people": ["{pseudonymiser(listed)}"]' in audit_text


def test_pseudonymised_exports_withhold_the_search_text(
    sqlite_template: Path, tmp_path: Path
) -> None:
    path = fresh_sqlite(sqlite_template, tmp_path)
    database = open_database(path)
    try:
        name = _fill(database)
        actor = database.actor
        pseudonymiser = _pseudonymiser(database)
    finally:
        database.dispose()
    book, one, internal = tmp_path / "all.xlsx", tmp_path / "staff.xlsx", tmp_path / "int.xlsx"
    for out, extra in ((book, []), (one, ["--what", "staff"])):
        args = ["--db", str(path), "export", "xlsx", str(out), "--pseudonymise", *extra]
        assert main([*args, "--search", name]) == 0
        texts = _texts(out)
        assert not [text for text in texts if name in text or actor == text], out.name
        assert any(WITHHELD_SEARCH in text for text in texts), out.name
        workbook = openpyxl.load_workbook(out)
        assert workbook.properties.creator == pseudonymiser(actor)
    assert openpyxl.load_workbook(one).properties.subject == f"Staff: {WITHHELD_SEARCH}"
    cover = {row[0]: row[2] for row in _audit_rows(book, "Cover")}
    assert cover["Staff"] == WITHHELD_SEARCH
    # An internal export still says what was searched for.
    assert main(["--db", str(path), "export", "xlsx", str(internal), "--search", name]) == 0
    cover = {row[0]: row[2] for row in _audit_rows(internal, "Cover")}
    assert cover["Staff"] == f'search "{name}"'


def test_a_filter_on_a_person_is_withheld_too(any_db: Database, tmp_path: Path) -> None:
    _fill(any_db)
    with any_db.read() as session:
        staff_id = session.scalars(select(StaffMember.id).order_by(StaffMember.id)).first()
        out = tmp_path / "onboarding.xlsx"
        query = RegisterQuery(filters={"staff": staff_id})
        export_register(
            session, "onboarding", out, query, actor="x", pseudonymiser=_pseudonymiser(any_db)
        )
    subject = openpyxl.load_workbook(out).properties.subject
    assert subject == "Onboarding checks: Staff member withheld (pseudonymised export)"
