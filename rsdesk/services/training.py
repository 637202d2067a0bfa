"""Training: the course catalogue, completions (one or many at once), expiry and status, the matrix.

**Expiry.** A completion on day D of a course refreshed every N months expires on the same day N
months later; when that month is shorter the expiry is its last day (31 January + 1 month is
28 or 29 February; 29 February + 12 months is 28 February). The expiry date is the *last day the
training counts*.

**Status** of a person for a required course, from their latest-expiring completion, on ``today``:

=============  ============================================================================
``current``    expiry more than 30 days ahead, or the course never expires
``expiring``   ``expires_on - 30 days <= today <= expires_on``: the day before expiry *and the
               day of expiry itself* are ``expiring`` (still valid that day); 31 days ahead is
               still ``current``, 30 days ahead is the first ``expiring`` day
``expired``    ``today > expires_on``: the day after expiry is the first ``expired`` day
``missing``    no completion at all
=============  ============================================================================

Who must take which course is data (``resources/rules/training.toml``; the institution's edited
copy in the ``setting`` table under ``rules.training``), decided by role and research
sensitivity only, exactly like the onboarding rules.

The matrix and the compliance figures are computed from one aggregate query (latest expiry per
person and course) plus one query for the people, so that thousands of staff load at once.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import Table, func, insert, literal, or_, select
from sqlalchemy.orm import Session

from rsdesk.db import auditlog
from rsdesk.db.text_folding import fold_accents
from rsdesk.models import (
    Department,
    StaffMember,
    TechnologyArea,
    TrainingCourse,
    TrainingRecord,
)
from rsdesk.resources import load_toml
from rsdesk.services.errors import NotFoundError, ValidationError
from rsdesk.services.onboarding import (
    Audience,
    Profile,
    parse_audience,
    parse_toml_text,
    profile_of,
    save_setting_document,
)

#: Setting key of the institution's edited training catalogue (JSON copy of the TOML document).
CATALOGUE_SETTING = "rules.training"
#: Days before expiry from which a completion counts as "expiring".
EXPIRING_DAYS = 30
NEVER = dt.date(9999, 12, 31)
RECORD_TABLE = cast(Table, TrainingRecord.__table__)


class TrainingStatus(StrEnum):
    CURRENT = "current"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    MISSING = "missing"


#: Status -> (background, text colour), hex RGB: the matrix view and the workbook use the same.
STATUS_COLOURS = {
    TrainingStatus.CURRENT: ("C6EFCE", "006100"),
    TrainingStatus.EXPIRING: ("FFEB9C", "9C5700"),
    TrainingStatus.EXPIRED: ("FFC7CE", "9C0006"),
    TrainingStatus.MISSING: ("D9D9D9", "3A3A3A"),
}
STATUS_LABELS = {
    TrainingStatus.CURRENT: "Current",
    TrainingStatus.EXPIRING: "Expiring",
    TrainingStatus.EXPIRED: "Expired",
    TrainingStatus.MISSING: "Missing",
}


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months, clamped to the last day of a shorter month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def expiry(completed_on: dt.date, refresh_months: int | None) -> dt.date | None:
    """The last day a completion counts; None when the course never expires."""
    if refresh_months is None:
        return None
    return add_months(completed_on, refresh_months)


def status_on(
    expires_on: dt.date | None, today: dt.date, has_record: bool = True
) -> TrainingStatus:
    """The status of a completion expiring on ``expires_on`` (see the module docstring)."""
    if not has_record:
        return TrainingStatus.MISSING
    if expires_on is None or expires_on >= NEVER:
        return TrainingStatus.CURRENT
    if today > expires_on:
        return TrainingStatus.EXPIRED
    if (expires_on - today).days <= EXPIRING_DAYS:
        return TrainingStatus.EXPIRING
    return TrainingStatus.CURRENT


# --- the catalogue --------------------------------------------------------------------------


@dataclass(frozen=True)
class CourseRule:
    code: str
    name: str
    provider: str | None
    refresh_months: int | None
    description: str | None
    audience: Audience


@dataclass(frozen=True)
class Catalogue:
    version: str
    courses: tuple[CourseRule, ...]
    source: str = "shipped"


def parse_catalogue(document: Mapping[str, Any], source: str = "shipped") -> Catalogue:
    items = document.get("course")
    if not isinstance(items, list) or not items:
        raise ValidationError("Training catalogue: at least one [[course]] is required")
    allowed = {"code", "name", "provider", "refresh_months", "description", "audience"}
    courses = []
    seen: set[str] = set()
    for number, item in enumerate(items, start=1):
        where = f"Training course {number}"
        if not isinstance(item, Mapping):
            raise ValidationError(f"{where}: must be a table")
        unknown = sorted(set(item) - allowed)
        if unknown:
            raise ValidationError(f"{where}: unknown key {unknown[0]!r}")
        code = item.get("code")
        if not isinstance(code, str) or not code.strip():
            raise ValidationError(f"{where}: 'code' is required text")
        code = code.strip()
        where = f"Training course {number} ({code})"
        if code in seen:
            raise ValidationError(f"{where}: the code is used twice")
        seen.add(code)
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ValidationError(f"{where}: 'name' is required text")
        refresh = item.get("refresh_months")
        if refresh is not None and (
            not isinstance(refresh, int) or isinstance(refresh, bool) or not 1 <= refresh <= 240
        ):
            raise ValidationError(f"{where}: 'refresh_months' must be a whole number from 1 to 240")
        for key in ("provider", "description"):
            if item.get(key) is not None and not isinstance(item[key], str):
                raise ValidationError(f"{where}: '{key}' must be text")
        courses.append(
            CourseRule(
                code,
                name.strip(),
                (item.get("provider") or "").strip() or None,
                refresh,
                (item.get("description") or "").strip() or None,
                parse_audience(item.get("audience"), f"{where} audience"),
            )
        )
    return Catalogue(str(document.get("version", "")), tuple(courses), source)


def load_catalogue(session: Session) -> Catalogue:
    from rsdesk.models import Setting

    stored = session.scalar(select(Setting.value).where(Setting.key == CATALOGUE_SETTING))
    if stored:
        return parse_catalogue(stored, source="edited")
    return parse_catalogue(load_toml("rules", "training.toml"))


def shipped_catalogue_text() -> str:
    from rsdesk.resources import resource_path

    return resource_path("rules", "training.toml").read_text(encoding="utf-8")


def save_catalogue_text(session: Session, text: str) -> Catalogue:
    """Validates an edited catalogue, stores it and synchronises the course rows."""
    document = parse_toml_text(text, "Training catalogue")
    catalogue = parse_catalogue(document, source="edited")
    save_setting_document(session, CATALOGUE_SETTING, {**document, "source_text": text})
    sync_courses(session, catalogue)
    return catalogue


def reset_catalogue(session: Session) -> None:
    save_setting_document(session, CATALOGUE_SETTING, None)
    sync_courses(session)


def _course_values(rule: CourseRule) -> dict[str, Any]:
    return {
        "name": rule.name,
        "provider": rule.provider,
        "refresh_months": rule.refresh_months,
        "description": rule.description,
        "audience": rule.audience.as_dict(),
        "archived": False,
    }


def courses_follow_catalogue(session: Session) -> bool:
    """Whether the course rows already match the catalogue (the office's edited one, else the
    shipped one); opening a database syncs only when they do not, so a usual open writes nothing.
    """
    catalogue = load_catalogue(session)
    existing = {course.code: course for course in session.scalars(select(TrainingCourse))}
    for rule in catalogue.courses:
        course = existing.pop(rule.code, None)
        if course is None or any(
            getattr(course, name) != value for name, value in _course_values(rule).items()
        ):
            return False
    return all(course.archived for course in existing.values())


def sync_courses(session: Session, catalogue: Catalogue | None = None) -> int:
    """Makes the TrainingCourse rows match the catalogue; returns how many rows changed.

    ``open_database`` calls it whenever the rows differ (a new database, a release with a changed
    catalogue), so everything that reads courses finds them; saving an edited catalogue calls it
    too. Courses dropped from the catalogue are archived (their records stay). Rows already equal
    are not touched, so calling it again writes nothing (and no audit entries).
    """
    catalogue = catalogue or load_catalogue(session)
    existing = {course.code: course for course in session.scalars(select(TrainingCourse))}
    changed = 0
    for rule in catalogue.courses:
        values = _course_values(rule)
        course = existing.pop(rule.code, None)
        if course is None:
            session.add(TrainingCourse(code=rule.code, **values))
            changed += 1
            continue
        dirty = False
        for name, value in values.items():
            if getattr(course, name) != value:
                setattr(course, name, value)
                dirty = True
        changed += dirty
    for course in existing.values():
        if not course.archived:
            course.archived = True
            changed += 1
    session.flush()
    return changed


@dataclass(frozen=True)
class CourseInfo:
    id: int
    code: str
    name: str
    provider: str | None
    refresh_months: int | None
    audience: Audience
    archived: bool

    def required_for(self, profile: Profile) -> bool:
        return not self.archived and self.audience.matches(profile)


def courses(session: Session, include_archived: bool = False) -> list[CourseInfo]:
    query = select(TrainingCourse).order_by(TrainingCourse.id)
    if not include_archived:
        query = query.where(TrainingCourse.archived.is_(False))
    return [
        CourseInfo(
            c.id,
            c.code,
            c.name,
            c.provider,
            c.refresh_months,
            parse_audience(c.audience or None, f"Course {c.code} audience"),
            bool(c.archived),
        )
        for c in session.scalars(query)
    ]


def course_by_code(session: Session, code: str) -> CourseInfo:
    for course in courses(session, include_archived=True):
        if course.code == code:
            return course
    raise NotFoundError(f"Unknown training course {code!r}")


# --- recording completions ------------------------------------------------------------------


@dataclass(frozen=True)
class BulkResult:
    recorded: int
    #: People who already had a completion of this course on that date (left as they were).
    already_recorded: int
    expires_on: dt.date | None


def _course_row(session: Session, course_id: int) -> TrainingCourse:
    course = session.get(TrainingCourse, course_id)
    if course is None:
        raise NotFoundError(f"Training course {course_id} does not exist")
    if course.archived:
        raise ValidationError(f"The course {course.name} is no longer in the catalogue")
    return course


def _check_date(completed_on: dt.date, today: dt.date | None) -> None:
    if completed_on > (today or dt.date.today()):
        raise ValidationError("The completion date cannot be in the future", field="completed_on")


def record_completion(
    session: Session,
    staff_id: int,
    course_id: int,
    completed_on: dt.date,
    certificate_ref: str | None = None,
    note: str | None = None,
) -> int:
    """Records one completion; returns the new record's id."""
    result_ids = record_completions(
        session, [staff_id], course_id, completed_on, certificate_ref, note, return_ids=True
    )
    assert isinstance(result_ids, list)
    if not result_ids:
        raise ValidationError("This completion is already recorded")
    return result_ids[0]


