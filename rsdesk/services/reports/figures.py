"""Key figures of a year, for the annual report and the dashboard. Qt-free; SQL aggregates only.

Definitions (printed in the annual report's method section, keep them in step):

* **the year's collaborations**: those that started in the year (or, without a start date, were
  registered in it) and those with an appraisal signed off in the year;
* **appraised**: collaborations with an appraisal signed off in the year; levels and decisions
  count those appraisals; a *review* is a re-appraisal (version 2 or later) signed off in the year;
* **measures agreed**: measures of the appraisals signed off in the year (not cancelled);
  **completed**: measures with a completion date in the year (not cancelled), counted apart for
  those agreed in the year and those agreed in earlier years; **overdue** at a date: not done or
  cancelled by then and due before it;
* **high or very high risk**: collaborations with an appraisal rated high or very high signed off
  in the year (a collaboration appraised twice counts once), as the high-risk table lists them;
* **reviews overdue** at a date (today for the current year, else 31 December): collaborations
  still running (approved, approved with conditions, active) whose review was due before it; for
  a past date, the due date set by the latest appraisal signed off by then;
* **onboarding completion**: onboarding checks due in the year up to the report's date (the
  whole year for a past year, so far for the current one) that are done, waived or not
  applicable, out of all those checks; checks of people who have left, or were archived or
  anonymised, do not count (``onboarding.checks_still_matter``, the dashboard's rule);
* **training compliance** at the same date: required trainings of the staff employed then (started
  on or before it, not left before it) that were valid then, counting only completions made by
  then and measuring expiry at that date (the training service's own rule), out of all required
  trainings. Staff archived or anonymised since are not counted, and requirements follow today's
  role and catalogue, so a past year's figure is close to, not exactly, what was true then.

Every function works on an empty database and with empty staff and training tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, case, distinct, extract, func, or_, select
from sqlalchemy.orm import Session, aliased

from rsdesk.models import (
    Appraisal,
    Collaboration,
    CollaborationPartner,
    CollaborationTechnology,
    Department,
    MitigationMeasure,
    OnboardingCheck,
    Partner,
    StaffMember,
    TechnologyArea,
)
from rsdesk.models.enums import (
    AppraisalDecision,
    AppraisalStatus,
    CheckStatus,
    CollaborationKind,
    CollaborationStatus,
    MeasureStatus,
    RiskLevel,
)
from rsdesk.services.onboarding import checks_still_matter

RUNNING = (
    CollaborationStatus.APPROVED,
    CollaborationStatus.APPROVED_WITH_CONDITIONS,
    CollaborationStatus.ACTIVE,
)
OPEN_MEASURE = (MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS)
#: Countries beyond this many go into "Other" in the chart by country.
TOP_COUNTRIES = 15


@dataclass(frozen=True)
class Count:
    key: str
    label: str
    value: int


@dataclass(frozen=True)
class YearFigures:
    year: int
    #: The date point-in-time figures refer to: today for the current year, else 31 December.
    as_of: dt.date
    collaborations: int
    appraised: int
    appraisals: int
    reviews_done: int
    by_decision: tuple[Count, ...]
    by_level: tuple[Count, ...]
    measures_agreed: int
    #: Measures completed in the year (a completion date in it, not cancelled): of the
    #: measures agreed in the year, and of those agreed in earlier years. ``measures_completed``
    #: is their sum.
    measures_agreed_completed: int
    measures_earlier_completed: int
    measures_open: int
    measures_overdue: int
    reviews_overdue: int
    onboarding_due: int
    onboarding_completed: int
    training_required: int
    training_compliant: int
    #: Collaborations with an appraisal rated high or very high signed off in the year (the
    #: high-risk table lists the same collaborations); ``by_level`` counts appraisals.
    high_risk_collaborations: int = 0

    @property
    def measures_completed(self) -> int:
        return self.measures_agreed_completed + self.measures_earlier_completed

    @property
    def onboarding_percent(self) -> float | None:
        return (
            None
            if not self.onboarding_due
            else 100 * self.onboarding_completed / self.onboarding_due
        )

    @property
    def training_percent(self) -> float | None:
        if not self.training_required:
            return None
        return 100 * self.training_compliant / self.training_required


@dataclass(frozen=True)
class Breakdowns:
    """The chart series for one year."""

    by_level: tuple[Count, ...]
    by_technology: tuple[Count, ...]
    by_kind: tuple[Count, ...]
    by_country: tuple[Count, ...]
    #: Appraisals signed off per quarter: (quarter 1..4, first appraisals, re-appraisals).
    per_quarter: tuple[tuple[int, int, int], ...]


@dataclass(frozen=True)
class HighRiskRow:
    collaboration_id: int
    reference: str
    title: str
    partners: str
    level: str
    decision: str | None
    measures_done: int
    measures_total: int
    measures_overdue: int
    next_review: dt.date | None


@dataclass(frozen=True)
class ReviewRow:
    reference: str
    title: str
    level: str | None
    next_review: dt.date
    days_overdue: int


@dataclass(frozen=True)
class MeasureRow:
    reference: str
    description: str
    owner: str | None
    due: dt.date | None
    status: str
    days_overdue: int


@dataclass(frozen=True)
class OnboardingRow:
    staff: str
    department: str | None
    check: str
    due: dt.date | None
    status: str
    #: A waiver's reason, or for an overdue renewal "Renewal of DATE" (the completion it renews).
    note: str | None


@dataclass(frozen=True)
class OnboardingExceptionCounts:
    """What the exceptions table holds, so that its caption can say how it relates to the
    year's figure: overdue checks fall due in any year, the figure counts only the year's."""

    #: Open checks past their due date at the report's date, whatever year they fell due.
    overdue: int
    #: Of those, the ones due in the year (the others are not in the year's figure).
    overdue_in_year: int
    #: Checks due in the year that were waived.
    waived: int


@dataclass(frozen=True)
class TrainingGapRow:
    department: str
    people: int
    required: int
    compliant: int
    expired: int
    missing: int

    @property
    def percent(self) -> float | None:
        return None if not self.required else 100 * self.compliant / self.required


def _bounds(year: int) -> tuple[dt.date, dt.date, dt.datetime, dt.datetime]:
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    return start, end, dt.datetime(year, 1, 1), dt.datetime(year + 1, 1, 1)


def as_of_date(year: int, today: dt.date | None = None) -> dt.date:
    today = today or dt.date.today()
    return min(today, dt.date(year, 12, 31))


def _signed_in(year: int) -> ColumnElement[bool]:
    _, _, since, until = _bounds(year)
    return and_(
        Appraisal.status == AppraisalStatus.SIGNED_OFF,
        Appraisal.signed_off_at >= since,
        Appraisal.signed_off_at < until,
    )


def year_condition(year: int) -> ColumnElement[bool]:
    """SQL condition on Collaboration: it belongs to the year (see the module docstring)."""
    start, end, since, until = _bounds(year)
    appraised = select(Appraisal.collaboration_id).where(_signed_in(year))
    return or_(
        and_(Collaboration.start_date >= start, Collaboration.start_date < end),
        and_(
            Collaboration.start_date.is_(None),
            Collaboration.created_at >= since,
            Collaboration.created_at < until,
        ),
        Collaboration.id.in_(appraised),
    )


def _label(value: Any) -> str:
    text = str(getattr(value, "value", value))
    return text.replace("_", " ").capitalize()


def _counts(
    rows: Sequence[tuple[Any, int]], order: Sequence[Any] | None = None
) -> tuple[Count, ...]:
    found = {str(getattr(k, "value", k)) if k is not None else "": v for k, v in rows}
    if order is None:
        return tuple(Count(k, _label(k) if k else "None", v) for k, v in found.items())
    keys = [str(getattr(k, "value", k)) for k in order]
    result = [Count(k, _label(k), found.get(k, 0)) for k in keys]
    rest = sum(v for k, v in found.items() if k not in keys)
    if rest:
        result.append(Count("", "Not recorded", rest))
    return tuple(result)


def year_figures(session: Session, year: int, today: dt.date | None = None) -> YearFigures:
    """The executive summary's figures for ``year``."""
    start, end, since, until = _bounds(year)
    as_of = as_of_date(year, today)
    signed = _signed_in(year)
    collaborations = (
        session.scalar(select(func.count(Collaboration.id)).where(year_condition(year))) or 0
    )
    appraised, appraisals = session.execute(
        select(func.count(distinct(Appraisal.collaboration_id)), func.count(Appraisal.id)).where(
            signed
        )
    ).one()
    reviews_done = (
        session.scalar(select(func.count(Appraisal.id)).where(signed, Appraisal.version > 1)) or 0
    )
    by_decision = _counts(
        session.execute(
            select(Appraisal.decision, func.count()).where(signed).group_by(Appraisal.decision)
        ).all(),
        list(AppraisalDecision),
    )
    by_level = _counts(
        session.execute(
            select(Appraisal.risk_level, func.count()).where(signed).group_by(Appraisal.risk_level)
        ).all(),
        list(RiskLevel),
    )
    measures_agreed = (
        session.scalar(
            select(func.count(MitigationMeasure.id))
            .join(Appraisal, Appraisal.id == MitigationMeasure.appraisal_id)
            .where(signed, MitigationMeasure.status != MeasureStatus.CANCELLED)
        )
        or 0
    )
    agreed_in_year = (
        select(Appraisal.id).where(signed, Appraisal.id == MitigationMeasure.appraisal_id).exists()
    )
    agreed_completed, earlier_completed = session.execute(
        select(
            func.count(MitigationMeasure.id).filter(agreed_in_year),
            func.count(MitigationMeasure.id).filter(~agreed_in_year),
        ).where(
            MitigationMeasure.completed_on >= start,
            MitigationMeasure.completed_on < end,
            MitigationMeasure.status != MeasureStatus.CANCELLED,
        )
    ).one()
    high_risk_collaborations = (
        session.scalar(
            select(func.count(distinct(Appraisal.collaboration_id))).where(
                signed, Appraisal.risk_level.in_((RiskLevel.HIGH, RiskLevel.VERY_HIGH))
            )
        )
        or 0
    )
    open_at = _open_at(as_of)
    measures_open = session.scalar(select(func.count(MitigationMeasure.id)).where(open_at)) or 0
    measures_overdue = (
        session.scalar(
            select(func.count(MitigationMeasure.id)).where(
                open_at, MitigationMeasure.due_date < as_of
            )
        )
        or 0
    )
    reviews_overdue = (
        session.scalar(select(func.count(Collaboration.id)).where(_overdue_review(as_of, today)))
        or 0
    )
    onboarding_due, onboarding_completed = session.execute(
        select(
            func.count(OnboardingCheck.id),
            func.count(OnboardingCheck.id).filter(OnboardingCheck.status != CheckStatus.OPEN),
        )
        .join(StaffMember, StaffMember.id == OnboardingCheck.staff_id)
        .where(
            OnboardingCheck.due_date >= start,
            OnboardingCheck.due_date <= as_of,
            checks_still_matter(as_of),
        )
    ).one()
    rows = training_by_department(session, as_of)
    training_required = sum(r.required for r in rows)
    training_compliant = sum(r.compliant for r in rows)
    return YearFigures(
        year=year,
        as_of=as_of,
        collaborations=collaborations,
        appraised=appraised or 0,
        appraisals=appraisals or 0,
        reviews_done=reviews_done,
        by_decision=by_decision,
        by_level=by_level,
        measures_agreed=measures_agreed,
        measures_agreed_completed=agreed_completed or 0,
        measures_earlier_completed=earlier_completed or 0,
        high_risk_collaborations=high_risk_collaborations,
        measures_open=measures_open,
        measures_overdue=measures_overdue,
        reviews_overdue=reviews_overdue,
        onboarding_due=onboarding_due or 0,
        onboarding_completed=onboarding_completed or 0,
        training_required=training_required,
        training_compliant=training_compliant,
    )


