"""The advice requests register: who asked what, the advice given, opened and closed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from rsdesk.models import AdviceRequest, Collaboration, Department, Partner
from rsdesk.services.registers.base import DATE, Column, Filter, RegisterSpec
from rsdesk.services.registers.staff import _department_choices


def _base() -> Select[Any]:
    return (
        select()
        .select_from(AdviceRequest)
        .outerjoin(Department, Department.id == AdviceRequest.department_id)
        .outerjoin(Partner, Partner.id == AdviceRequest.partner_id)
        .outerjoin(Collaboration, Collaboration.id == AdviceRequest.collaboration_id)
    )


def _state_filter(statement: Select[Any], value: Any) -> Select[Any]:
    if value == "open":
        return statement.where(AdviceRequest.closed_on.is_(None))
    if value == "closed":
        return statement.where(AdviceRequest.closed_on.is_not(None))
    raise ValueError(f"unknown state filter {value!r}")


SPEC = RegisterSpec(
    name="advice",
    title="Advice requests",
    id_expr=AdviceRequest.id,
    base=_base,
    audit_table="advice_request",
    default_sort="asked_on",
    default_descending=True,
    columns=(
        Column("asked_on", "Asked", AdviceRequest.asked_on, DATE, width=11),
        Column("requester_name", "Asked by", AdviceRequest.requester_name, width=22, personal=True),
        Column("department", "Department", Department.name, width=20),
        Column("question", "Question", AdviceRequest.question, width=48),
        Column("partner", "Partner", Partner.name, width=24),
        Column("collaboration", "Collaboration", Collaboration.reference, width=13),
        Column("advice", "Advice given", AdviceRequest.advice, width=48),
        Column("closed_on", "Closed", AdviceRequest.closed_on, DATE, width=11),
    ),
    search=(
        AdviceRequest.requester_name,
        AdviceRequest.question,
        AdviceRequest.advice,
        Partner.name,
    ),
    filters=(
        Filter(
            "state",
            "State",
            _state_filter,
            lambda _s: [("open", "Open"), ("closed", "Closed")],
        ),
        Filter(
            "department",
            "Department",
            lambda s, v: s.where(AdviceRequest.department_id == int(v)),
            _department_choices,
        ),
    ),
)
