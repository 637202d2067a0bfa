"""Why a hit is pending again: the verdict an officer gave on an earlier list version, which did
not carry over because the list entry changed. The partner's Screening tab shows it, so that a
reopened hit does not read as a new one and the earlier reasoning is at hand."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from rsdesk.models import ScreeningList, ScreeningResult
from rsdesk.models.enums import ScreeningVerdict


@dataclass(frozen=True)
class EarlierVerdict:
    verdict: ScreeningVerdict
    note: str | None
    decided_by: str | None
    decided_at: dt.datetime | None
    #: The list version the verdict was given on, and the one the entry changed in.
    decided_on_version: int
    reopened_on_version: int


def earlier_verdicts(session: Session, partner_id: int) -> dict[int, EarlierVerdict]:
    """Result id -> the latest verdict on the same list entry (same list, same entry id, or
    same listed name where the list gives no id) of an older list version, for each pending
    hit of the partner on a current list version whose entry changed since."""
    rows = session.execute(
        select(
            ScreeningResult,
            ScreeningList.list_key,
            ScreeningList.version_no,
            ScreeningList.active,
        )
        .join(ScreeningList, ScreeningList.id == ScreeningResult.list_id)
        .where(ScreeningResult.partner_id == partner_id)
        .order_by(ScreeningList.version_no, ScreeningResult.id)
    ).all()
    decided: dict[tuple[str, str], tuple[ScreeningResult, int]] = {}
    pending: list[tuple[ScreeningResult, str, int]] = []
    for result, list_key, version, active in rows:
        key = (list_key, result.entry_external_id or result.entry_name)
        if result.verdict != ScreeningVerdict.PENDING:
            decided[key] = (result, version)  # later versions overwrite earlier ones
        elif active:
            pending.append((result, list_key, version))
    found = {}
    for result, list_key, version in pending:
        earlier = decided.get((list_key, result.entry_external_id or result.entry_name))
        if earlier is None or earlier[1] >= version:
            continue
        prior, prior_version = earlier
        if prior.entry_fingerprint == result.entry_fingerprint:
            continue  # the same entry: not reopened by a change (a verdict reopened by hand)
        found[result.id] = EarlierVerdict(
            prior.verdict,
            prior.verdict_note,
            prior.decided_by,
            prior.decided_at,
            prior_version,
            version,
        )
    return found
