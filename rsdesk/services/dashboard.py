"""The dashboard: the figures an officer checks every morning, and what falls due soon.

Every figure carries the view and the register filters that list the records behind it, so a
click on a tile shows exactly the rows counted (the tests check each figure against
``registers.count`` with its own filters). Figures come from a handful of SQL aggregates
(GROUP BY / SUM(CASE ...)), not from loading rows, so the dashboard stays quick on 100,000
collaborations. Every figure is defined on an empty database (zero, or "no data" for shares).

Training compliance depends on the training rules (data, evaluated per person by
:mod:`rsdesk.services.training`), so it is the one figure not computed in SQL alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.orm import Session

from rsdesk.models import (
    Appraisal,
    Collaboration,
    MitigationMeasure,
    OnboardingCheck,
    Partner,
    ScreeningList,
    ScreeningResult,
    StaffMember,
    TrainingCourse,
    TrainingRecord,
)
from rsdesk.models.enums import (
    AppraisalStatus,
    CheckStatus,
    CollaborationStatus,
    MeasureStatus,
    RiskLevel,
    ScreeningVerdict,
)
from rsdesk.services.appraisal.drafts import awaiting_decision

#: Days ahead for "due in 30 days" figures (the registers' ``due30`` filters use the same).
SOON_DAYS = 30
#: Quarters shown in the appraisals-per-quarter chart.
QUARTERS = 8
OPEN_MEASURES = (MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS)
#: Key used for collaborations without a signed-off appraisal (the register's filter value).
NOT_APPRAISED = "none"
RISK_LABELS = {
    RiskLevel.LOW: "Low",
    RiskLevel.MEDIUM: "Medium",
    RiskLevel.HIGH: "High",
    RiskLevel.VERY_HIGH: "Very high",
    NOT_APPRAISED: "Not appraised",
}


class Tone(StrEnum):
    """How a tile should look: the view decides colours, the service decides meaning."""

    NEUTRAL = "neutral"
    GOOD = "good"
    WARNING = "warning"
    ALERT = "alert"


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    #: A count, or for shares the percentage (None: nothing to measure yet).
    value: int | float | None
    #: Main-window view key and register filters that list the records behind the figure.
    view: str
    filters: Mapping[str, Any] = field(default_factory=dict)
    #: Register whose ``count`` with ``filters`` equals ``value`` (None for shares).
    register: str | None = None
    tone: Tone = Tone.NEUTRAL
    #: A short second line, e.g. "412 of 480 required trainings current".
    detail: str = ""
    #: Filters for the view when it lists the records differently from the register counted
    #: (overdue checks are counted per check, the staff view lists the people who have them).
    view_filters: Mapping[str, Any] | None = None

    @property
    def navigation(self) -> tuple[str, dict[str, Any]]:
        """(view key, filters) that show the records behind the figure."""
        filters = self.filters if self.view_filters is None else self.view_filters
        return self.view, dict(filters)

    @property
    def display(self) -> str:
        if self.value is None:
            return "–"
        if isinstance(self.value, float):
            return f"{self.value:.0f} %"
        return f"{self.value:,}"


@dataclass(frozen=True)
class RiskCount:
    level: str  # a RiskLevel value or NOT_APPRAISED
    label: str
    count: int


@dataclass(frozen=True)
class QuarterCount:
    year: int
    quarter: int
    count: int

    @property
    def label(self) -> str:
        return f"Q{self.quarter} {self.year}"


@dataclass(frozen=True)
class DepartmentShare:
    department_id: int | None
    department: str
    required: int
    compliant: int

    @property
    def percent(self) -> float | None:
        return None if self.required == 0 else 100.0 * self.compliant / self.required


@dataclass(frozen=True)
class Dashboard:
    today: dt.date
    figures: tuple[Figure, ...]
    active_by_risk: tuple[RiskCount, ...]
    appraisals_by_quarter: tuple[QuarterCount, ...]
    training_by_department: tuple[DepartmentShare, ...]

    def figure(self, key: str) -> Figure:
        for item in self.figures:
            if item.key == key:
                return item
        raise KeyError(key)


# --- figures ---------------------------------------------------------------------------------


def _sum(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def active_by_risk(session: Session) -> tuple[RiskCount, ...]:
    """Active, not archived collaborations per risk level, "not appraised" last; zeros kept."""
    rows = session.execute(
        select(Collaboration.risk_level, func.count())
        .where(
            Collaboration.status == CollaborationStatus.ACTIVE,
            Collaboration.archived.is_(False),
        )
        .group_by(Collaboration.risk_level)
    ).all()
    found = {(str(level) if level is not None else NOT_APPRAISED): count for level, count in rows}
    order: list[str] = [level.value for level in RiskLevel] + [NOT_APPRAISED]
    return tuple(RiskCount(key, RISK_LABELS[_risk_key(key)], found.get(key, 0)) for key in order)


def _risk_key(key: str) -> Any:
    return NOT_APPRAISED if key == NOT_APPRAISED else RiskLevel(key)


def _quarter_start(index: int) -> dt.datetime:
    """Start of quarter number ``index`` (year * 4 + quarter - 1)."""
    return dt.datetime(index // 4, (index % 4) * 3 + 1, 1)


def appraisals_by_quarter(
    session: Session, today: dt.date, quarters: int = QUARTERS
) -> tuple[QuarterCount, ...]:
    """Signed-off appraisals per calendar quarter, the last ``quarters`` quarters (zeros kept).

    One pass with a plain range test per quarter: no date functions per row, which differ
    between SQLite and PostgreSQL and cost more than the comparisons.
    """
    first = today.year * 4 + (today.month - 1) // 3 - (quarters - 1)
    indexes = range(first, first + quarters)
    signed = Appraisal.signed_off_at
    columns = [
        _sum(and_(signed >= _quarter_start(index), signed < _quarter_start(index + 1)))
        for index in indexes
    ]
    row = session.execute(
        select(*columns).where(
            Appraisal.status == AppraisalStatus.SIGNED_OFF,
            signed >= _quarter_start(first),
        )
    ).one()
    return tuple(
        QuarterCount(index // 4, index % 4 + 1, int(count))
        for index, count in zip(indexes, row, strict=True)
    )


def training_by_department(session: Session, today: dt.date) -> tuple[DepartmentShare, ...]:
    from rsdesk.services import training

    return tuple(
        DepartmentShare(item.department_id, item.department, item.required, item.compliant)
        for item in training.compliance_by_department(session, today)
        if item.required
    )


def compute(session: Session, today: dt.date | None = None) -> Dashboard:
    """Every dashboard figure and chart series, as of ``today``."""
    today = today or dt.date.today()
    soon = today + dt.timedelta(days=SOON_DAYS)
    risk = active_by_risk(session)
    figures: list[Figure] = []

    active_total = sum(item.count for item in risk)
    figures.append(
        Figure(
            "active",
            "Active collaborations",
            active_total,
            "collaborations",
            {"status": CollaborationStatus.ACTIVE.value},
            "collaborations",
        )
    )
    for item in risk:
        tone = Tone.NEUTRAL
        if item.level in (RiskLevel.HIGH, RiskLevel.VERY_HIGH) and item.count:
            tone = Tone.WARNING
        if item.level == NOT_APPRAISED and item.count:
            tone = Tone.WARNING
        figures.append(
            Figure(
                f"active_{item.level}",
                f"Active – {item.label.lower()} risk"
                if item.level != NOT_APPRAISED
                else "Active – not appraised",
                item.count,
                "collaborations",
                {"status": CollaborationStatus.ACTIVE.value, "risk_level": item.level},
                "collaborations",
                tone,
            )
        )

    drafts = _drafts_awaiting_a_decision(session)
    figures.append(
        Figure(
            "appraisals_draft",
            "Appraisals awaiting a decision",
            drafts,
            "appraisals",
            {"status": AppraisalStatus.DRAFT.value, "awaiting": "yes"},
            "appraisals",
            Tone.WARNING if drafts else Tone.GOOD,
        )
    )

    # Two counts over the review-date index beat one pass over every collaboration.
    current = Collaboration.archived.is_(False)
    overdue = session.scalar(
        select(func.count()).where(current, Collaboration.next_review_date < today)
    )
    due = session.scalar(
        select(func.count()).where(current, Collaboration.next_review_date.between(today, soon))
    )
    figures.append(
        Figure(
            "reviews_overdue",
            "Reviews overdue",
            overdue or 0,
            "collaborations",
            {"review": "overdue"},
            "collaborations",
            Tone.ALERT if overdue else Tone.GOOD,
        )
    )
    figures.append(
        Figure(
            "reviews_due30",
            f"Reviews due in {SOON_DAYS} days",
            due or 0,
            "collaborations",
            {"review": "due30"},
            "collaborations",
            Tone.WARNING if due else Tone.NEUTRAL,
        )
    )

    is_open = MitigationMeasure.status.in_(OPEN_MEASURES)
    open_measures, overdue_measures = session.execute(
        select(_sum(is_open), _sum(and_(is_open, MitigationMeasure.due_date < today)))
        .select_from(MitigationMeasure)
        .join(Collaboration, Collaboration.id == MitigationMeasure.collaboration_id)
        .where(MitigationMeasure.archived.is_(False))
    ).one()
    figures.append(
        Figure(
            "measures_open",
            "Open mitigation measures",
            int(open_measures),
            "measures",
            {"due": "open"},
            "measures",
        )
    )
    figures.append(
        Figure(
            "measures_overdue",
            "Measures overdue",
            int(overdue_measures),
            "measures",
            {"due": "overdue"},
            "measures",
            Tone.ALERT if overdue_measures else Tone.GOOD,
        )
    )

    checks_overdue = _overdue_checks(session, today)
    from rsdesk.services import onboarding
    from rsdesk.services.wording import counted

    # Counted per check, listed per person: the tile says both so that 827 → 669 surprises nobody.
    people_overdue = onboarding.overdue_people_count(session, today) if checks_overdue else 0
    figures.append(
        Figure(
            "checks_overdue",
            "Onboarding checks overdue",
            checks_overdue,
            "staff",
            {"due": "overdue"},
            "onboarding" if _has_register("onboarding") else None,
            Tone.ALERT if checks_overdue else Tone.GOOD,
            view_filters={"onboarding": "overdue"},
            detail=f"checks of {counted(people_overdue, 'person', 'people')}"
            if checks_overdue
            else "",
        )
    )

    departments = training_by_department(session, today)
    required = sum(item.required for item in departments)
    compliant = sum(item.compliant for item in departments)
    share = None if required == 0 else 100.0 * compliant / required
    tone = Tone.NEUTRAL
    if share is not None:
        tone = Tone.GOOD if share >= 90 else Tone.WARNING if share >= 75 else Tone.ALERT
    figures.append(
        Figure(
            "training_compliance",
            "Training compliance",
            share,
            "training",
            {},
            None,
            tone,
            f"{compliant:,} of {required:,} required trainings current"
            if required
            else "No training is required yet",
        )
    )

    # Hits on the current version of each list; results on replaced versions are history.
    verdicts = dict(
        session.execute(
            select(ScreeningResult.verdict, func.count())
            .join(ScreeningList, ScreeningList.id == ScreeningResult.list_id)
            .join(Partner, Partner.id == ScreeningResult.partner_id)
            .where(
                ScreeningResult.verdict != ScreeningVerdict.FALSE_POSITIVE,
                ScreeningList.active.is_(True),
            )
            .group_by(ScreeningResult.verdict)
        ).all()
    )
    pending = verdicts.get(ScreeningVerdict.PENDING, 0)
    confirmed = verdicts.get(ScreeningVerdict.TRUE_MATCH, 0)
    screening_register = "screening" if _has_register("screening") else None
    figures.append(
        Figure(
            "screening_pending",
            "Screening hits to review",
            pending,
            "screening",
            {"verdict": ScreeningVerdict.PENDING.value, "current": "current"},
            screening_register,
            Tone.WARNING if pending else Tone.GOOD,
        )
    )
    figures.append(
        Figure(
            "screening_confirmed",
            "Confirmed screening matches",
            confirmed,
            "screening",
            {"verdict": ScreeningVerdict.TRUE_MATCH.value, "current": "current"},
            screening_register,
            Tone.ALERT if confirmed else Tone.NEUTRAL,
        )
    )
    figures += _asset_figures(session, today)
    return Dashboard(
        today,
        tuple(figures),
        risk,
        appraisals_by_quarter(session, today),
        departments,
    )


def _asset_figures(session: Session, today: dt.date) -> list[Figure]:
    """Sensitive assets (#12): access without a current briefing, access still held by people who
    have left, safeguards overdue.

    Both count rows the assets register does not list one by one (grants, safeguards), so the
    drill-down opens the assets concerned by id, named by the flag ("Filtered by access without a
    current briefing"), and ``register`` stays None.
    """
    from rsdesk.services import assets
    from rsdesk.services.wording import counted

    counts = assets.counts(session, today)
    return [
        Figure(
            "access_without_briefing",
            "Access without a current briefing",
            counts.access_without_briefing,
            "assets",
            {"ids": counts.flagged_access_asset_ids},
            None,
            Tone.ALERT if counts.access_without_briefing else Tone.GOOD,
            view_filters={
                "ids": counts.flagged_access_asset_ids,
                "label": "access without a current briefing",
            },
            detail=_grants_of_people(
                counts.access_without_briefing,
                counts.people_without_briefing,
                len(counts.flagged_access_asset_ids),
            ),
        ),
        Figure(
            "access_after_leaving",
            "Access held by people who have left",
            counts.access_after_leaving,
            "assets",
            {"ids": counts.leaver_access_asset_ids},
            None,
            Tone.ALERT if counts.access_after_leaving else Tone.GOOD,
            view_filters={
                "ids": counts.leaver_access_asset_ids,
                "label": "access held by someone who has left",
            },
            detail=_grants_of_people(
                counts.access_after_leaving,
                counts.people_after_leaving,
                len(counts.leaver_access_asset_ids),
            ),
        ),
        Figure(
            "safeguards_overdue",
            "Safeguards overdue for verification",
            counts.safeguards_overdue,
            "assets",
            {"ids": counts.overdue_asset_ids},
            None,
            Tone.WARNING if counts.safeguards_overdue else Tone.GOOD,
            view_filters={
                "ids": counts.overdue_asset_ids,
                "label": "safeguards overdue for verification",
            },
            # Counted per safeguard, listed per asset.
            detail=f"safeguards on {counted(len(counts.overdue_asset_ids), 'asset')}"
            if counts.safeguards_overdue
            else "",
        ),
    ]


def _grants_of_people(grants: int, people: int, assets: int) -> str:
    """Reads "3 grants of 2 people on 2 assets": the figure counts grants, the office acts on
    people, and the tile opens the list of assets."""
    from rsdesk.services.wording import counted

    if not grants:
        return ""
    return (
        f"{counted(grants, 'grant')} of {counted(people, 'person', 'people')}"
        f" on {counted(assets, 'asset')}"
    )


def _overdue_checks(session: Session, today: dt.date) -> int:
    from rsdesk.services import onboarding

    return onboarding.overdue_count(session, today)


def _has_register(name: str) -> bool:
    from rsdesk.services import registers

    return name in registers.names()


# --- due soon --------------------------------------------------------------------------------


class DueKind(StrEnum):
    REVIEW = "review"
    MEASURE = "measure"
    CHECK = "check"
    TRAINING = "training"


DUE_KIND_LABELS = {
    DueKind.REVIEW: "Review",
    DueKind.MEASURE: "Mitigation measure",
    DueKind.CHECK: "Onboarding check",
    DueKind.TRAINING: "Training expires",
}


@dataclass(frozen=True)
class DueItem:
    due: dt.date
    kind: DueKind
    #: One line: what is due ("Review of C-2025-00042 Quantum sensing with ...").
    summary: str
    #: More lines for a calendar entry's description.
    detail: str
    #: The record the item is about, and the main-window view that lists it.
    record_id: int
    view: str
    #: What opening the item shows: (register name, record id), e.g. the person for a check.
    open_register: str = ""
    open_id: int = 0

    @property
    def uid(self) -> str:
        """Stable across exports, so a calendar updates the event instead of duplicating it."""
        return f"{self.kind.value}-{self.record_id}-{self.due:%Y%m%d}@rsdesk"


def _limit(items: list[DueItem], limit: int | None) -> list[DueItem]:
    items.sort(key=lambda item: (item.due, item.kind.value, item.summary, item.record_id))
    return items if limit is None else items[:limit]


def _drafts_awaiting_a_decision(session: Session) -> int:
    """Draft appraisals someone worked on (not the empty ones opening the wizard once left)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Appraisal)
            .join(Collaboration, Collaboration.id == Appraisal.collaboration_id)
            .where(awaiting_decision())
        )
        or 0
    )


