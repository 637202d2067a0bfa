"""Demo section: advice requests researchers brought to the desk, and the advice given."""

from __future__ import annotations

import datetime as dt
import math

from rsdesk.models import AdviceRequest
from rsdesk.services.demo.context import DemoContext
from rsdesk.services.demo.organisation import RESEARCH_ROLES, profile_of
from rsdesk.services.demo.vocabulary import ADVICE_ANSWERS, ADVICE_QUESTIONS

SPAN_DAYS = 6 * 365
RESEARCH_ROLE_VALUES = frozenset(role.value for role in RESEARCH_ROLES)


def advice_requests(ctx: DemoContext) -> dict[str, int]:
    """About one request per ten collaborations; many come before a collaboration is proposed."""
    rng = ctx.rng
    count = max(20, ctx.size // 10)
    askers = [m for m in ctx.staff if m.role_category in RESEARCH_ROLE_VALUES] or ctx.staff
    partner_names = {p.id: p.name for p in ctx.partners}
    staff_by_id = {m.id: m for m in ctx.staff}
    rows = []
    for _ in range(count):
        collaboration = None
        if ctx.collaborations and rng.random() < 0.3:
            collaboration = rng.choice(ctx.collaborations)
            asked_on = collaboration.proposed_on - dt.timedelta(days=rng.randint(0, 30))
            asked_on = max(asked_on, ctx.anchor - dt.timedelta(days=SPAN_DAYS))
            partner_id: int | None = collaboration.partner_ids[0]
            department_id = collaboration.department_id
            topic = collaboration.topic
            asker = staff_by_id.get(collaboration.lead_staff_id or 0) or rng.choice(askers)
        else:
            asked_on = ctx.anchor - dt.timedelta(
                days=int(SPAN_DAYS * (1 - math.sqrt(rng.random())))
            )
            asker = rng.choice(askers)
            department_id = asker.department_id
            topic = rng.choice(profile_of(ctx, department_id).topics)
            partner_id = (
                rng.choice(ctx.partners).id if ctx.partners and rng.random() < 0.7 else None
            )
        partner = partner_names[partner_id] if partner_id else "a foreign partner"
        question = rng.choice(ADVICE_QUESTIONS).format(partner=partner, topic=topic)
        question = question[0].upper() + question[1:]
        closed_on: dt.date | None = asked_on + dt.timedelta(days=rng.randint(0, 21))
        if closed_on > ctx.anchor or (ctx.anchor - asked_on).days < 10 and rng.random() < 0.5:  # type: ignore[operator]
            closed_on = None
        created = ctx.moment(asked_on)
        rows.append(
            {
                "id": ctx.new_id(AdviceRequest.__table__),
                "asked_on": asked_on,
                "requester_name": asker.full_name,
                "requester_staff_id": asker.id,
                "department_id": department_id,
                "question": question,
                "partner_id": partner_id,
                "collaboration_id": collaboration.id if collaboration else None,
                "advice": rng.choice(ADVICE_ANSWERS) if closed_on else None,
                "closed_on": closed_on,
                "created_at": created,
                "updated_at": max(created, ctx.moment(closed_on)) if closed_on else created,
            }
        )
    return {"advice requests": ctx.write(AdviceRequest.__table__, rows)}
