"""Advice requests: validation, closing, per-quarter counts and the median days to answer; the
advice and asset registers query real databases and reach the audit workbook."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from rsdesk.services import advice, assets, registers
from rsdesk.services.advice import AdviceInput
from rsdesk.services.assets import AssetInput
from rsdesk.services.errors import ValidationError
from rsdesk.services.registers import RegisterQuery

from .people.helpers import department, person

D = dt.date
TODAY = D(2026, 11, 20)


def _ask(session, asked_on, closed_on=None, **values):
    data = {
        "asked_on": asked_on,
        "requester_name": "Dr Quinn",
        "question": "May I host a visiting researcher from a defence university?",
        "advice": "Yes, with a briefing and a need-to-know access list" if closed_on else None,
        "closed_on": closed_on,
    }
    data.update(values)
    return advice.log_request(session, AdviceInput(**data), today=TODAY)


def test_counts_per_quarter_and_median_days_to_answer(db):
    with db.unit_of_work() as session:
        _ask(session, D(2025, 12, 20), D(2026, 1, 9))  # asked last year, answered in Q1: 20 days
        _ask(session, D(2026, 1, 5), D(2026, 1, 5))  # same day: 0 days
        _ask(session, D(2026, 2, 1), D(2026, 2, 11))  # 10 days
        _ask(session, D(2026, 3, 31), D(2026, 4, 2))  # asked Q1, answered Q2: 2 days
        _ask(session, D(2026, 8, 1))  # still open
        result = advice.figures(session, 2026)
    q1, q2, q3, q4 = result.quarters
    assert (q1.asked, q1.closed, q1.median_days) == (3, 3, 10.0)
    assert (q2.asked, q2.closed, q2.median_days) == (0, 1, 2.0)
    assert (q3.asked, q3.closed, q3.median_days) == (1, 0, None)
    assert (q4.asked, q4.closed) == (0, 0)
    assert (result.asked, result.closed, result.still_open) == (4, 4, 1)
    assert result.median_days == 6.0  # of 20, 0, 10, 2


def test_validation_and_closing(db):
    with db.unit_of_work() as session:
        dept = department(session, "Physics")
        staff_id = person(session, full_name="Robin Researcher", department_id=dept)
        for bad, match in [
            ({"requester_name": " "}, "who asked"),
            ({"question": ""}, "question"),
            ({"asked_on": TODAY + dt.timedelta(days=1)}, "future"),
            ({"closed_on": D(2026, 1, 1), "asked_on": D(2026, 2, 1)}, "before it was asked"),
            ({"closed_on": D(2026, 3, 1), "advice": None}, "advice given"),
            ({"partner_id": 999}, "partner"),
            ({"collaboration_id": 999}, "collaboration"),
        ]:
            data = {"asked_on": D(2026, 2, 1), **bad}
            with pytest.raises(ValidationError, match=match):
                _ask(session, **data)
        request = _ask(session, D(2026, 2, 1), requester_name="", requester_staff_id=staff_id)
        assert request.requester_name == "Robin Researcher"
        assert request.department_id == dept
        assert request.open
        assert advice.open_count(session) == 1
        closed = advice.close_request(session, request.id, "Go ahead", D(2026, 2, 3), today=TODAY)
        assert closed.closed_on == D(2026, 2, 3)
        assert advice.open_count(session) == 0


def test_advice_and_asset_registers_query_and_filter(db):
    with db.unit_of_work() as session:
        _ask(session, D(2026, 1, 5), D(2026, 1, 6))
        _ask(session, D(2026, 2, 5), question="Can we accept funding from this company?")
        staff_id = person(session, full_name="Ada Holder")
        lab = assets.create_asset(
            session,
            AssetInput(name="Quantum lab", kind="lab", sensitivity_level="highly_sensitive"),
        ).id
        assets.create_asset(
            session, AssetInput(name="Open data", kind="dataset", sensitivity_level="public")
        )
        assets.set_safeguard(session, lab, "mfa", "in_place")
        assets.set_safeguard(session, lab, "encryption", "planned")
        assets.grant_access(session, lab, staff_id, dt.date.today(), "Operates the cryostat")
    with db.read() as session:
        spec = registers.get("advice")
        assert registers.count(session, spec, RegisterQuery(filters={"state": "open"})) == 1
        assert registers.count(session, spec, RegisterQuery(text="funding")) == 1
        spec = registers.get("assets")
        rows = registers.fetch(session, spec, RegisterQuery(sort_key="name"), 0, 10)
        names = [row[1 + spec.column_index("name")] for row in rows]
        assert names == ["Open data", "Quantum lab"]
        quantum = rows[1]
        assert quantum[1 + spec.column_index("safeguards")] == 1
        assert quantum[1 + spec.column_index("access")] == 1
        level = RegisterQuery(filters={"sensitivity_level": "highly_sensitive"})
        assert registers.count(session, spec, level) == 1
        assert registers.count(session, registers.get("asset_safeguards"), RegisterQuery()) == 2
        access = registers.get("asset_access")
        assert registers.count(session, access, RegisterQuery(filters={"state": "active"})) == 1


def test_the_audit_workbook_carries_assets_safeguards_access_and_advice(db, tmp_path):
    from rsdesk.services.reports.xlsx.audit import export_audit_workbook

    with db.unit_of_work() as session:
        _ask(session, D(2026, 1, 5), D(2026, 1, 6))
        lab = assets.create_asset(
            session,
            AssetInput(name="=cmd|' /C calc'!A0", kind="lab", sensitivity_level="sensitive"),
        ).id
        assets.set_safeguard(session, lab, "mfa", "in_place")
    out = tmp_path / "audit.xlsx"
    with db.read() as session:
        export_audit_workbook(session, out, actor="tester", database="test")
    book = load_workbook(out)
    titles = " | ".join(book.sheetnames)
    for title in ("Sensitive assets", "Asset safeguards", "Access to sensitive assets", "Advice"):
        assert title[:20] in titles
    sheet = next(book[name] for name in book.sheetnames if name.startswith("Sensitive assets"))
    values = [cell.value for row in sheet.iter_rows() for cell in row if cell.value]
    assert "=cmd|' /C calc'!A0" in values  # kept as text, never a formula