def due_soon(
    session: Session,
    days: int = SOON_DAYS,
    today: dt.date | None = None,
    limit: int | None = 500,
    kinds: Sequence[DueKind] = tuple(DueKind),
) -> list[DueItem]:
    """What falls due from today to ``days`` ahead, by date: reviews, measures, checks, training.

    Closed items (done measures, completed checks, archived records, people who left) are left
    out. ``limit`` caps each kind and the result (the earliest are kept).
    """
    today = today or dt.date.today()
    end = today + dt.timedelta(days=days)
    items: list[DueItem] = []

    if DueKind.REVIEW in kinds:
        rows = session.execute(
            select(
                Collaboration.id,
                Collaboration.reference,
                Collaboration.title,
                Collaboration.next_review_date,
                Collaboration.risk_level,
            )
            .where(
                Collaboration.archived.is_(False),
                Collaboration.next_review_date.between(today, end),
            )
            .order_by(Collaboration.next_review_date, Collaboration.id)
            .limit(limit)
        )
        for row in rows:
            values: tuple[Any, ...] = tuple(row)
            cid, reference, title, due, level = values
            risk = RISK_LABELS[level].lower() + " risk" if level else "not appraised"
            items.append(
                DueItem(
                    due,
                    DueKind.REVIEW,
                    f"Review {reference}: {title}",
                    f"Periodic review of collaboration {reference} ({risk}).\n{title}",
                    cid,
                    "collaborations",
                    "collaborations",
                    cid,
                )
            )

    if DueKind.MEASURE in kinds:
        rows = session.execute(
            select(
                MitigationMeasure.id,
                Collaboration.reference,
                MitigationMeasure.description,
                MitigationMeasure.due_date,
                StaffMember.full_name,
            )
            .join(Collaboration, Collaboration.id == MitigationMeasure.collaboration_id)
            .outerjoin(StaffMember, StaffMember.id == MitigationMeasure.owner_staff_id)
            .where(
                MitigationMeasure.archived.is_(False),
                MitigationMeasure.status.in_(OPEN_MEASURES),
                MitigationMeasure.due_date.between(today, end),
            )
            .order_by(MitigationMeasure.due_date, MitigationMeasure.id)
            .limit(limit)
        )
        for row in rows:
            values = tuple(row)
            mid, reference, description, due, owner = values
            first_line = (description or "").strip().splitlines()[0] if description else ""
            items.append(
                DueItem(
                    due,
                    DueKind.MEASURE,
                    f"Measure for {reference}: {_shorten(first_line)}",
                    f"Mitigation measure agreed for collaboration {reference}."
                    f"\nOwner: {owner or 'not assigned'}\n{description or ''}".rstrip(),
                    mid,
                    "measures",
                    "measures",
                    mid,
                )
            )

    current_staff = and_(StaffMember.archived.is_(False), StaffMember.anonymised_at.is_(None))
    if DueKind.CHECK in kinds:
        from rsdesk.services.onboarding import checks_still_matter

        rows = session.execute(
            select(
                OnboardingCheck.id,
                OnboardingCheck.title,
                OnboardingCheck.due_date,
                StaffMember.id,
                StaffMember.full_name,
                StaffMember.staff_number,
            )
            .join(StaffMember, StaffMember.id == OnboardingCheck.staff_id)
            .where(
                checks_still_matter(today),  # not for people who have left
                OnboardingCheck.status == CheckStatus.OPEN,
                OnboardingCheck.due_date.between(today, end),
            )
            .order_by(OnboardingCheck.due_date, OnboardingCheck.id)
            .limit(limit)
        )
        for row in rows:
            values = tuple(row)
            check_id, title, due, staff_id, name, number = values
            items.append(
                DueItem(
                    due,
                    DueKind.CHECK,
                    f"{title}: {name}",
                    f"Onboarding check '{title}' for {name} ({number}).",
                    check_id,
                    "staff",
                    "staff",
                    staff_id,
                )
            )
        # Completed checks that fall due again (the yearly declaration) are reopened only on
        # their renewal date; listed here ahead, under the same uid the reopened check gets.
        from rsdesk.services.onboarding import upcoming_renewals

        for renewal in upcoming_renewals(session, today, end, limit):
            name, title = renewal.staff_name, renewal.title
            items.append(
                DueItem(
                    renewal.due_date,
                    DueKind.CHECK,
                    f"{title} (renewal): {name}",
                    f"Onboarding check '{title}' for {name} ({renewal.staff_number}) is due "
                    f"again: it was completed on {renewal.completed_on:%d %b %Y}.",
                    renewal.check_id,
                    "staff",
                    "staff",
                    renewal.staff_id,
                )
            )

    if DueKind.TRAINING in kinds:
        never = literal(dt.date(9999, 12, 31))
        latest = func.max(func.coalesce(TrainingRecord.expires_on, never))
        per_pair = (
            select(
                TrainingRecord.staff_id.label("staff_id"),
                TrainingRecord.course_id.label("course_id"),
                latest.label("expires_on"),
                func.max(TrainingRecord.id).label("record_id"),
            )
            .group_by(TrainingRecord.staff_id, TrainingRecord.course_id)
            .having(latest.between(today, end))
            .subquery()
        )
        rows = session.execute(
            select(
                per_pair.c.record_id,
                per_pair.c.expires_on,
                TrainingCourse.name,
                StaffMember.id,
                StaffMember.full_name,
                StaffMember.staff_number,
            )
            .join(StaffMember, StaffMember.id == per_pair.c.staff_id)
            .join(TrainingCourse, TrainingCourse.id == per_pair.c.course_id)
            .where(current_staff, TrainingCourse.archived.is_(False))
            .order_by(per_pair.c.expires_on, per_pair.c.record_id)
            .limit(limit)
        )
        for row in rows:
            values = tuple(row)
            record_id, expires, course, staff_id, name, number = values
            if isinstance(expires, str):  # SQLite returns MAX() over dates as text
                expires = dt.date.fromisoformat(expires)
            items.append(
                DueItem(
                    expires,
                    DueKind.TRAINING,
                    f"{course} expires: {name}",
                    f"The training '{course}' of {name} ({number}) is valid until this day; "
                    "a refresher is needed to stay compliant.",
                    record_id,
                    "training",
                    "staff",
                    staff_id,
                )
            )
    return _limit(items, limit)


def _shorten(text: str, width: int = 80) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


__all__ = [
    "NOT_APPRAISED",
    "SOON_DAYS",
    "Dashboard",
    "DepartmentShare",
    "DueItem",
    "DueKind",
    "Figure",
    "QuarterCount",
    "RiskCount",
    "Tone",
    "compute",
    "due_soon",
]
