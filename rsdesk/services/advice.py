"""Advice requests: researchers ask the desk before they commit; the desk logs question and advice.

Figures for the annual report: requests per quarter (by the date asked) and the median days to
answer (closed minus asked, over the requests closed in the period; a request closed the day it
was asked took 0 days).
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from rsdesk.models import (
    AdviceRequest,
    Collaboration,
    Department,
    Partner,
    StaffMember,
)
from rsdesk.services.concurrency import claim_version
from rsdesk.services.errors import NotFoundError, ValidationError


@dataclass(frozen=True)
class AdviceInput:
    asked_on: dt.date
    requester_name: str
    question: str
    requester_staff_id: int | None = None
    department_id: int | None = None
    partner_id: int | None = None
    collaboration_id: int | None = None
    advice: str | None = None
    closed_on: dt.date | None = None


@dataclass(frozen=True)
class AdviceInfo:
    id: int
    asked_on: dt.date
    requester_name: str
    requester_staff_id: int | None
    department_id: int | None
    question: str
    partner_id: int | None
    collaboration_id: int | None
    advice: str | None
    closed_on: dt.date | None
    #: What the editor hands back on save, so that a change made meanwhile is not overwritten.
    row_version: int = 1

    @property
    def open(self) -> bool:
        return self.closed_on is None


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.strip()
    return text or None


def _validate(session: Session, data: AdviceInput, today: dt.date) -> dict[str, object]:
    name = _clean(data.requester_name)
    staff = None
    if data.requester_staff_id is not None:
        staff = session.get(StaffMember, data.requester_staff_id)
        if staff is None:
            raise ValidationError("The requester is not a known staff member", field="requester")
        name = name or staff.full_name
    if not name:
        raise ValidationError("Enter who asked", field="requester_name")
    question = _clean(data.question)
    if not question:
        raise ValidationError("Enter the question", field="question")
    if data.asked_on > today:
        raise ValidationError("The date asked cannot be in the future", field="asked_on")
    department_id = data.department_id
    if department_id is None and staff is not None:
        department_id = staff.department_id
    if department_id is not None and session.get(Department, department_id) is None:
        raise ValidationError("The department does not exist", field="department_id")
    if data.partner_id is not None and session.get(Partner, data.partner_id) is None:
        raise ValidationError("The partner does not exist", field="partner_id")
    if (
        data.collaboration_id is not None
        and session.get(Collaboration, data.collaboration_id) is None
    ):
        raise ValidationError("The collaboration does not exist", field="collaboration_id")
    advice = _clean(data.advice)
    if data.closed_on is not None:
        if data.closed_on < data.asked_on:
            raise ValidationError(
                "A request cannot be closed before it was asked", field="closed_on"
            )
        if data.closed_on > today:
            raise ValidationError("The closing date cannot be in the future", field="closed_on")
        if advice is None:
            raise ValidationError("Record the advice given before closing", field="advice")
    return {
        "asked_on": data.asked_on,
        "requester_name": name,
        "requester_staff_id": data.requester_staff_id,
        "department_id": department_id,
        "question": question,
        "partner_id": data.partner_id,
        "collaboration_id": data.collaboration_id,
        "advice": advice,
        "closed_on": data.closed_on,
    }


def _info(row: AdviceRequest) -> AdviceInfo:
    return AdviceInfo(
        row.id,
        row.asked_on,
        row.requester_name,
        row.requester_staff_id,
        row.department_id,
        row.question,
        row.partner_id,
        row.collaboration_id,
        row.advice,
        row.closed_on,
        row.row_version,
    )


def _get(session: Session, request_id: int) -> AdviceRequest:
    row = session.get(AdviceRequest, request_id)
    if row is None:
        raise NotFoundError(f"There is no advice request with id {request_id}")
    return row


def get(session: Session, request_id: int) -> AdviceInfo:
    return _info(_get(session, request_id))


def log_request(session: Session, data: AdviceInput, today: dt.date | None = None) -> AdviceInfo:
    row = AdviceRequest(**_validate(session, data, today or dt.date.today()))
    session.add(row)
    session.flush()
    return _info(row)


def update_request(
    session: Session,
    request_id: int,
    data: AdviceInput,
    today: dt.date | None = None,
    *,
    seen_version: int | None = None,
) -> AdviceInfo:
    """Save the request; ``seen_version`` (the ``row_version`` the editor loaded) refuses to put
    back what another session saved meanwhile (ConflictError)."""
    _get(session, request_id)
    claim_version(session, AdviceRequest, request_id, seen_version, "advice request")
    row = _get(session, request_id)
    for key, value in _validate(session, data, today or dt.date.today()).items():
        if getattr(row, key) != value:
            setattr(row, key, value)
    session.flush()
    return _info(row)


def close_request(
    session: Session,
    request_id: int,
    advice: str,
    closed_on: dt.date | None = None,
    today: dt.date | None = None,
) -> AdviceInfo:
    """Record the advice given and close the request."""
    today = today or dt.date.today()
    current = get(session, request_id)
    data = AdviceInput(
        asked_on=current.asked_on,
        requester_name=current.requester_name,
        question=current.question,
        requester_staff_id=current.requester_staff_id,
        department_id=current.department_id,
        partner_id=current.partner_id,
        collaboration_id=current.collaboration_id,
        advice=advice,
        closed_on=closed_on or today,
    )
    return update_request(session, request_id, data, today)


@dataclass(frozen=True)
class Requester:
    """A member of staff who may ask for advice, with the department the request is filed under."""

    id: int
    name: str
    department_id: int | None


@dataclass(frozen=True)
class EditorChoices:
    """What the advice editor's drop-downs offer: current staff, departments and partners."""

    requesters: tuple[Requester, ...]
    departments: tuple[tuple[int, str], ...]
    partners: tuple[tuple[int, str], ...]
    #: Label of the request's collaboration (reference and title), when it has one.
    collaboration: str = ""


