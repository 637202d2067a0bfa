"""The annual report's section on sensitive assets, advice requests and responsibilities: the
figures printed are the services' figures for the year (PDF text read back with pypdf)."""

from __future__ import annotations

import datetime as dt

from rsdesk.cli import main
from rsdesk.services import advice, assets, responsibilities, training
from rsdesk.services.advice import AdviceInput
from rsdesk.services.assets import AssetInput
from tests.reports.pdf.helpers import pages_text
from tests.services.people.helpers import person

YEAR = 2025  # a past year: figures as of 31 December


def test_annual_report_section(db, db_path, tmp_path, capsys):
    with db.unit_of_work() as session:
        training.sync_courses(session)
        holder = person(session, full_name="Ann Holder")
        lab = assets.create_asset(
            session, AssetInput(name="Laser lab", kind="lab", sensitivity_level="highly_sensitive")
        ).id
        assets.create_asset(
            session, AssetInput(name="Open data", kind="dataset", sensitivity_level="public")
        )
        assets.set_safeguard(session, lab, "mfa", "verified", last_verified_on=dt.date(2025, 6, 1))
        assets.set_safeguard(
            session, lab, "encryption", "verified", last_verified_on=dt.date(2024, 6, 1)
        )
        assets.grant_access(session, lab, holder, dt.date(2025, 1, 1), "Alignment work")
        for asked, closed in [((2, 1), (2, 5)), ((2, 10), (2, 20)), ((7, 1), None)]:
            advice.log_request(
                session,
                AdviceInput(
                    asked_on=dt.date(YEAR, *asked),
                    requester_name="Dr Quinn",
                    question="May I?",
                    advice="Yes" if closed else None,
                    closed_on=dt.date(YEAR, *closed) if closed else None,
                ),
            )
        responsibilities.save_text(
            session,
            '[central_contact]\nrole = "Research-security officer"\nname = "Kim Desk"\n'
            '[sign_off.very_high]\nroles = ["Executive board"]\n',
        )
    out = tmp_path / "annual.pdf"
    assert (
        main(["--db", str(db_path), "report", "annual", "--year", str(YEAR), "--out", str(out)])
        == 0
    )
    capsys.readouterr()
    text = " ".join(" ".join(pages_text(out.read_bytes())).split())
    assert "Sensitive assets, advice and responsibilities" in text
    assert (
        "On 2025-12-31, 2 assets are registered; 1 of 2 safeguards in place were verified within their period (50%)"
        in text
    )
    assert "1 person has access without a current briefing" in text
    assert (
        "3 requests were asked in 2025 and 2 answered; the median time to answer was 7 days" in text
    )
    assert "Kim Desk, Research-security officer" in text
    assert "Signs off Very high risk Executive board" in text
    assert "default roles" not in text
