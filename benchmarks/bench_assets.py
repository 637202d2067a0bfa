"""Sensitive assets (#12): the dashboard/report figures over the whole register.

``assets.counts`` (a handful of queries, flags computed in Python) against the obvious way: per
asset, ``safeguards()`` and ``access_list()`` (a few queries per asset), measured in the same run
on the same database. ``size`` is the number of assets; each has 8 safeguards and 5 access grants.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from benchmarks.common import Result, best_of


def _fill(db, size: int) -> None:
    from sqlalchemy import insert

    from rsdesk.models import AccessGrant, AssetSafeguard, SensitiveAsset, StaffMember
    from rsdesk.models.enums import AssetKind, RoleCategory, SafeguardStatus
    from rsdesk.services import training

    codes = [
        "mfa",
        "encryption",
        "access_logging",
        "need_to_know_list",
        "briefing_before_access",
        "access_controlled_zone",
        "escorted_visitors",
        "offboarding_removal",
    ]
    levels = ["internal", "sensitive", "highly_sensitive"]
    today = dt.date.today()
    with db.unit_of_work() as session:
        training.sync_courses(session)
        course = training.course_by_code(session, "rs_awareness")
        people = max(20, size)
        session.execute(
            insert(StaffMember),
            [
                {
                    "staff_number": f"B{i:06d}",
                    "full_name": f"Person {i}",
                    "role_category": RoleCategory.RESEARCHER,
                }
                for i in range(people)
            ],
        )
        staff_ids = [
            row[0]
            for row in session.execute(
                StaffMember.__table__.select().with_only_columns(StaffMember.id)
            )
        ]
        for i, staff_id in enumerate(staff_ids[::2]):
            training.record_completion(
                session, staff_id, course.id, today - dt.timedelta(days=i % 900)
            )
        session.execute(
            insert(SensitiveAsset),
            [
                {"name": f"Asset {i}", "kind": AssetKind.LAB, "sensitivity_level": levels[i % 3]}
                for i in range(size)
            ],
        )
        asset_ids = [
            row[0]
            for row in session.execute(
                SensitiveAsset.__table__.select().with_only_columns(SensitiveAsset.id)
            )
        ]
        session.execute(
            insert(AssetSafeguard),
            [
                {
                    "asset_id": a,
                    "safeguard_code": code,
                    "status": SafeguardStatus.VERIFIED,
                    "last_verified_on": today - dt.timedelta(days=(a * 37 + j * 11) % 500),
                }
                for a in asset_ids
                for j, code in enumerate(codes)
            ],
        )
        session.execute(
            insert(AccessGrant),
            [
                {
                    "asset_id": a,
                    "staff_id": staff_ids[(a * 5 + k) % len(staff_ids)],
                    "since": today - dt.timedelta(days=100),
                    "reason": "Project work",
                }
                for a in asset_ids
                for k in range(5)
            ],
        )


def run(size: int) -> list[Result]:
    from rsdesk.db import open_database
    from rsdesk.models import SensitiveAsset
    from rsdesk.services import assets

    size = max(50, min(size, 5_000))
    with tempfile.TemporaryDirectory() as folder:
        db = open_database(Path(folder) / "bench.sqlite3")
        try:
            _fill(db, size)
            today = dt.date.today()
            with db.read() as session:
                ids = [row[0] for row in session.query(SensitiveAsset.id)]

                def fast() -> assets.AssetCounts:
                    return assets.counts(session, today)

                def obvious() -> tuple[int, int]:
                    flagged = overdue = 0
                    for asset_id in ids:
                        overdue += sum(
                            1 for s in assets.safeguards(session, asset_id, today) if s.overdue
                        )
                        flagged += sum(
                            1 for a in assets.access_list(session, asset_id, today) if a.flagged
                        )
                    return flagged, overdue

                figures = fast()
                assert (figures.access_without_briefing, figures.safeguards_overdue) == obvious()
                measured = best_of(3, fast)
                baseline = best_of(1, obvious)
        finally:
            db.dispose()
    ratio = measured / baseline
    return [
        Result(
            f"asset counts over {size:,} assets (8 safeguards, 5 grants each)",
            measured,
            baseline_name="per-asset safeguards() and access_list()",
            baseline=baseline,
            goal="ratio <= 0.2",
            met=ratio <= 0.2,
            note=f"{figures.access_without_briefing:,} grants flagged, {figures.safeguards_overdue:,} safeguards overdue",
        )
    ]


if __name__ == "__main__":
    for result in run(1_000):
        print(result, f"ratio={result.ratio:.3f}")
