"""Onboarding checks: the rules engine and the checklist actions.

Which checks apply to a person follows from two things only, their **role category** and the
**sensitivity of their research** (EU critical technology area, one of the four most sensitive
areas, a dual-use category, access to sensitive facilities). Rules are data
(``resources/rules/onboarding.toml``); an institution's edited copy lives in the ``setting`` table
under ``rules.onboarding`` and wins over the shipped file. Rules cannot name any other attribute of
a person: the validator rejects unknown keys, so a rule can never select people by who they are.

Actions on a check (complete, waive with a reason, not applicable, reopen) record who and when.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from rsdesk.models import OnboardingCheck, Setting, StaffMember, TechnologyArea
from rsdesk.models.enums import CheckStatus, RoleCategory
from rsdesk.resources import load_toml
from rsdesk.services.errors import NotFoundError, ValidationError

#: Setting key of the institution's edited onboarding rules (a JSON copy of the TOML document).
RULES_SETTING = "rules.onboarding"

#: Sensitivity conditions a rule may use; nothing else about a person can be named.
SENSITIVITY_FLAGS = (
    "critical_technology",
    "most_sensitive_technology",
    "dual_use",
    "sensitive_facility",
)
AUDIENCE_KEYS = frozenset({"roles", "sensitivity"})
ROLE_VALUES = tuple(role.value for role in RoleCategory)
#: The longest renewal period a rule may set (ten years).
MAX_RENEW_MONTHS = 120


# --- who a rule applies to ------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """What rules may look at: the role and the sensitivity of the research. Nothing else."""

    role: str
    sensitivity: frozenset[str]


def profile_of(
    role: str,
    technology_area_code: str | None,
    most_sensitive: bool,
    dual_use_code: str | None,
    sensitive_facility_access: bool,
) -> Profile:
    flags = set()
    if technology_area_code:
        flags.add("critical_technology")
        if most_sensitive:
            flags.add("most_sensitive_technology")
    if dual_use_code:
        flags.add("dual_use")
    if sensitive_facility_access:
        flags.add("sensitive_facility")
    return Profile(str(role), frozenset(flags))


def staff_profile(session: Session, staff: StaffMember) -> Profile:
    most_sensitive = False
    if staff.technology_area_code:
        most_sensitive = bool(
            session.scalar(
                select(TechnologyArea.most_sensitive).where(
                    TechnologyArea.code == staff.technology_area_code
                )
            )
        )
    return profile_of(
        staff.role_category,
        staff.technology_area_code,
        most_sensitive,
        staff.dual_use_code,
        staff.sensitive_facility_access,
    )


@dataclass(frozen=True)
class Audience:
    """Roles (any of) AND sensitivity (any of); ``None`` means that part does not restrict."""

    roles: frozenset[str] | None = None
    sensitivity: frozenset[str] | None = None

    def matches(self, profile: Profile) -> bool:
        if self.roles is not None and profile.role not in self.roles:
            return False
        return self.sensitivity is None or bool(self.sensitivity & profile.sensitivity)

    def as_dict(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        if self.roles is not None:
            out["roles"] = sorted(self.roles)
        if self.sensitivity is not None:
            out["sensitivity"] = sorted(self.sensitivity)
        return out

    def describe(self) -> str:
        parts = []
        if self.roles is not None:
            parts.append("roles: " + ", ".join(r.replace("_", " ") for r in sorted(self.roles)))
        if self.sensitivity is not None:
            parts.append(
                "research: " + " or ".join(s.replace("_", " ") for s in sorted(self.sensitivity))
            )
        return "; ".join(parts) or "everybody"


def parse_audience(value: Any, where: str) -> Audience:
    """Validates an ``applies``/``audience`` table; ``where`` names it in error messages."""
    if value is None:
        return Audience()
    if not isinstance(value, Mapping):
        raise ValidationError(f"{where}: must be a table with 'roles' and/or 'sensitivity'")
    unknown = sorted(set(value) - AUDIENCE_KEYS)
    if unknown:
        raise ValidationError(
            f"{where}: unknown condition {unknown[0]!r}; rules may only use 'roles' and "
            "'sensitivity' (never who the person is)"
        )
    roles = _word_set(value.get("roles"), ROLE_VALUES, f"{where}.roles")
    sensitivity = _word_set(value.get("sensitivity"), SENSITIVITY_FLAGS, f"{where}.sensitivity")
    return Audience(roles, sensitivity)


def _word_set(value: Any, allowed: Sequence[str], where: str) -> frozenset[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ValidationError(f"{where}: must be a non-empty list of words")
    for word in value:
        if word not in allowed:
            raise ValidationError(f"{where}: unknown value {word!r}; allowed: {', '.join(allowed)}")
    return frozenset(value)


# --- the rule set ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckRule:
    code: str
    title: str
    description: str
    due_days: int
    applies: Audience
    #: Months after completion when the check is due again (None: done once for all).
    renew_months: int | None = None


@dataclass(frozen=True)
class OnboardingRules:
    version: str
    checks: tuple[CheckRule, ...]
    #: "shipped" or "edited" (stored in the database).
    source: str = "shipped"

    def applicable(self, profile: Profile) -> list[CheckRule]:
        return [rule for rule in self.checks if rule.applies.matches(profile)]

    def by_code(self) -> dict[str, CheckRule]:
        return {rule.code: rule for rule in self.checks}


def _text(item: Mapping[str, Any], key: str, where: str, required: bool = True) -> str:
    value = item.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{where}: '{key}' is required text")
    return value.strip()


def parse_onboarding_rules(document: Mapping[str, Any], source: str = "shipped") -> OnboardingRules:
    """Validates a rules document (parsed TOML or its stored JSON copy)."""
    items = document.get("check")
    if not isinstance(items, list) or not items:
        raise ValidationError("Onboarding rules: at least one [[check]] is required")
    allowed = {"code", "title", "description", "due_days", "applies", "renew_months"}
    rules: list[CheckRule] = []
    seen: set[str] = set()
    for number, item in enumerate(items, start=1):
        where = f"Onboarding rule {number}"
        if not isinstance(item, Mapping):
            raise ValidationError(f"{where}: must be a table")
        unknown = sorted(set(item) - allowed)
        if unknown:
            raise ValidationError(f"{where}: unknown key {unknown[0]!r}")
        code = _text(item, "code", where)
        where = f"Onboarding rule {number} ({code})"
        if code in seen:
            raise ValidationError(f"{where}: the code is used twice")
        seen.add(code)
        due_days = item.get("due_days")
        if not isinstance(due_days, int) or isinstance(due_days, bool) or not 0 <= due_days <= 3650:
            raise ValidationError(f"{where}: 'due_days' must be a whole number from 0 to 3650")
        rules.append(
            CheckRule(
                code=code,
                title=_text(item, "title", where),
                description=_text(item, "description", where, required=False),
                due_days=due_days,
                applies=parse_audience(item.get("applies"), f"{where} applies"),
                renew_months=_renew_months(item.get("renew_months"), where),
            )
        )
    return OnboardingRules(str(document.get("version", "")), tuple(rules), source)


def _renew_months(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_RENEW_MONTHS:
        raise ValidationError(
            f"{where}: 'renew_months' must be a whole number of months from 1 to {MAX_RENEW_MONTHS}"
        )
    return value


def parse_toml_text(text: str, what: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(f"{what}: not valid TOML ({exc})") from exc


def load_rules(session: Session) -> OnboardingRules:
    """The institution's rules: the edited copy in the database if any, else the shipped file."""
    stored = session.scalar(select(Setting.value).where(Setting.key == RULES_SETTING))
    if stored:
        return parse_onboarding_rules(stored, source="edited")
    return load_rules_from_file()