def _open_at(day: dt.date) -> ColumnElement[bool]:
    """Measures agreed by ``day`` (their appraisal signed off by then) and not done by then.

    Cancelled measures never count.
    """
    next_day = dt.datetime.combine(day + dt.timedelta(days=1), dt.time())
    agreed = or_(
        and_(MitigationMeasure.appraisal_id.is_(None), MitigationMeasure.created_at < next_day),
        select(Appraisal.id)
        .where(
            Appraisal.id == MitigationMeasure.appraisal_id,
            or_(Appraisal.signed_off_at.is_(None), Appraisal.signed_off_at < next_day),
        )
        .exists(),
    )
    return and_(
        MitigationMeasure.archived.is_(False),
        MitigationMeasure.status != MeasureStatus.CANCELLED,
        agreed,
        or_(
            MitigationMeasure.status.in_(OPEN_MEASURE),
            MitigationMeasure.completed_on.is_(None),
            MitigationMeasure.completed_on > day,
        ),
    )


def _overdue_review(day: dt.date, today: dt.date | None = None) -> ColumnElement[bool]:
    return _review_due(day, today)[0]


def _review_due(day: dt.date, today: dt.date | None = None) -> tuple[ColumnElement[bool], Any]:
    """Running collaborations whose review was due before ``day``.

    For today the collaboration's own next review date counts; for a past date, the review date
    set by the latest appraisal signed off by then (a review done since moved it on).
    """
    running = and_(Collaboration.archived.is_(False), Collaboration.status.in_(RUNNING))
    if day >= (today or dt.date.today()):
        return and_(running, Collaboration.next_review_date < day), Collaboration.next_review_date
    next_day = dt.datetime.combine(day + dt.timedelta(days=1), dt.time())
    later = select(Appraisal.id).where(
        Appraisal.collaboration_id == Collaboration.id,
        Appraisal.status == AppraisalStatus.SIGNED_OFF,
        Appraisal.signed_off_at < next_day,
    )
    by_then = aliased(Appraisal)
    due_by_then = (
        select(by_then.next_review_date)
        .where(
            by_then.collaboration_id == Collaboration.id,
            by_then.status == AppraisalStatus.SIGNED_OFF,
            by_then.signed_off_at < next_day,
        )
        .order_by(by_then.version.desc())
        .limit(1)
        .correlate(Collaboration)
        .scalar_subquery()
    )
    return and_(running, later.exists(), due_by_then < day), due_by_then


