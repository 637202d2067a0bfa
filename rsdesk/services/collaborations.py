"""Creating, editing and archiving collaborations, and the documents attached to them.

Every function takes the caller's session (one unit of work per user action) and returns frozen
dataclasses. Rules live here, not in the editor: required title and kind, dates in order, no
negative amounts, known partners and technology areas, a generated reference ``C-YYYY-NNNNN``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rsdesk.models import (
    Appraisal,
    Attachment,
    Collaboration,
    CollaborationPartner,
    CollaborationTechnology,
    Department,
    DualUseCategory,
    Partner,
    StaffMember,
    TechnologyArea,
)
from rsdesk.models.enums import CollaborationKind, CollaborationStatus
from rsdesk.services import attachment_files
from rsdesk.services.concurrency import claim_version
from rsdesk.services.errors import NotFoundError, ReadOnlyError, ValidationError

#: Largest document kept inside the database; bigger files belong in the records system.
MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024
REFERENCE_PREFIX = "C"
#: The column is a 32-bit integer on PostgreSQL; a larger amount would fail there as a crash.
MAX_FUNDING_EUR = 2**31 - 1


@dataclass(frozen=True)
class CollaborationInput:
    """What the editor submits. Partners and technology areas are complete lists (replace)."""

    title: str
    kind: CollaborationKind | str
    status: CollaborationStatus | str = CollaborationStatus.PROPOSED
    department_id: int | None = None
    lead_staff_id: int | None = None
    research_field: str | None = None
    description: str | None = None
    dual_use_code: str | None = None
    funding_amount_eur: int | None = None
    funding_source: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    next_review_date: dt.date | None = None
    partner_ids: tuple[int, ...] = ()
    technology_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class PartnerRef:
    id: int
    name: str
    country: str | None
    role: str | None = None


@dataclass(frozen=True)
class AttachmentInfo:
    id: int
    file_name: str
    media_type: str
    size_bytes: int
    sha256: str
    note: str | None
    added_at: dt.datetime


@dataclass(frozen=True)
class AppraisalSummary:
    id: int
    version: int
    status: str
    risk_level: str | None
    decision: str | None
    signed_off_by: str | None
    signed_off_at: dt.datetime | None
    created_at: dt.datetime


@dataclass(frozen=True)
class CollaborationDetail:
    id: int
    reference: str
    title: str
    kind: str
    status: str
    department_id: int | None
    department: str | None
    lead_staff_id: int | None
    lead: str | None
    research_field: str | None
    description: str | None
    dual_use_code: str | None
    funding_amount_eur: int | None
    funding_source: str | None
    start_date: dt.date | None
    end_date: dt.date | None
    next_review_date: dt.date | None
    risk_level: str | None
    archived: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    #: What the editor hands back on save, so that a change made meanwhile is not overwritten.
    row_version: int = 1
    partners: tuple[PartnerRef, ...] = ()
    technology_codes: tuple[str, ...] = ()
    attachments: tuple[AttachmentInfo, ...] = ()
    appraisals: tuple[AppraisalSummary, ...] = field(default=())

    def as_input(self) -> CollaborationInput:
        """The editable part, e.g. to change one field and submit the rest unchanged."""
        return CollaborationInput(
            title=self.title,
            kind=self.kind,
            status=self.status,
            department_id=self.department_id,
            lead_staff_id=self.lead_staff_id,
            research_field=self.research_field,
            description=self.description,
            dual_use_code=self.dual_use_code,
            funding_amount_eur=self.funding_amount_eur,
            funding_source=self.funding_source,
            start_date=self.start_date,
            end_date=self.end_date,
            next_review_date=self.next_review_date,
            partner_ids=tuple(p.id for p in self.partners),
            technology_codes=self.technology_codes,
        )


# -- validation --------------------------------------------------------------------------------


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.strip()
    return text or None


def _enum(enum_class: Any, value: Any, field_name: str, label: str) -> Any:
    if value in (None, ""):
        raise ValidationError(f"{label} is required.", field=field_name)
    try:
        return enum_class(value)
    except ValueError:
        raise ValidationError(
            f"{label} {value!r} is not one of the known values.", field_name
        ) from None


def field_problems(data: CollaborationInput) -> list[ValidationError]:
    """Every problem in what the user typed or picked (no database needed), in the form's order:
    the editor marks them all at once."""
    problems: list[ValidationError] = []
    title = _clean(data.title)
    if title is None:
        problems.append(ValidationError("Title is required.", field="title"))
    elif len(title) > 400:
        problems.append(ValidationError("Title is longer than 400 characters.", field="title"))
    for enum_class, value, name, label in (
        (CollaborationKind, data.kind, "kind", "Kind"),
        (CollaborationStatus, data.status, "status", "Status"),
    ):
        try:
            _enum(enum_class, value, name, label)
        except ValidationError as problem:
            problems.append(problem)
    if data.start_date and data.end_date and data.end_date < data.start_date:
        problems.append(
            ValidationError(
                f"End date {data.end_date.isoformat()} is before start date "
                f"{data.start_date.isoformat()}.",
                field="end_date",
            )
        )
    amount = data.funding_amount_eur
    if amount is not None:
        if not isinstance(amount, int) or isinstance(amount, bool):
            problems.append(
                ValidationError(
                    "Funding amount must be a whole number of euros.", "funding_amount_eur"
                )
            )
        elif amount < 0:
            problems.append(
                ValidationError("Funding amount cannot be negative.", field="funding_amount_eur")
            )
        elif amount > MAX_FUNDING_EUR:
            problems.append(
                ValidationError(
                    "Funding amount is above the largest that can be stored "
                    f"({MAX_FUNDING_EUR:,} euros).",
                    field="funding_amount_eur",
                )
            )
    return problems


def _validate(session: Session, data: CollaborationInput) -> dict[str, Any]:
    ValidationError.raise_any(field_problems(data))
    title = _clean(data.title)
    kind = _enum(CollaborationKind, data.kind, "kind", "Kind")
    status = _enum(CollaborationStatus, data.status, "status", "Status")
    amount = data.funding_amount_eur
    if data.department_id is not None and session.get(Department, data.department_id) is None:
        raise ValidationError("The chosen department does not exist.", field="department_id")
    if data.lead_staff_id is not None and session.get(StaffMember, data.lead_staff_id) is None:
        raise ValidationError("The chosen lead does not exist.", field="lead_staff_id")
    dual_use = _clean(data.dual_use_code)
    if dual_use is not None and session.get(DualUseCategory, dual_use) is None:
        raise ValidationError(f"Unknown dual-use category {dual_use!r}.", field="dual_use_code")
    partner_ids = list(dict.fromkeys(int(p) for p in data.partner_ids))
    if partner_ids:
        found = set(session.scalars(select(Partner.id).where(Partner.id.in_(partner_ids))))
        missing = [p for p in partner_ids if p not in found]
        if missing:
            raise ValidationError(f"Unknown partner id {missing[0]}.", field="partner_ids")
    codes = list(dict.fromkeys(data.technology_codes))
    if codes:
        known = set(
            session.scalars(select(TechnologyArea.code).where(TechnologyArea.code.in_(codes)))
        )
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise ValidationError(f"Unknown technology area {unknown[0]!r}.", "technology_codes")
    return {
        "title": title,
        "kind": kind,
        "status": status,
        "department_id": data.department_id,
        "lead_staff_id": data.lead_staff_id,
        "research_field": _clean(data.research_field),
        "description": _clean(data.description),
        "dual_use_code": dual_use,
        "funding_amount_eur": amount,
        "funding_source": _clean(data.funding_source),
        "start_date": data.start_date,
        "end_date": data.end_date,
        "next_review_date": data.next_review_date,
        "partner_ids": partner_ids,
        "technology_codes": codes,
    }


def latest_open_id(session: Session) -> int | None:
    """The newest collaboration not archived (what a demo of the editor opens), if any."""
    return session.scalar(
        select(Collaboration.id)
        .where(Collaboration.archived.is_(False))
        .order_by(Collaboration.id.desc())
        .limit(1)
    )


#: Key of the PostgreSQL advisory lock that serialises handing out references.
REFERENCE_LOCK_KEY = int.from_bytes(
    hashlib.sha256(b"rsdesk collaboration reference").digest()[:8], "big", signed=True
)


def _lock_references(session: Session) -> None:
    """Hold the reference counter until this transaction ends.

    Two officers creating collaborations at the same moment on a server would otherwise both
    read the same highest reference, and the second insert would fail on the unique reference.
    A transaction-scoped advisory lock makes the second wait until the first commits (or rolls
    back); its next statement then sees the committed reference (read committed). Take it before
    the transaction's first write, as every caller does: a writer holds the audit chain's head
    from its first flush, and one waiting here while holding it could deadlock with the creator
    it waits for. SQLite needs nothing: a writing unit of work starts with ``BEGIN IMMEDIATE``,
    so a second writer cannot even begin meanwhile.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(REFERENCE_LOCK_KEY)))