def load_rules_from_file() -> OnboardingRules:
    """The shipped rules, whatever the institution stored."""
    return parse_onboarding_rules(load_toml("rules", "onboarding.toml"))


def shipped_rules_text() -> str:
    from rsdesk.resources import resource_path

    return resource_path("rules", "onboarding.toml").read_text(encoding="utf-8")


def stored_setting_document(session: Session, key: str) -> dict[str, Any] | None:
    """The institution's edited copy of a rules document (None: the shipped one is in use)."""
    stored = session.scalar(select(Setting.value).where(Setting.key == key))
    return dict(stored) if stored else None


def save_setting_document(session: Session, key: str, document: Mapping[str, Any] | None) -> None:
    """Stores (or with ``None`` removes) a JSON setting, audited like any other change."""
    setting = session.scalar(select(Setting).where(Setting.key == key))
    if document is None:
        if setting is not None:
            session.delete(setting)
    elif setting is None:
        session.add(Setting(key=key, value=dict(document)))
    else:
        setting.value = dict(document)
    session.flush()


def save_rules_text(session: Session, text: str) -> OnboardingRules:
    """Validates edited rules (TOML text) and stores them; existing checklists are not changed."""
    document = parse_toml_text(text, "Onboarding rules")
    rules = parse_onboarding_rules(document, source="edited")
    # The text itself is kept too, so that the editor shows the institution's comments again.
    save_setting_document(session, RULES_SETTING, {**document, "source_text": text})
    return rules


