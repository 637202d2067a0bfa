"""Helpers shared by the screening tests: fixture files and partners."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rsdesk.db import Database
from rsdesk.models import (
    AuditEntry,
    Partner,
    PartnerName,
    ScreeningEntry,
    ScreeningList,
    ScreeningResult,
)
from rsdesk.models.enums import PartnerKind, PartnerNameKind

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "screening"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def db(any_db: Database) -> Database:
    """Screening tests run on SQLite and, when RSDESK_TEST_DATABASE_URL is set, on PostgreSQL."""
    return any_db


def row_counts(db: Database) -> dict[str, int]:
    with db.read() as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (ScreeningList, ScreeningEntry, ScreeningResult, AuditEntry)
        }


def add_partner(
    session: Session,
    name: str,
    *others: str,
    kind: PartnerKind = PartnerKind.UNIVERSITY,
) -> int:
    partner = Partner(name=name, kind=kind)
    for other in others:
        partner.other_names.append(PartnerName(name=other, kind=PartnerNameKind.ALIAS))
    session.add(partner)
    session.flush()
    return partner.id
