"""Creating, editing and archiving foreign partners, their other names, and the partner picker.

After a partner is created or renamed it is screened against the loaded lists, when the screening
workflow is installed (``rsdesk.services.screening.workflow.screen_partner``), so a new partner is
never left unscreened.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from rsdesk.models import Collaboration, CollaborationPartner, Partner, PartnerName
from rsdesk.models.enums import PartnerKind, PartnerNameKind
from rsdesk.services.concurrency import claim_version
from rsdesk.services.errors import NotFoundError, ValidationError

SCREENING_WORKFLOW = "rsdesk.services.screening.workflow"


@dataclass(frozen=True)
class OtherName:
    name: str
    kind: PartnerNameKind | str = PartnerNameKind.ALIAS


@dataclass(frozen=True)
class PartnerInput:
    name: str
    kind: PartnerKind | str
    country: str | None = None
    city: str | None = None
    website: str | None = None
    notes: str | None = None
    other_names: tuple[OtherName, ...] = ()


@dataclass(frozen=True)
class PartnerDetail:
    id: int
    name: str
    kind: str
    country: str | None
    city: str | None
    website: str | None
    notes: str | None
    archived: bool
    other_names: tuple[OtherName, ...]
    collaboration_count: int
    created_at: dt.datetime
    updated_at: dt.datetime
    #: What the editor hands back on save, so that a change made meanwhile is not overwritten.
    row_version: int = 1

    def as_input(self) -> PartnerInput:
        return PartnerInput(
            self.name,
            self.kind,
            self.country,
            self.city,
            self.website,
            self.notes,
            self.other_names,
        )


@dataclass(frozen=True)
class PartnerChoice:
    """One line of the partner picker."""

    id: int
    name: str
    country: str | None
    kind: str
    #: The other name that matched the search, if it was not the main name.
    matched_name: str | None = None

    @property
    def label(self) -> str:
        text = f"{self.name} ({self.country})" if self.country else self.name
        return f"{text} — also known as {self.matched_name}" if self.matched_name else text


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = " ".join(text.split())
    return text or None


#: Separates partner names in a register cell and a workbook column ("A; B"): a name holding one
#: would come back from a round trip as two partners.
NAME_SEPARATOR = ";"
_SEPARATOR_REASON = "%s cannot contain ';': it separates partners in registers and workbooks."


def _validate(data: PartnerInput) -> dict[str, object]:
    name = _clean(data.name)
    if name is None:
        raise ValidationError("Name is required.", field="name")
    if len(name) > 300:
        raise ValidationError("Name is longer than 300 characters.", field="name")
    if NAME_SEPARATOR in name:
        raise ValidationError(_SEPARATOR_REASON % "Name", field="name")
    if data.kind in (None, ""):
        raise ValidationError("Kind is required.", field="kind")
    try:
        kind = PartnerKind(data.kind)
    except ValueError:
        raise ValidationError(f"Kind {data.kind!r} is not a known partner kind.", "kind") from None
    country = _clean(data.country)
    if country is not None:
        country = country.upper()
        if len(country) != 2 or not country.isalpha():
            raise ValidationError(
                "Country must be a two-letter ISO code such as DE or JP.", field="country"
            )
    website = _clean(data.website)
    if website is not None and " " in website:
        raise ValidationError("Website must be a single address.", field="website")
    names: list[tuple[str, PartnerNameKind]] = []
    seen = {name.casefold()}
    for other in data.other_names:
        other_name = _clean(other.name)
        if other_name is None or other_name.casefold() in seen:
            continue
        if NAME_SEPARATOR in other_name:
            raise ValidationError(_SEPARATOR_REASON % f"Other name {other_name!r}", "other_names")
        try:
            name_kind = PartnerNameKind(other.kind or PartnerNameKind.ALIAS)
        except ValueError:
            raise ValidationError(
                f"{other.kind!r} is not a known kind of name.", field="other_names"
            ) from None
        seen.add(other_name.casefold())
        names.append((other_name, name_kind))
    return {
        "name": name,
        "kind": kind,
        "country": country,
        "city": _clean(data.city),
        "website": website,
        "notes": (data.notes or "").strip() or None,
        "other_names": names,
    }


def _get(session: Session, partner_id: int) -> Partner:
    partner = session.get(Partner, partner_id)
    if partner is None:
        raise NotFoundError(f"Partner {partner_id} does not exist.")
    return partner


def _sync_names(partner: Partner, names: list[tuple[str, PartnerNameKind]]) -> bool:
    wanted = dict(names)
    changed = False
    for existing in list(partner.other_names):
        if existing.name not in wanted:
            partner.other_names.remove(existing)
            changed = True
        elif existing.kind != wanted[existing.name]:
            existing.kind = wanted[existing.name]
    have = {existing.name for existing in partner.other_names}
    for name, kind in names:
        if name not in have:
            partner.other_names.append(PartnerName(name=name, kind=kind))
            changed = True
    return changed


def screening_available() -> bool:
    try:
        return importlib.util.find_spec(SCREENING_WORKFLOW) is not None
    except ModuleNotFoundError:
        return False


def _screen(session: Session, partner_id: int) -> None:
    if not screening_available():
        return
    workflow = importlib.import_module(SCREENING_WORKFLOW)
    screen = getattr(workflow, "screen_partner", None)
    if screen is not None:
        screen(session, partner_id)


def create(session: Session, data: PartnerInput) -> PartnerDetail:
    values = _validate(data)
    names = values.pop("other_names")
    partner = Partner(**values)
    session.add(partner)
    _sync_names(partner, names)  # type: ignore[arg-type]
    session.flush()
    _screen(session, partner.id)
    return load(session, partner.id)


class InvalidInput(ValidationError):
    """One of several inputs to :func:`create_many` breaks a rule; ``position`` says which."""

    def __init__(self, position: int, error: ValidationError) -> None:
        super().__init__(str(error), error.field)
        self.position = position


def create_many(session: Session, inputs: Sequence[PartnerInput]) -> list[int]:
    """Create several partners (an import): the records, audit entries and screening results
    that :func:`create` gives for each, with one flush and one screening pass for all of them
    instead of a flush, a screening and a reload per partner. Returns the new ids in order.

    Raises :class:`InvalidInput` for the first input that breaks a rule (nothing is flushed).
    """
    created: list[tuple[Partner, list[tuple[str, PartnerNameKind]]]] = []
    for position, data in enumerate(inputs):
        try:
            values = _validate(data)
        except ValidationError as exc:
            raise InvalidInput(position, exc) from exc
        names = values.pop("other_names")
        created.append((Partner(**values), names))  # type: ignore[arg-type]
    for partner, names in created:
        session.add(partner)
        _sync_names(partner, names)
    session.flush()
    ids = [partner.id for partner, _ in created]
    if screening_available() and ids:
        workflow = importlib.import_module(SCREENING_WORKFLOW)
        screen_many = getattr(workflow, "screen_partners", None)
        if screen_many is not None:
            screen_many(session, ids)
    return ids


def update(
    session: Session, partner_id: int, data: PartnerInput, *, seen_version: int | None = None
) -> PartnerDetail:
    """Replace the partner's fields and other names with ``data``.

    ``seen_version`` is the ``row_version`` the editor loaded: if another session saved the
    partner since, nothing is written and ConflictError says who and when.
    """
    claim_version(session, Partner, partner_id, seen_version, "partner")
    partner = _get(session, partner_id)
    values = _validate(data)
    names = values.pop("other_names")
    renamed = partner.name != values["name"]
    for key, value in values.items():
        if getattr(partner, key) != value:
            setattr(partner, key, value)
    renamed = _sync_names(partner, names) or renamed  # type: ignore[arg-type]
    session.flush()
    if renamed:
        _screen(session, partner.id)
    return load(session, partner.id)


def archive(session: Session, partner_id: int) -> PartnerDetail:
    partner = _get(session, partner_id)
    if not partner.archived:
        claim_version(session, Partner, partner_id, None, "partner")
        partner.archived = True
        session.flush()
    return load(session, partner_id)


def unarchive(session: Session, partner_id: int) -> PartnerDetail:
    partner = _get(session, partner_id)
    if partner.archived:
        claim_version(session, Partner, partner_id, None, "partner")
        partner.archived = False
        session.flush()
    return load(session, partner_id)


def load(session: Session, partner_id: int) -> PartnerDetail:
    p = _get(session, partner_id)
    count = session.scalar(
        select(func.count()).where(CollaborationPartner.partner_id == partner_id)
    )
    return PartnerDetail(
        id=p.id,
        name=p.name,
        kind=str(p.kind),
        country=p.country,
        city=p.city,
        website=p.website,
        notes=p.notes,
        archived=p.archived,
        other_names=tuple(OtherName(n.name, str(n.kind)) for n in p.other_names),
        collaboration_count=count or 0,
        created_at=p.created_at,
        updated_at=p.updated_at,
        row_version=p.row_version,
    )


@dataclass(frozen=True)
class PartnerCollaboration:
    """One collaboration a partner takes part in, as the partner's editor lists it."""

    id: int
    reference: str
    title: str
    status: str
    risk_level: str | None
    start_date: dt.date | None
    role: str | None
    archived: bool


