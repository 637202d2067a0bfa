"""The audit trail: written with every change, and verify catches every kind of tampering."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from rsdesk.models import (
    AuditEntry,
    Collaboration,
    CollaborationPartner,
    Partner,
    StaffMember,
)
from rsdesk.models.enums import CollaborationKind, PartnerKind, RoleCategory
from rsdesk.services import audit


def _seed(db):
    with db.unit_of_work() as session:
        partner = Partner(name="Universidad de Málaga", kind=PartnerKind.UNIVERSITY, country="ES")
        collaboration = Collaboration(
            reference="C-2025-00001",
            title="Quantum sensing",
            kind=CollaborationKind.JOINT_RESEARCH,
            start_date=dt.date(2025, 1, 1),
        )
        collaboration.partner_links.append(CollaborationPartner(partner=partner))
        session.add(collaboration)
        session.add(
            StaffMember(
                staff_number="S-1", full_name="Åsa Berg", role_category=RoleCategory.RESEARCHER
            )
        )
    with db.unit_of_work() as session:
        collaboration = session.get(Collaboration, 1)
        collaboration.title = "Quantum sensing for navigation"
    with db.unit_of_work() as session:
        session.delete(session.get(StaffMember, 1))


def _entries(db):
    """The entries of the changes here (not those of the courses put in on opening)."""
    with db.read() as session:
        return (
            session.query(AuditEntry)
            .where(AuditEntry.table_name != "training_course")
            .order_by(AuditEntry.id)
            .all()
        )


def _opening_entries(db):
    """How many entries opening the database wrote (the catalogue's courses), first in the chain."""
    with db.read() as session:
        return session.query(AuditEntry).where(AuditEntry.table_name == "training_course").count()


def _verify(db):
    with db.read() as session:
        return audit.verify(session)


def test_every_change_writes_an_entry_in_order(any_db):
    _seed(any_db)
    entries = _entries(any_db)
    # Within one flush the ORM orders tables by dependency, not by the order of add().
    assert sorted((e.table_name, e.action) for e in entries[:4]) == [
        ("collaboration", "insert"),
        ("collaboration_partner", "insert"),
        ("partner", "insert"),
        ("staff_member", "insert"),
    ]
    assert [(e.table_name, e.action) for e in entries[4:]] == [
        ("collaboration", "update"),
        ("staff_member", "delete"),
    ]
    update = next(e for e in entries if e.action == "update")
    assert update.changes == {"title": ["Quantum sensing", "Quantum sensing for navigation"]}
    assert all(e.actor == any_db.actor for e in entries)
    opening = _opening_entries(any_db)
    assert [e.id for e in entries] == list(range(opening + 1, opening + len(entries) + 1))
    result = _verify(any_db)
    assert result.ok, result.problem
    assert result.entries_checked == opening + len(entries)
    assert result.latest_hash == entries[-1].hash


def test_a_rolled_back_change_leaves_no_entry(any_db):
    _seed(any_db)
    before = len(_entries(any_db))
    with pytest.raises(RuntimeError), any_db.unit_of_work() as session:
        session.get(Collaboration, 1).title = "never saved"
        session.flush()
        raise RuntimeError("user cancelled")
    assert len(_entries(any_db)) == before
    assert _verify(any_db).ok


def test_history_lists_a_records_changes(any_db):
    _seed(any_db)
    with any_db.read() as session:
        items = audit.history(session, "collaboration", 1)
    assert [item.action for item in items] == ["insert", "update"]
    assert ("title", "Quantum sensing", "Quantum sensing for navigation") in items[1].changes


def _execute(db, sql, **params):
    with db.engine.begin() as connection:
        connection.execute(text(sql), params)


def test_edited_entry_is_named(any_db):
    _seed(any_db)
    _execute(any_db, "UPDATE audit_entry SET actor = 'mallory' WHERE id = 3")
    result = _verify(any_db)
    assert not result.ok
    assert result.bad_entry_id == 3
    assert "altered" in result.problem


def test_edited_change_values_are_caught(any_db):
    _seed(any_db)
    entry = next(e for e in _entries(any_db) if e.action == "update")
    with any_db.unit_of_work() as session:
        stored = session.get(AuditEntry, entry.id)
        stored.changes = {"title": ["Quantum sensing", "Something else"]}
    result = _verify(any_db)
    assert not result.ok
    assert result.bad_entry_id == entry.id


def test_deleted_entry_in_the_middle_is_caught(any_db):
    _seed(any_db)
    _execute(any_db, "DELETE FROM audit_entry WHERE id = 2")
    result = _verify(any_db)
    assert not result.ok
    assert result.bad_entry_id == 3


def test_deleted_last_entry_is_caught(any_db):
    _seed(any_db)
    last = _entries(any_db)[-1].id
    _execute(any_db, "DELETE FROM audit_entry WHERE id = :id", id=last)
    result = _verify(any_db)
    assert not result.ok
    assert "removed from the end" in result.problem


def test_reordered_entries_are_caught(any_db):
    _seed(any_db)
    _execute(any_db, "UPDATE audit_entry SET id = 1000 WHERE id = 2")
    _execute(any_db, "UPDATE audit_entry SET id = 2 WHERE id = 3")
    _execute(any_db, "UPDATE audit_entry SET id = 3 WHERE id = 1000")
    result = _verify(any_db)
    assert not result.ok
    assert result.bad_entry_id == 2


def test_row_changed_outside_rsdesk_is_caught_with_entry_and_field(any_db):
    _seed(any_db)
    _execute(any_db, "UPDATE collaboration SET title = 'quietly changed' WHERE id = 1")
    update = next(e for e in _entries(any_db) if e.action == "update")
    result = _verify(any_db)
    assert not result.ok
    assert result.bad_entry_id == update.id
    assert "title" in result.problem


def test_row_added_outside_rsdesk_is_caught(any_db):
    _seed(any_db)
    _execute(
        any_db,
        "INSERT INTO partner (id, name, kind, archived, created_at, updated_at) "
        "VALUES (99, 'Sneaky Ltd', 'company', false, '2025-01-01', '2025-01-01')",
    )
    result = _verify(any_db)
    assert not result.ok
    assert "partner 99 has no audit entry" in result.problem


def test_row_deleted_outside_rsdesk_is_caught(any_db):
    _seed(any_db)
    _execute(any_db, "DELETE FROM collaboration_partner WHERE id = 1")
    result = _verify(any_db)
    assert not result.ok
    assert "deleted outside rsdesk" in result.problem
