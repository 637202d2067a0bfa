"""Demo section: foreign partners and their other names, in many scripts."""

from __future__ import annotations

from rsdesk.models import Partner, PartnerName
from rsdesk.services.demo.context import DemoContext, PartnerRow
from rsdesk.services.demo.organisation import go_live
from rsdesk.services.demo.partner_names import PartnerNamer

KIND_WEIGHTS = {
    "university": 40,
    "research_institute": 20,
    "company": 25,
    "government_body": 7,
    "other": 8,
}
NOTES = (
    "Long-standing partner; framework agreement renewed.",
    "Due diligence completed; no concerns found.",
    "Ownership structure checked with the company register.",
    "Introduced by the department's international office.",
    "Contact person changed; see correspondence file.",
    "Screened again before renewal.",
)


def partners(ctx: DemoContext) -> dict[str, int]:
    """About one partner per five collaborations (at least 30)."""
    rng = ctx.rng
    count = max(30, ctx.size // 5)
    namer = PartnerNamer(rng)
    kinds, weights = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
    imported = ctx.moment(go_live(ctx))
    partner_rows = []
    name_rows = []
    for _ in range(count):
        kind = rng.choices(kinds, weights)[0]
        drawn = namer.draw(kind)
        partner_id = ctx.new_id(Partner.__table__)
        partner_rows.append(
            {
                "id": partner_id,
                "name": drawn.name,
                "kind": kind,
                "country": drawn.country,
                "city": drawn.city,
                "website": drawn.website,
                "notes": rng.choice(NOTES) if rng.random() < 0.1 else None,
                "archived": rng.random() < 0.03,
                "created_at": imported,
                "updated_at": imported,
            }
        )
        for other, name_kind in drawn.other_names:
            name_rows.append(
                {
                    "id": ctx.new_id(PartnerName.__table__),
                    "partner_id": partner_id,
                    "name": other,
                    "kind": name_kind,
                    "created_at": imported,
                    "updated_at": imported,
                }
            )
        ctx.partners.append(PartnerRow(partner_id, drawn.name, kind, drawn.country))
    return {
        "partners": ctx.write(Partner.__table__, partner_rows),
        "partner names": ctx.write(PartnerName.__table__, name_rows),
    }
