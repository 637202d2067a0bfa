"""Two officers creating collaborations at the same moment both get a reference.

On PostgreSQL both transactions used to read the same highest reference and the second insert
failed on ``uq_collaboration_reference``. On SQLite the second writer's ``BEGIN IMMEDIATE``
already waits for the first to commit, so the tests pass there without any lock; they run on both
engines all the same, since both must hold.
"""

from __future__ import annotations

import threading

from sqlalchemy import select

from rsdesk.db import Database
from rsdesk.models import Collaboration
from rsdesk.services import collaborations
from rsdesk.services.collaborations import CollaborationInput


def _create(db: Database, title: str) -> str:
    with db.unit_of_work() as session:
        return collaborations.create(session, CollaborationInput(title, "joint_research")).reference


def test_a_create_waits_for_one_still_open_and_takes_the_next_reference(two_officers):
    ann, bob = two_officers
    first = _create(ann, "Before")
    ann_created, ann_may_commit = threading.Event(), threading.Event()
    references: dict[str, object] = {}

    def ann_creates() -> None:
        with ann.unit_of_work() as session:
            detail = collaborations.create(session, CollaborationInput("Ann's", "joint_research"))
            references["ann"] = detail.reference
            ann_created.set()
            ann_may_commit.wait(10)

    def bob_creates() -> None:
        try:
            references["bob"] = _create(bob, "Bob's")
        except Exception as error:  # the failure this test is about  # noqa: BLE001
            references["bob"] = error

    first_thread = threading.Thread(target=ann_creates)
    first_thread.start()
    assert ann_created.wait(10)
    second_thread = threading.Thread(target=bob_creates)
    second_thread.start()
    second_thread.join(0.5)
    ann_may_commit.set()
    first_thread.join(10)
    second_thread.join(20)

    prefix, number = first.rsplit("-", 1)
    assert references == {
        "ann": f"{prefix}-{int(number) + 1:05d}",
        "bob": f"{prefix}-{int(number) + 2:05d}",
    }


def test_many_creates_at_once_all_succeed_with_distinct_references(two_officers):
    ann, bob = two_officers
    start = threading.Barrier(6)
    failures: list[BaseException] = []

    def creates(db: Database, who: str) -> None:
        start.wait(10)
        try:
            for n in range(3):
                _create(db, f"{who} {n}")
        except Exception as error:  # noqa: BLE001
            failures.append(error)

    threads = [
        threading.Thread(target=creates, args=(db, f"{name}{i}"))
        for i in range(3)
        for name, db in (("ann", ann), ("bob", bob))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    with ann.read() as session:
        references = list(session.scalars(select(Collaboration.reference)))
    assert len(references) == len(set(references)) == 18
