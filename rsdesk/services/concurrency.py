"""Optimistic concurrency: a save from an editor that loaded an older state of a record is refused.

Two officers may open the same record on a shared server. An editor submits every field of its
form, so without a check the second save would silently put back what the first one changed.
Every audited record carries ``row_version``; an editor remembers the version it loaded and the
service's update calls :func:`claim_version` first. The claim is one compare-and-set statement
(``UPDATE ... SET row_version = row_version + 1 WHERE id = ? AND row_version = ?``): on
PostgreSQL a second session's claim waits for the first session's row lock and then matches no
row, on SQLite writers are serialised anyway, so two saves can never both pass the check.
``updated_at`` was not used as the token because it keeps whole seconds: two saves within one
second carry the same value.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from rsdesk.models.audit import AuditEntry
from rsdesk.models.base import utcnow
from rsdesk.services.errors import KnownError, NotFoundError


class ConflictError(KnownError):
    """The record changed in another session since the user loaded it; nothing was written."""


def claim_version(
    session: Session, model: Any, record_id: int, seen_version: int | None, noun: str
) -> int:
    """Raise the record's version by one, if it is still ``seen_version``; return the new one.

    ``seen_version`` None skips the comparison (a caller that did not load the record first, such
    as an import), but still raises the version, so that open editors learn of the change.
    Raises ConflictError naming who changed the record and when, NotFoundError if it is gone.
    """
    condition = [model.id == record_id]
    if seen_version is not None:
        condition.append(model.row_version == seen_version)
    # No RETURNING: the SQLite that some Pythons are built with is older than 3.35.
    claimed = session.execute(
        update(model)
        .where(*condition)
        .values(row_version=model.row_version + 1, updated_at=utcnow()),
        execution_options={"synchronize_session": "fetch"},
    )
    if claimed.rowcount == 1:  # type: ignore[attr-defined]
        return int(
            session.execute(select(model.row_version).where(model.id == record_id)).scalar_one()
        )
    current = session.execute(
        select(model.updated_at).where(model.id == record_id)
    ).scalar_one_or_none()
    if current is None:
        raise NotFoundError(f"The {noun} {record_id} no longer exists; another session deleted it.")
    raise ConflictError(
        changed_since_message(session, model.__tablename__, record_id, noun, current)
    )


def changed_since_message(
    session: Session, table_name: str, record_id: int, noun: str, changed_at: dt.datetime
) -> str:
    """One line: who changed the record and when, and what to do.

    Who comes from the record's latest audit entry. A save that changed only linked rows (the
    partners of a collaboration) writes no entry for the record itself, but its claim moved
    ``updated_at`` (``changed_at``): an entry older than that, or the record's creation, is not
    the change, and the message then names no one rather than the wrong person.
    """
    latest = session.execute(
        select(AuditEntry.actor, AuditEntry.at, AuditEntry.action)
        .where(AuditEntry.table_name == table_name, AuditEntry.record_id == record_id)
        .order_by(AuditEntry.id.desc())
        .limit(1)
    ).first()
    if latest is not None and latest.action != "insert" and latest.at >= changed_at:
        who = f"{latest.actor} changed"
    else:
        who = "Someone in another session changed"
    return (
        f"{who} this {noun} {_when(changed_at)} since you opened it; your changes were not "
        "saved. Reopen it to see theirs, then make your changes again."
    )


def _when(moment: dt.datetime) -> str:
    return f"on {moment:%Y-%m-%d} at {moment:%H:%M} UTC"
