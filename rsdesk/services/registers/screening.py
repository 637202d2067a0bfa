"""The screening results register: each hit of a partner on a list version, with its verdict."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, Select, cast, func, select
from sqlalchemy.orm import Session

from rsdesk.models import Partner, ScreeningList, ScreeningResult
from rsdesk.models.enums import ScreeningVerdict
from rsdesk.services.registers.base import BOOL, DATETIME, ENUM, INT, Column, Filter, RegisterSpec


def _base() -> Select[Any]:
    return (
        select()
        .select_from(ScreeningResult)
        .join(Partner, Partner.id == ScreeningResult.partner_id)
        .join(ScreeningList, ScreeningList.id == ScreeningResult.list_id)
    )


def _list_choices(session: Session) -> list[tuple[Any, str]]:
    return [
        (row.list_key, row.name)
        for row in session.execute(
            select(ScreeningList.list_key, ScreeningList.name)
            .where(ScreeningList.active.is_(True))
            .order_by(ScreeningList.name)
        )
    ]


VERDICTS = tuple(v.value for v in ScreeningVerdict)

SPEC = RegisterSpec(
    name="screening",
    title="Screening results",
    id_expr=ScreeningResult.id,
    base=_base,
    audit_table="screening_result",
    # Hits on replaced list versions are history: "Pending" there is not an open hit.
    default_filters=(("current", "current"),),
    default_sort="score",
    default_descending=True,
    columns=(
        Column("partner", "Partner", Partner.name, width=34),
        Column("list", "List", ScreeningList.name, width=28),
        Column("version", "Version", ScreeningList.version_no, INT, width=7),
        Column(
            "current",
            "Current version",
            ScreeningList.active,
            BOOL,
            width=8,
            visible=False,
            printed=True,
        ),
        Column("entry", "Listed entry", ScreeningResult.entry_name, width=34),
        Column(
            "partner_name", "Partner name matched", ScreeningResult.partner_name_matched, width=30
        ),
        Column("list_name", "List name matched", ScreeningResult.list_name_matched, width=30),
        Column(
            "score",
            "Score (%)",
            cast(func.round(ScreeningResult.score * 100), Integer),
            INT,
            width=8,
        ),
        Column("verdict", "Verdict", ScreeningResult.verdict, ENUM, width=14, choices=VERDICTS),
        Column("note", "Note", ScreeningResult.verdict_note, width=30, visible=False, printed=True),
        Column(
            "decided_by",
            "Decided by",
            ScreeningResult.decided_by,
            width=15,
            personal=True,
            unbroken=True,
        ),
        Column("decided_at", "Decided", ScreeningResult.decided_at, DATETIME, width=16),
        Column("screened_at", "Screened", ScreeningResult.screened_at, DATETIME, width=16),
    ),
    search=(Partner.name, ScreeningResult.entry_name, ScreeningResult.list_name_matched),
    filters=(
        Filter(
            "verdict",
            "Verdict",
            lambda s, v: s.where(ScreeningResult.verdict == v),
            lambda _s: [(v, v.replace("_", " ").capitalize()) for v in VERDICTS],
        ),
        Filter("list", "List", lambda s, v: s.where(ScreeningList.list_key == v), _list_choices),
        Filter(
            "current",
            "List version",
            lambda s, v: s.where(ScreeningList.active.is_(v in (True, "current", "1"))),
            lambda _s: [("current", "Current versions"), ("replaced", "Replaced versions")],
        ),
        Filter("partner", "Partner", lambda s, v: s.where(ScreeningResult.partner_id == int(v))),
    ),
)
