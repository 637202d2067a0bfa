"""Demo section for people: onboarding checklists and training history of every demo staff member.

Checks come from the same rules the application uses (``services.onboarding``), decided by role
and research sensitivity only; their states form a realistic mix: long-standing staff have almost
everything done (a few waived or not applicable, a few forgotten and overdue), newcomers still
have open checks. Training follows the course catalogue (``services.training``) with several
years of completions: most people current, some expiring within 30 days, some expired, some who
never took a required course.

Rows go through :meth:`DemoContext.write` (bulk inserts with audit entries).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import Connection, Table, select

from rsdesk.models import OnboardingCheck, TrainingCourse, TrainingRecord
from rsdesk.models.enums import CheckStatus
from rsdesk.resources import load_toml
from rsdesk.services.demo.context import DemoContext, StaffRow
from rsdesk.services.demo.organisation import go_live
from rsdesk.services.onboarding import parse_onboarding_rules, profile_of, renewal_date
from rsdesk.services.training import EXPIRING_DAYS, add_months, expiry, parse_catalogue

WAIVER_REASONS = (
    "Completed at the previous institution within the last year (certificate seen)",
    "Covered by the joint appointment's onboarding at the partner faculty",
    "Short visit without access to sensitive data or facilities",
    "Replaced by the faculty's own equivalent procedure",
)
NOT_APPLICABLE_NOTES = (
    "No access to systems beyond e-mail",
    "Works off-site only",
    "Position does not require national screening",
)
EVIDENCE = (
    "Signed briefing form filed",
    "Declaration received and filed",
    "References checked by HR",
    "Export-control classification: no licence needed",
    "Access list updated by the lab manager",
    "Briefing attended (attendance list)",
    None,
)
PROVIDERS_CERTIFICATE = ("LMS", "EXT", "DESK")
COURSES = cast(Table, TrainingCourse.__table__)
CHECKS = cast(Table, OnboardingCheck.__table__)
RECORDS = cast(Table, TrainingRecord.__table__)


def people(ctx: DemoContext) -> dict[str, int]:
    """Training courses, onboarding checks and training records for ``ctx.staff``."""
    courses = _courses(ctx)
    checks = _checks(ctx)
    records = _training(ctx, courses)
    return {"training courses": len(courses), "onboarding checks": checks,
            "training records": records}  # fmt: skip


def existing_courses(connection: Connection) -> tuple[tuple[str, int], ...]:
    """(code, id) of the courses already there: opening a database puts the catalogue in, and
    the demo's records use those rows (``DemoContext.existing_courses``)."""
    query = select(COURSES.c.code, COURSES.c.id).order_by(COURSES.c.id)
    return tuple((code, course_id) for code, course_id in connection.execute(query))


def _login(member: StaffRow) -> str:
    return member.email.split("@")[0]


def _courses(ctx: DemoContext) -> list[dict[str, Any]]:
    """The shipped catalogue's courses; those that opening the database already put in are
    used as they are, the others written."""
    catalogue = parse_catalogue(load_toml("rules", "training.toml"))
    created = ctx.moment(ctx.anchor - dt.timedelta(days=6 * 365 + 60))
    existing = dict(ctx.existing_courses)
    ctx.reserve_ids(COURSES, max(existing.values(), default=0))
    rows = []
    for rule in catalogue.courses:
        rows.append(
            {
                "id": existing.get(rule.code) or ctx.new_id(COURSES),
                "code": rule.code,
                "name": rule.name,
                "provider": rule.provider,
                "refresh_months": rule.refresh_months,
                "audience": rule.audience.as_dict(),
                "description": rule.description,
                "archived": False,
                "created_at": created,
                "updated_at": created,
            }
        )
    ctx.write(COURSES, [row for row in rows if row["code"] not in existing])
    ctx.extra["courses"] = [
        (row["id"], rule) for row, rule in zip(rows, catalogue.courses, strict=True)
    ]
    return rows


def _profile(ctx: DemoContext, member: StaffRow) -> Any:
    return profile_of(
        member.role_category,
        member.technology_area_code,
        member.technology_area_code in ctx.most_sensitive_areas,
        member.dual_use_code,
        member.sensitive_facility_access,
    )