def reset_rules(session: Session) -> None:
    """Back to the shipped rules."""
    save_setting_document(session, RULES_SETTING, None)


# --- checklists -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckItem:
    id: int
    staff_id: int
    check_code: str
    title: str
    due_date: dt.date | None
    status: CheckStatus
    waiver_reason: str | None
    completed_by: str | None
    completed_on: dt.date | None
    evidence_note: str | None

    def overdue(self, today: dt.date) -> bool:
        return (
            self.status == CheckStatus.OPEN and self.due_date is not None and self.due_date < today
        )


def _item(check: OnboardingCheck) -> CheckItem:
    return CheckItem(
        check.id,
        check.staff_id,
        check.check_code,
        check.title,
        check.due_date,
        CheckStatus(check.status),
        check.waiver_reason,
        check.completed_by,
        check.completed_on,
        check.evidence_note,
    )


def add_applicable_checks(
    session: Session,
    staff: StaffMember,
    rules: OnboardingRules | None = None,
    from_date: dt.date | None = None,
) -> list[str]:
    """Creates the checks that apply to ``staff`` and that they do not have yet.

    Existing checks are never removed or changed: a check done for an earlier role stays on the
    record. Due dates count from ``from_date`` (the start date on creation, the day of a role
    change afterwards). Returns the codes added.
    """
    rules = rules or load_rules(session)
    profile = staff_profile(session, staff)
    existing = set(
        session.scalars(
            select(OnboardingCheck.check_code).where(OnboardingCheck.staff_id == staff.id)
        )
    )
    start = from_date or staff.start_date or dt.date.today()
    added = []
    for rule in rules.applicable(profile):
        if rule.code in existing:
            continue
        session.add(
            OnboardingCheck(
                staff_id=staff.id,
                check_code=rule.code,
                title=rule.title,
                due_date=start + dt.timedelta(days=rule.due_days),
                status=CheckStatus.OPEN,
            )
        )
        added.append(rule.code)
    session.flush()
    return added


def checklist(session: Session, staff_id: int) -> list[CheckItem]:
    checks = session.scalars(
        select(OnboardingCheck)
        .where(OnboardingCheck.staff_id == staff_id)
        .order_by(OnboardingCheck.due_date, OnboardingCheck.id)
    )
    return [_item(check) for check in checks]


def _actor(session: Session, by: str | None) -> str:
    return (by or session.info.get("actor") or "unknown").strip()


def _get(session: Session, check_id: int) -> OnboardingCheck:
    check = session.get(OnboardingCheck, check_id)
    if check is None:
        raise NotFoundError(f"Onboarding check {check_id} does not exist")
    anonymised = session.scalar(
        select(StaffMember.anonymised_at).where(StaffMember.id == check.staff_id)
    )
    if anonymised is not None:
        raise ValidationError("The checks of an anonymised former staff member cannot be changed")
    return check


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def _close(
    session: Session,
    check_id: int,
    status: CheckStatus,
    by: str | None,
    on: dt.date | None,
    evidence: str | None,
    reason: str | None,
) -> CheckItem:
    check = _get(session, check_id)
    on = on or dt.date.today()
    if on > dt.date.today():
        raise ValidationError("The date cannot be in the future", field="completed_on")
    check.status = status
    check.completed_by = _actor(session, by)
    check.completed_on = on
    check.evidence_note = _clean(evidence)
    check.waiver_reason = _clean(reason)
    session.flush()
    return _item(check)