def breakdowns(session: Session, year: int) -> Breakdowns:
    """The series the annual report charts."""
    signed = _signed_in(year)
    in_year = year_condition(year)
    by_level = _counts(
        session.execute(
            select(Appraisal.risk_level, func.count()).where(signed).group_by(Appraisal.risk_level)
        ).all(),
        list(RiskLevel),
    )
    areas = session.execute(
        select(TechnologyArea.code, TechnologyArea.name, func.count(distinct(Collaboration.id)))
        .select_from(TechnologyArea)
        .outerjoin(
            CollaborationTechnology, CollaborationTechnology.area_code == TechnologyArea.code
        )
        .outerjoin(
            Collaboration,
            and_(Collaboration.id == CollaborationTechnology.collaboration_id, in_year),
        )
        .group_by(TechnologyArea.code, TechnologyArea.name, TechnologyArea.sort_order)
        .order_by(TechnologyArea.sort_order)
    ).all()
    by_technology = tuple(Count(code, name, count) for code, name, count in areas)
    by_kind = _counts(
        session.execute(
            select(Collaboration.kind, func.count()).where(in_year).group_by(Collaboration.kind)
        ).all(),
        list(CollaborationKind),
    )
    countries = session.execute(
        select(Partner.country, func.count(distinct(Collaboration.id)))
        .select_from(Collaboration)
        .join(CollaborationPartner, CollaborationPartner.collaboration_id == Collaboration.id)
        .join(Partner, Partner.id == CollaborationPartner.partner_id)
        .where(in_year)
        .group_by(Partner.country)
        .order_by(func.count(distinct(Collaboration.id)).desc(), Partner.country)
    ).all()
    top = [Count(c or "", c or "Unknown", n) for c, n in countries[:TOP_COUNTRIES]]
    rest = sum(n for _, n in countries[TOP_COUNTRIES:])
    if rest:
        top.append(Count("other", f"Other ({len(countries) - TOP_COUNTRIES})", rest))
    per_quarter_rows = session.execute(
        select(
            extract("month", Appraisal.signed_off_at).label("month"),
            func.count().filter(Appraisal.version == 1),
            func.count().filter(Appraisal.version > 1),
        )
        .where(signed)
        .group_by("month")
    ).all()
    quarters = {q: [0, 0] for q in (1, 2, 3, 4)}
    for month, first, again in per_quarter_rows:
        q = (int(month) - 1) // 3 + 1
        quarters[q][0] += first
        quarters[q][1] += again
    return Breakdowns(
        by_level=by_level,
        by_technology=by_technology,
        by_kind=by_kind,
        by_country=tuple(top),
        per_quarter=tuple((q, v[0], v[1]) for q, v in quarters.items()),
    )


