"""Following up mitigation measures, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from rsdesk.db import Database
from rsdesk.models import MitigationMeasure
from rsdesk.services import audit
from rsdesk.services import collaborations as collaboration_service
from rsdesk.services import measures as service
from rsdesk.services.collaborations import CollaborationInput
from rsdesk.services.errors import ValidationError
from rsdesk.services.measures import MeasureUpdate


@pytest.fixture
def measure_id(any_db: Database) -> int:
    with any_db.unit_of_work() as session:
        collaboration = collaboration_service.create(
            session, CollaborationInput("Data sharing with a partner", "data_sharing")
        )
        measure = MitigationMeasure(
            collaboration_id=collaboration.id,
            description="Keep the data set on the institute's servers",
            due_date=dt.date.today() - dt.timedelta(days=3),
        )
        session.add(measure)
        session.flush()
        return measure.id


def test_overdue_then_done_sets_completed_on(any_db: Database, measure_id: int) -> None:
    with any_db.read() as session:
        before = service.load(session, measure_id)
    assert before.overdue
    assert before.status == "planned"
    with pytest.raises(ValidationError) as caught, any_db.unit_of_work() as session:
        service.update(session, measure_id, MeasureUpdate("done"))
    assert caught.value.field == "evidence"
    with any_db.unit_of_work() as session:
        done = service.update(session, measure_id, MeasureUpdate("done", evidence="Audit memo 7"))
    assert done.completed_on == dt.date.today()
    assert not done.overdue
    with any_db.unit_of_work() as session:
        reopened = service.update(
            session, measure_id, MeasureUpdate("in_progress", evidence="Audit memo 7")
        )
    assert reopened.completed_on is None
    with any_db.read() as session:
        actions = [i.action for i in audit.history(session, "mitigation_measure", measure_id)]
    assert actions == ["insert", "update", "update"]


def test_bad_status_and_future_completion(any_db: Database, measure_id: int) -> None:
    with pytest.raises(ValidationError, match="status"), any_db.unit_of_work() as session:
        service.update(session, measure_id, MeasureUpdate("finished"))
    future = dt.date.today() + dt.timedelta(days=2)
    with pytest.raises(ValidationError) as caught, any_db.unit_of_work() as session:
        service.update(
            session, measure_id, MeasureUpdate("done", evidence="x", completed_on=future)
        )
    assert caught.value.field == "completed_on"
