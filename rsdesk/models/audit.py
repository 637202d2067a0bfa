"""The audit log: one hash-chained entry per insert, update and delete of a business record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from rsdesk.models.base import Base


class AuditEntry(Base):
    __tablename__ = "audit_entry"

    #: Also the position in the chain.
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(200))
    table_name: Mapped[str] = mapped_column(String(80))
    record_id: Mapped[int]
    __table_args__ = (Index("ix_audit_entry_record", "table_name", "record_id"),)
    action: Mapped[str] = mapped_column(String(16))
    #: {field: [old, new]}; values in canonical JSON form (see services/audit/canonical.py).
    changes: Mapped[dict[str, Any]]
    #: {field: [salt_old, salt_new]} for personal fields, so that their digests cannot be guessed.
    salts: Mapped[dict[str, Any] | None]
    #: {field: [digest_old, digest_new]} for personal values removed by anonymisation.
    redacted: Mapped[dict[str, Any] | None]
    #: Digest of the record's whole state after this change (see rsdesk/db/auditlog.py).
    state_hash: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    #: Not indexed: nothing looks an entry up by its hash, and a unique index over random
    #: digests made every audited insert write a random page of an index as large as the trail
    #: (the chain's integrity rests on the id key and each entry's prev_hash; see
    #: docs/architecture.md, "The audit trail").
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """Single row holding the chain's tip; updating it serialises writers on a shared server."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_entry_id: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(String(64))