def next_reference(session: Session, year: int | None = None) -> str:
    """The next free reference for ``year`` (default: this year), e.g. ``C-2026-00042``.

    Locks the counter for the rest of the caller's transaction (see ``_lock_references``).
    """
    _lock_references(session)
    year = year or dt.date.today().year
    prefix = f"{REFERENCE_PREFIX}-{year}-"
    last = session.scalar(
        select(func.max(Collaboration.reference)).where(Collaboration.reference.like(prefix + "%"))
    )
    number = int(last[len(prefix) :]) + 1 if last and last[len(prefix) :].isdigit() else 1
    return f"{prefix}{number:05d}"


def _get(session: Session, collaboration_id: int) -> Collaboration:
    collaboration = session.get(Collaboration, collaboration_id)
    if collaboration is None:
        raise NotFoundError(f"Collaboration {collaboration_id} does not exist.")
    return collaboration


def _sync_links(session: Session, collaboration: Collaboration, values: dict[str, Any]) -> None:
    wanted = values["partner_ids"]
    for link in list(collaboration.partner_links):
        if link.partner_id not in wanted:
            collaboration.partner_links.remove(link)
    have = {link.partner_id for link in collaboration.partner_links}
    for partner_id in wanted:
        if partner_id not in have:
            collaboration.partner_links.append(CollaborationPartner(partner_id=partner_id))
    codes = values["technology_codes"]
    for tech in list(collaboration.technology_links):
        if tech.area_code not in codes:
            collaboration.technology_links.remove(tech)
    have_codes = {tech.area_code for tech in collaboration.technology_links}
    for code in codes:
        if code not in have_codes:
            collaboration.technology_links.append(CollaborationTechnology(area_code=code))