def record_completions(
    session: Session,
    staff_ids: Iterable[int],
    course_id: int,
    completed_on: dt.date,
    certificate_ref: str | None = None,
    note: str | None = None,
    *,
    today: dt.date | None = None,
    return_ids: bool = False,
) -> BulkResult | list[int]:
    """Records one course completed on one date by many people, as a single bulk insert.

    Everything happens in the caller's transaction: one INSERT (executemany) for the records and
    one for their audit entries, so that 500 people cost two statements, and
    any failure (an unknown person, a former staff member already anonymised) writes nothing.
    """
    ids = list(dict.fromkeys(int(i) for i in staff_ids))
    if not ids:
        raise ValidationError("Select at least one person")
    course = _course_row(session, course_id)
    _check_date(completed_on, today)
    known = {
        row[0]: row[1]
        for row in session.execute(
            select(StaffMember.id, StaffMember.anonymised_at).where(StaffMember.id.in_(ids))
        )
    }
    for staff_id in ids:
        if staff_id not in known:
            raise NotFoundError(f"Staff member {staff_id} does not exist; nothing was recorded")
        if known[staff_id] is not None:
            raise ValidationError(
                f"Staff member {staff_id} is an anonymised former member; nothing was recorded"
            )
    already = set(
        session.scalars(
            select(TrainingRecord.staff_id).where(
                TrainingRecord.course_id == course_id,
                TrainingRecord.completed_on == completed_on,
                TrainingRecord.staff_id.in_(ids),
            )
        )
    )
    todo = [staff_id for staff_id in ids if staff_id not in already]
    expires_on = expiry(completed_on, course.refresh_months)
    cert = (certificate_ref or "").strip() or None
    note = (note or "").strip() or None
    new_ids: list[int] = []
    if todo:
        session.flush()  # ORM changes first, so that their audit entries chain before ours
        now = auditlog.canonical(dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0))
        rows = [
            {
                "staff_id": staff_id,
                "course_id": course_id,
                "completed_on": completed_on,
                "expires_on": expires_on,
                "certificate_ref": cert,
                "note": note,
                "created_at": dt.datetime.fromisoformat(now),
                "updated_at": dt.datetime.fromisoformat(now),
            }
            for staff_id in todo
        ]
        connection = session.connection()
        table = RECORD_TABLE
        # One executemany. RETURNING in parameter order would make SQLite fall back to one
        # statement per row, so the new ids are read back: (person, course, date) is new for
        # every row (the rows already there were left out above).
        connection.execute(insert(table), rows)
        id_of: dict[int, int] = {}
        for start in range(0, len(todo), 1000):
            chunk = todo[start : start + 1000]
            id_of.update(
                (row[0], row[1])
                for row in connection.execute(
                    select(table.c.staff_id, table.c.id).where(
                        table.c.course_id == course_id,
                        table.c.completed_on == completed_on,
                        table.c.staff_id.in_(chunk),
                    )
                )
            )
        new_ids = [id_of[staff_id] for staff_id in todo]
        spec = auditlog.audited_specs()[table.name]
        actor = session.info.get("actor") or "unknown"
        session.info.setdefault("touched_tables", set()).add(table.name)
        auditlog.append_entries(
            connection,
            actor,
            (auditlog.insert_entry(spec, rid, row) for rid, row in zip(new_ids, rows, strict=True)),
        )
    if return_ids:
        return new_ids
    return BulkResult(len(new_ids), len(already), expires_on)


