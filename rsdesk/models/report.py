"""Archive of generated reports, so that what management received can be shown again unchanged."""

from __future__ import annotations

from typing import Any

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from rsdesk.models.base import Audited, Base


class ArchivedReport(Audited, Base):
    __tablename__ = "archived_report"

    kind: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(300))
    created_by: Mapped[str] = mapped_column(String(200))
    #: What the report was made from: database, model version, list versions, audit hash, time.
    stamp: Mapped[dict[str, Any]] = mapped_column(default=dict)
    media_type: Mapped[str] = mapped_column(String(80), default="application/pdf")
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
