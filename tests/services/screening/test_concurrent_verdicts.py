"""Two officers deciding the same hit: the verdict of the one whose list was stale is refused."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from rsdesk.db import Database, open_database
from rsdesk.models.enums import ScreeningVerdict
from rsdesk.services.concurrency import ConflictError
from rsdesk.services.screening import lists, workflow
from tests.services.screening.conftest import FIXTURES, add_partner


@pytest.fixture
def hit(db: Database) -> Iterator[tuple[Database, Database, int, int]]:
    """Ann's and Bob's handles on one database with one pending hit (its id, its partner)."""
    with db.unit_of_work() as session:
        lists.load_file(session, FIXTURES / "us_csl.csv")
        partner_id = add_partner(session, "NUDT")
        workflow.screen_partner(session, partner_id)
    with db.read() as session:
        (row,) = workflow.results_for_partner(session, partner_id)
    ann = open_database(db.url, actor="adm_ann")
    bob = open_database(db.url, actor="adm_bob")
    yield ann, bob, row.id, partner_id
    ann.dispose()
    bob.dispose()


def _verdict(db: Database, partner_id: int) -> tuple[ScreeningVerdict, str | None, str | None]:
    with db.read() as session:
        (row,) = workflow.results_for_partner(session, partner_id)
    return row.verdict, row.decided_by, row.verdict_note


def test_a_verdict_given_from_a_stale_list_is_refused(hit) -> None:
    ann, bob, result_id, partner_id = hit
    with ann.unit_of_work() as session:
        workflow.decide(session, result_id, "true_match", "Same body", seen_verdict="pending")
    with pytest.raises(ConflictError) as refused, bob.unit_of_work() as session:
        workflow.decide(
            session, result_id, "false_positive", "Different city", seen_verdict="pending"
        )
    message = str(refused.value)
    assert message.startswith("adm_ann marked this hit as a true match on ")
    assert "your verdict was not recorded" in message
    assert _verdict(ann, partner_id) == (ScreeningVerdict.TRUE_MATCH, "adm_ann", "Same body")

    # Having seen Ann's verdict, Bob may still overrule it deliberately (the audit keeps both).
    with bob.unit_of_work() as session:
        workflow.decide(
            session, result_id, "false_positive", "Different city", seen_verdict="true_match"
        )
    assert _verdict(bob, partner_id)[:2] == (ScreeningVerdict.FALSE_POSITIVE, "adm_bob")


def test_two_verdicts_at_the_same_moment_are_taken_one_after_the_other(hit) -> None:
    ann, bob, result_id, partner_id = hit
    ann_deciding, ann_may_commit = threading.Event(), threading.Event()
    outcome: list[object] = []

    def ann_decides() -> None:
        with ann.unit_of_work() as session:
            workflow.decide(session, result_id, "true_match", "Same body", seen_verdict="pending")
            ann_deciding.set()
            ann_may_commit.wait(10)

    def bob_decides() -> None:
        try:
            with bob.unit_of_work() as session:
                workflow.decide(
                    session, result_id, "false_positive", "Other city", seen_verdict="pending"
                )
            outcome.append("recorded")
        except ConflictError as error:
            outcome.append(error)

    first = threading.Thread(target=ann_decides)
    first.start()
    assert ann_deciding.wait(10)
    second = threading.Thread(target=bob_decides)
    second.start()
    second.join(0.5)
    assert second.is_alive(), "Bob's verdict went ahead while Ann's was not committed"
    ann_may_commit.set()
    first.join(10)
    second.join(20)
    assert len(outcome) == 1
    assert isinstance(outcome[0], ConflictError)
    assert _verdict(ann, partner_id)[0] == ScreeningVerdict.TRUE_MATCH


def test_without_the_seen_verdict_a_decision_replaces_the_current_one(hit) -> None:
    """Callers that do not say what they saw (scripts) keep the old behaviour."""
    ann, bob, result_id, partner_id = hit
    with ann.unit_of_work() as session:
        workflow.decide(session, result_id, "true_match", "Same body")
    with bob.unit_of_work() as session:
        workflow.decide(session, result_id, "false_positive", "Other city")
    assert _verdict(ann, partner_id)[0] == ScreeningVerdict.FALSE_POSITIVE