def complete(
    session: Session,
    check_id: int,
    *,
    by: str | None = None,
    on: dt.date | None = None,
    evidence: str | None = None,
) -> CheckItem:
    """Marks a check done by ``by`` (default: the database's actor) on ``on`` (default today)."""
    return _close(session, check_id, CheckStatus.DONE, by, on, evidence, None)


def waive(
    session: Session,
    check_id: int,
    reason: str,
    *,
    by: str | None = None,
    on: dt.date | None = None,
    evidence: str | None = None,
) -> CheckItem:
    """Waives a check; a reason is required (internal audit asks why)."""
    if not _clean(reason):
        raise ValidationError("A waiver needs a reason", field="waiver_reason")
    return _close(session, check_id, CheckStatus.WAIVED, by, on, evidence, reason)


def mark_not_applicable(
    session: Session,
    check_id: int,
    *,
    by: str | None = None,
    on: dt.date | None = None,
    note: str | None = None,
) -> CheckItem:
    return _close(session, check_id, CheckStatus.NOT_APPLICABLE, by, on, note, None)


def reopen(session: Session, check_id: int) -> CheckItem:
    """Back to open (a mistaken completion); the audit log keeps what it was."""
    check = _get(session, check_id)
    check.status = CheckStatus.OPEN
    check.completed_by = None
    check.completed_on = None
    check.waiver_reason = None
    session.flush()
    return _item(check)


# --- periodic renewal -----------------------------------------------------------------------

#: Who the audit trail names for a renewal: nobody reopened the check by hand.
RENEWAL_ACTOR = "rsdesk: renewal due"


def renewal_actor(opened_by: str) -> str:
    """The audit trail's actor for renewals made while ``opened_by`` opened the database."""
    return f"{RENEWAL_ACTOR} (opened by {opened_by})"[:200]


def renewal_date(completed_on: dt.date, renew_months: int) -> dt.date:
    """When a check completed on ``completed_on`` is due again (calendar months, month-end
    clamped as training refreshers are)."""
    from rsdesk.services.training import add_months

    return add_months(completed_on, renew_months)


#: How far back a reopened check's due date may lie. A renewal date up to this many days before
#: the day the check is reopened stays its due date: the office did not open rsdesk for a few
#: weeks, and the renewal is overdue by those days. A renewal date further back comes from a rule
#: that is new or renews sooner than before, reaching back years into completed checks; such a
#: check is due on the day it is reopened instead, so that the past is not rewritten (years of
#: checks are not overdue on day one, and past years' report figures do not change).
RENEWAL_DUE_DATE_REACHES_BACK = dt.timedelta(days=30)


def reopened_due_date(renewal: dt.date, reopened_on: dt.date) -> dt.date:
    """The due date of a check reopened on ``reopened_on`` for its renewal date ``renewal``:
    the renewal date when recent, else the reopening day (``RENEWAL_DUE_DATE_REACHES_BACK``)."""
    if renewal < reopened_on - RENEWAL_DUE_DATE_REACHES_BACK:
        return reopened_on
    return renewal


def last_completion_due_by(day: dt.date, renew_months: int) -> dt.date:
    """The latest completion date whose renewal falls due on or before ``day``; every earlier
    one is due too, so one range condition finds them all (months have different lengths, so
    this is not simply ``day`` minus the months)."""
    from rsdesk.services.training import add_months

    latest = add_months(day, -renew_months)
    while renewal_date(latest + dt.timedelta(days=1), renew_months) <= day:
        latest += dt.timedelta(days=1)
    return latest


def _renewable_codes(rules: OnboardingRules) -> dict[int, list[str]]:
    """Check codes by renewal period, for the rules that have one."""
    codes: dict[int, list[str]] = {}
    for rule in rules.checks:
        if rule.renew_months is not None:
            codes.setdefault(rule.renew_months, []).append(rule.code)
    return codes