_SCALARS = (
    "title",
    "kind",
    "status",
    "department_id",
    "lead_staff_id",
    "research_field",
    "description",
    "dual_use_code",
    "funding_amount_eur",
    "funding_source",
    "start_date",
    "end_date",
    "next_review_date",
)


def create(session: Session, data: CollaborationInput) -> CollaborationDetail:
    values = _validate(session, data)
    collaboration = Collaboration(
        reference=next_reference(session), **{k: values[k] for k in _SCALARS}
    )
    session.add(collaboration)
    _sync_links(session, collaboration, values)
    session.flush()
    return load(session, collaboration.id)


def update(
    session: Session,
    collaboration_id: int,
    data: CollaborationInput,
    *,
    seen_version: int | None = None,
) -> CollaborationDetail:
    """Replace the collaboration's fields and links with ``data``.

    ``seen_version`` is the ``row_version`` the editor loaded: if another session saved the
    collaboration since, nothing is written and ConflictError says who and when.
    """
    claim_version(session, Collaboration, collaboration_id, seen_version, "collaboration")
    collaboration = _get(session, collaboration_id)
    values = _validate(session, data)
    for key in _SCALARS:
        if getattr(collaboration, key) != values[key]:
            setattr(collaboration, key, values[key])
    _sync_links(session, collaboration, values)
    session.flush()
    return load(session, collaboration.id)


def archive(session: Session, collaboration_id: int) -> CollaborationDetail:
    collaboration = _get(session, collaboration_id)
    if not collaboration.archived:
        claim_version(session, Collaboration, collaboration_id, None, "collaboration")
        collaboration.archived = True
        session.flush()
    return load(session, collaboration_id)


def unarchive(session: Session, collaboration_id: int) -> CollaborationDetail:
    collaboration = _get(session, collaboration_id)
    if collaboration.archived:
        claim_version(session, Collaboration, collaboration_id, None, "collaboration")
        collaboration.archived = False
        session.flush()
    return load(session, collaboration_id)


