"""Institution settings and editable rule sets, stored as JSON under a key and audited."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from rsdesk.models.base import Audited, Base


class Setting(Audited, Base):
    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(120), unique=True)
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
