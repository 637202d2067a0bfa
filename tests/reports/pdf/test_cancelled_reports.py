"""Cancel stops a PDF report in every phase, including reportlab's layout, and nothing is
archived (a tester's Cancel during "Laying out" of a 96,899-row listing was ignored: it ran 24 s
more, saved 30 MB and archived it)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from rsdesk.models import ArchivedReport
from rsdesk.services import demo
from rsdesk.services.access import Capability
from rsdesk.services.progress import Cancelled, CancelToken
from rsdesk.services.registers.base import RegisterQuery
from rsdesk.services.reports.pdf import document
from rsdesk.services.reports.pdf.annual import generate_annual
from rsdesk.services.reports.pdf.listing import generate_listing

PREPARING = "Preparing the rows"
PHASES = (PREPARING, document.LAYING_OUT, document.WRITING)


@pytest.fixture
def filled(any_db):
    demo.generate(any_db, size=60, seed=2)
    return any_db


class CancelInPhase:
    """A progress callback that presses Cancel the first time the report reports ``phase``,
    and records every phase it saw after that (there should be none)."""

    def __init__(self, phase: str) -> None:
        self.phase = phase
        self.token = CancelToken()
        self.after: list[str] = []

    def __call__(self, done: int, total: int, message: str = "") -> None:
        if self.token.cancelled:
            self.after.append(message)
        elif message == self.phase:
            self.token.cancel()


def archived(db) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(ArchivedReport)) or 0


@pytest.mark.parametrize("phase", PHASES)
def test_a_listing_cancelled_in_any_phase_stops_and_archives_nothing(filled, phase) -> None:
    press = CancelInPhase(phase)
    with pytest.raises(Cancelled), filled.unit_of_work(Capability.REPORTS) as session:
        # The audit log of the demo: thousands of rows, dozens of blocks and pages.
        generate_listing(
            session,
            "audit_log",
            RegisterQuery(),
            database_name="test",
            actor="tester",
            progress=press,
            cancel=press.token,
        )
    assert press.token.cancelled
    assert press.after == []  # stopped at the next look, not at the end
    assert archived(filled) == 0


def test_an_uncancelled_listing_reports_each_phase_and_is_archived(filled) -> None:
    phases: list[str] = []

    def progress(done: int, total: int, message: str = "") -> None:
        assert 0 <= done <= total
        if message not in phases:
            phases.append(message)

    with filled.unit_of_work(Capability.REPORTS) as session:
        _, content = generate_listing(
            session,
            "audit_log",
            RegisterQuery(),
            database_name="test",
            actor="tester",
            progress=progress,
        )
    assert content.startswith(b"%PDF")
    assert phases == list(PHASES)
    assert archived(filled) == 1


@pytest.mark.parametrize("phase", [document.LAYING_OUT, document.WRITING])
def test_the_annual_report_cancelled_while_laid_out_archives_nothing(filled, phase) -> None:
    press = CancelInPhase(phase)
    with pytest.raises(Cancelled), filled.unit_of_work(Capability.REPORTS) as session:
        generate_annual(
            session,
            dt.date.today().year,
            database_name="test",
            actor="tester",
            progress=press,
            cancel=press.token,
        )
    assert press.token.cancelled
    assert press.after == []
    assert archived(filled) == 0