def _completed_between(
    rules: OnboardingRules, after: dt.date | None, until: dt.date
) -> ColumnElement[bool] | None:
    """Done checks of current staff whose renewal date is after ``after`` (None: any) and on or
    before ``until``; None when no rule renews."""
    periods = []
    for months, codes in sorted(_renewable_codes(rules).items()):
        condition = and_(
            OnboardingCheck.check_code.in_(codes),
            OnboardingCheck.completed_on <= last_completion_due_by(until, months),
        )
        if after is not None:
            condition = and_(
                condition, OnboardingCheck.completed_on > last_completion_due_by(after, months)
            )
        periods.append(condition)
    if not periods:
        return None
    return and_(
        OnboardingCheck.status == CheckStatus.DONE,
        or_(*periods),
        checks_still_matter(until),
    )


def renewals_due(session: Session, today: dt.date | None = None) -> bool:
    """Whether any completed check is due again: one indexed query, so that opening a database
    with nothing to renew costs next to nothing."""
    condition = _completed_between(load_rules(session), None, today or dt.date.today())
    if condition is None:
        return False
    query = (
        select(OnboardingCheck.id)
        .join(StaffMember, StaffMember.id == OnboardingCheck.staff_id)
        .where(condition)
        .limit(1)
    )
    return session.scalar(query) is not None


def renewal_note(completed_on: dt.date) -> str:
    """The evidence note of a check reopened to renew the completion of ``completed_on``; the
    onboarding import reads it to leave a check open for the renewal of the date it imports."""
    return f"Renewal of {completed_on.isoformat()}"


def renew_due_checks(
    session: Session, today: dt.date | None = None, *, only: Iterable[int] | None = None
) -> list[int]:
    """Reopens every completed check whose renewal date has come, due on that date (or today,
    for a renewal date further back than ``RENEWAL_DUE_DATE_REACHES_BACK``); returns their ids.

    The completion fields are cleared as in ``reopen`` (the audit trail keeps who completed it
    and when, since the entry records the old values) and the evidence note says which
    completion is being renewed, so the checklist shows it. Waived and not-applicable checks
    are never renewed, nor are the checks of people who have left, are archived or anonymised.
    ``only`` limits it to those check ids (the import renews the completions it records late).
    """
    today = today or dt.date.today()
    rules = load_rules(session)
    condition = _completed_between(rules, None, today)
    if condition is None:
        return []
    if only is not None:
        condition = and_(condition, OnboardingCheck.id.in_(list(only)))
    months_of = {rule.code: rule.renew_months for rule in rules.checks if rule.renew_months}
    checks = session.scalars(
        select(OnboardingCheck)
        .join(StaffMember, StaffMember.id == OnboardingCheck.staff_id)
        .where(condition)
        .order_by(OnboardingCheck.id)
        # Two opens at once on a server: the second waits for the first's row locks, then
        # PostgreSQL re-checks the condition and finds the checks open; nothing is reopened twice.
        .with_for_update(of=OnboardingCheck)
    ).all()
    for check in checks:
        completed_on = cast(dt.date, check.completed_on)  # the condition compares it
        renewal = renewal_date(completed_on, months_of[check.check_code])
        check.due_date = reopened_due_date(renewal, today)
        check.status = CheckStatus.OPEN
        # No login here: the note is free text, which pseudonymised exports keep as it is.
        check.evidence_note = renewal_note(completed_on)
        check.completed_by = None
        check.completed_on = None
        check.waiver_reason = None
    session.flush()
    return [check.id for check in checks]


@dataclass(frozen=True)
class RenewalForecast:
    """What saving edited rules would reopen at the next open (the rules editor asks first)."""

    #: Titles of the rules whose renewal period the edit adds or shortens.
    renewing_sooner: tuple[str, ...]
    #: Completed checks the next open would reopen under the edited rules.
    reopened: int