def _day(value: Any) -> dt.date:
    """A date from a scalar subquery (SQLite hands back its text)."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _partners_text() -> Any:
    return (
        select(func.aggregate_strings(Partner.name, "; "))
        .select_from(CollaborationPartner)
        .join(Partner, Partner.id == CollaborationPartner.partner_id)
        .where(CollaborationPartner.collaboration_id == Collaboration.id)
        .correlate(Collaboration)
        .scalar_subquery()
    )


def high_risk(
    session: Session, year: int, limit: int = 100, today: dt.date | None = None
) -> tuple[list[HighRiskRow], int]:
    """High and very-high risk appraisals signed off in the year (latest per collaboration),
    very high first; returns the first ``limit`` rows and the total.
    """
    as_of = as_of_date(year, today)
    latest = (
        select(func.max(Appraisal.id).label("id"))
        .where(_signed_in(year), Appraisal.risk_level.in_((RiskLevel.HIGH, RiskLevel.VERY_HIGH)))
        .group_by(Appraisal.collaboration_id)
        .subquery()
    )
    total = session.scalar(select(func.count()).select_from(latest)) or 0
    measures = (
        select(
            MitigationMeasure.collaboration_id.label("cid"),
            func.count().filter(MitigationMeasure.status == MeasureStatus.DONE).label("done"),
            func.count().filter(MitigationMeasure.status != MeasureStatus.CANCELLED).label("total"),
            func.count()
            .filter(MitigationMeasure.status.in_(OPEN_MEASURE), MitigationMeasure.due_date < as_of)
            .label("overdue"),
        )
        .where(MitigationMeasure.archived.is_(False))
        .group_by(MitigationMeasure.collaboration_id)
        .subquery()
    )
    very_high_first = case((Appraisal.risk_level == RiskLevel.VERY_HIGH, 0), else_=1)
    rows = session.execute(
        select(
            Collaboration.id,
            Collaboration.reference,
            Collaboration.title,
            _partners_text(),
            Appraisal.risk_level,
            Appraisal.decision,
            func.coalesce(measures.c.done, 0),
            func.coalesce(measures.c.total, 0),
            func.coalesce(measures.c.overdue, 0),
            Collaboration.next_review_date,
        )
        .select_from(latest)
        .join(Appraisal, Appraisal.id == latest.c.id)
        .join(Collaboration, Collaboration.id == Appraisal.collaboration_id)
        .outerjoin(measures, measures.c.cid == Collaboration.id)
        .order_by(very_high_first, Collaboration.reference)
        .limit(limit)
    ).all()
    return [
        HighRiskRow(
            row[0],
            row[1],
            row[2],
            row[3] or "",
            str(row[4].value if row[4] else ""),
            str(row[5].value) if row[5] else None,
            row[6],
            row[7],
            row[8],
            row[9],
        )
        for row in rows
    ], total


def overdue_reviews(
    session: Session, as_of: dt.date, limit: int = 100, today: dt.date | None = None
) -> tuple[list[ReviewRow], int]:
    """Running collaborations whose review date has passed, most overdue first."""
    condition, due = _review_due(as_of, today)
    total = session.scalar(select(func.count(Collaboration.id)).where(condition)) or 0
    rows = session.execute(
        select(
            Collaboration.reference,
            Collaboration.title,
            Collaboration.risk_level,
            due.label("due"),
        )
        .where(condition)
        .order_by("due", Collaboration.reference)
        .limit(limit)
    ).all()
    return [
        ReviewRow(
            r[0], r[1], str(r[2].value) if r[2] else None, _day(r[3]), (as_of - _day(r[3])).days
        )
        for r in rows
    ], total


def overdue_measures(
    session: Session, as_of: dt.date, limit: int = 100
) -> tuple[list[MeasureRow], int, int]:
    """Open measures past their due date, most overdue first; also the total open and overdue."""
    open_at = _open_at(as_of)
    overdue = and_(open_at, MitigationMeasure.due_date < as_of)
    open_total = session.scalar(select(func.count(MitigationMeasure.id)).where(open_at)) or 0
    overdue_total = session.scalar(select(func.count(MitigationMeasure.id)).where(overdue)) or 0
    rows = session.execute(
        select(
            Collaboration.reference,
            MitigationMeasure.description,
            StaffMember.full_name,
            MitigationMeasure.due_date,
            MitigationMeasure.status,
        )
        .join(Collaboration, Collaboration.id == MitigationMeasure.collaboration_id)
        .outerjoin(StaffMember, StaffMember.id == MitigationMeasure.owner_staff_id)
        .where(overdue)
        .order_by(MitigationMeasure.due_date, MitigationMeasure.id)
        .limit(limit)
    ).all()
    return (
        [
            MeasureRow(r[0], r[1], r[2], r[3], str(r[4].value), (as_of - r[3]).days if r[3] else 0)
            for r in rows
        ],
        open_total,
        overdue_total,
    )


def onboarding_exceptions(
    session: Session, year: int, limit: int = 100, today: dt.date | None = None
) -> tuple[list[OnboardingRow], int]:
    """Checks still open past their due date (status ``overdue``), and checks waived in the year,
    of the people whose checks still matter at the report's date (not those who have left: the
    dashboard's rule, ``onboarding.checks_still_matter``)."""
    start, end, _, _ = _bounds(year)
    as_of = as_of_date(year, today)
    overdue = and_(OnboardingCheck.status == CheckStatus.OPEN, OnboardingCheck.due_date < as_of)
    condition = and_(
        or_(
            overdue,
            and_(
                OnboardingCheck.status == CheckStatus.WAIVED,
                OnboardingCheck.due_date >= start,
                OnboardingCheck.due_date < end,
            ),
        ),
        checks_still_matter(as_of),
    )
    total = (
        session.scalar(
            select(func.count(OnboardingCheck.id))
            .join(StaffMember, StaffMember.id == OnboardingCheck.staff_id)
            .where(condition)
        )
        or 0
    )
    rows = session.execute(
        select(
            StaffMember.full_name,
            Department.name,
            OnboardingCheck.title,
            OnboardingCheck.due_date,
            OnboardingCheck.status,
            OnboardingCheck.waiver_reason,
            OnboardingCheck.evidence_note,
        )
        .join(StaffMember, StaffMember.id == OnboardingCheck.staff_id)
        .outerjoin(Department, Department.id == StaffMember.department_id)
        .where(condition)
        .order_by(OnboardingCheck.status, OnboardingCheck.due_date, OnboardingCheck.id)
        .limit(limit)
    ).all()
    return [
        OnboardingRow(r[0], r[1], r[2], r[3], "overdue", _renewal_note(r[6]))
        if r[4] == CheckStatus.OPEN
        else OnboardingRow(r[0], r[1], r[2], r[3], str(r[4].value), r[5])
        for r in rows
    ], total


