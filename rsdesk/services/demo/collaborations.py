"""Demo section: collaborations over the last six years, with their partners, technology areas and
the appraisals and measures that decided them.

Each collaboration follows a plausible life: proposed on a day (more in recent years), appraised
when its form or subject calls for it (triage: an exchange without sensitive subjects is recorded
and approved without a full appraisal), decided, started, perhaps re-appraised when its review
fell due, ended. Its status, dates, risk level and next review date all follow from that story,
so the register shows every status, some reviews overdue and some due soon.
"""

from __future__ import annotations

import datetime as dt
import math
import zlib
from itertools import accumulate
from typing import Any

from rsdesk.models import Collaboration, CollaborationPartner, CollaborationTechnology
from rsdesk.services.appraisal.workflow import add_months
from rsdesk.services.demo.appraisals import Appraiser, Outcome, write_planned
from rsdesk.services.demo.context import CollaborationRow, DemoContext, StaffRow
from rsdesk.services.demo.organisation import LEAD_ROLES, PROFILE_BY_KEY
from rsdesk.services.demo.vocabulary import (
    APPLICATIONS,
    DATASETS,
    FACILITIES,
    FUNDERS,
    MEASURE_EVIDENCE,
)

SPAN_DAYS = 6 * 365

KIND_WEIGHTS = {
    "joint_research": 25,
    "contract_research": 10,
    "framework_agreement": 7,
    "exchange": 12,
    "visiting_researcher": 12,
    "joint_degree": 4,
    "data_sharing": 8,
    "facility_access": 5,
    "funding_received": 8,
    "funding_application": 9,
}
#: Planned length in months.
DURATION = {
    "joint_research": (12, 60),
    "contract_research": (6, 36),
    "framework_agreement": (36, 60),
    "exchange": (3, 12),
    "visiting_researcher": (1, 12),
    "joint_degree": (48, 60),
    "data_sharing": (12, 36),
    "facility_access": (1, 18),
    "funding_received": (12, 48),
    "funding_application": (24, 48),
}
#: Share of decided collaborations that get a full appraisal (triage), before sensitivity.
APPRAISED_SHARE = {
    "joint_research": 0.45,
    "contract_research": 0.6,
    "framework_agreement": 0.2,
    "exchange": 0.1,
    "visiting_researcher": 0.4,
    "joint_degree": 0.2,
    "data_sharing": 0.6,
    "facility_access": 0.7,
    "funding_received": 0.5,
    "funding_application": 0.3,
}
#: The appraisal model's answer to "form of the collaboration" for each kind.
FORM_BY_KIND = {
    "framework_agreement": "framework",
    "exchange": "exchange",
    "joint_degree": "exchange",
    "joint_research": "joint_research",
    "funding_received": "funding",
    "funding_application": "funding",
    "visiting_researcher": "visiting",
    "contract_research": "contract_research",
    "data_sharing": "data_or_facility",
    "facility_access": "data_or_facility",
}
#: Funding in EUR: (share with funding, minimum, maximum).
FUNDING = {
    "joint_research": (0.6, 10_000, 1_500_000),
    "contract_research": (1.0, 20_000, 800_000),
    "exchange": (0.4, 2_000, 40_000),
    "visiting_researcher": (0.3, 3_000, 60_000),
    "joint_degree": (0.3, 20_000, 300_000),
    "data_sharing": (0.1, 5_000, 100_000),
    "facility_access": (0.5, 1_000, 120_000),
    "funding_received": (1.0, 50_000, 2_000_000),
    "funding_application": (1.0, 100_000, 3_000_000),
}
LEVEL_WEIGHTS = (("low", 62), ("medium", 25), ("high", 10), ("very_high", 3))
OFFICER_ROLE = "Research-security officer"
#: Collaborations planned before they, their links, appraisals and measures are written: small
#: enough that writing keeps pace with generating when a second process generates.
COLLABORATION_BATCH = 2_000


