"""A hit dismissed on list version 1 by a named officer, then reopened on version 2 because the
list entry changed: what an auditor reads in the listing, the partner's history and its
Screening tab."""

from __future__ import annotations

from pathlib import Path

from rsdesk.db import Database, open_database
from rsdesk.services.screening import lists, workflow
from tests.services.screening.conftest import add_partner

OFFICE_V1 = "name,aliases,country,note,id\nVega Optics,,CN,,NRO-2\n"
OFFICE_V2 = "name,aliases,country,note,id\nVega Optics,Vega Optical|VO,CN,,NRO-2\n"
OFFICER = "eleni.schroeder"


def dismissed_then_reopened(any_db: Database, tmp_path: Path) -> int:
    """A hit dismissed on version 1 by a named officer, then reopened on version 2."""
    v1, v2 = tmp_path / "named-2026-10.csv", tmp_path / "named-2026-11.csv"
    v1.write_text(OFFICE_V1, encoding="utf-8")
    v2.write_text(OFFICE_V2, encoding="utf-8")
    with any_db.unit_of_work() as session:
        lists.load_file(session, v1, name="Named organisations")
        vega = add_partner(session, "Vega Optics Ltd")
        workflow.screen_partner(session, vega)
        (hit,) = workflow.results_for_partner(session, vega)
    officer = open_database(any_db.url, actor=OFFICER)
    try:
        with officer.unit_of_work() as session:
            workflow.decide(session, hit.id, "false_positive", "Different Vega, Jena optics")
    finally:
        officer.dispose()
    with any_db.unit_of_work() as session:
        lists.load_file(session, v2, name="Named organisations")
        workflow.rescreen_all(session)
    return vega