def collaborations_of(
    session: Session, partner_id: int, limit: int = 500
) -> list[PartnerCollaboration]:
    """The collaborations with ``partner_id`` (archived ones too, marked), newest reference
    first: due diligence on a partner starts from what the office already does with it."""
    rows = session.execute(
        select(
            Collaboration.id,
            Collaboration.reference,
            Collaboration.title,
            Collaboration.status,
            Collaboration.risk_level,
            Collaboration.start_date,
            CollaborationPartner.role,
            Collaboration.archived,
        )
        .join(CollaborationPartner, CollaborationPartner.collaboration_id == Collaboration.id)
        .where(CollaborationPartner.partner_id == partner_id)
        .order_by(Collaboration.reference.desc())
        .limit(limit)
    )
    return [
        PartnerCollaboration(
            id=row.id,
            reference=row.reference,
            title=row.title,
            status=str(row.status),
            risk_level=str(row.risk_level) if row.risk_level is not None else None,
            start_date=row.start_date,
            role=row.role,
            archived=row.archived,
        )
        for row in rows
    ]


def search(session: Session, text: str, limit: int = 30) -> list[PartnerChoice]:
    """Partners for the picker: every word must appear in the name or one of the other names.

    Names that start with the text come first, then the rest alphabetically; archived partners
    are left out.
    """
    words = [w.lower() for w in text.split()]
    statement = select(Partner.id, Partner.name, Partner.country, Partner.kind).where(
        Partner.archived.is_(False)
    )
    for word in words:
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(
            or_(
                func.lower(Partner.name).like(pattern, escape="\\"),
                exists().where(
                    and_(
                        PartnerName.partner_id == Partner.id,
                        func.lower(PartnerName.name).like(pattern, escape="\\"),
                    )
                ),
            )
        )
    if words:
        prefix = words[0].replace("%", "").replace("_", "") + "%"
        statement = statement.order_by(
            case((func.lower(Partner.name).like(prefix), 0), else_=1), Partner.name, Partner.id
        )
    else:
        statement = statement.order_by(Partner.name, Partner.id)
    rows = session.execute(statement.limit(limit)).all()
    choices = []
    for row in rows:
        matched = None
        if words and not all(w in row.name.lower() for w in words):
            aliases = session.scalars(
                select(PartnerName.name).where(PartnerName.partner_id == row.id)
            ).all()
            matched = next(
                (a for a in aliases if all(w in a.lower() for w in words)),
                aliases[0] if aliases else None,
            )
        choices.append(PartnerChoice(row.id, row.name, row.country, str(row.kind), matched))
    return choices


def choices_by_id(session: Session, ids: list[int]) -> list[PartnerChoice]:
    rows = session.execute(
        select(Partner.id, Partner.name, Partner.country, Partner.kind).where(Partner.id.in_(ids))
    )
    by_id = {row.id: PartnerChoice(row.id, row.name, row.country, str(row.kind)) for row in rows}
    return [by_id[i] for i in ids if i in by_id]
