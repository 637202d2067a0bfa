"""One writer at a time: a second process can read but not write, and a crash frees the lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from rsdesk.db import open_database
from rsdesk.db.lock import DatabaseInUse
from rsdesk.models import Department
from rsdesk.services.errors import ReadOnlyError

HOLD = (
    "import sys, time\n"
    "from rsdesk.db import open_database\n"
    "db = open_database(sys.argv[1], lock_writes=True)\n"
    "db.acquire_writer_lock()\n"
    "print('locked', flush=True)\n"
    "time.sleep(60)\n"
)


@pytest.fixture
def holder(db_path, rsdesk_home):
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(db_path)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "RSDESK_HOME": str(rsdesk_home)},
    )
    assert process.stdout.readline().strip() == "locked"
    yield process
    process.kill()
    process.wait()
    process.stdout.close()


def test_second_writer_is_refused_with_the_holder_named(holder, db_path):
    second = open_database(db_path, lock_writes=True)
    try:
        with (
            pytest.raises(DatabaseInUse, match=f"process {holder.pid}"),
            second.unit_of_work() as session,
        ):
            session.add(Department(name="Physics"))
        with second.read() as session:
            assert session.query(Department).count() == 0
    finally:
        second.dispose()


def test_read_only_database_refuses_every_write(db):
    db.read_only = True
    with pytest.raises(ReadOnlyError), db.unit_of_work() as session:
        session.add(Department(name="Physics"))


def test_a_killed_writer_leaves_no_stale_lock(holder, db_path):
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    time.sleep(0.1)
    db = open_database(db_path, lock_writes=True)
    try:
        with db.unit_of_work() as session:
            session.add(Department(name="Chemistry"))
        assert db.holds_writer_lock
    finally:
        db.dispose()


def test_cli_write_refused_while_another_process_writes(holder, db_path, rsdesk_home):
    result = subprocess.run(
        [sys.executable, "-m", "rsdesk", "--db", str(db_path), "demo", "--size", "5"],
        capture_output=True,
        text=True,
        env={**os.environ, "RSDESK_HOME": str(rsdesk_home)},
    )
    assert result.returncode == 1
    assert "open for writing in another rsdesk" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_read_works_while_another_process_writes(holder, db_path, rsdesk_home):
    result = subprocess.run(
        [sys.executable, "-m", "rsdesk", "--db", str(db_path), "audit", "verify"],
        capture_output=True,
        text=True,
        env={**os.environ, "RSDESK_HOME": str(rsdesk_home)},
    )
    assert result.returncode == 0, result.stderr
