"""Screening lists the office imports, their entries, and the results of screening partners.

Each load of a list is a version (``ScreeningList`` row); loading a newer file of the same list
deactivates the older version, but results keep pointing at the version they were made against.
Entries are bulk reference data and are not audited one by one; the load itself is.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rsdesk.models.base import Audited, Base, enum_column, utcnow
from rsdesk.models.enums import ScreeningVerdict


class ScreeningList(Audited, Base):
    __tablename__ = "screening_list"
    __table_args__ = (UniqueConstraint("list_key", "version_no"),)

    #: Stable identity of the list across versions, e.g. "eu-fsf" or "office-own".
    list_key: Mapped[str] = mapped_column(String(80), index=True)
    name: Mapped[str] = mapped_column(String(200))
    source_format: Mapped[str] = mapped_column(String(40))
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    version_no: Mapped[int] = mapped_column(default=1)
    entry_count: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True, index=True)


class ScreeningEntry(Base):
    __tablename__ = "screening_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(
        ForeignKey("screening_list.id", ondelete="CASCADE"), index=True
    )
    external_id: Mapped[str | None] = mapped_column(String(120), index=True)
    kind: Mapped[str | None] = mapped_column(String(40))
    primary_name: Mapped[str] = mapped_column(String(500))
    aliases: Mapped[list[Any]] = mapped_column(default=list)
    programme: Mapped[str | None] = mapped_column(String(300))
    country: Mapped[str | None] = mapped_column(String(120))
    identifiers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    note: Mapped[str | None] = mapped_column(Text)
    #: SHA-256 of the entry's content: a dismissed false positive returns when this changes.
    fingerprint: Mapped[str] = mapped_column(String(64))


class ScreeningResult(Audited, Base):
    __tablename__ = "screening_result"

    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), index=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("screening_list.id"), index=True)
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("screening_entry.id", ondelete="SET NULL"), index=True
    )
    entry_external_id: Mapped[str | None] = mapped_column(String(120))
    entry_fingerprint: Mapped[str] = mapped_column(String(64))
    entry_name: Mapped[str] = mapped_column(String(500))
    partner_name_matched: Mapped[str] = mapped_column(String(300))
    list_name_matched: Mapped[str] = mapped_column(String(500))
    score: Mapped[float]
    screened_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    verdict: Mapped[ScreeningVerdict] = mapped_column(
        enum_column(ScreeningVerdict, "screening_verdict"),
        default=ScreeningVerdict.PENDING,
        index=True,
    )
    verdict_note: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[dt.datetime | None]