def renewal_forecast(
    session: Session, edited_text: str, today: dt.date | None = None
) -> RenewalForecast:
    """How many completed checks the next open reopens if the edited rules (TOML text) are
    saved, when they add or shorten a renewal period; nothing to tell otherwise. Invalid rules
    raise the ``ValidationError`` that saving them would."""
    edited = parse_onboarding_rules(parse_toml_text(edited_text, "Onboarding rules"), "edited")
    before = {rule.code: rule.renew_months for rule in load_rules(session).checks}
    sooner = tuple(
        rule.title
        for rule in edited.checks
        if rule.renew_months is not None
        and (before.get(rule.code) is None or rule.renew_months < cast(int, before[rule.code]))
    )
    condition = _completed_between(edited, None, today or dt.date.today())
    if not sooner or condition is None:
        return RenewalForecast(sooner, 0)
    count = session.scalar(
        select(func.count(OnboardingCheck.id))
        .join(StaffMember, StaffMember.id == OnboardingCheck.staff_id)
        .where(condition)
    )
    return RenewalForecast(sooner, count or 0)


@dataclass(frozen=True)
class UpcomingRenewal:
    """A completed check that falls due again soon (the reminders list it)."""

    check_id: int
    staff_id: int
    staff_name: str
    staff_number: str | None
    title: str
    completed_on: dt.date
    due_date: dt.date


def upcoming_renewals(
    session: Session, today: dt.date, until: dt.date, limit: int | None = None
) -> list[UpcomingRenewal]:
    """Completed checks whose renewal date falls from ``today`` to ``until`` (both included);
    those due today are normally reopened already, unless the database was opened read-only."""
    rules = load_rules(session)
    condition = _completed_between(rules, today - dt.timedelta(days=1), until)
    if condition is None:
        return []
    months_of = {rule.code: rule.renew_months for rule in rules.checks if rule.renew_months}
    query = (
        select(
            OnboardingCheck.id,
            OnboardingCheck.staff_id,
            StaffMember.full_name,
            StaffMember.staff_number,
            OnboardingCheck.title,
            OnboardingCheck.completed_on,
            OnboardingCheck.check_code,
        )
        .join(StaffMember, StaffMember.id == OnboardingCheck.staff_id)
        .where(condition)
        .order_by(OnboardingCheck.completed_on, OnboardingCheck.id)
    )
    if limit is not None:
        query = query.limit(limit)
    out = []
    for check_id, staff_id, name, number, title, completed, code in session.execute(query):
        completed_on = cast(dt.date, completed)  # never None here: the condition compares it
        due = renewal_date(completed_on, months_of[code])
        out.append(UpcomingRenewal(check_id, staff_id, name, number, title, completed_on, due))
    out.sort(key=lambda item: (item.due_date, item.check_id))
    return out


@dataclass(frozen=True)
class OverdueCheck:
    check_id: int
    staff_id: int
    staff_name: str
    department_id: int | None
    check_code: str
    title: str
    due_date: dt.date
    days_overdue: int


def overdue_checks(
    session: Session,
    today: dt.date | None = None,
    department_id: int | None = None,
    limit: int | None = None,
) -> list[OverdueCheck]:
    """Open checks past their due date of current staff (not archived, not anonymised, not left)."""
    today = today or dt.date.today()
    query = (
        select(
            OnboardingCheck.id,
            OnboardingCheck.staff_id,
            StaffMember.full_name,
            StaffMember.department_id,
            OnboardingCheck.check_code,
            OnboardingCheck.title,
            OnboardingCheck.due_date,
        )
        .join(StaffMember, StaffMember.id == OnboardingCheck.staff_id)
        .where(
            OnboardingCheck.status == CheckStatus.OPEN,
            OnboardingCheck.due_date < today,
            StaffMember.archived.is_(False),
            StaffMember.anonymised_at.is_(None),
            or_(StaffMember.end_date.is_(None), StaffMember.end_date >= today),
        )
        .order_by(OnboardingCheck.due_date, OnboardingCheck.id)
    )
    if department_id is not None:
        query = query.where(StaffMember.department_id == department_id)
    if limit is not None:
        query = query.limit(limit)
    out = []
    for row in session.execute(query):
        due = cast(dt.date, row[6])  # never None here: the query compares it with today
        out.append(OverdueCheck(row[0], row[1], row[2], row[3], row[4], row[5], due,
                                (today - due).days))  # fmt: skip
    return out


def checks_still_matter(today: dt.date) -> ColumnElement[bool]:
    """Whether a person's open checks are still to be done: not archived, not anonymised, not
    past their end date. The dashboard's figure, the onboarding register's due filters and the
    staff register's onboarding filter all use it, so the figure and the lists it opens agree."""
    return and_(
        StaffMember.archived.is_(False),
        StaffMember.anonymised_at.is_(None),
        or_(StaffMember.end_date.is_(None), StaffMember.end_date >= today),
    )