@dataclass(frozen=True)
class RecordInfo:
    id: int
    staff_id: int
    course_id: int
    course_name: str
    completed_on: dt.date
    expires_on: dt.date | None
    certificate_ref: str | None
    note: str | None


def records_of(session: Session, staff_id: int) -> list[RecordInfo]:
    rows = session.execute(
        select(
            TrainingRecord.id,
            TrainingRecord.staff_id,
            TrainingRecord.course_id,
            TrainingCourse.name,
            TrainingRecord.completed_on,
            TrainingRecord.expires_on,
            TrainingRecord.certificate_ref,
            TrainingRecord.note,
        )
        .join(TrainingCourse, TrainingCourse.id == TrainingRecord.course_id)
        .where(TrainingRecord.staff_id == staff_id)
        .order_by(TrainingRecord.completed_on.desc(), TrainingRecord.id.desc())
    )
    return [RecordInfo(*row) for row in rows]


# --- status, matrix, compliance -------------------------------------------------------------


@dataclass(frozen=True)
class MatrixRow:
    staff_id: int
    staff_number: str
    full_name: str
    department: str | None
    role: str
    #: One entry per matrix course: None where the course is not required for this person.
    statuses: tuple[TrainingStatus | None, ...]
    #: Latest expiry per course (None: never expires or no record).
    expiries: tuple[dt.date | None, ...]

    @property
    def role_label(self) -> str:
        """The role as every register words it ("PhD candidate", not "phd_candidate")."""
        from rsdesk.services.registers.labels import enum_label

        return enum_label(self.role)


