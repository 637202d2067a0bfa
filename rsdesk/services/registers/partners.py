"""The partners register, with each partner's collaborations and screening status."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, case, exists, func, select

from rsdesk.db.text_folding import accent_fold
from rsdesk.models import CollaborationPartner, Partner, PartnerName, ScreeningResult
from rsdesk.models.enums import PartnerKind, ScreeningVerdict
from rsdesk.services.registers.base import (
    INT,
    STATUS,
    Column,
    Filter,
    RegisterSpec,
    SearchTerm,
    accent_blind,
)

collaboration_count = (
    select(func.count(CollaborationPartner.id))
    .where(CollaborationPartner.partner_id == Partner.id)
    .correlate(Partner)
    .scalar_subquery()
)


def _has_verdict(verdict: ScreeningVerdict) -> Any:
    return exists().where(
        and_(ScreeningResult.partner_id == Partner.id, ScreeningResult.verdict == verdict)
    )


#: "match" (a confirmed hit), "to review" (hits awaiting a verdict) or "clear".
screening_status = case(
    (_has_verdict(ScreeningVerdict.TRUE_MATCH), "match"),
    (_has_verdict(ScreeningVerdict.PENDING), "to review"),
    else_="clear",
)

other_names = (
    select(func.aggregate_strings(PartnerName.name, "; "))
    .where(PartnerName.partner_id == Partner.id)
    .correlate(Partner)
    .scalar_subquery()
)


def _base() -> Select[Any]:
    return select().select_from(Partner)


def _screening_filter(statement: Select[Any], value: Any) -> Select[Any]:
    return statement.where(screening_status == value)


def _kind_choices(_session: Any) -> list[tuple[Any, str]]:
    return [(m.value, m.value.replace("_", " ").capitalize()) for m in PartnerKind]


def _country_choices(session: Any) -> list[tuple[Any, str]]:
    rows = session.execute(
        select(Partner.country)
        .where(Partner.country.is_not(None))
        .distinct()
        .order_by(Partner.country)
    )
    return [(row.country, row.country) for row in rows]


SPEC = RegisterSpec(
    name="partners",
    title="Partners",
    id_expr=Partner.id,
    base=_base,
    audit_table="partner",
    archived_expr=Partner.archived,
    default_sort="name",
    columns=(
        Column("name", "Name", Partner.name, width=40),
        Column(
            "kind",
            "Kind",
            Partner.kind,
            "enum",
            width=18,
            choices=tuple(m.value for m in PartnerKind),
        ),
        Column("country", "Country", Partner.country, width=8),
        Column("city", "City", Partner.city, width=16),
        Column("collaborations", "Collaborations", collaboration_count, INT, width=8),
        Column(
            "screening",
            "Screening",
            screening_status,
            STATUS,
            width=12,
            choices=("match", "to review", "clear"),
        ),
        Column("other_names", "Other names", other_names, width=30, visible=False),
        Column("website", "Website", Partner.website, width=24, visible=False),
    ),
    # Accents ignored: "universidad cordoba" finds "Universidad de Córdoba". Other names are
    # matched row by row (one pass over partner_name) rather than through the aggregate.
    search=(
        accent_blind(Partner.name),
        SearchTerm(
            lambda pattern: Partner.id.in_(
                select(PartnerName.partner_id).where(
                    accent_fold(PartnerName.name).like(pattern, escape="\\")
                )
            )
        ),
    ),
    filters=(
        Filter("kind", "Kind", lambda s, v: s.where(Partner.kind == v), _kind_choices),
        Filter("country", "Country", lambda s, v: s.where(Partner.country == v), _country_choices),
        Filter(
            "screening",
            "Screening",
            _screening_filter,
            lambda _s: [
                ("match", "Confirmed match"),
                ("to review", "To review"),
                ("clear", "Clear"),
            ],
        ),
    ),
)
