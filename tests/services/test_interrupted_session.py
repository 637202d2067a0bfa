"""Ctrl+C in the middle of a statement invalidates the connection; the session's rollback must
then let the KeyboardInterrupt through (the command line says "rsdesk: interrupted") instead of
raising PendingRollbackError from the audit hook, as one Ctrl+C in ten of an export did."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from rsdesk.models import Department
from rsdesk.services import audit


def _interrupted_mid_statement(session) -> None:
    connection = session.connection()
    connection.exec_driver_sql("SELECT 1")
    connection.invalidate()  # what an interrupt inside the driver's fetch leaves behind
    raise KeyboardInterrupt


def test_an_interrupted_read_raises_the_interrupt_itself(any_db) -> None:
    with pytest.raises(KeyboardInterrupt), any_db.read() as session:
        _interrupted_mid_statement(session)
    with any_db.read() as session:  # the database is usable at once
        assert session.scalar(select(func.count()).select_from(Department)) == 0


def test_an_interrupted_write_raises_the_interrupt_and_writes_nothing(any_db) -> None:
    with pytest.raises(KeyboardInterrupt), any_db.unit_of_work() as session:
        session.add(Department(name="Never saved"))
        session.flush()
        _interrupted_mid_statement(session)
    with any_db.unit_of_work() as session:
        session.add(Department(name="Saved"))
    with any_db.read() as session:
        assert session.scalars(select(Department.name)).all() == ["Saved"]
        assert audit.verify(session).ok