@dataclass(frozen=True)
class TrainingMatrix:
    courses: tuple[CourseInfo, ...]
    rows: tuple[MatrixRow, ...]
    today: dt.date

    def counts(self) -> dict[TrainingStatus, int]:
        out = dict.fromkeys(TrainingStatus, 0)
        for row in self.rows:
            for status in row.statuses:
                if status is not None:
                    out[status] += 1
        return out


def _people_query(department_id: int | None, today: dt.date | None = None) -> Any:
    """Staff employed on ``today`` when it is given: started by then (or no start date), not
    left before it, not archived or anonymised (those are gone from every count)."""
    query = (
        select(
            StaffMember.id,
            StaffMember.staff_number,
            StaffMember.full_name,
            Department.name,
            StaffMember.department_id,
            StaffMember.role_category,
            StaffMember.technology_area_code,
            TechnologyArea.most_sensitive,
            StaffMember.dual_use_code,
            StaffMember.sensitive_facility_access,
        )
        .outerjoin(Department, Department.id == StaffMember.department_id)
        .outerjoin(TechnologyArea, TechnologyArea.code == StaffMember.technology_area_code)
    )
    if today is not None:
        query = query.where(
            StaffMember.archived.is_(False),
            StaffMember.anonymised_at.is_(None),
            or_(StaffMember.end_date.is_(None), StaffMember.end_date >= today),
            or_(StaffMember.start_date.is_(None), StaffMember.start_date <= today),
        )
    if department_id is not None:
        query = query.where(StaffMember.department_id == department_id)
    return query