def load(session: Session, collaboration_id: int) -> CollaborationDetail:
    """Everything the editor shows about one collaboration."""
    c = _get(session, collaboration_id)
    department = session.get(Department, c.department_id) if c.department_id else None
    lead = session.get(StaffMember, c.lead_staff_id) if c.lead_staff_id else None
    partners = tuple(
        PartnerRef(row.id, row.name, row.country, row.role)
        for row in session.execute(
            select(Partner.id, Partner.name, Partner.country, CollaborationPartner.role)
            .join(CollaborationPartner, CollaborationPartner.partner_id == Partner.id)
            .where(CollaborationPartner.collaboration_id == c.id)
            .order_by(CollaborationPartner.id)
        )
    )
    codes = tuple(
        session.scalars(
            select(CollaborationTechnology.area_code)
            .where(CollaborationTechnology.collaboration_id == c.id)
            .order_by(CollaborationTechnology.area_code)
        )
    )
    appraisals = tuple(
        AppraisalSummary(
            a.id,
            a.version,
            str(a.status),
            str(a.risk_level) if a.risk_level else None,
            str(a.decision) if a.decision else None,
            a.signed_off_by,
            a.signed_off_at,
            a.created_at,
        )
        for a in session.scalars(
            select(Appraisal).where(Appraisal.collaboration_id == c.id).order_by(Appraisal.version)
        )
    )
    return CollaborationDetail(
        id=c.id,
        reference=c.reference,
        title=c.title,
        kind=str(c.kind),
        status=str(c.status),
        department_id=c.department_id,
        department=department.name if department else None,
        lead_staff_id=c.lead_staff_id,
        lead=lead.full_name if lead else None,
        research_field=c.research_field,
        description=c.description,
        dual_use_code=c.dual_use_code,
        funding_amount_eur=c.funding_amount_eur,
        funding_source=c.funding_source,
        start_date=c.start_date,
        end_date=c.end_date,
        next_review_date=c.next_review_date,
        risk_level=str(c.risk_level) if c.risk_level else None,
        archived=c.archived,
        created_at=c.created_at,
        updated_at=c.updated_at,
        row_version=c.row_version,
        partners=partners,
        technology_codes=codes,
        attachments=tuple(attachments(session, c.id)),
        appraisals=appraisals,
    )


# -- attachments -------------------------------------------------------------------------------


def _attachment_info(row: Any) -> AttachmentInfo:
    return AttachmentInfo(
        row.id, row.file_name, row.media_type, row.size_bytes, row.sha256, row.note, row.created_at
    )


def attachments(session: Session, collaboration_id: int) -> list[AttachmentInfo]:
    rows = session.execute(
        select(
            Attachment.id,
            Attachment.file_name,
            Attachment.media_type,
            Attachment.size_bytes,
            Attachment.sha256,
            Attachment.note,
            Attachment.created_at,
        )
        .where(Attachment.collaboration_id == collaboration_id)
        .order_by(Attachment.id)
    )
    return [_attachment_info(row) for row in rows]


def add_attachment(
    session: Session,
    collaboration_id: int,
    file_name: str,
    content: bytes,
    media_type: str | None = None,
    note: str | None = None,
) -> AttachmentInfo:
    """Keep a document inside the database with its SHA-256, so evidence can be checked later."""
    collaboration = _get(session, collaboration_id)
    _refuse_if_archived(collaboration, "attach documents to it")
    name = (file_name or "").strip().replace("\\", "/").rsplit("/", 1)[-1]
    # The editor refuses these too; a script through this service must not store a name
    # ("..", control characters, over 255 bytes) that cannot be written out again.
    attachment_files.check_name(name)
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            f"{name} is {len(content) / 1024 / 1024:.1f} MB; attachments are limited to "
            f"{MAX_ATTACHMENT_BYTES // 1024 // 1024} MB.",
            field="content",
        )
    guessed = media_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    attachment = Attachment(
        collaboration_id=collaboration.id,
        file_name=name,
        media_type=guessed,
        size_bytes=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        note=_clean(note),
        content=bytes(content),
    )
    session.add(attachment)
    session.flush()
    return _attachment_info(attachment)


def attachment_content(session: Session, attachment_id: int) -> tuple[AttachmentInfo, bytes]:
    """The stored document and its description; refuses a document whose hash no longer matches."""
    attachment = session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFoundError(f"Attachment {attachment_id} does not exist.")
    content = bytes(attachment.content)
    if hashlib.sha256(content).hexdigest() != attachment.sha256:
        raise ValidationError(
            f"{attachment.file_name} does not match its recorded SHA-256; it was altered.",
            field="content",
        )
    return _attachment_info(attachment), content


def _refuse_if_archived(collaboration: Collaboration, doing: str) -> None:
    """An archived record is kept as evidence: its documents neither come nor go."""
    if collaboration.archived:
        raise ReadOnlyError(
            f"{collaboration.reference} is archived and kept as evidence; "
            f"restore it (Unarchive) to {doing}."
        )


def remove_attachment(session: Session, attachment_id: int) -> None:
    """Deletes the file's content for good; the audit trail keeps only its name and SHA-256."""
    attachment = session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFoundError(f"Attachment {attachment_id} does not exist.")
    _refuse_if_archived(_get(session, attachment.collaboration_id), "remove its documents")
    session.delete(attachment)
    session.flush()


def ids_by_reference(session: Session, references: Iterable[str]) -> dict[str, int]:
    refs = list(references)
    rows = session.execute(
        select(Collaboration.reference, Collaboration.id).where(Collaboration.reference.in_(refs))
    )
    return {row.reference: row.id for row in rows}
