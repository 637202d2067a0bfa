"""An edit of a record changed outside rsdesk is refused: it would launder the tampering."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from sqlalchemy import text

from rsdesk.db.trailguard import ChangedOutsideRsdesk
from rsdesk.models import Department
from rsdesk.services import audit, collaborations
from rsdesk.services.collaborations import CollaborationInput


def _collaboration(db) -> tuple[int, CollaborationInput]:
    with db.unit_of_work() as session:
        department = Department(name="Physics")
        session.add(department)
        session.flush()
        given = CollaborationInput(
            title="Quantum sensing",
            kind="funding_application",
            department_id=department.id,
            start_date=dt.date(2026, 6, 1),
        )
        return collaborations.create(session, given).id, given


def _entries(db) -> int:
    with db.read() as session:
        return session.execute(text("select count(*) from audit_entry")).scalar_one()


def test_edit_after_tampering_is_refused_and_saves_nothing(any_db):
    record_id, given = _collaboration(any_db)
    with any_db.unit_of_work() as session:
        session.execute(
            text("update collaboration set title = 'Tampered' where id = :id"), {"id": record_id}
        )
    before = _entries(any_db)
    with pytest.raises(ChangedOutsideRsdesk) as refused, any_db.unit_of_work() as session:
        collaborations.update(session, record_id, replace(given, description="note"))
    assert "was changed outside rsdesk (title: the file says 'Tampered', its audit trail" in str(
        refused.value
    )
    assert "'Quantum sensing'); nothing was saved" in str(refused.value)
    with pytest.raises(ChangedOutsideRsdesk), any_db.unit_of_work() as session:
        collaborations.archive(session, record_id)
    assert _entries(any_db) == before
    with any_db.read() as session:
        row = session.execute(
            text("select description, archived from collaboration where id = :id"),
            {"id": record_id},
        ).one()
        assert row.description is None
        assert not row.archived
        assert not audit.verify(session).ok


def test_edit_of_an_untouched_record_is_saved(any_db):
    record_id, given = _collaboration(any_db)
    with any_db.unit_of_work() as session:
        collaborations.update(session, record_id, replace(given, description="note"))
    with any_db.read() as session:
        assert audit.verify(session).ok
        assert audit.record_matches_trail(session, "collaboration", record_id)
