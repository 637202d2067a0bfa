"""The demo's people section: checklists from the rules and a realistic training history."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import func, select

from rsdesk.models import OnboardingCheck, TechnologyArea
from rsdesk.models.enums import CheckStatus
from rsdesk.services import audit, onboarding, training
from rsdesk.services.demo import organisation
from rsdesk.services.demo.context import DemoContext
from rsdesk.services.demo.people import existing_courses, people
from rsdesk.services.training import TrainingStatus

ANCHOR = dt.date(2026, 6, 1)


def test_people_section_writes_checks_and_training_that_verify(db):
    with db.engine.begin() as connection:
        areas = connection.execute(
            select(TechnologyArea.code, TechnologyArea.most_sensitive).order_by(
                TechnologyArea.sort_order
            )
        ).all()
        ctx = DemoContext(
            connection,
            random.Random(7),
            ANCHOR,
            "demo",
            2000,
            technology_areas=tuple(code for code, _ in areas),
            most_sensitive_areas=frozenset(code for code, most in areas if most),
            dual_use_codes=tuple(str(n) for n in range(10)),
            existing_courses=existing_courses(connection),
        )
        organisation.departments(ctx)
        organisation.staff(ctx)
        counts = people(ctx)
    assert counts["training courses"] == 6
    assert counts["onboarding checks"] > len(ctx.staff)
    with db.read() as session:
        assert audit.verify(session).ok
        statuses = dict(
            (row[0], row[1])
            for row in session.execute(
                select(OnboardingCheck.status, func.count()).group_by(OnboardingCheck.status)
            )
        )
        assert set(statuses) == {s.value for s in CheckStatus}
        assert onboarding.overdue_count(session, today=ANCHOR) > 0
        # The demo's courses equal the catalogue: synchronising changes nothing.
        assert training.sync_courses(session) == 0
        counts_by_status = training.matrix(session, today=ANCHOR).counts()
        # Each person's checks are exactly those the rules give for their role and research.
        rules = onboarding.load_rules(session)
        member = next(m for m in ctx.staff if m.dual_use_code)
        expected = {
            r.code
            for r in rules.applicable(
                onboarding.profile_of(
                    member.role_category, member.technology_area_code,
                    member.technology_area_code in ctx.most_sensitive_areas,
                    member.dual_use_code, member.sensitive_facility_access,
                )
            )
        }  # fmt: skip
        assert {i.check_code for i in onboarding.checklist(session, member.id)} == expected
    assert all(counts_by_status[s] > 0 for s in TrainingStatus), counts_by_status
    total = sum(counts_by_status.values())
    assert counts_by_status[TrainingStatus.CURRENT] > total / 2
