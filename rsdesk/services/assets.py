"""Sensitive assets: the register, their safeguards and their access lists.

What is protected (labs, facilities, equipment, data sets, software, know-how) has a sensitivity
level (``resources/rules/sensitivity_levels.toml``). The safeguard catalogue
(``resources/rules/safeguards.toml``) says which safeguards each level expects; an asset shows the
expected ones that are missing (not recorded, or only planned).

Edges, stated once:

- A safeguard's verification falls due ``verification_months`` after it was last verified (calendar
  months, clamped to the month end as in training). It is *overdue* from the day after the due date;
  on the due date itself it still counts. A planned safeguard is never overdue; one in place that was
  never verified is overdue (safeguards decay unless checked).
- An access grant is *active* on ``today`` when ``since <= today`` and (``until`` is empty or
  ``today <= until``). An active grant is flagged when the person lacks a current completion of a
  course the asset's level requires (``required_courses``). Current means the completion has not
  expired on ``today`` (the training register's rule: the expiry day itself still counts).
- Offboarding removes access on the holder's last day (``StaffMember.end_date``, which still
  counts). An active grant whose holder's last day is before ``today`` is flagged as *held after
  leaving*; nothing ends it silently, the office ends it. Access cannot be granted to start after
  the holder's last day, nor (for someone who has already left) to run past it.
- A person holds at most one grant of an asset at a time: grants of the same person and asset
  may not overlap.

Nothing here reads a person's nationality or origin: access depends on the briefing, never on who
the person is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from rsdesk.db.text_folding import fold_accents
from rsdesk.models import (
    AccessGrant,
    AssetSafeguard,
    AssetTechnology,
    Collaboration,
    CollaborationAsset,
    Department,
    DualUseCategory,
    SensitiveAsset,
    StaffMember,
    TechnologyArea,
    TrainingCourse,
)
from rsdesk.models.enums import AssetKind, SafeguardStatus
from rsdesk.services.concurrency import claim_version
from rsdesk.services.errors import KnownError, NotFoundError, ValidationError
from rsdesk.services.training import NEVER, add_months, latest_expiries

LEVELS_SETTING = "rules.sensitivity_levels"
SAFEGUARDS_SETTING = "rules.safeguards"
CATEGORIES = ("physical", "digital", "organisational")
STATUS_LABELS = {
    SafeguardStatus.PLANNED: "Planned",
    SafeguardStatus.IN_PLACE: "In place",
    SafeguardStatus.VERIFIED: "Verified",
}
KIND_LABELS = {
    AssetKind.LAB: "Lab",
    AssetKind.FACILITY: "Facility",
    AssetKind.EQUIPMENT: "Equipment",
    AssetKind.DATASET: "Data set",
    AssetKind.SOFTWARE: "Software or code",
    AssetKind.KNOW_HOW: "Unpublished know-how",
}


# --- the rules: levels and the safeguard catalogue ------------------------------------------


@dataclass(frozen=True)
class Level:
    code: str
    name: str
    rank: int
    description: str
    required_courses: tuple[str, ...]
    sensitive: bool


@dataclass(frozen=True)
class SafeguardRule:
    code: str
    category: str
    text: str
    verification_months: int
    levels: frozenset[str]
    months_by_level: Mapping[str, int] = field(default_factory=dict)

    def period_for(self, level: str) -> int:
        return self.months_by_level.get(level, self.verification_months)


@dataclass(frozen=True)
class AssetRules:
    levels: tuple[Level, ...]
    safeguards: tuple[SafeguardRule, ...]

    def level(self, code: str) -> Level:
        for level in self.levels:
            if level.code == code:
                return level
        known = ", ".join(level.code for level in self.levels)
        raise ValidationError(
            f"Unknown sensitivity level {code!r}; use one of {known}", field="sensitivity_level"
        )

    def safeguard(self, code: str) -> SafeguardRule:
        for rule in self.safeguards:
            if rule.code == code:
                return rule
        raise ValidationError(f"{code!r} is not in the safeguard catalogue", field="safeguard_code")

    def expected(self, level: str) -> list[SafeguardRule]:
        """The catalogue's safeguards expected for ``level``, in catalogue order."""
        return [rule for rule in self.safeguards if level in rule.levels]


