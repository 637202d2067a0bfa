"""Privacy: anonymising former staff after the retention period, and the subject-access export.

**Anonymisation** keeps the statistics (the row, its department, role, dates, checks and
training records stay) and removes the identity:

* the staff member's name, e-mail and staff number become a pseudonym ("Former staff 0042",
  ``former-0042``, no e-mail); advice requests they made get the same pseudonym as requester;
* the change is written to the audit log as one ``anonymise`` entry per record whose changes hold
  only the new (pseudonymous) values;
* every *older* audit entry of those records has its personal values removed: the value pair is
  replaced by ``[null, null]`` and its salted digests move to the entry's ``redacted`` column,
  which the hash chain uses in their place (see rsdesk/db/auditlog.py), and the salts themselves
  are dropped so that nobody can test a guessed name against a digest. ``rsdesk audit verify``
  still passes.

Free-text notes typed by officers (evidence notes, certificate references) are not scanned:
they are not meant to hold the person's identity.

The retention period is the setting ``privacy.retention_months`` (default 24): a person becomes
due ``retention_months`` after their end date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from rsdesk.db import auditlog
from rsdesk.models import (
    AccessGrant,
    AdviceRequest,
    AuditEntry,
    Collaboration,
    Department,
    MitigationMeasure,
    OnboardingCheck,
    SensitiveAsset,
    Setting,
    StaffMember,
    TrainingCourse,
    TrainingRecord,
)
from rsdesk.services.errors import NotFoundError, ValidationError
from rsdesk.services.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress

#: Setting key: months after a person's end date before they may be anonymised.
RETENTION_SETTING = "privacy.retention_months"
DEFAULT_RETENTION_MONTHS = 24
BATCH = 200


def pseudonym(staff_id: int) -> str:
    return f"Former staff {staff_id:04d}"


def pseudonymous_number(staff_id: int) -> str:
    return f"former-{staff_id:04d}"


def retention_months(session: Session) -> int:
    value = session.scalar(select(Setting.value).where(Setting.key == RETENTION_SETTING))
    if value is None:
        return DEFAULT_RETENTION_MONTHS
    return int(value)


def set_retention_months(session: Session, months: int) -> None:
    if not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= 600:
        raise ValidationError("The retention period must be 1 to 600 months", field="months")
    setting = session.scalar(select(Setting).where(Setting.key == RETENTION_SETTING))
    if setting is None:
        session.add(Setting(key=RETENTION_SETTING, value=months))
    elif setting.value != months:
        setting.value = months
    session.flush()


@dataclass(frozen=True)
class Leaver:
    staff_id: int
    staff_number: str
    full_name: str
    end_date: dt.date


def due_for_anonymisation(
    session: Session, today: dt.date | None = None, months: int | None = None
) -> list[Leaver]:
    """Former staff whose end date lies more than the retention period back, not yet anonymised."""
    # Imported here: the settings service imports this module, and the GUI reads the settings
    # at every start; the training service (with onboarding) cost about 25 ms of it.
    from rsdesk.services.training import add_months

    today = today or dt.date.today()
    months = retention_months(session) if months is None else months
    cutoff = add_months(today, -months)
    rows = session.execute(
        select(
            StaffMember.id, StaffMember.staff_number, StaffMember.full_name, StaffMember.end_date
        )
        .where(
            StaffMember.end_date.is_not(None),
            StaffMember.end_date < cutoff,
            StaffMember.anonymised_at.is_(None),
        )
        .order_by(StaffMember.end_date, StaffMember.id)
    )
    return [Leaver(row[0], row[1], row[2], row[3] or today) for row in rows]


@dataclass(frozen=True)
class AnonymiseResult:
    people: int
    audit_entries_redacted: int


def anonymise(
    session: Session,
    staff_ids: Sequence[int],
    today: dt.date | None = None,
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> AnonymiseResult:
    """Anonymises the given former staff (each must be past the retention period).

    All or nothing: the caller's unit of work commits every person or none.
    """
    ids = list(dict.fromkeys(staff_ids))
    due = {leaver.staff_id for leaver in due_for_anonymisation(session, today)}
    for staff_id in ids:
        if staff_id not in due:
            name = session.scalar(select(StaffMember.full_name).where(StaffMember.id == staff_id))
            if name is None:
                raise NotFoundError(f"Staff member {staff_id} does not exist")
            raise ValidationError(
                f"{name} cannot be anonymised: not left, already anonymised, or still within "
                "the retention period"
            )
    session.flush()
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        # Overwrite freed bytes, so the old values do not linger in the file's free space.
        connection.exec_driver_sql("PRAGMA secure_delete = ON")
    specs = auditlog.audited_specs()
    staff_table = StaffMember.__table__
    advice_table = AdviceRequest.__table__
    actor = session.info.get("actor") or "unknown"
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    redacted = 0
    for start in range(0, len(ids), BATCH):
        cancel.raise_if_cancelled()
        batch = ids[start : start + BATCH]
        pending: list[auditlog.PendingEntry] = []
        targets: list[tuple[str, int]] = []
        for staff_id in batch:
            new_values = {
                "full_name": pseudonym(staff_id),
                "staff_number": pseudonymous_number(staff_id),
                "email": None,
                "anonymised_at": now,
                "archived": True,
            }
            pending.append(
                _anonymise_row(connection, specs["staff_member"], staff_table, staff_id, new_values)
            )
            targets.append(("staff_member", staff_id))
            requests = connection.execute(
                select(advice_table.c.id).where(advice_table.c.requester_staff_id == staff_id)
            ).scalars()
            for request_id in list(requests):
                pending.append(
                    _anonymise_row(
                        connection,
                        specs["advice_request"],
                        advice_table,
                        request_id,
                        {"requester_name": pseudonym(staff_id)},
                    )
                )
                targets.append(("advice_request", request_id))
        # Redact the older entries first, then chain the anonymise entries after them.
        for table_name, record_id in targets:
            redacted += _redact_entries(connection, specs[table_name], record_id)
        auditlog.append_entries(connection, actor, pending, at=now)
        session.info.setdefault("touched_tables", set()).update(t for t, _ in targets)
        progress(min(start + BATCH, len(ids)), len(ids), "Anonymising former staff")
    session.expire_all()
    return AnonymiseResult(len(ids), redacted)


def anonymise_due(
    session: Session,
    today: dt.date | None = None,
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> AnonymiseResult:
    """Anonymises everybody due (the officer's bulk action)."""
    ids = [leaver.staff_id for leaver in due_for_anonymisation(session, today)]
    if not ids:
        return AnonymiseResult(0, 0)
    return anonymise(session, ids, today, progress, cancel)


def _anonymise_row(
    connection: Any,
    spec: auditlog.AuditSpec,
    table: Any,
    record_id: int,
    new_values: dict[str, Any],
) -> auditlog.PendingEntry:
    """Updates one row outside the ORM and returns its ``anonymise`` audit entry (not yet chained).

    The entry's changes hold the new values only: writing the old ones would put the identity
    straight back into the log.
    """
    connection.execute(update(table).where(table.c.id == record_id).values(**new_values))
    row = connection.execute(select(table).where(table.c.id == record_id)).mappings().one()
    state = {name: auditlog.canonical(row[name]) for name in spec.columns}
    changes = {
        name: [None, auditlog.canonical(row[name])] for name in new_values if name in spec.columns
    }
    return auditlog.PendingEntry(
        spec.table_name, record_id, "anonymise", changes, state, auditlog.new_salts(spec)
    )


def _redact_entries(connection: Any, spec: auditlog.AuditSpec, record_id: int) -> int:
    """Removes personal values (and their salts) from every existing entry of one record."""
    entries = connection.execute(
        select(AuditEntry.id, AuditEntry.changes, AuditEntry.salts, AuditEntry.redacted).where(
            AuditEntry.table_name == spec.table_name, AuditEntry.record_id == record_id
        )
    ).all()
    count = 0
    for entry_id, changes, salts, redacted in entries:
        changes = dict(changes or {})
        salts = dict(salts or {})
        redacted = dict(redacted or {})
        touched = False
        for name in sorted(spec.personal):
            pair = changes.get(name)
            if pair is not None and pair != [None, None] and name in salts:
                redacted[name] = [
                    auditlog.salted_digest(salts[name], pair[0]),
                    auditlog.salted_digest(salts[name], pair[1]),
                ]
                changes[name] = [None, None]
                touched = True
            if name in salts:
                # The stored state hash needs no salt once a later entry exists for the record;
                # without the salt a digest cannot be tested against guessed names.
                del salts[name]
                touched = True
        if touched:
            connection.execute(
                update(AuditEntry)
                .where(AuditEntry.id == entry_id)
                .values(changes=changes, salts=salts or None, redacted=redacted or None)
            )
            count += 1
    return count


# --- subject access -------------------------------------------------------------------------


def subject_access_export(session: Session, staff_id: int, out: Path) -> Path:
    """Everything held on one person, as a workbook (one sheet per kind of record)."""
    staff = session.get(StaffMember, staff_id)
    if staff is None:
        raise NotFoundError(f"Staff member {staff_id} does not exist")
    sheets = subject_access_data(session, staff_id)
    _write_workbook(sheets, out, f"Subject access: {staff.full_name}")
    return out


def subject_access_data(session: Session, staff_id: int) -> dict[str, list[list[Any]]]:
    """Sheet name -> rows (first row the headings). Separate from the writer so it can be tested."""
    staff = session.get(StaffMember, staff_id)
    if staff is None:
        raise NotFoundError(f"Staff member {staff_id} does not exist")
    department = session.get(Department, staff.department_id) if staff.department_id else None
    record: list[list[Any]] = [
        ["Field", "Value"],
        ["Staff number", staff.staff_number],
        ["Name", staff.full_name],
        ["E-mail", staff.email],
        ["Department", department.name if department else None],
        ["Role category", str(staff.role_category).replace("_", " ")],
        ["Research area", staff.research_area],
        ["Critical technology area", staff.technology_area_code],
        ["Dual-use category", staff.dual_use_code],
        ["Access to sensitive facilities", "yes" if staff.sensitive_facility_access else "no"],
        ["Start date", staff.start_date],
        ["End date", staff.end_date],
        ["Archived", "yes" if staff.archived else "no"],
        ["Anonymised at", staff.anonymised_at],
        ["Record created", staff.created_at],
        ["Record last changed", staff.updated_at],
    ]
    checks: list[list[Any]] = [
        ["Check", "Title", "Due", "Status", "Completed by", "On", "Waiver reason", "Evidence"]
    ]
    check_ids = []
    for check in session.scalars(
        select(OnboardingCheck)
        .where(OnboardingCheck.staff_id == staff_id)
        .order_by(OnboardingCheck.id)
    ):
        check_ids.append(check.id)
        checks.append(
            [
                check.check_code,
                check.title,
                check.due_date,
                str(check.status).replace("_", " "),
                check.completed_by,
                check.completed_on,
                check.waiver_reason,
                check.evidence_note,
            ]
        )
    training: list[list[Any]] = [["Course", "Completed", "Expires", "Certificate", "Note"]]
    record_ids = []
    for rec, course_name in session.execute(
        select(TrainingRecord, TrainingCourse.name)
        .join(TrainingCourse, TrainingCourse.id == TrainingRecord.course_id)
        .where(TrainingRecord.staff_id == staff_id)
        .order_by(TrainingRecord.completed_on)
    ):
        record_ids.append(rec.id)
        training.append(
            [course_name, rec.completed_on, rec.expires_on, rec.certificate_ref, rec.note]
        )
    access: list[list[Any]] = [["Asset", "Since", "Until", "Reason"]]
    grant_ids = []
    for grant, asset_name in session.execute(
        select(AccessGrant, SensitiveAsset.name)
        .join(SensitiveAsset, SensitiveAsset.id == AccessGrant.asset_id)
        .where(AccessGrant.staff_id == staff_id)
        .order_by(AccessGrant.since)
    ):
        grant_ids.append(grant.id)
        access.append([asset_name, grant.since, grant.until, grant.reason])
    roles: list[list[Any]] = [["Responsibility", "Record", "Detail"]]
    for ref, title in session.execute(
        select(Collaboration.reference, Collaboration.title).where(
            Collaboration.lead_staff_id == staff_id
        )
    ):
        roles.append(["Lead of collaboration", ref, title])
    for description, due, status in session.execute(
        select(
            MitigationMeasure.description, MitigationMeasure.due_date, MitigationMeasure.status
        ).where(MitigationMeasure.owner_staff_id == staff_id)
    ):
        roles.append(["Owner of mitigation measure", description, f"due {due}, {status}"])
    for (name,) in session.execute(
        select(SensitiveAsset.name).where(SensitiveAsset.owner_staff_id == staff_id)
    ):
        roles.append(["Owner of sensitive asset", name, None])
    advice_ids = []
    for request_id, asked_on, question in session.execute(
        select(AdviceRequest.id, AdviceRequest.asked_on, AdviceRequest.question).where(
            AdviceRequest.requester_staff_id == staff_id
        )
    ):
        advice_ids.append(request_id)
        roles.append(["Asked the desk for advice", str(asked_on), question])
    about = [
        ("staff_member", [staff_id]),
        ("onboarding_check", check_ids),
        ("training_record", record_ids),
        ("access_grant", grant_ids),
        ("advice_request", advice_ids),
    ]
    audit: list[list[Any]] = [
        ["Entry", "When (UTC)", "By", "Record", "Record id", "Action", "Changes"]
    ]
    for table_name, ids in about:
        if not ids:
            continue
        for entry in session.scalars(
            select(AuditEntry)
            .where(AuditEntry.table_name == table_name, AuditEntry.record_id.in_(ids))
            .order_by(AuditEntry.id)
        ):
            audit.append(
                [
                    entry.id,
                    entry.at,
                    entry.actor,
                    table_name,
                    entry.record_id,
                    entry.action,
                    "; ".join(
                        f"{name}: {pair[0]!s} -> {pair[1]!s}"
                        for name, pair in sorted(entry.changes.items())
                    ),
                ]
            )
    audit[1:] = sorted(audit[1:], key=lambda row: row[0])
    return {
        "Record": record,
        "Onboarding checks": checks,
        "Training": training,
        "Access grants": access,
        "Responsibilities": roles,
        "Audit trail": audit,
    }


def _write_workbook(sheets: dict[str, list[list[Any]]], out: Path, title: str) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from rsdesk.services.reports.xlsx.registers import save_atomically
    from rsdesk.services.reports.xlsx.safe import set_text

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        widths: dict[int, int] = {}
        for row_number, row in enumerate(rows, start=1):
            for column_number, value in enumerate(row, start=1):
                cell = sheet.cell(row=row_number, column=column_number)
                if isinstance(value, str):
                    set_text(cell, value)  # user text stays text, never a formula
                else:
                    cell.value = value
                if isinstance(value, dt.datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
                if row_number == 1:
                    cell.font = Font(bold=True)
                widths[column_number] = max(widths.get(column_number, 0), len(str(value or "")))
        sheet.freeze_panes = "A2"
        for column_number, width in widths.items():
            letter = sheet.cell(row=1, column=column_number).column_letter
            sheet.column_dimensions[letter].width = min(60, max(10, width + 2))
    workbook.properties.title = title
    save_atomically(workbook, out)
