"""A sign-off dated to an earlier meeting: the record also says who typed it into rsdesk, when,
and under which audit entry (a tester's PDF said "on 23 December 2025" for a sign-off 'mallory'
recorded eleven months later)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from rsdesk.db import open_database
from rsdesk.models import Appraisal, AuditEntry, Collaboration
from rsdesk.models.enums import CollaborationKind
from rsdesk.services.appraisal import workflow
from rsdesk.services.appraisal.workflow import SignOff
from rsdesk.services.reports.pdf.appraisal import generate_appraisal_record
from tests.reports.pdf.appraisals import ANSWERS, JUSTIFICATION
from tests.reports.pdf.helpers import flat, pages_text

MEETING = dt.date.today() - dt.timedelta(days=40)


def _signed_off_after_the_meeting(database, signed_on: dt.date) -> int:
    long_ago = dt.datetime.combine(MEETING - dt.timedelta(days=10), dt.time(9))
    with database.unit_of_work() as session:
        collaboration = Collaboration(
            reference="C-2025-00042",
            title="Committee-approved exchange",
            kind=CollaborationKind.JOINT_RESEARCH,
            created_at=long_ago,
        )
        session.add(collaboration)
        session.flush()
        draft = workflow.create_draft(session, collaboration.id)
        session.get(Appraisal, draft.id).created_at = long_ago
        workflow.save_draft(session, draft.id, ANSWERS, dict.fromkeys(ANSWERS, JUSTIFICATION))
        view = workflow.sign_off(
            session,
            draft.id,
            SignOff(
                decision="escalate",
                signed_by="Prof. Dean Example",
                role="Dean",
                signed_on=signed_on,
                note="The research committee asked the rector to decide",
            ),
        )
    return view.id


def test_a_past_decision_keeps_its_date_and_names_who_recorded_it(db_path) -> None:
    database = open_database(db_path, actor="mallory")
    try:
        appraisal_id = _signed_off_after_the_meeting(database, MEETING)
        with database.read() as session:
            stored = session.get(Appraisal, appraisal_id).signed_off_at
            recorded = workflow.sign_off_entry(session, appraisal_id)
            entry = session.execute(
                select(AuditEntry.id, AuditEntry.actor, AuditEntry.at).where(
                    AuditEntry.id == recorded.entry_id
                )
            ).one()
        # No made-up time of day for the meeting.
        assert stored == dt.datetime.combine(MEETING, dt.time())
        assert (recorded.recorded_by, recorded.recorded_at) == ("mallory", entry.at)
        assert entry.at.date() >= dt.date.today() - dt.timedelta(days=1)
        with database.unit_of_work() as session:
            _, content = generate_appraisal_record(
                session, appraisal_id, database_name="office.sqlite3", actor="mallory"
            )
        text = flat("\n".join(pages_text(content)))
        assert f"Signed off by Prof. Dean Example (Dean) on {MEETING:%d %B %Y}" in text
        assert (
            f"Recorded in rsdesk by mallory on {entry.at:%d %B %Y} at {entry.at:%H:%M} UTC "
            f"(audit entry {entry.id})." in text
        )
    finally:
        database.dispose()


def test_a_sign_off_of_today_keeps_the_time_it_was_recorded(db) -> None:
    appraisal_id = _signed_off_after_the_meeting(db, dt.date.today())
    with db.read() as session:
        stored = session.get(Appraisal, appraisal_id).signed_off_at
        recorded = workflow.sign_off_entry(session, appraisal_id)
    assert stored.date() == dt.date.today()
    assert recorded is not None
    # The time of day the officer saved it (UTC), as before.
    today = dt.date.today()
    drift = dt.datetime.combine(today, stored.time()) - dt.datetime.combine(
        today, recorded.recorded_at.time()
    )
    assert abs(drift) < dt.timedelta(minutes=5)