def overdue_count(session: Session, today: dt.date | None = None) -> int:
    """For the dashboard."""
    return _count_overdue(session, func.count(), today)


def overdue_people_count(session: Session, today: dt.date | None = None) -> int:
    """People with an overdue check: the dashboard tile counts checks but opens the staff list,
    so it says both ("827 checks · 669 people")."""
    return _count_overdue(session, func.count(OnboardingCheck.staff_id.distinct()), today)


def _count_overdue(session: Session, counted: Any, today: dt.date | None) -> int:
    today = today or dt.date.today()
    return (
        session.scalar(
            select(counted)
            .select_from(OnboardingCheck)
            .join(StaffMember, StaffMember.id == OnboardingCheck.staff_id)
            .where(
                OnboardingCheck.status == CheckStatus.OPEN,
                OnboardingCheck.due_date < today,
                checks_still_matter(today),
            )
        )
        or 0
    )


@dataclass(frozen=True)
class OnboardingSummary:
    """Per person: how many checks are open, overdue, and closed (done, waived or n/a)."""

    staff_id: int
    total: int
    open: int
    overdue: int


def summaries(
    session: Session, staff_ids: Iterable[int] | None = None, today: dt.date | None = None
) -> dict[int, OnboardingSummary]:
    today = today or dt.date.today()
    is_open = OnboardingCheck.status == CheckStatus.OPEN
    query = select(
        OnboardingCheck.staff_id,
        func.count(),
        func.sum(case((is_open, 1), else_=0)),
        func.sum(case((is_open & (OnboardingCheck.due_date < today), 1), else_=0)),
    ).group_by(OnboardingCheck.staff_id)
    if staff_ids is not None:
        query = query.where(OnboardingCheck.staff_id.in_(list(staff_ids)))
    return {
        row[0]: OnboardingSummary(row[0], row[1], row[2] or 0, row[3] or 0)
        for row in session.execute(query)
    }


# --- one check for many people at once -------------------------------------------------------

#: What the bulk close may do to a check, by the name of the single-check function it mirrors.
CLOSE_ACTIONS: dict[str, CheckStatus] = {
    "complete": CheckStatus.DONE,
    "waive": CheckStatus.WAIVED,
    "not_applicable": CheckStatus.NOT_APPLICABLE,
}


@dataclass(frozen=True)
class CloseChecksResult:
    """What closing one check for many people did (or, from a plan, would do)."""

    #: Open checks closed now.
    closed: int
    #: Checks already done, waived or not applicable: left as they were.
    already_closed: int
    #: Current people whose checklist has no such check.
    without_check: int
    #: People who have left, are archived or anonymised: left alone whatever their check says.
    former_staff: int
    #: The checks closed (empty in a plan's forecast).
    check_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class CheckChoice:
    """A check at least one of the selected current people has, and how many have it open."""

    code: str
    title: str
    open: int
    closed: int


@dataclass(frozen=True)
class ClosePlan:
    """The selected people as the bulk close sees them: the dialog's choices and summary."""

    staff_ids: tuple[int, ...]
    #: Selected people whose checks still matter (``checks_still_matter``).
    current: int
    former_staff: int
    choices: tuple[CheckChoice, ...]

    def outcome(self, check_code: str) -> CloseChecksResult:
        """What ``close_checks`` would report for ``check_code`` if nothing changes meanwhile."""
        choice = next((c for c in self.choices if c.code == check_code), None)
        open_, closed = (choice.open, choice.closed) if choice else (0, 0)
        return CloseChecksResult(open_, closed, self.current - open_ - closed, self.former_staff)