def collaborations(ctx: DemoContext) -> dict[str, int]:
    planner = _Planner(ctx)
    rows: list[dict[str, Any]] = []
    partner_links: list[dict[str, Any]] = []
    technology_links: list[dict[str, Any]] = []
    rng = ctx.rng
    # More proposals in recent years: density falls linearly with age.
    ages = sorted(
        (int(SPAN_DAYS * (1 - math.sqrt(rng.random()))) for _ in range(ctx.size)), reverse=True
    )
    per_year: dict[int, int] = {}
    counts = {"collaborations": 0, "collaboration partners": 0, "collaboration technology areas": 0}

    def flush() -> None:
        # Written as planned, a batch at a time, so that memory stays flat however large.
        counts["collaborations"] += ctx.write(Collaboration.__table__, rows)
        counts["collaboration partners"] += ctx.write(CollaborationPartner.__table__, partner_links)
        counts["collaboration technology areas"] += ctx.write(
            CollaborationTechnology.__table__, technology_links
        )
        write_planned(ctx)
        rows.clear()
        partner_links.clear()
        technology_links.clear()

    for age in ages:
        proposed_on = ctx.anchor - dt.timedelta(days=age)
        per_year[proposed_on.year] = per_year.get(proposed_on.year, 0) + 1
        reference = f"C-{proposed_on.year}-{per_year[proposed_on.year]:05d}"
        row, collab = planner.plan(reference, proposed_on)
        rows.append(row)
        for order, partner_id in enumerate(collab.partner_ids):
            partner_links.append(
                {
                    "id": ctx.new_id(CollaborationPartner.__table__),
                    "collaboration_id": collab.id,
                    "partner_id": partner_id,
                    "role": _partner_role(collab.kind, order, len(collab.partner_ids)),
                    "created_at": row["created_at"],
                    "updated_at": row["created_at"],
                }
            )
        for code in collab.technology_area_codes:
            technology_links.append(
                {
                    "id": ctx.new_id(CollaborationTechnology.__table__),
                    "collaboration_id": collab.id,
                    "area_code": code,
                    "created_at": row["created_at"],
                    "updated_at": row["created_at"],
                }
            )
        ctx.collaborations.append(collab)
        if collab.id % 1000 == 0:
            ctx.cancel.raise_if_cancelled()
        if len(rows) >= COLLABORATION_BATCH:
            flush()
    flush()
    return counts


def _partner_role(kind: str, order: int, count: int) -> str:
    if order == 0:
        if kind in ("funding_received", "contract_research"):
            return "funder"
        if kind in ("exchange", "visiting_researcher", "facility_access"):
            return "host" if kind == "exchange" else "home institution"
        return "coordinator" if count > 1 else "partner"
    return "partner"


