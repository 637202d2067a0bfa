"""Following up mitigation measures: status, owner, due date and evidence.

A measure is created by the appraisal workflow; here officers record progress. ``completed_on``
is set when a measure becomes done (and cleared if it is reopened), so reports can tell when.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from rsdesk.models import Collaboration, MitigationMeasure, StaffMember
from rsdesk.models.enums import MeasureStatus
from rsdesk.services.concurrency import claim_version
from rsdesk.services.errors import NotFoundError, ValidationError


@dataclass(frozen=True)
class MeasureUpdate:
    status: MeasureStatus | str
    owner_staff_id: int | None = None
    due_date: dt.date | None = None
    evidence: str | None = None
    #: When the measure was done; defaults to today when the status becomes "done".
    completed_on: dt.date | None = None


@dataclass(frozen=True)
class MeasureDetail:
    id: int
    collaboration_id: int
    collaboration_reference: str
    collaboration_title: str
    appraisal_id: int | None
    measure_code: str | None
    description: str
    owner_staff_id: int | None
    owner: str | None
    due_date: dt.date | None
    status: str
    completed_on: dt.date | None
    evidence: str | None
    archived: bool
    #: What the editor hands back on save, so that a change made meanwhile is not overwritten.
    row_version: int = 1

    @property
    def overdue(self) -> bool:
        return (
            self.status in (MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS)
            and self.due_date is not None
            and self.due_date < dt.date.today()
        )


def _get(session: Session, measure_id: int) -> MitigationMeasure:
    measure = session.get(MitigationMeasure, measure_id)
    if measure is None:
        raise NotFoundError(f"Mitigation measure {measure_id} does not exist.")
    return measure


def load(session: Session, measure_id: int) -> MeasureDetail:
    m = _get(session, measure_id)
    collaboration = session.get(Collaboration, m.collaboration_id)
    assert collaboration is not None
    owner = session.get(StaffMember, m.owner_staff_id) if m.owner_staff_id else None
    return MeasureDetail(
        id=m.id,
        collaboration_id=m.collaboration_id,
        collaboration_reference=collaboration.reference,
        collaboration_title=collaboration.title,
        appraisal_id=m.appraisal_id,
        measure_code=m.measure_code,
        description=m.description,
        owner_staff_id=m.owner_staff_id,
        owner=owner.full_name if owner else None,
        due_date=m.due_date,
        status=str(m.status),
        completed_on=m.completed_on,
        evidence=m.evidence,
        archived=m.archived,
        row_version=m.row_version,
    )


def update(
    session: Session, measure_id: int, data: MeasureUpdate, *, seen_version: int | None = None
) -> MeasureDetail:
    """Save the measure's status, owner, due date and evidence.

    ``seen_version`` is the ``row_version`` the editor loaded: a save made meanwhile in another
    session is not overwritten (ConflictError).
    """
    claim_version(session, MitigationMeasure, measure_id, seen_version, "measure")
    measure = _get(session, measure_id)
    try:
        status = MeasureStatus(data.status)
    except ValueError:
        raise ValidationError(f"{data.status!r} is not a measure status.", "status") from None
    if data.owner_staff_id is not None and session.get(StaffMember, data.owner_staff_id) is None:
        raise ValidationError("The chosen owner does not exist.", field="owner_staff_id")
    evidence = (data.evidence or "").strip() or None
    completed_on = data.completed_on
    if status == MeasureStatus.DONE:
        if evidence is None:
            raise ValidationError(
                "Describe the evidence before marking the measure done.", field="evidence"
            )
        completed_on = completed_on or measure.completed_on or dt.date.today()
        if completed_on > dt.date.today():
            raise ValidationError("Completion date cannot be in the future.", "completed_on")
    else:
        completed_on = None
    values = {
        "status": status,
        "owner_staff_id": data.owner_staff_id,
        "due_date": data.due_date,
        "evidence": evidence,
        "completed_on": completed_on,
    }
    for key, value in values.items():
        if getattr(measure, key) != value:
            setattr(measure, key, value)
    session.flush()
    return load(session, measure_id)


def archive(session: Session, measure_id: int) -> MeasureDetail:
    measure = _get(session, measure_id)
    if not measure.archived:
        measure.archived = True
        session.flush()
    return load(session, measure_id)


def for_collaboration(session: Session, collaboration_id: int) -> list[MeasureDetail]:
    ids = session.scalars(
        select(MitigationMeasure.id)
        .where(MitigationMeasure.collaboration_id == collaboration_id)
        .order_by(MitigationMeasure.due_date.is_(None), MitigationMeasure.due_date)
    ).all()
    return [load(session, measure_id) for measure_id in ids]
