"""Screening partners in the office's workflow: hits, verdicts, and the queries other screens use.

- :func:`screen_partner` screens one partner (its name and every other name) against all active
  lists and stores a :class:`ScreeningResult` per matched entry. The partner service calls it
  when a partner is created or renamed.
- :func:`screen_partners` does it for several new or renamed partners at once (an import).
- :func:`rescreen_all` does it for every partner, in batches, with progress and cancel.
- :func:`decide` records the officer's verdict (true match or false positive, with a note).
- A verdict follows the entry into newer versions of its list while the entry's fingerprint is
  unchanged: the new result is created with the same verdict ("carried over"); a changed entry
  gives a new pending hit.
- Pending hits that no longer match (the partner was renamed) are withdrawn; decided results
  are never deleted.

Counts and "confirmed matches" only consider results against active list versions.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from rsdesk.models import (
    CollaborationPartner,
    Partner,
    ScreeningEntry,
    ScreeningList,
    ScreeningResult,
    utcnow,
)
from rsdesk.models.enums import ScreeningVerdict
from rsdesk.services.concurrency import ConflictError
from rsdesk.services.errors import NotFoundError, ValidationError
from rsdesk.services.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress
from rsdesk.services.screening.matching import THRESHOLD, EntryInfo, Match, MatchIndex
from rsdesk.services.wording import counted

BATCH = 200

# --- the index of active lists, cached per database and set of active versions ---------------

_index_lock = threading.Lock()
_index_cache: dict[tuple[object, ...], MatchIndex] = {}


def _signature(session: Session) -> tuple[object, ...]:
    rows = session.execute(
        select(
            ScreeningList.id,
            ScreeningList.sha256,
            ScreeningList.entry_count,
            ScreeningList.loaded_at,
        )
        .where(ScreeningList.active.is_(True))
        .order_by(ScreeningList.id)
    ).all()
    bind = session.get_bind()
    return (str(bind.engine.url), *(tuple(row) for row in rows))


def build_index(session: Session) -> MatchIndex:
    """A fresh index over the entries of every active list version."""
    statement = (
        select(
            ScreeningEntry.id,
            ScreeningEntry.list_id,
            ScreeningList.list_key,
            ScreeningList.name,
            ScreeningList.version_no,
            ScreeningEntry.external_id,
            ScreeningEntry.primary_name,
            ScreeningEntry.kind,
            ScreeningEntry.programme,
            ScreeningEntry.fingerprint,
            ScreeningEntry.aliases,
        )
        .join(ScreeningList, ScreeningList.id == ScreeningEntry.list_id)
        .where(ScreeningList.active.is_(True))
        .order_by(ScreeningEntry.id)
    )

    def rows() -> object:
        for row in session.execute(statement.execution_options(yield_per=10_000)):
            info = EntryInfo(*row[:10])
            aliases = row[10] if isinstance(row[10], list) else []
            yield info, [info.primary_name, *(a for a in aliases if isinstance(a, str))]

    return MatchIndex(rows())  # type: ignore[arg-type]


def get_index(session: Session) -> MatchIndex:
    """The index of the active lists, rebuilt only when the set of active versions changed."""
    signature = _signature(session)
    with _index_lock:
        index = _index_cache.get(signature)
        if index is None:
            index = build_index(session)
            _index_cache.clear()
            _index_cache[signature] = index
        return index


def check_names(
    session: Session, names: Sequence[str], threshold: float = THRESHOLD
) -> list[Match]:
    """Matches for free-text names (``rsdesk screening check``); nothing is stored."""
    return get_index(session).match(names, threshold)


# --- screening partners ----------------------------------------------------------------------


@dataclass(frozen=True)
class ScreenOutcome:
    partner_id: int
    matches: int
    new_hits: int
    carried_over: int
    withdrawn: int


@dataclass(frozen=True)
class RunSummary:
    partners: int
    matches: int
    new_hits: int
    carried_over: int
    withdrawn: int
    pending_hits: int
    confirmed_matches: int

    def describe(self) -> str:
        return (
            f"screened {counted(self.partners, 'partner')}: "
            f"{counted(self.matches, 'match', 'matches')}, {counted(self.new_hits, 'new hit')}, "
            f"{counted(self.carried_over, 'verdict')} carried over, {self.withdrawn} withdrawn; "
            f"{counted(self.pending_hits, 'hit')} pending review, "
            f"{counted(self.confirmed_matches, 'confirmed match', 'confirmed matches')}"
        )


def _partner_names(partner: Partner) -> list[str]:
    return [partner.name, *(other.name for other in partner.other_names)]


def _decisions(
    session: Session, partner_ids: Sequence[int]
) -> dict[tuple[int, str, str], ScreeningResult]:
    """Latest decided result per (partner, list key, entry fingerprint)."""
    statement = (
        select(ScreeningResult, ScreeningList.list_key)
        .join(ScreeningList, ScreeningList.id == ScreeningResult.list_id)
        .where(
            ScreeningResult.partner_id.in_(partner_ids),
            ScreeningResult.verdict != ScreeningVerdict.PENDING,
        )
        .order_by(ScreeningResult.decided_at, ScreeningResult.id)
    )
    found: dict[tuple[int, str, str], ScreeningResult] = {}
    for result, list_key in session.execute(statement):
        found[(result.partner_id, list_key, result.entry_fingerprint)] = result
    return found


def _current_results(
    session: Session, partner_ids: Sequence[int]
) -> dict[int, dict[tuple[int, int | None], ScreeningResult]]:
    statement = (
        select(ScreeningResult)
        .join(ScreeningList, ScreeningList.id == ScreeningResult.list_id)
        .where(ScreeningResult.partner_id.in_(partner_ids), ScreeningList.active.is_(True))
    )
    found: dict[int, dict[tuple[int, int | None], ScreeningResult]] = {}
    for result in session.scalars(statement):
        found.setdefault(result.partner_id, {})[(result.list_id, result.entry_id)] = result
    return found


def _apply(
    session: Session,
    partner: Partner,
    matches: list[Match],
    current: dict[tuple[int, int | None], ScreeningResult],
    decisions: dict[tuple[int, str, str], ScreeningResult],
) -> ScreenOutcome:
    now = utcnow()
    new_hits = carried = withdrawn = 0
    seen: set[tuple[int, int | None]] = set()
    for match in matches:
        entry = match.entry
        key: tuple[int, int | None] = (entry.list_id, entry.entry_id)
        seen.add(key)
        existing = current.get(key)
        score = round(match.score, 4)
        if existing is not None:
            if existing.verdict == ScreeningVerdict.PENDING and (
                existing.partner_name_matched != match.query_name[:300]
                or existing.list_name_matched != match.list_name_matched[:500]
                or abs(existing.score - score) > 1e-9
            ):
                existing.partner_name_matched = match.query_name[:300]
                existing.list_name_matched = match.list_name_matched[:500]
                existing.score = score
                existing.screened_at = now
            continue
        prior = decisions.get((partner.id, entry.list_key, entry.fingerprint))
        result = ScreeningResult(
            partner_id=partner.id,
            list_id=entry.list_id,
            entry_id=entry.entry_id,
            entry_external_id=entry.external_id,
            entry_fingerprint=entry.fingerprint,
            entry_name=entry.primary_name[:500],
            partner_name_matched=match.query_name[:300],
            list_name_matched=match.list_name_matched[:500],
            score=score,
            screened_at=now,
            verdict=ScreeningVerdict.PENDING,
        )
        if prior is not None:
            result.verdict = prior.verdict
            result.decided_by = prior.decided_by
            result.decided_at = prior.decided_at
            previous_version = session.get(ScreeningList, prior.list_id)
            version_text = (
                f"version {previous_version.version_no}"
                if previous_version
                else "an earlier version"
            )
            result.verdict_note = (
                f"Carried over from {version_text} (entry unchanged): {prior.verdict_note or ''}"
            ).strip()
            carried += 1
        else:
            new_hits += 1
        session.add(result)
    for stale_key, existing in current.items():
        if stale_key not in seen and existing.verdict == ScreeningVerdict.PENDING:
            session.delete(existing)
            withdrawn += 1
    return ScreenOutcome(partner.id, len(matches), new_hits, carried, withdrawn)


def screen_partner(
    session: Session, partner_id: int, *, index: MatchIndex | None = None
) -> ScreenOutcome:
    """Screen one partner (all its names) against every active list; store the hits.

    Call it after creating or renaming a partner (or changing its other names), in the same
    unit of work.
    """
    partner = session.get(Partner, partner_id, options=[selectinload(Partner.other_names)])
    if partner is None:
        raise NotFoundError(f"No partner with id {partner_id}")
    index = index or get_index(session)
    matches = index.match(_partner_names(partner))
    outcome = _apply(
        session,
        partner,
        matches,
        _current_results(session, [partner_id]).get(partner_id, {}),
        _decisions(session, [partner_id]),
    )
    session.flush()
    return outcome


def screen_partners(
    session: Session, partner_ids: Sequence[int], *, index: MatchIndex | None = None
) -> list[ScreenOutcome]:
    """:func:`screen_partner` for several partners (an import), with one index and one query
    per kind of stored result for each batch instead of one per partner."""
    if not partner_ids:
        return []
    index = index or get_index(session)
    outcomes = []
    for start in range(0, len(partner_ids), BATCH):
        chunk = list(partner_ids[start : start + BATCH])
        partners = session.scalars(
            select(Partner)
            .where(Partner.id.in_(chunk))
            .order_by(Partner.id)
            .options(selectinload(Partner.other_names))
        ).all()
        if len(partners) != len(set(chunk)):
            missing = sorted(set(chunk) - {partner.id for partner in partners})
            raise NotFoundError(f"No partner with id {missing[0]}")
        current = _current_results(session, chunk)
        decisions = _decisions(session, chunk)
        for partner in partners:
            outcomes.append(
                _apply(
                    session,
                    partner,
                    index.match(_partner_names(partner)),
                    current.get(partner.id, {}),
                    decisions,
                )
            )
        session.flush()
    return outcomes


def rescreen_all(
    session: Session,
    *,
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
    batch: int = BATCH,
) -> RunSummary:
    """Screen every partner that is not archived (after a list update, say)."""
    progress(0, 0, "Preparing the lists")
    index = get_index(session)
    ids = list(
        session.scalars(select(Partner.id).where(Partner.archived.is_(False)).order_by(Partner.id))
    )
    total = len(ids)
    matches = new_hits = carried = withdrawn = 0
    for start in range(0, total, batch):
        cancel.raise_if_cancelled()
        chunk = ids[start : start + batch]
        partners = session.scalars(
            select(Partner).where(Partner.id.in_(chunk)).options(selectinload(Partner.other_names))
        ).all()
        current = _current_results(session, chunk)
        decisions = _decisions(session, chunk)
        for partner in partners:
            outcome = _apply(
                session,
                partner,
                index.match(_partner_names(partner)),
                current.get(partner.id, {}),
                decisions,
            )
            matches += outcome.matches
            new_hits += outcome.new_hits
            carried += outcome.carried_over
            withdrawn += outcome.withdrawn
        session.flush()
        done = min(start + batch, total)
        progress(done, total, f"Screened {done} of {total} partners")
    counts = dashboard_counts(session)
    return RunSummary(
        total,
        matches,
        new_hits,
        carried,
        withdrawn,
        counts.pending_hits,
        counts.confirmed_matches,
    )


# --- verdicts --------------------------------------------------------------------------------


def decide(
    session: Session,
    result_id: int,
    verdict: ScreeningVerdict | str,
    note: str,
    *,
    decided_by: str | None = None,
    seen_verdict: ScreeningVerdict | str | None = None,
) -> None:
    """Record the officer's verdict on a hit. A note is required: it is the audit's "why".

    ``seen_verdict`` is the verdict the officer's list showed: if another officer decided the
    hit since, nothing is written and ConflictError says who decided what and when, rather than
    one verdict silently replacing the other. The hit is locked while it is checked, so two
    officers deciding at the same moment are taken one after the other.
    """
    try:
        verdict = ScreeningVerdict(verdict)
    except ValueError:
        raise ValidationError(f"Unknown verdict {verdict!r}", field="verdict") from None
    if verdict == ScreeningVerdict.PENDING:
        raise ValidationError("Choose true match or false positive", field="verdict")
    if not note or not note.strip():
        raise ValidationError("Say why (a note is required for a verdict)", field="note")
    result = session.get(ScreeningResult, result_id, with_for_update=True, populate_existing=True)
    if result is None:
        raise NotFoundError(f"No screening result with id {result_id}")
    if seen_verdict is not None and result.verdict != ScreeningVerdict(seen_verdict):
        raise ConflictError(_decided_meanwhile(result))
    result.verdict = verdict
    result.verdict_note = note.strip()
    result.decided_by = (decided_by or session.info.get("actor") or "unknown")[:200]
    result.decided_at = utcnow()
    session.flush()


def _verdict_words(verdict: ScreeningVerdict) -> str:
    return {
        ScreeningVerdict.TRUE_MATCH: "a true match",
        ScreeningVerdict.FALSE_POSITIVE: "a false positive",
    }.get(verdict, "pending")


def _decided_meanwhile(result: ScreeningResult) -> str:
    if result.verdict == ScreeningVerdict.PENDING:
        what = "This hit was set back to pending"
    else:
        who = result.decided_by or "Another officer"
        what = f"{who} marked this hit as {_verdict_words(result.verdict)}"
        if result.decided_at is not None:
            what += f" on {result.decided_at:%Y-%m-%d} at {result.decided_at:%H:%M} UTC"
    return (
        f"{what} since your list was loaded; your verdict was not recorded. "
        "The list now shows the current verdict: decide again if you still disagree."
    )


def reopen(session: Session, result_id: int, *, seen_verdict: str | None = None) -> None:
    """Set a decided hit back to pending (a verdict given by mistake); the audit keeps the old one.

    ``seen_verdict`` is the verdict the caller's list showed, as for :func:`decide`: a verdict
    given meanwhile by another officer is not undone unseen (ConflictError).
    """
    result = session.get(ScreeningResult, result_id, with_for_update=True, populate_existing=True)
    if result is None:
        raise NotFoundError(f"No screening result with id {result_id}")
    if seen_verdict is not None and result.verdict != ScreeningVerdict(seen_verdict):
        raise ConflictError(_decided_meanwhile(result))
    result.verdict = ScreeningVerdict.PENDING
    result.verdict_note = None
    result.decided_by = None
    result.decided_at = None
    session.flush()


# --- queries ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultRow:
    id: int
    partner_id: int
    partner_name: str
    list_id: int
    list_name: str
    list_key: str
    list_version: int
    list_active: bool
    entry_name: str
    entry_external_id: str | None
    partner_name_matched: str
    list_name_matched: str
    score: float
    verdict: ScreeningVerdict
    verdict_note: str | None
    decided_by: str | None
    decided_at: dt.datetime | None
    screened_at: dt.datetime


def _rows(session: Session, statement: Any) -> list[ResultRow]:
    return [
        ResultRow(
            result.id,
            result.partner_id,
            partner_name,
            result.list_id,
            version.name,
            version.list_key,
            version.version_no,
            version.active,
            result.entry_name,
            result.entry_external_id,
            result.partner_name_matched,
            result.list_name_matched,
            result.score,
            ScreeningVerdict(result.verdict),
            result.verdict_note,
            result.decided_by,
            result.decided_at,
            result.screened_at,
        )
        for result, partner_name, version in session.execute(statement)
    ]


def _base() -> Any:
    statement = (
        select(ScreeningResult, Partner.name, ScreeningList)
        .join(Partner, Partner.id == ScreeningResult.partner_id)
        .join(ScreeningList, ScreeningList.id == ScreeningResult.list_id)
        .order_by(ScreeningResult.score.desc(), ScreeningResult.id)
    )
    return statement


def results_for_partner(
    session: Session, partner_id: int, *, include_inactive: bool = False
) -> list[ResultRow]:
    statement = _base().where(ScreeningResult.partner_id == partner_id)
    if not include_inactive:
        statement = statement.where(ScreeningList.active.is_(True))
    return _rows(session, statement)


def pending_hits(session: Session, *, limit: int | None = None) -> list[ResultRow]:
    statement = _base().where(
        ScreeningResult.verdict == ScreeningVerdict.PENDING, ScreeningList.active.is_(True)
    )
    if limit is not None:
        statement = statement.limit(limit)
    return _rows(session, statement)


def confirmed_matches_for_partner(session: Session, partner_id: int) -> list[ResultRow]:
    return _rows(
        session,
        _base().where(
            ScreeningResult.partner_id == partner_id,
            ScreeningResult.verdict == ScreeningVerdict.TRUE_MATCH,
            ScreeningList.active.is_(True),
        ),
    )


def confirmed_matches_for_collaboration(session: Session, collaboration_id: int) -> list[ResultRow]:
    """Confirmed matches of every partner of the collaboration (for the appraisal wizard)."""
    partner_ids = select(CollaborationPartner.partner_id).where(
        CollaborationPartner.collaboration_id == collaboration_id
    )
    return _rows(
        session,
        _base().where(
            ScreeningResult.partner_id.in_(partner_ids),
            ScreeningResult.verdict == ScreeningVerdict.TRUE_MATCH,
            ScreeningList.active.is_(True),
        ),
    )


@dataclass(frozen=True)
class ScreeningCounts:
    pending_hits: int
    confirmed_matches: int
    partners_with_confirmed_matches: int
    active_lists: int
    last_loaded_at: dt.datetime | None


def dashboard_counts(session: Session) -> ScreeningCounts:
    active = ScreeningList.active.is_(True)

    def count(verdict: ScreeningVerdict, column: object = ScreeningResult.id) -> int:
        statement = (
            select(func.count(func.distinct(column)))  # type: ignore[arg-type]
            .select_from(ScreeningResult)
            .join(ScreeningList, ScreeningList.id == ScreeningResult.list_id)
            .where(active, ScreeningResult.verdict == verdict)
        )
        return session.scalar(statement) or 0

    return ScreeningCounts(
        pending_hits=count(ScreeningVerdict.PENDING),
        confirmed_matches=count(ScreeningVerdict.TRUE_MATCH),
        partners_with_confirmed_matches=count(
            ScreeningVerdict.TRUE_MATCH, ScreeningResult.partner_id
        ),
        active_lists=session.scalar(select(func.count()).select_from(ScreeningList).where(active))
        or 0,
        last_loaded_at=session.scalar(select(func.max(ScreeningList.loaded_at))),
    )