def _renewal_note(note: str | None) -> str | None:
    """An open check's note when it is the renewal's "Renewal of DATE", else None: without it an
    overdue renewal looked like a check never done; other notes on an open check may be left
    from a completion reopened by hand, and would make it look done."""
    from rsdesk.services.onboarding import renewal_note

    if not note:
        return None
    try:
        completed_on = dt.date.fromisoformat(note.rsplit(" ", 1)[-1])
    except ValueError:
        return None
    return note if renewal_note(completed_on) == note else None


def onboarding_exception_counts(
    session: Session, year: int, today: dt.date | None = None
) -> OnboardingExceptionCounts:
    """The counts behind ``onboarding_exceptions`` (same people, same date), in one query."""
    start, end, _, _ = _bounds(year)
    as_of = as_of_date(year, today)
    overdue = and_(OnboardingCheck.status == CheckStatus.OPEN, OnboardingCheck.due_date < as_of)
    in_year = and_(OnboardingCheck.due_date >= start, OnboardingCheck.due_date < end)
    waived = and_(OnboardingCheck.status == CheckStatus.WAIVED, in_year)
    counts = session.execute(
        select(
            func.count(OnboardingCheck.id).filter(overdue),
            func.count(OnboardingCheck.id).filter(overdue, in_year),
            func.count(OnboardingCheck.id).filter(waived),
        )
        .join(StaffMember, StaffMember.id == OnboardingCheck.staff_id)
        .where(checks_still_matter(as_of))
    ).one()
    return OnboardingExceptionCounts(counts[0] or 0, counts[1] or 0, counts[2] or 0)


def training_by_department(session: Session, as_of: dt.date) -> list[TrainingGapRow]:
    """Required trainings per department and how many are valid (the training service's rule)."""
    from rsdesk.services import training

    return [
        TrainingGapRow(
            row.department, row.people, row.required, row.compliant, row.expired, row.missing
        )
        for row in training.compliance_by_department(session, today=as_of)
    ]