def latest_expiries(
    session: Session,
    department_id: int | None = None,
    staff_ids: Sequence[int] | None = None,
    completed_by: dt.date | None = None,
) -> dict[tuple[int, int], dt.date]:
    """(staff id, course id) -> latest expiry (``NEVER`` for a course that does not expire),
    of the completions on or before ``completed_by`` when it is given (a past date's matrix
    must not count training done later)."""
    best = func.max(func.coalesce(TrainingRecord.expires_on, literal(NEVER)))
    query = select(TrainingRecord.staff_id, TrainingRecord.course_id, best).group_by(
        TrainingRecord.staff_id, TrainingRecord.course_id
    )
    if completed_by is not None:
        query = query.where(TrainingRecord.completed_on <= completed_by)
    if department_id is not None:
        query = query.join(StaffMember, StaffMember.id == TrainingRecord.staff_id).where(
            StaffMember.department_id == department_id
        )
    if staff_ids is not None:
        query = query.where(TrainingRecord.staff_id.in_(list(staff_ids)))
    out = {}
    for staff_id, course_id, value in session.execute(query):
        if isinstance(value, str):  # SQLite hands back the text of a MAX() over dates
            value = dt.date.fromisoformat(value)
        out[(staff_id, course_id)] = value
    return out


def matrix(
    session: Session,
    department_id: int | None = None,
    today: dt.date | None = None,
    search: str = "",
) -> TrainingMatrix:
    """People (staff employed on ``today``, by name) x active courses, each cell a status or
    None, as things stood on ``today``: only completions made by then count, and expiry is
    measured against it. A past date gives that day's picture, not today's records seen then."""
    today = today or dt.date.today()
    course_list = tuple(courses(session))
    from rsdesk.services.registers.base import accent_blind, word_conditions

    query = _people_query(department_id, today)
    # The staff register's search: "garcia" finds "García", as it does there.
    query = query.where(
        *word_conditions(search, (accent_blind(StaffMember.full_name), StaffMember.staff_number))
    )
    people = sorted(session.execute(query).all(), key=lambda p: (name_sort_key(p[2]), p[0]))
    best = latest_expiries(session, department_id, completed_by=today)
    rows = []
    for person in people:
        profile = profile_of(person[5], person[6], bool(person[7]), person[8], bool(person[9]))
        statuses: list[TrainingStatus | None] = []
        expiries: list[dt.date | None] = []
        for course in course_list:
            found = best.get((person[0], course.id))
            expiries.append(found if found is not None and found < NEVER else None)
            if not course.required_for(profile):
                statuses.append(None)
            else:
                statuses.append(status_on(found, today, has_record=found is not None))
        rows.append(
            MatrixRow(
                person[0],
                person[1],
                person[2],
                person[3],
                str(person[5]),
                tuple(statuses),
                tuple(expiries),
            )
        )
    return TrainingMatrix(course_list, tuple(rows), today)


def name_sort_key(name: str) -> str:
    """Names in the order they read, as the staff register sorts them: folded, so "Łukasz"
    comes among the L's and "Émile" among the E's, not after Z."""
    return fold_accents(name) or ""