def _split_selection(
    session: Session, staff_ids: Iterable[int], today: dt.date
) -> tuple[list[int], list[int], list[int]]:
    """(all ids in order, current ids, former ids); an unknown id is refused, naming it."""
    ids = list(dict.fromkeys(int(i) for i in staff_ids))
    if not ids:
        raise ValidationError("Select at least one person")
    current: set[int] = set()
    known: set[int] = set()
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        for staff_id, matters in session.execute(
            select(StaffMember.id, checks_still_matter(today)).where(StaffMember.id.in_(chunk))
        ):
            known.add(staff_id)
            if matters:
                current.add(staff_id)
    for staff_id in ids:
        if staff_id not in known:
            raise NotFoundError(f"Staff member {staff_id} does not exist; nothing was changed")
    return ids, [i for i in ids if i in current], [i for i in ids if i not in current]


def _checks_with_code(
    session: Session, staff_ids: Sequence[int], check_code: str | None = None
) -> list[OnboardingCheck]:
    checks: list[OnboardingCheck] = []
    for start in range(0, len(staff_ids), 1000):
        query = select(OnboardingCheck).where(
            OnboardingCheck.staff_id.in_(staff_ids[start : start + 1000])
        )
        if check_code is not None:
            query = query.where(OnboardingCheck.check_code == check_code)
        checks.extend(session.scalars(query.order_by(OnboardingCheck.id)))
    return checks


def plan_close_checks(
    session: Session, staff_ids: Iterable[int], today: dt.date | None = None
) -> ClosePlan:
    """The checks the selected current people have, each with how many have it open or closed;
    the rules' title where the rule still exists (titles of older checks may differ)."""
    today = today or dt.date.today()
    ids, current, former = _split_selection(session, staff_ids, today)
    titles = {rule.code: rule.title for rule in load_rules(session).checks}
    counts: dict[str, list[int]] = {}
    for check in _checks_with_code(session, current):
        tally = counts.setdefault(check.check_code, [0, 0])
        tally[0 if check.status == CheckStatus.OPEN else 1] += 1
        titles.setdefault(check.check_code, check.title)
    choices = sorted(
        (CheckChoice(code, titles[code], tally[0], tally[1]) for code, tally in counts.items()),
        key=lambda choice: (choice.title.casefold(), choice.code),
    )
    return ClosePlan(tuple(ids), len(current), len(former), tuple(choices))


def close_checks(
    session: Session,
    staff_ids: Iterable[int],
    check_code: str,
    action: str,
    *,
    on: dt.date | None = None,
    note: str | None = None,
    by: str | None = None,
    today: dt.date | None = None,
) -> CloseChecksResult:
    """Closes one check (complete, waive or not applicable) for many people, after a group
    briefing or when moving off a spreadsheet, in the caller's transaction.

    Each open check goes through the single-check path, so it is recorded and audited exactly
    as a click in the checklist would. Checks already closed are left alone (a later date would
    overwrite the evidence of the first); people who have left, are archived or anonymised are
    skipped and counted, because their checks no longer count anywhere and a selection that
    includes them is most likely a slip. A refusal (future date, waiver without a reason, an
    unknown person or a check nobody selected has) raises before anything is written.
    """
    today = today or dt.date.today()
    status = CLOSE_ACTIONS.get(action)
    if status is None:
        raise ValidationError(
            f"Unknown action {action!r}; use one of {', '.join(CLOSE_ACTIONS)}", field="action"
        )
    on = on or today
    if on > today:
        raise ValidationError("The date cannot be in the future", field="completed_on")
    # As in the checklist: a waiver's note is its reason, any other action's note its evidence.
    waiving = status == CheckStatus.WAIVED
    reason, evidence = (_clean(note), None) if waiving else (None, note)
    if waiving and reason is None:
        raise ValidationError("A waiver needs a reason", field="waiver_reason")
    ids, current, former = _split_selection(session, staff_ids, today)
    checks = _checks_with_code(session, ids, check_code)
    if not checks:
        raise ValidationError(
            f"None of the selected people has the check {check_code!r}; nothing was changed",
            field="check_code",
        )
    current_set = set(current)
    mine = [check for check in checks if check.staff_id in current_set]
    to_close = [check.id for check in mine if check.status == CheckStatus.OPEN]
    for check_id in to_close:
        _close(session, check_id, status, by, on, evidence, reason)
    return CloseChecksResult(
        closed=len(to_close),
        already_closed=len(mine) - len(to_close),
        without_check=len(current) - len(mine),
        former_staff=len(former),
        check_ids=tuple(to_close),
    )