def editor_choices(session: Session, collaboration_id: int | None = None) -> EditorChoices:
    """Current staff, departments and partners (archived ones left out), by name."""
    requesters = tuple(
        Requester(row.id, row.full_name, row.department_id)
        for row in session.execute(
            select(StaffMember.id, StaffMember.full_name, StaffMember.department_id)
            .where(StaffMember.archived.is_(False), StaffMember.anonymised_at.is_(None))
            .order_by(StaffMember.full_name, StaffMember.id)
        )
    )
    departments = tuple(
        (row.id, row.name)
        for row in session.execute(
            select(Department.id, Department.name)
            .where(Department.archived.is_(False))
            .order_by(Department.name)
        )
    )
    partners = tuple(
        (row.id, row.name)
        for row in session.execute(
            select(Partner.id, Partner.name)
            .where(Partner.archived.is_(False))
            .order_by(Partner.name, Partner.id)
        )
    )
    return EditorChoices(
        requesters, departments, partners, collaboration_label(session, collaboration_id)
    )


def collaboration_label(session: Session, collaboration_id: int | None) -> str:
    if collaboration_id is None:
        return ""
    row = session.execute(
        select(Collaboration.reference, Collaboration.title).where(
            Collaboration.id == collaboration_id
        )
    ).first()
    return f"{row.reference} — {row.title}" if row is not None else ""


@dataclass(frozen=True)
class QuarterFigures:
    quarter: int
    asked: int
    closed: int
    #: Median days from asked to closed for the requests closed in the quarter; None if none.
    median_days: float | None


@dataclass(frozen=True)
class AdviceFigures:
    year: int
    quarters: tuple[QuarterFigures, ...]
    asked: int
    closed: int
    still_open: int
    median_days: float | None


def _quarter(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


def _median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def figures(session: Session, year: int) -> AdviceFigures:
    """Per quarter of ``year``: requests asked, closed and the median days to answer them."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    asked_rows = session.execute(
        select(AdviceRequest.asked_on, AdviceRequest.closed_on).where(
            AdviceRequest.asked_on.between(start, end)
        )
    ).all()
    closed_rows: list[tuple[dt.date, dt.date]] = [
        (asked_on, closed_on)
        for asked_on, closed_on in session.execute(
            select(AdviceRequest.asked_on, AdviceRequest.closed_on).where(
                AdviceRequest.closed_on.between(start, end)
            )
        )
        if closed_on is not None
    ]
    quarters = []
    for quarter in range(1, 5):
        asked = sum(1 for asked_on, _ in asked_rows if _quarter(asked_on) == quarter)
        days = [
            (closed_on - asked_on).days
            for asked_on, closed_on in closed_rows
            if _quarter(closed_on) == quarter
        ]
        quarters.append(QuarterFigures(quarter, asked, len(days), _median(days)))
    all_days = [(closed_on - asked_on).days for asked_on, closed_on in closed_rows]
    still_open = sum(1 for _, closed_on in asked_rows if closed_on is None or closed_on > end)
    return AdviceFigures(
        year=year,
        quarters=tuple(quarters),
        asked=len(asked_rows),
        closed=len(closed_rows),
        still_open=still_open,
        median_days=_median(all_days),
    )


def open_count(session: Session) -> int:
    from sqlalchemy import func

    return int(
        session.scalar(
            select(func.count()).select_from(AdviceRequest).where(AdviceRequest.closed_on.is_(None))
        )
        or 0
    )


__all__ = [
    "AdviceFigures",
    "AdviceInfo",
    "AdviceInput",
    "EditorChoices",
    "QuarterFigures",
    "Requester",
    "close_request",
    "collaboration_label",
    "editor_choices",
    "figures",
    "get",
    "log_request",
    "open_count",
    "update_request",
]
