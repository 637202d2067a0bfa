"""Many collaborations at once for UI tests, written like any bulk writer: Core inserts plus their
audit entries (so the database stays one that ``audit verify`` accepts)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, select

from rsdesk.db import Database, auditlog
from rsdesk.models import Collaboration, utcnow

KINDS = ("joint_research", "exchange", "data_sharing", "contract_research")
STATUSES = ("proposed", "active", "approved", "ended")
RISKS = (None, "low", "medium", "high", "very_high")


def add_collaborations(db: Database, count: int, title: str = "Study") -> list[int]:
    now = utcnow()
    rows = [
        {
            "reference": f"T-{number:06d}",
            "title": f"{title} {number:05d}",
            "kind": KINDS[number % len(KINDS)],
            "status": STATUSES[number % len(STATUSES)],
            "risk_level": RISKS[number % len(RISKS)],
            "start_date": dt.date(2020, 1, 1) + dt.timedelta(days=number % 1500),
            "funding_amount_eur": (number * 137) % 500_000,
            "archived": False,
            "created_at": now,
            "updated_at": now,
        }
        for number in range(1, count + 1)
    ]
    spec = auditlog.audited_specs()["collaboration"]
    with db.unit_of_work() as session:
        connection = session.connection()
        connection.execute(insert(Collaboration), rows)
        stored = connection.execute(
            select(Collaboration.__table__).where(Collaboration.reference.like("T-%"))
        ).mappings()
        entries = [auditlog.insert_entry(spec, row["id"], row) for row in stored]
        auditlog.append_entries(connection, db.actor, entries)
        return [entry.record_id for entry in entries]
