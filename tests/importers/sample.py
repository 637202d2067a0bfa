"""A small realistic register, created through the services as a user would, for Excel tests."""

from __future__ import annotations

import datetime as dt

from rsdesk.db import Database
from rsdesk.models import Collaboration, Department
from rsdesk.services import collaborations, partners, staff

#: Titles a user might type that spreadsheet programs would take for formulas.
INJECTIONS = ('=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)", "=1+1", "=cmd|' /C calc'!A0")


def populate(db: Database) -> dict[str, int]:
    """Two departments, three staff, two partners, eight collaborations. Returns name -> id."""
    ids: dict[str, int] = {}
    with db.unit_of_work() as session:
        physics = Department(name="Physics")
        chemistry = Department(name="Chemistry")
        session.add_all([physics, chemistry])
        session.flush()
        jane = staff.create(
            session,
            staff.StaffInput(
                "S-001",
                "Jane Doe",
                "professor",
                email="jane.doe@uni.example",
                department_id=physics.id,
                start_date=dt.date(2020, 9, 1),
            ),
        ).staff
        ids["jane"] = jane.id
        ids["ahmed"] = staff.create(
            session, staff.StaffInput("S-002", "Ahmed Ali", "researcher")
        ).staff.id
        ids["li"] = staff.create(
            session, staff.StaffInput("S-003", "Li Wei", "phd_candidate")
        ).staff.id
        tokyo = partners.create(
            session,
            partners.PartnerInput(
                "University of Tokyo",
                "university",
                country="JP",
                other_names=(partners.OtherName("東京大学", "native_script"),),
            ),
        )
        acme = partners.create(
            session, partners.PartnerInput("Acme Photonics GmbH", "company", country="DE")
        )
        ids["tokyo"], ids["acme"] = tokyo.id, acme.id
        titles = [*INJECTIONS, "Quantum sensing with Tokyo", "Photonics contract"]
        for number, title in enumerate(titles):
            detail = collaborations.create(
                session,
                collaborations.CollaborationInput(
                    title=title,
                    kind="joint_research" if number % 2 else "contract_research",
                    status="active" if number % 3 else "approved_with_conditions",
                    department_id=physics.id if number % 2 else chemistry.id,
                    lead_staff_id=jane.id if number < 6 else ids["ahmed"],
                    start_date=dt.date(2024, 1, 1) + dt.timedelta(days=31 * number),
                    end_date=dt.date(2026, 12, 31),
                    funding_amount_eur=125_000 * number,
                    funding_source="Horizon Europe" if number % 2 else None,
                    partner_ids=(tokyo.id,) if number % 2 else (tokyo.id, acme.id),
                ),
            )
            ids[f"c{number}"] = detail.id
        for number, level in enumerate(["low", "medium", "high", "very_high"]):
            session.get(Collaboration, ids[f"c{number}"]).risk_level = level  # type: ignore[union-attr]
    return ids