class _Planner:
    """Builds one collaboration's row and its appraisal and measure plans."""

    def __init__(self, ctx: DemoContext) -> None:
        self.ctx = ctx
        self.rng = ctx.rng
        self.appraiser = Appraiser(ctx)
        self.measure_plans: list[dict[str, Any]] = ctx.extra.setdefault("measure_plans", [])
        self.departments = [d for d in ctx.departments if PROFILE_BY_KEY[d.profile_key].weight]
        self.department_weights = [PROFILE_BY_KEY[d.profile_key].weight for d in self.departments]
        self.leads: dict[int, list[StaffRow]] = {}
        self.deans: dict[int, StaffRow] = {}
        for member in ctx.staff:
            if member.role_category in LEAD_ROLES:
                self.leads.setdefault(member.department_id, []).append(member)
            if member.role_category == "professor":
                self.deans.setdefault(member.department_id, member)
        self.committee_chair = next(
            (m for m in ctx.officers if m.role_category == "manager"), ctx.officers[0]
        )
        self.partner_ids = [p.id for p in ctx.partners]
        self.partner_kinds = {p.id: p.kind for p in ctx.partners}
        # A few partners take part in many collaborations, most in a few.
        popularity = [1 / (rank + 1) ** 0.6 for rank in range(len(self.partner_ids))]
        self.partner_cumulative = list(accumulate(popularity))
        self.kinds, self.kind_weights = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
        self.areas = {
            d.id: tuple(c for c in PROFILE_BY_KEY[d.profile_key].areas if c in ctx.technology_areas)
            for d in ctx.departments
        }
        self.dual_use = {
            d.id: tuple(
                c for c in PROFILE_BY_KEY[d.profile_key].dual_use if c in ctx.dual_use_codes
            )
            for d in ctx.departments
        }

    # --- the collaboration ----------------------------------------------------------------

    def plan(self, reference: str, proposed_on: dt.date) -> tuple[dict[str, Any], CollaborationRow]:
        ctx, rng = self.ctx, self.rng
        kind = rng.choices(self.kinds, self.kind_weights)[0]
        department = rng.choices(self.departments, self.department_weights)[0]
        profile = PROFILE_BY_KEY[department.profile_key]
        leads = self.leads.get(department.id)
        lead = rng.choice(leads) if leads and rng.random() < 0.97 else None
        field = rng.choice(profile.fields)
        topic = rng.choice(profile.topics)
        areas: tuple[str, ...] = ()
        dual_use = None
        if self.areas[department.id] and rng.random() < 0.35:
            count = 2 if rng.random() < 0.2 and len(self.areas[department.id]) > 1 else 1
            areas = tuple(sorted(rng.sample(self.areas[department.id], count)))
            if self.dual_use[department.id] and rng.random() < 0.12:
                dual_use = rng.choice(self.dual_use[department.id])
        partner_ids = self._partners()
        collab = CollaborationRow(
            id=ctx.new_id(Collaboration.__table__),
            reference=reference,
            title=self._title(kind, field, topic, bool(self.areas[department.id])),
            kind=kind,
            status="proposed",
            department_id=department.id,
            lead_staff_id=lead.id if lead else None,
            partner_ids=partner_ids,
            proposed_on=proposed_on,
            start_date=None,
            end_date=None,
            technology_area_codes=areas,
            dual_use_code=dual_use,
            research_field=field,
            topic=topic,
        )
        last_change = self._story(collab, lead)
        funded, low, high = FUNDING.get(kind, (0.0, 0, 0))
        amount = None
        source = None
        if rng.random() < funded:
            amount = int(round(math.exp(rng.uniform(math.log(low), math.log(high))), -3))
            source = rng.choice(FUNDERS)
        created = ctx.moment(proposed_on)
        row = {
            "id": collab.id,
            "reference": reference,
            "title": collab.title,
            "kind": kind,
            "status": collab.status,
            "department_id": department.id,
            "lead_staff_id": collab.lead_staff_id,
            "research_field": field,
            "description": (
                f"{_KIND_LABEL[kind]} in {field.lower()}, on {topic}."
                if rng.random() < 0.4
                else None
            ),
            "dual_use_code": dual_use,
            "funding_amount_eur": amount,
            "funding_source": source,
            "start_date": collab.start_date,
            "end_date": collab.end_date,
            "next_review_date": collab.next_review_date,
            "risk_level": collab.risk_level,
            "archived": collab.status in ("ended", "withdrawn", "rejected")
            and collab.proposed_on < ctx.anchor - dt.timedelta(days=4 * 365)
            and rng.random() < 0.3,
            "created_at": created,
            "updated_at": max(created, ctx.moment(min(last_change, ctx.anchor))),
        }
        return row, collab

    def _partners(self) -> tuple[int, ...]:
        rng = self.rng
        wanted = rng.choices((1, 2, 3), (70, 22, 8))[0]
        chosen: list[int] = []
        for _ in range(wanted * 4):
            partner_id = rng.choices(self.partner_ids, cum_weights=self.partner_cumulative)[0]
            if partner_id not in chosen:
                chosen.append(partner_id)
            if len(chosen) == wanted:
                break
        return tuple(chosen)

    def _title(self, kind: str, field: str, topic: str, technical: bool) -> str:
        rng = self.rng
        cap = topic[0].upper() + topic[1:]
        if kind == "joint_research":
            return rng.choice(
                (f"{cap} for {rng.choice(APPLICATIONS)}", f"Joint research on {topic}", cap)
            )
        if kind == "contract_research":
            if not technical:
                return rng.choice((f"Commissioned study: {topic}", f"Policy report on {topic}"))
            return rng.choice((f"Feasibility study: {topic}", f"Testing and validation of {topic}"))
        if kind == "framework_agreement":
            return rng.choice(
                (
                    f"Framework agreement on cooperation in {field.lower()}",
                    f"Memorandum of understanding: {field.lower()}",
                )
            )
        if kind == "exchange":
            return rng.choice(
                (f"Staff and student exchange in {field.lower()}", f"Erasmus+ exchange: {field}")
            )
        if kind == "visiting_researcher":
            return rng.choice((f"Visiting researcher: {topic}", f"Research stay on {topic}"))
        if kind == "joint_degree":
            return rng.choice(
                (f"Joint master's programme in {field}", f"Double doctoral degree in {field}")
            )
        if kind == "data_sharing":
            return f"Data sharing: {rng.choice(DATASETS)} for {topic}"
        if kind == "facility_access":
            return f"Access to {rng.choice(FACILITIES)} for {topic}"
        if kind == "funding_received":
            return rng.choice((f"Industry-funded research on {topic}", f"Donation for {topic}"))
        return f"{rng.choice(FUNDERS[:4])} proposal: {cap}"

    # --- its life -------------------------------------------------------------------------

    def _story(self, collab: CollaborationRow, lead: StaffRow | None) -> dt.date:
        """Decides status, dates, appraisals and measures; returns the day of the last change."""
        ctx, rng = self.ctx, self.rng
        anchor = ctx.anchor
        months = rng.randint(*DURATION[collab.kind])
        decided_on = collab.proposed_on + dt.timedelta(days=rng.randint(7, 75))
        share = APPRAISED_SHARE[collab.kind]
        share += 0.3 if collab.technology_area_codes else 0.0
        share += 0.3 if collab.dual_use_code else 0.0
        appraised = rng.random() < share
        facts = self._facts(collab)

        def planned_dates(after: dt.date) -> None:
            collab.start_date = after + dt.timedelta(days=rng.randint(30, 120))
            collab.end_date = add_months(collab.start_date, months)

        if decided_on > anchor or rng.random() < 0.05:
            # Not decided yet, or withdrawn before the decision.
            planned_dates(collab.proposed_on)
            withdrawn = decided_on <= anchor or rng.random() < 0.04
            age = (anchor - collab.proposed_on).days
            if appraised and age >= 2 and (not withdrawn or rng.random() < 0.4):
                started = collab.proposed_on + dt.timedelta(days=rng.randint(1, min(age, 14)))
                self._draft(collab, facts, started)
                collab.status = "under_appraisal"
            if withdrawn:
                collab.status = "withdrawn"
                return min(decided_on, anchor)
            return collab.proposed_on
        if not appraised:
            # Triage: recorded and approved without a full appraisal.
            return self._run(collab, "approve", decided_on, months, None)
        target = rng.choices([lv for lv, _ in LEVEL_WEIGHTS], [w for _, w in LEVEL_WEIGHTS])[0]
        outcome = self.appraiser.outcome(facts, target)
        decision = self._decision(outcome.level)
        appraisal_id = self._signed(collab, 1, None, outcome, decision, decided_on, lead)
        if decision == "escalate":
            if (anchor - decided_on).days < 30:
                collab.status = "under_appraisal"
                collab.risk_level = outcome.level
                collab.next_review_date = add_months(decided_on, outcome.review_months)
                planned_dates(decided_on)
                return decided_on
            decided_on = min(anchor, decided_on + dt.timedelta(days=rng.randint(14, 40)))
            decision = "approve_with_conditions" if rng.random() < 0.45 else "reject"
            self._signed(collab, 2, appraisal_id, outcome, decision, decided_on, lead)
        return self._run(collab, decision, decided_on, months, outcome, lead)

    def _run(
        self,
        collab: CollaborationRow,
        decision: str,
        decided_on: dt.date,
        months: int,
        outcome: Outcome | None,
        lead: StaffRow | None = None,
    ) -> dt.date:
        """After the decision: start, re-appraisals when reviews fall due, end."""
        ctx, rng = self.ctx, self.rng
        anchor = ctx.anchor
        collab.risk_level = outcome.level if outcome else None
        if decision == "reject":
            collab.status = "rejected"
            collab.start_date = decided_on + dt.timedelta(days=rng.randint(30, 90))
            collab.end_date = add_months(collab.start_date, months)
            return decided_on
        collab.start_date = decided_on + dt.timedelta(days=rng.randint(0, 60))
        collab.end_date = add_months(collab.start_date, months)
        if collab.start_date > anchor:
            collab.status = (
                "approved_with_conditions" if decision.endswith("conditions") else "approved"
            )
        elif collab.end_date < anchor:
            collab.status = "ended"
        else:
            collab.status = "active"
        last_change = (
            min(anchor, collab.start_date) if collab.status != "ended" else collab.end_date
        )
        if outcome is None:
            return last_change
        # Re-appraisals while it runs, when the review falls due (most offices keep up; not all).
        version = self._last_version
        previous_id = self._last_appraisal_id
        signed_on = self._last_signed
        level_outcome = outcome
        review = add_months(signed_on, outcome.review_months)
        horizon = min(anchor, collab.end_date)
        while review < horizon and rng.random() < 0.75:
            signed_on = max(
                signed_on + dt.timedelta(days=30), review - dt.timedelta(days=rng.randint(0, 45))
            )
            if signed_on > anchor:
                break
            level_outcome = self.appraiser.outcome(
                self._facts(collab, reappraisal=True), _shift(rng, level_outcome.level)
            )
            again = (
                "approve"
                if level_outcome.level in ("low", "medium") and rng.random() < 0.7
                else ("approve_with_conditions")
            )
            version += 1
            previous_id = self._signed(
                collab, version, previous_id, level_outcome, again, signed_on, lead
            )
            review = add_months(signed_on, level_outcome.review_months)
            last_change = max(last_change, signed_on)
        collab.risk_level = level_outcome.level
        collab.next_review_date = None if collab.status == "ended" else review
        return last_change

    def _facts(self, collab: CollaborationRow, reappraisal: bool = False) -> dict[str, str]:
        areas = collab.technology_area_codes
        if any(code in self.ctx.most_sensitive_areas for code in areas):
            technology = "most_sensitive"
        elif areas:
            technology = "other_area"
        else:
            technology = "none"
        if collab.dual_use_code:
            dual_use = "listed"
        elif areas and zlib.crc32(collab.reference.encode()) % 4 == 0:
            dual_use = "possible"
        else:
            dual_use = "no"
        return {
            "partner_kind": self.partner_kinds[collab.partner_ids[0]],
            "form_kind": FORM_BY_KIND[collab.kind],
            "research_critical_technology": technology,
            "research_dual_use": dual_use,
        }

    def _decision(self, level: str) -> str:
        draw = self.rng.random()
        if level == "low":
            return "approve"
        if level == "medium":
            return "approve" if draw < 0.55 else "approve_with_conditions"
        if level == "high":
            return "approve_with_conditions" if draw < 0.78 else "reject"
        return "escalate" if draw < 0.8 else "reject"

    # --- appraisal rows -------------------------------------------------------------------

    _last_version = 1
    _last_appraisal_id = 0
    _last_signed = dt.date.min

    def _draft(self, collab: CollaborationRow, facts: dict[str, str], started: dt.date) -> None:
        ctx, rng = self.ctx, self.rng
        target = rng.choices([lv for lv, _ in LEVEL_WEIGHTS], [w for _, w in LEVEL_WEIGHTS])[0]
        outcome = self.appraiser.outcome(facts, target, draft=True)
        created = ctx.moment(started)
        ctx.appraisal_plans.append(
            self._appraisal_row(collab, 1, None, outcome, created) | {"updated_at": created}
        )

    def _signed(
        self,
        collab: CollaborationRow,
        version: int,
        previous_id: int | None,
        outcome: Outcome,
        decision: str,
        signed_on: dt.date,
        lead: StaffRow | None,
    ) -> int:
        ctx, rng = self.ctx, self.rng
        started = max(collab.proposed_on, signed_on - dt.timedelta(days=rng.randint(1, 21)))
        created = ctx.moment(started)
        signed_at = max(created, ctx.moment(signed_on))
        level = outcome.level
        if decision == "escalate" or level in ("low", "medium"):
            signer, role = rng.choice(self.ctx.officers).full_name, OFFICER_ROLE
        elif level == "high":
            dean = self.deans.get(collab.department_id)
            signer = dean.full_name if dean else rng.choice(self.ctx.officers).full_name
            role = "Dean" if dean else "Head of research security"
        else:
            signer = f"{self.committee_chair.full_name}, for the committee"
            role = outcome.sign_off
        review = None if decision == "reject" else add_months(signed_on, outcome.review_months)
        row = self._appraisal_row(collab, version, previous_id, outcome, created) | {
            "status": "signed_off",
            "decision": decision,
            "decision_note": _NOTES.get(decision),
            "signed_off_by": signer,
            "signed_off_role": role,
            "signed_off_at": signed_at,
            "next_review_date": review,
            "updated_at": signed_at,
        }
        ctx.appraisal_plans.append(row)
        self._last_version, self._last_appraisal_id, self._last_signed = (
            version,
            row["id"],
            signed_on,
        )
        if decision == "approve_with_conditions":
            self._measures(collab, row["id"], outcome, signed_on, lead)
        return int(row["id"])

    def _appraisal_row(
        self,
        collab: CollaborationRow,
        version: int,
        previous_id: int | None,
        outcome: Outcome,
        created: dt.datetime,
    ) -> dict[str, Any]:
        return {
            "id": self.ctx.new_id("appraisal"),
            "collaboration_id": collab.id,
            "version": version,
            "previous_appraisal_id": previous_id,
            "status": "draft",
            "answered_by": "researcher" if version == 1 and self.rng.random() < 0.3 else "officer",
            "model_id": self.appraiser.model_id,
            "model_version": self.appraiser.model_version,
            "answers": outcome.answers,
            "justifications": outcome.justifications,
            "result": outcome.result,
            "risk_level": outcome.level,
            "score": outcome.score,
            "decision": None,
            "decision_note": None,
            "signed_off_by": None,
            "signed_off_role": None,
            "signed_off_at": None,
            "next_review_date": None,
            "created_at": created,
            "updated_at": created,
        }

    def _measures(
        self,
        collab: CollaborationRow,
        appraisal_id: int,
        outcome: Outcome,
        signed_on: dt.date,
        lead: StaffRow | None,
    ) -> None:
        ctx, rng = self.ctx, self.rng
        anchor = ctx.anchor
        model = self.appraiser.model
        suggested = list(outcome.measures) or ["contract_ip_publication", "team_briefing"]
        codes = rng.sample(suggested, min(len(suggested), rng.randint(1, 4)))
        ended = collab.end_date is not None and collab.end_date < anchor
        for code in codes:
            due = add_months(signed_on, rng.randint(1, 6))
            draw = rng.random()
            if ended:
                status = "done" if draw < 0.85 else "cancelled"
            elif due < anchor:
                status = (
                    "done"
                    if draw < 0.75
                    else "in_progress"
                    if draw < 0.87
                    else ("planned" if draw < 0.95 else "cancelled")
                )
            else:
                status = "planned" if draw < 0.45 else "in_progress" if draw < 0.85 else "done"
            completed = None
            if status == "done":
                latest = min(anchor, due + dt.timedelta(days=20))
                span = max(0, (latest - signed_on).days)
                completed = signed_on + dt.timedelta(days=rng.randint(0, span))
            owner = lead.id if lead and rng.random() < 0.7 else rng.choice(ctx.officers).id
            created = ctx.moment(signed_on)
            changed = ctx.moment(completed) if completed else created
            self.measure_plans.append(
                {
                    "id": ctx.new_id("mitigation_measure"),
                    "collaboration_id": collab.id,
                    "appraisal_id": appraisal_id,
                    "measure_code": code,
                    "description": model.measure(code).text,
                    "owner_staff_id": owner,
                    "due_date": due,
                    "status": status,
                    "completed_on": completed,
                    "evidence": rng.choice(MEASURE_EVIDENCE) if status == "done" else None,
                    "archived": False,
                    "created_at": created,
                    "updated_at": max(created, changed),
                }
            )


def _shift(rng: Any, level: str) -> str:
    """The level of a re-appraisal: mostly the same, sometimes lower (safeguards), rarely higher."""
    index = ("low", "medium", "high", "very_high").index(level)
    draw = rng.random()
    if draw < 0.25 and index > 0:
        index -= 1
    elif draw > 0.92 and index < 3:
        index += 1
    return ("low", "medium", "high", "very_high")[index]


_NOTES = {
    "approve": None,
    "approve_with_conditions": "Approved subject to the mitigation measures listed.",
    "reject": "The risks cannot be reduced to an acceptable level with proportionate measures.",
    "escalate": "Referred to the research-security committee.",
}
_KIND_LABEL = {
    "joint_research": "Joint research",
    "contract_research": "Contract research",
    "framework_agreement": "Framework agreement",
    "exchange": "Exchange",
    "visiting_researcher": "Research stay",
    "joint_degree": "Joint degree programme",
    "data_sharing": "Data sharing",
    "facility_access": "Facility access",
    "funding_received": "Funded research",
    "funding_application": "Funding application",
}