def _text(item: Mapping[str, Any], key: str, where: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise KnownError(f"{where}: '{key}' must be a non-empty text")
    return value.strip()


def _months(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise KnownError(f"{where}: a verification period must be a whole number of months above 0")
    return value


def parse_rules(levels_doc: Mapping[str, Any], safeguards_doc: Mapping[str, Any]) -> AssetRules:
    """Validated rules from the two TOML documents; KnownError naming the entry."""
    levels: list[Level] = []
    for number, item in enumerate(levels_doc.get("level") or [], start=1):
        where = f"Sensitivity level {number}"
        code = _text(item, "code", where)
        courses = item.get("required_courses", [])
        if not isinstance(courses, list) or not all(isinstance(c, str) for c in courses):
            raise KnownError(
                f"Sensitivity level {code}: 'required_courses' must be a list of codes"
            )
        levels.append(
            Level(
                code=code,
                name=_text(item, "name", where),
                rank=int(item.get("rank", number)),
                description=str(item.get("description", "")).strip(),
                required_courses=tuple(courses),
                sensitive=bool(item.get("sensitive", False)),
            )
        )
    if not levels:
        raise KnownError("The sensitivity levels define no level")
    codes = [level.code for level in levels]
    if len(set(codes)) != len(codes):
        raise KnownError("Sensitivity levels: a code is used twice")
    rules: list[SafeguardRule] = []
    for number, item in enumerate(safeguards_doc.get("safeguard") or [], start=1):
        where = f"Safeguard {number}"
        code = _text(item, "code", where)
        where = f"Safeguard {code}"
        category = _text(item, "category", where)
        if category not in CATEGORIES:
            raise KnownError(f"{where}: category must be one of {', '.join(CATEGORIES)}")
        expected = item.get("levels", [])
        unknown = [level for level in expected if level not in codes]
        if unknown:
            raise KnownError(f"{where}: unknown sensitivity level {unknown[0]!r}")
        by_level = dict(item.get("verification_months_by_level") or {})
        for level, months in by_level.items():
            if level not in codes:
                raise KnownError(f"{where}: unknown sensitivity level {level!r}")
            _months(months, where)
        rules.append(
            SafeguardRule(
                code=code,
                category=category,
                text=_text(item, "text", where),
                verification_months=_months(item.get("verification_months", 12), where),
                levels=frozenset(expected),
                months_by_level=by_level,
            )
        )
    if len({rule.code for rule in rules}) != len(rules):
        raise KnownError("Safeguard catalogue: a code is used twice")
    return AssetRules(tuple(sorted(levels, key=lambda level: level.rank)), tuple(rules))


def _stored(session: Session, key: str) -> dict[str, Any] | None:
    from rsdesk.models import Setting

    value = session.scalar(select(Setting.value).where(Setting.key == key))
    return dict(value) if isinstance(value, dict) else None


def load_rules(session: Session | None = None) -> AssetRules:
    """The institution's edited copies (``setting`` table) where stored, else the shipped files."""
    from rsdesk.resources import load_toml

    levels = _stored(session, LEVELS_SETTING) if session is not None else None
    safeguards = _stored(session, SAFEGUARDS_SETTING) if session is not None else None
    return parse_rules(
        levels or load_toml("rules", "sensitivity_levels.toml"),
        safeguards or load_toml("rules", "safeguards.toml"),
    )


# --- assets ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssetInput:
    name: str
    kind: str
    sensitivity_level: str
    owner_staff_id: int | None = None
    department_id: int | None = None
    technology_areas: tuple[str, ...] = ()
    dual_use_code: str | None = None
    export_licence_possible: bool = False
    location: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class AssetInfo:
    id: int
    name: str
    kind: AssetKind
    sensitivity_level: str
    level_name: str
    owner_staff_id: int | None
    owner_name: str | None
    department_id: int | None
    department: str | None
    technology_areas: tuple[str, ...]
    dual_use_code: str | None
    export_licence_possible: bool
    location: str | None
    description: str | None
    archived: bool
    #: What the editor hands back on save, so that a change made meanwhile is not overwritten.
    row_version: int = 1


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def _validate(session: Session, data: AssetInput, rules: AssetRules) -> dict[str, Any]:
    name = (data.name or "").strip()
    if not name:
        raise ValidationError("Enter the asset's name", field="name")
    if len(name) > 300:
        raise ValidationError("The name is longer than 300 characters", field="name")
    try:
        kind = AssetKind(data.kind)
    except ValueError:
        known = ", ".join(k.value for k in AssetKind)
        raise ValidationError(
            f"Unknown asset kind {data.kind!r}; use one of {known}", field="kind"
        ) from None
    level = rules.level(data.sensitivity_level)
    if data.owner_staff_id is not None and session.get(StaffMember, data.owner_staff_id) is None:
        raise ValidationError("The owner is not a known staff member", field="owner_staff_id")
    if data.department_id is not None and session.get(Department, data.department_id) is None:
        raise ValidationError("The department does not exist", field="department_id")
    dual_use = _clean(data.dual_use_code)
    if dual_use is not None and session.get(DualUseCategory, dual_use) is None:
        raise ValidationError(f"Unknown dual-use category {dual_use!r}", field="dual_use_code")
    for code in data.technology_areas:
        if session.get(TechnologyArea, code) is None:
            raise ValidationError(f"Unknown technology area {code!r}", field="technology_areas")
    return {
        "name": name,
        "kind": kind,
        "sensitivity_level": level.code,
        "owner_staff_id": data.owner_staff_id,
        "department_id": data.department_id,
        "dual_use_code": dual_use,
        "export_licence_possible": bool(data.export_licence_possible),
        "location": _clean(data.location),
        "description": _clean(data.description),
    }


def _name_key(name: str) -> str:
    """The name as the office reads it: case, accents and spacing do not make another asset."""
    return " ".join((fold_accents(name) or "").split())


def _refuse_duplicate_name(session: Session, name: str, asset_id: int | None) -> None:
    """Two current assets of one name would split one lab's safeguards and access between them."""
    key = _name_key(name)
    query = select(SensitiveAsset.name).where(SensitiveAsset.archived.is_(False))
    if asset_id is not None:
        query = query.where(SensitiveAsset.id != asset_id)
    for other in session.scalars(query):
        if _name_key(other) == key:
            raise ValidationError(
                f"An asset named {other!r} is already in the register: open it instead, or "
                "give this one a name that tells them apart",
                field="name",
            )


def _asset(session: Session, asset_id: int) -> SensitiveAsset:
    asset = session.get(SensitiveAsset, asset_id)
    if asset is None:
        raise NotFoundError(f"There is no asset with id {asset_id}")
    return asset


def _set_areas(session: Session, asset_id: int, codes: Iterable[str]) -> None:
    wanted = list(dict.fromkeys(codes))
    existing = {
        row.area_code: row
        for row in session.scalars(
            select(AssetTechnology).where(AssetTechnology.asset_id == asset_id)
        )
    }
    for code, row in existing.items():
        if code not in wanted:
            session.delete(row)
    for code in wanted:
        if code not in existing:
            session.add(AssetTechnology(asset_id=asset_id, area_code=code))


def get_asset(session: Session, asset_id: int) -> AssetInfo:
    asset = _asset(session, asset_id)
    rules = load_rules(session)
    try:
        level_name = rules.level(asset.sensitivity_level).name
    except ValidationError:
        level_name = asset.sensitivity_level
    owner = session.get(StaffMember, asset.owner_staff_id) if asset.owner_staff_id else None
    department = session.get(Department, asset.department_id) if asset.department_id else None
    areas = session.scalars(
        select(AssetTechnology.area_code)
        .where(AssetTechnology.asset_id == asset.id)
        .order_by(AssetTechnology.area_code)
    ).all()
    return AssetInfo(
        id=asset.id,
        name=asset.name,
        kind=asset.kind,
        sensitivity_level=asset.sensitivity_level,
        level_name=level_name,
        owner_staff_id=asset.owner_staff_id,
        owner_name=owner.full_name if owner else None,
        department_id=asset.department_id,
        department=department.name if department else None,
        technology_areas=tuple(areas),
        dual_use_code=asset.dual_use_code,
        export_licence_possible=asset.export_licence_possible,
        location=asset.location,
        description=asset.description,
        archived=asset.archived,
        row_version=asset.row_version,
    )


def create_asset(session: Session, data: AssetInput) -> AssetInfo:
    values = _validate(session, data, load_rules(session))
    _refuse_duplicate_name(session, values["name"], None)
    asset = SensitiveAsset(**values)
    session.add(asset)
    session.flush()
    _set_areas(session, asset.id, data.technology_areas)
    session.flush()
    return get_asset(session, asset.id)


def update_asset(
    session: Session, asset_id: int, data: AssetInput, *, seen_version: int | None = None
) -> AssetInfo:
    """Save the asset's fields and technology areas.

    ``seen_version`` is the ``row_version`` the editor loaded: a save made meanwhile in another
    session is not overwritten (ConflictError).
    """
    claim_version(session, SensitiveAsset, asset_id, seen_version, "asset")
    asset = _asset(session, asset_id)
    values = _validate(session, data, load_rules(session))
    if _name_key(values["name"]) != _name_key(asset.name):
        _refuse_duplicate_name(session, values["name"], asset.id)
    for key, value in values.items():
        if getattr(asset, key) != value:
            setattr(asset, key, value)
    _set_areas(session, asset.id, data.technology_areas)
    session.flush()
    return get_asset(session, asset.id)


def archive_asset(session: Session, asset_id: int, archived: bool = True) -> AssetInfo:
    """Archive (or with ``archived=False`` restore) an asset; its history stays.

    Restoring is refused while another current asset has the same name (see ``create_asset``).
    """
    asset = _asset(session, asset_id)
    if not archived and asset.archived:
        _refuse_duplicate_name(session, asset.name, asset.id)
    asset.archived = archived
    session.flush()
    return get_asset(session, asset_id)


# --- safeguards -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SafeguardState:
    """One catalogue safeguard as it stands for an asset (recorded or only expected)."""

    code: str
    category: str
    text: str
    expected: bool
    #: None when it is not recorded for the asset.
    status: SafeguardStatus | None
    last_verified_on: dt.date | None
    verification_months: int
    due_on: dt.date | None
    overdue: bool
    evidence: str | None
    id: int | None

    @property
    def missing(self) -> bool:
        """Expected for the level but not in place (not recorded, or only planned)."""
        return self.expected and self.status in (None, SafeguardStatus.PLANNED)


def verification_due(last_verified_on: dt.date | None, months: int) -> dt.date | None:
    return add_months(last_verified_on, months) if last_verified_on is not None else None


def is_overdue(
    status: SafeguardStatus | None, last_verified_on: dt.date | None, months: int, today: dt.date
) -> bool:
    """See the module docstring: the due date itself still counts; never verified is overdue."""
    if status in (None, SafeguardStatus.PLANNED):
        return False
    due = verification_due(last_verified_on, months)
    return due is None or today > due


def set_safeguard(
    session: Session,
    asset_id: int,
    code: str,
    status: str | SafeguardStatus,
    *,
    last_verified_on: dt.date | None = None,
    evidence: str | None = None,
    verification_months: int | None = None,
    today: dt.date | None = None,
) -> SafeguardState:
    """Record (or update) one catalogue safeguard of an asset."""
    today = today or dt.date.today()
    asset = _asset(session, asset_id)
    rules = load_rules(session)
    rule = rules.safeguard(code)
    try:
        state = SafeguardStatus(status)
    except ValueError:
        known = ", ".join(s.value for s in SafeguardStatus)
        raise ValidationError(
            f"Unknown status {status!r}; use one of {known}", field="status"
        ) from None
    if last_verified_on is not None and last_verified_on > today:
        raise ValidationError(
            "The verification date cannot be in the future", field="last_verified_on"
        )
    if state == SafeguardStatus.VERIFIED and last_verified_on is None:
        raise ValidationError(
            "A verified safeguard needs the date it was verified", field="last_verified_on"
        )
    if verification_months is not None and verification_months <= 0:
        raise ValidationError(
            "The verification period must be at least one month", field="verification_months"
        )
    row = session.scalar(
        select(AssetSafeguard).where(
            AssetSafeguard.asset_id == asset.id, AssetSafeguard.safeguard_code == rule.code
        )
    )
    if row is None:
        row = AssetSafeguard(asset_id=asset.id, safeguard_code=rule.code)
        session.add(row)
    values = {
        "status": state,
        "last_verified_on": last_verified_on,
        "evidence": _clean(evidence),
        "verification_months": verification_months,
    }
    for key, value in values.items():
        if getattr(row, key, None) != value:
            setattr(row, key, value)
    session.flush()
    return next(s for s in safeguards(session, asset.id, today) if s.code == rule.code)


def remove_safeguard(session: Session, asset_id: int, code: str) -> None:
    row = session.scalar(
        select(AssetSafeguard).where(
            AssetSafeguard.asset_id == asset_id, AssetSafeguard.safeguard_code == code
        )
    )
    if row is None:
        raise NotFoundError(f"Safeguard {code!r} is not recorded for asset {asset_id}")
    session.delete(row)
    session.flush()


def _state(
    rule: SafeguardRule | None,
    code: str,
    level: str,
    row: AssetSafeguard | None,
    today: dt.date,
) -> SafeguardState:
    default = rule.period_for(level) if rule else 12
    months = (row.verification_months if row and row.verification_months else None) or default
    status = row.status if row else None
    last = row.last_verified_on if row else None
    return SafeguardState(
        code=code,
        category=rule.category if rule else "other",
        text=rule.text if rule else code,
        expected=bool(rule and level in rule.levels),
        status=status,
        last_verified_on=last,
        verification_months=months,
        due_on=verification_due(last, months),
        overdue=is_overdue(status, last, months, today),
        evidence=row.evidence if row else None,
        id=row.id if row else None,
    )


def safeguards(
    session: Session, asset_id: int, today: dt.date | None = None
) -> list[SafeguardState]:
    """Every recorded safeguard of the asset, plus the expected ones not recorded, catalogue order."""
    today = today or dt.date.today()
    asset = _asset(session, asset_id)
    rules = load_rules(session)
    rows = {
        row.safeguard_code: row
        for row in session.scalars(
            select(AssetSafeguard).where(AssetSafeguard.asset_id == asset.id)
        )
    }
    out = []
    for rule in rules.safeguards:
        if rule.code in rows or asset.sensitivity_level in rule.levels:
            out.append(_state(rule, rule.code, asset.sensitivity_level, rows.get(rule.code), today))
    known = {rule.code for rule in rules.safeguards}
    for code in sorted(set(rows) - known):  # a code dropped from an edited catalogue
        out.append(_state(None, code, asset.sensitivity_level, rows[code], today))
    return out


def missing_safeguards(session: Session, asset_id: int) -> list[SafeguardState]:
    return [s for s in safeguards(session, asset_id) if s.missing]


# --- access ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccessInfo:
    id: int
    asset_id: int
    staff_id: int
    staff_name: str
    since: dt.date
    until: dt.date | None
    reason: str
    active: bool
    #: Names of the required courses the person does not hold current (empty: all current).
    lacking: tuple[str, ...]
    #: The holder's last day of employment, when the staff register knows it.
    holder_end_date: dt.date | None = None
    #: That last day is before the list's ``today``: the person has left.
    holder_left: bool = False

    @property
    def briefing_current(self) -> bool:
        return not self.lacking

    @property
    def needs_briefing(self) -> bool:
        """Active access whose holder lacks a current required course."""
        return self.active and bool(self.lacking)

    @property
    def held_after_leaving(self) -> bool:
        """Active access of someone who has left: offboarding should have ended it."""
        return self.active and self.holder_left

    @property
    def flagged(self) -> bool:
        return self.needs_briefing or self.held_after_leaving


def is_active(since: dt.date, until: dt.date | None, today: dt.date) -> bool:
    return since <= today and (until is None or today <= until)


def has_left(end_date: dt.date | None, today: dt.date) -> bool:
    """The last day of employment counts: a person has left from the day after it."""
    return end_date is not None and end_date < today


def grant_access(
    session: Session,
    asset_id: int,
    staff_id: int,
    since: dt.date,
    reason: str,
    until: dt.date | None = None,
    *,
    today: dt.date | None = None,
) -> AccessInfo:
    """Record access for a reason and a period; refused when it would outlast the holder's
    employment or overlap a grant the person already holds on this asset."""
    today = today or dt.date.today()
    asset = _asset(session, asset_id)
    if asset.archived:
        raise ValidationError(f"{asset.name} is archived; restore it before granting access")
    person = session.get(StaffMember, staff_id)
    if person is None:
        raise ValidationError("The person is not a known staff member", field="staff_id")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give the reason for access (need to know)", field="reason")
    if until is not None and until < since:
        raise ValidationError("Access cannot end before it starts", field="until")
    last_day = person.end_date
    if last_day is not None and since > last_day:
        raise ValidationError(
            f"{person.full_name}'s employment ended on {last_day.isoformat()}: "
            "access cannot start after the last day",
            field="since",
        )
    if last_day is not None and last_day < today and (until is None or until > last_day):
        raise ValidationError(
            f"{person.full_name} left on {last_day.isoformat()}: access ends on the last day "
            f"at the latest (set Until to {last_day.isoformat()} or earlier)",
            field="until",
        )
    overlapping = session.scalar(
        select(AccessGrant)
        .where(
            AccessGrant.asset_id == asset.id,
            AccessGrant.staff_id == staff_id,
            or_(AccessGrant.until.is_(None), AccessGrant.until >= since),
            *([AccessGrant.since <= until] if until is not None else []),
        )
        .order_by(AccessGrant.since)
        .limit(1)
    )
    if overlapping is not None:
        period = f"since {overlapping.since.isoformat()}"
        if overlapping.until is not None:
            period += f" until {overlapping.until.isoformat()}"
        raise ValidationError(
            f"{person.full_name} already has access to {asset.name} {period}: "
            "change or end that grant instead",
            field="staff_id",
        )
    grant = AccessGrant(
        asset_id=asset.id, staff_id=staff_id, since=since, until=until, reason=reason
    )
    session.add(grant)
    session.flush()
    return next(a for a in access_list(session, asset.id, today) if a.id == grant.id)


@dataclass(frozen=True)
class AccessCandidate:
    """A person the access picker offers, with the last day of employment when known."""

    staff_id: int
    name: str
    end_date: dt.date | None
    left: bool


def access_candidates(session: Session, today: dt.date | None = None) -> list[AccessCandidate]:
    """Current (not archived, not anonymised) staff by name; leavers marked, not dropped, so
    that access of the past can still be recorded."""
    today = today or dt.date.today()
    rows = session.execute(
        select(StaffMember.id, StaffMember.full_name, StaffMember.end_date)
        .where(StaffMember.archived.is_(False), StaffMember.anonymised_at.is_(None))
        .order_by(StaffMember.full_name, StaffMember.id)
    ).all()
    return [
        AccessCandidate(staff_id, name, end_date, has_left(end_date, today))
        for staff_id, name, end_date in rows
    ]


def end_access(session: Session, grant_id: int, until: dt.date) -> None:
    grant = session.get(AccessGrant, grant_id)
    if grant is None:
        raise NotFoundError(f"There is no access grant with id {grant_id}")
    if until < grant.since:
        raise ValidationError("Access cannot end before it starts", field="until")
    grant.until = until
    session.flush()


def _lacking(
    session: Session,
    pairs: Sequence[tuple[int, str]],
    rules: AssetRules,
    today: dt.date,
) -> dict[tuple[int, str], tuple[str, ...]]:
    """(staff id, level) -> names of required courses not current for that person."""
    staff_ids = sorted({staff for staff, _ in pairs})
    if not staff_ids:
        return {}
    courses = {
        code: (course_id, name)
        for code, course_id, name in session.execute(
            select(TrainingCourse.code, TrainingCourse.id, TrainingCourse.name)
        )
    }
    expiries = latest_expiries(session, staff_ids=staff_ids)
    out: dict[tuple[int, str], tuple[str, ...]] = {}
    for staff_id, level_code in set(pairs):
        try:
            required = rules.level(level_code).required_courses
        except ValidationError:
            required = ()
        lacking = []
        for code in required:
            course = courses.get(code)
            if course is None:  # course not in the training catalogue yet: nobody holds it
                lacking.append(code)
                continue
            expires = expiries.get((staff_id, course[0]))
            if expires is None or (expires < NEVER and today > expires):
                lacking.append(course[1])
        out[(staff_id, level_code)] = tuple(lacking)
    return out


def access_list(
    session: Session, asset_id: int, today: dt.date | None = None, *, include_ended: bool = True
) -> list[AccessInfo]:
    today = today or dt.date.today()
    asset = _asset(session, asset_id)
    rows = session.execute(
        select(AccessGrant, StaffMember.full_name, StaffMember.end_date)
        .join(StaffMember, StaffMember.id == AccessGrant.staff_id)
        .where(AccessGrant.asset_id == asset.id)
        .order_by(StaffMember.full_name, AccessGrant.since)
    ).all()
    lacking = _lacking(
        session,
        [(g.staff_id, asset.sensitivity_level) for g, _, _ in rows],
        load_rules(session),
        today,
    )
    out = []
    for grant, name, end_date in rows:
        active = is_active(grant.since, grant.until, today)
        if not include_ended and not active:
            continue
        out.append(
            AccessInfo(
                id=grant.id,
                asset_id=asset.id,
                staff_id=grant.staff_id,
                staff_name=name,
                since=grant.since,
                until=grant.until,
                reason=grant.reason,
                active=active,
                lacking=lacking[(grant.staff_id, asset.sensitivity_level)],
                holder_end_date=end_date,
                holder_left=has_left(end_date, today),
            )
        )
    return out


# --- collaborations -------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkedAsset:
    asset_id: int
    name: str
    sensitivity_level: str
    partner_access: bool


def link_collaboration(
    session: Session, collaboration_id: int, asset_id: int, *, partner_access: bool = False
) -> None:
    """The collaboration touches the asset (``partner_access``: the partner gets access to it)."""
    if session.get(Collaboration, collaboration_id) is None:
        raise NotFoundError(f"There is no collaboration with id {collaboration_id}")
    _asset(session, asset_id)
    row = session.scalar(
        select(CollaborationAsset).where(
            CollaborationAsset.collaboration_id == collaboration_id,
            CollaborationAsset.asset_id == asset_id,
        )
    )
    if row is None:
        session.add(
            CollaborationAsset(
                collaboration_id=collaboration_id, asset_id=asset_id, partner_access=partner_access
            )
        )
    elif row.partner_access != partner_access:
        row.partner_access = partner_access
    session.flush()


def unlink_collaboration(session: Session, collaboration_id: int, asset_id: int) -> None:
    row = session.scalar(
        select(CollaborationAsset).where(
            CollaborationAsset.collaboration_id == collaboration_id,
            CollaborationAsset.asset_id == asset_id,
        )
    )
    if row is not None:
        session.delete(row)
        session.flush()


def assets_of_collaboration(session: Session, collaboration_id: int) -> list[LinkedAsset]:
    rows = session.execute(
        select(
            SensitiveAsset.id,
            SensitiveAsset.name,
            SensitiveAsset.sensitivity_level,
            CollaborationAsset.partner_access,
        )
        .join(CollaborationAsset, CollaborationAsset.asset_id == SensitiveAsset.id)
        .where(CollaborationAsset.collaboration_id == collaboration_id)
        .order_by(SensitiveAsset.name)
    ).all()
    return [LinkedAsset(*row) for row in rows]


@dataclass(frozen=True)
class LinkedCollaboration:
    collaboration_id: int
    reference: str
    title: str
    partner_access: bool


def collaborations_of_asset(session: Session, asset_id: int) -> list[LinkedCollaboration]:
    rows = session.execute(
        select(
            Collaboration.id,
            Collaboration.reference,
            Collaboration.title,
            CollaborationAsset.partner_access,
        )
        .join(CollaborationAsset, CollaborationAsset.collaboration_id == Collaboration.id)
        .where(CollaborationAsset.asset_id == asset_id)
        .order_by(Collaboration.reference)
    ).all()
    return [LinkedCollaboration(*row) for row in rows]


def collaboration_choices(session: Session) -> list[tuple[int, str]]:
    """(id, "reference — title") of collaborations not archived, newest reference first."""
    rows = session.execute(
        select(Collaboration.id, Collaboration.reference, Collaboration.title)
        .where(Collaboration.archived.is_(False))
        .order_by(Collaboration.reference.desc())
    ).all()
    return [(row.id, f"{row.reference} \u2014 {row.title}") for row in rows]


# --- the whole register: flags and counts ---------------------------------------------------


@dataclass(frozen=True)
class AssetCounts:
    assets: int
    by_level: tuple[tuple[str, int], ...]
    #: Active access grants whose holder lacks a current required course.
    access_without_briefing: int
    #: Recorded safeguards (in place or verified) past their verification period.
    safeguards_overdue: int
    #: Recorded safeguards in place or verified, and those of them not overdue.
    safeguards_recorded: int
    safeguards_on_time: int
    #: Expected safeguards not in place, over all assets.
    safeguards_missing: int
    flagged_access_asset_ids: tuple[int, ...] = ()
    overdue_asset_ids: tuple[int, ...] = ()
    #: Distinct people behind ``access_without_briefing`` (one person may hold several grants).
    people_without_briefing: int = 0
    #: Active grants whose holder's last day has passed, the people holding them, and the assets.
    access_after_leaving: int = 0
    people_after_leaving: int = 0
    leaver_access_asset_ids: tuple[int, ...] = ()


def counts(session: Session, today: dt.date | None = None) -> AssetCounts:
    """Figures over the current (not archived) assets, for the dashboard and the annual report."""
    today = today or dt.date.today()
    rules = load_rules(session)
    assets = session.execute(
        select(SensitiveAsset.id, SensitiveAsset.sensitivity_level).where(
            SensitiveAsset.archived.is_(False)
        )
    ).all()
    level_of = dict(assets)
    per_level: dict[str, int] = {}
    for _, level in assets:
        per_level[level] = per_level.get(level, 0) + 1
    order = [level.code for level in rules.levels]
    by_level = tuple(
        sorted(per_level.items(), key=lambda item: order.index(item[0]) if item[0] in order else 99)
    )

    rows = session.execute(
        select(
            AssetSafeguard.asset_id,
            AssetSafeguard.safeguard_code,
            AssetSafeguard.status,
            AssetSafeguard.last_verified_on,
            AssetSafeguard.verification_months,
        )
    ).all()
    rule_by_code = {rule.code: rule for rule in rules.safeguards}
    recorded = overdue = 0
    overdue_assets: set[int] = set()
    in_place: dict[int, set[str]] = {}
    for asset_id, code, status, last, months in rows:
        if asset_id not in level_of or status == SafeguardStatus.PLANNED:
            continue
        in_place.setdefault(asset_id, set()).add(code)
        rule = rule_by_code.get(code)
        period = months or (rule.period_for(level_of[asset_id]) if rule else 12)
        recorded += 1
        if is_overdue(status, last, period, today):
            overdue += 1
            overdue_assets.add(asset_id)
    missing = sum(
        1
        for asset_id, level in assets
        for rule in rules.expected(level)
        if rule.code not in in_place.get(asset_id, set())
    )

    grants = session.execute(
        select(
            AccessGrant.asset_id,
            AccessGrant.staff_id,
            AccessGrant.since,
            AccessGrant.until,
            StaffMember.end_date,
        ).join(StaffMember, StaffMember.id == AccessGrant.staff_id)
    ).all()
    active = [
        (asset_id, staff_id, end_date)
        for asset_id, staff_id, since, until, end_date in grants
        if asset_id in level_of and is_active(since, until, today)
    ]
    lacking = _lacking(session, [(s, level_of[a]) for a, s, _ in active], rules, today)
    flagged = [(a, s) for a, s, _ in active if lacking[(s, level_of[a])]]
    leavers = [(a, s) for a, s, end_date in active if has_left(end_date, today)]
    return AssetCounts(
        assets=len(assets),
        by_level=by_level,
        access_without_briefing=len(flagged),
        safeguards_overdue=overdue,
        safeguards_recorded=recorded,
        safeguards_on_time=recorded - overdue,
        safeguards_missing=missing,
        flagged_access_asset_ids=tuple(sorted({a for a, _ in flagged})),
        overdue_asset_ids=tuple(sorted(overdue_assets)),
        people_without_briefing=len({s for _, s in flagged}),
        access_after_leaving=len(leavers),
        people_after_leaving=len({s for _, s in leavers}),
        leaver_access_asset_ids=tuple(sorted({a for a, _ in leavers})),
    )


def level_choices(session: Session) -> list[tuple[str, str]]:
    return [(level.code, level.name) for level in load_rules(session).levels]


__all__ = [
    "AccessInfo",
    "AssetCounts",
    "AssetInfo",
    "AssetInput",
    "AssetRules",
    "LinkedAsset",
    "SafeguardState",
    "access_list",
    "archive_asset",
    "assets_of_collaboration",
    "collaboration_choices",
    "collaborations_of_asset",
    "counts",
    "create_asset",
    "end_access",
    "get_asset",
    "grant_access",
    "has_left",
    "access_candidates",
    "is_overdue",
    "level_choices",
    "link_collaboration",
    "load_rules",
    "missing_safeguards",
    "remove_safeguard",
    "safeguards",
    "set_safeguard",
    "unlink_collaboration",
    "update_asset",
    "verification_due",
]