def person_label(row: MatrixRow) -> str:
    """Name, staff number and department: two people of one name in one department differ."""
    return " — ".join(part for part in (row.full_name, row.staff_number, row.department) if part)


def person_search_key(row: MatrixRow) -> str:
    """What a people picker matches typed words against: name, staff number and department,
    folded as the registers fold names (``fold_accents``: "zolc" finds "Żółć")."""
    return fold_accents(" ".join((row.full_name, row.staff_number, row.department or ""))) or ""


def key_matches(key: str, text: str) -> bool:
    """Every typed word is in ``key`` (a :func:`person_search_key`), accent- and case-blind."""
    return all((fold_accents(word) or "") in key for word in text.split())


@dataclass(frozen=True)
class PersonCourseStatus:
    course: CourseInfo
    required: bool
    status: TrainingStatus
    expires_on: dt.date | None


def person_status(
    session: Session, staff_id: int, today: dt.date | None = None
) -> list[PersonCourseStatus]:
    """Every active course with this person's status (required or not)."""
    today = today or dt.date.today()
    person = session.execute(_people_query(None).where(StaffMember.id == staff_id)).first()
    if person is None:
        raise NotFoundError(f"Staff member {staff_id} does not exist")
    profile = profile_of(person[5], person[6], bool(person[7]), person[8], bool(person[9]))
    best = latest_expiries(session, staff_ids=[staff_id])
    out = []
    for course in courses(session):
        found = best.get((staff_id, course.id))
        out.append(
            PersonCourseStatus(
                course,
                course.required_for(profile),
                status_on(found, today, has_record=found is not None),
                found if found is not None and found < NEVER else None,
            )
        )
    return out


@dataclass(frozen=True)
class DepartmentCompliance:
    department_id: int | None
    department: str
    people: int
    required: int
    current: int
    expiring: int
    expired: int
    missing: int

    @property
    def compliant(self) -> int:
        """Requirements met today (current or expiring: still valid)."""
        return self.current + self.expiring

    @property
    def percent(self) -> float | None:
        return None if self.required == 0 else 100.0 * self.compliant / self.required


def compliance_by_department(
    session: Session,
    today: dt.date | None = None,
    department_id: int | None = None,
    grid: TrainingMatrix | None = None,
) -> list[DepartmentCompliance]:
    """Per department (by name; "No department" last): required trainings and their statuses.

    Pass the ``grid`` already loaded for the same day and department to avoid computing it twice.
    """
    grid = grid or matrix(session, department_id, today)
    ids = {row[0]: row[1] for row in session.execute(select(Department.name, Department.id))}
    totals: dict[str | None, dict[str, Any]] = {}
    for row in grid.rows:
        bucket = totals.setdefault(
            row.department, {"people": 0, **{s.value: 0 for s in TrainingStatus}}
        )
        bucket["people"] += 1
        for status in row.statuses:
            if status is not None:
                bucket[status.value] += 1
    out = []
    for name in sorted(totals, key=lambda n: (n is None, n or "")):
        bucket = totals[name]
        required = sum(bucket[s.value] for s in TrainingStatus)
        out.append(
            DepartmentCompliance(
                ids.get(name) if name else None,
                name or "No department",
                bucket["people"],
                required,
                bucket["current"],
                bucket["expiring"],
                bucket["expired"],
                bucket["missing"],
            )
        )
    return out


def staff_missing_course(
    session: Session, course_id: int, department_id: int | None = None
) -> list[int]:
    """People for whom the course is required and not current (for the bulk dialog's preset)."""
    grid = matrix(session, department_id)
    index = [c.id for c in grid.courses].index(course_id)
    return [
        row.staff_id
        for row in grid.rows
        if row.statuses[index] in (TrainingStatus.MISSING, TrainingStatus.EXPIRED)
    ]


__all__ = [
    "EXPIRING_DAYS",
    "BulkResult",
    "Catalogue",
    "CourseInfo",
    "DepartmentCompliance",
    "MatrixRow",
    "TrainingMatrix",
    "TrainingStatus",
    "add_months",
    "compliance_by_department",
    "expiry",
    "matrix",
    "record_completion",
    "record_completions",
    "status_on",
    "sync_courses",
]