def _checks(ctx: DemoContext) -> int:
    rng = ctx.rng
    rules = parse_onboarding_rules(load_toml("rules", "onboarding.toml"))
    officers = ctx.officers or ctx.staff[:1]
    register_start = go_live(ctx)
    rows: list[dict[str, Any]] = []
    for member in ctx.staff:
        ctx.cancel.raise_if_cancelled()
        # Nobody keeps a checklist for someone who left before the register started.
        left_before = member.end_date is not None and member.end_date < register_start
        # Staff who were there before the register started had their checklist taken up that
        # day (not due decades ago); newcomers' checks fall due after their start.
        taken_up = max(member.start_date, register_start)
        for rule in rules.applicable(_profile(ctx, member)):
            due = taken_up + dt.timedelta(days=rule.due_days)
            days_past_due = (ctx.anchor - due).days
            status = CheckStatus.OPEN
            roll = rng.random()
            if days_past_due > 90:
                # Settled staff: nearly everything closed, a few forgotten.
                if roll < 0.86:
                    status = CheckStatus.DONE
                elif roll < 0.90:
                    status = CheckStatus.WAIVED
                elif roll < 0.94:
                    status = CheckStatus.NOT_APPLICABLE
            elif days_past_due > -rule.due_days:
                # Started recently: about half done, the rest open (some of them overdue).
                if roll < 0.5:
                    status = CheckStatus.DONE
                elif roll < 0.53:
                    status = CheckStatus.WAIVED
            closed = status != CheckStatus.OPEN
            completed_on = None
            if closed:
                # Drawn over the window counted from the start date and scaled into the one
                # counted from ``taken_up``: the same draws as before checklists began at the
                # register's start, so the sections after this one get the same random stream.
                first = member.start_date - dt.timedelta(days=7)
                span = max(0, (min(ctx.anchor, member.start_date + dt.timedelta(
                    days=rule.due_days + 45)) - first).days)  # fmt: skip
                drawn = rng.randint(0, span)
                window = max(0, (min(ctx.anchor, due + dt.timedelta(days=45)) - taken_up).days)
                completed_on = taken_up + dt.timedelta(days=drawn * window // span if span else 0)
                completed_on = min(completed_on, ctx.anchor)
            created = ctx.moment(min(ctx.anchor, max(member.start_date, ctx.anchor
                                 - dt.timedelta(days=6 * 365 + 60))))  # fmt: skip
            row = {
                "staff_id": member.id,
                "check_code": rule.code,
                "title": rule.title,
                "due_date": due,
                "status": status.value,
                "waiver_reason": rng.choice(WAIVER_REASONS)
                if status == CheckStatus.WAIVED
                else None,
                "completed_by": _login(rng.choice(officers)) if closed else None,
                "completed_on": completed_on,
                "evidence_note": rng.choice(EVIDENCE)
                if status == CheckStatus.DONE
                else rng.choice(NOT_APPLICABLE_NOTES)
                if status == CheckStatus.NOT_APPLICABLE
                else None,
                "created_at": created,
                "updated_at": created,
            }
            if rule.renew_months and status == CheckStatus.DONE:
                last_day = min(ctx.anchor, member.end_date or ctx.anchor)
                _renewed_on_time(row, rule.renew_months, member.id, last_day)
            if not left_before:
                rows.append({"id": ctx.new_id(CHECKS), **row})
    return ctx.write(CHECKS, rows, "onboarding checks")


def _renewed_on_time(
    row: dict[str, Any], renew_months: int, staff_id: int, last_day: dt.date
) -> None:
    """A check renewed periodically (the yearly declaration): the office renewed it each time,
    a few days after it fell due, so the row holds the latest completion; the last renewal of
    some people is still open (overdue when it fell due more than their delay ago). Nothing
    falls due after ``last_day`` (today, or the day the person left). Drawn from the staff id,
    not the random generator, so the sections after this one are unchanged."""
    delay = dt.timedelta(days=staff_id % 40)
    completed_on = row["completed_on"]
    while (due := renewal_date(completed_on, renew_months)) <= last_day:
        if due + delay > last_day or staff_id % 9 == 0:
            row.update(
                due_date=due,
                status=CheckStatus.OPEN.value,
                completed_by=None,
                completed_on=None,
                evidence_note=f"Renewal of {completed_on.isoformat()}",
            )
            return
        completed_on = due + delay
        row.update(due_date=due, completed_on=completed_on)


def _training(ctx: DemoContext, course_rows: list[dict[str, Any]]) -> int:
    rng = ctx.rng
    courses = ctx.extra["courses"]
    register_start = ctx.anchor - dt.timedelta(days=6 * 365 + 60)
    rows: list[dict[str, Any]] = []
    for member in ctx.staff:
        ctx.cancel.raise_if_cancelled()
        profile = _profile(ctx, member)
        last_day = min(ctx.anchor, member.end_date) if member.end_date else ctx.anchor
        first_day = max(member.start_date, register_start)
        if last_day <= first_day:
            continue
        for course_id, rule in courses:
            if not rule.audience.matches(profile):
                continue
            roll = rng.random()
            if roll < 0.07:
                continue  # never took it: "missing"
            months = rule.refresh_months or 36
            if roll < 0.14:
                # Expiring within 30 days: completed so that expiry falls in the window.
                latest = add_months(
                    ctx.anchor + dt.timedelta(days=rng.randint(0, EXPIRING_DAYS)), -months
                )
            elif roll < 0.26:
                # Lapsed: expired between a day and a year ago.
                latest = add_months(ctx.anchor - dt.timedelta(days=rng.randint(1, 365)), -months)
            else:
                span = max(1, months * 30 - EXPIRING_DAYS - 5)
                latest = ctx.anchor - dt.timedelta(days=rng.randint(0, span))
            latest = min(max(latest, first_day), last_day)
            # Earlier rounds, each a refresh period (give or take) before the next.
            day = latest
            dates = [day]
            while len(dates) < 4:
                day = add_months(day, -months) - dt.timedelta(days=rng.randint(-20, 40))
                if day < first_day:
                    break
                dates.append(day)
            for completed in reversed(dates):
                created = ctx.moment(max(completed, register_start))
                rows.append(
                    {
                        "id": ctx.new_id(RECORDS),
                        "staff_id": member.id,
                        "course_id": course_id,
                        "completed_on": completed,
                        "expires_on": expiry(completed, rule.refresh_months),
                        "certificate_ref": (
                            f"{rng.choice(PROVIDERS_CERTIFICATE)}-{completed.year}-"
                            f"{rng.randint(10000, 99999)}"
                        )
                        if rng.random() < 0.6
                        else None,
                        "note": None,
                        "created_at": created,
                        "updated_at": created,
                    }
                )
    return ctx.write(RECORDS, rows, "training records")
