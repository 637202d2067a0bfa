"""The garbage collector is held off during an import's phases and comes back as it was."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rsdesk.db import Database
from rsdesk.services import importers
from rsdesk.services.collector import collector_paused
from rsdesk.services.importers import collaborations
from tests.importers.conftest import write_xlsx


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_nested_pauses_bring_the_collector_back_only_at_the_outermost_end() -> None:
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


def test_a_failure_inside_still_brings_the_collector_back() -> None:
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("broken file")
    assert gc.isenabled()


def test_pauses_overlapping_in_two_threads_end_with_the_last_one() -> None:
    entered, release = threading.Event(), threading.Event()

    def other() -> None:
        with collector_paused():
            entered.set()
            release.wait(5)

    thread = threading.Thread(target=other)
    thread.start()
    assert entered.wait(5)
    with collector_paused():
        pass
    assert not gc.isenabled()  # the other thread's import is still running
    release.set()
    thread.join(5)
    assert gc.isenabled()


def test_an_import_reads_and_plans_and_writes_with_the_collector_paused(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []
    plan_row, write = collaborations.TARGET.plan_row, collaborations.TARGET.write

    def watched_plan_row(*args: Any) -> None:
        seen.append(gc.isenabled())
        plan_row(*args)

    def watched_write(*args: Any) -> None:
        seen.append(gc.isenabled())
        write(*args)

    monkeypatch.setattr(collaborations.TARGET, "plan_row", watched_plan_row)
    monkeypatch.setattr(collaborations.TARGET, "write", watched_write)
    path = write_xlsx(
        tmp_path / "two.xlsx",
        [["Title", "Kind"], ["Study A", "exchange"], ["Study B", "joint_research"]],
    )
    with db.unit_of_work() as session:
        _plan, result = importers.run_import(session, path, "xlsx", "collaborations")
    assert result is not None
    assert result.created == 2
    assert seen == [False, False, False]
    assert gc.isenabled()
