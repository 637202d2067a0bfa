"""The first-run wizard never writes a server password into the config file."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator

import keyring
import pytest
from keyring.backend import KeyringBackend
from sqlalchemy.engine import make_url

from rsdesk import paths
from rsdesk.db import Database
from rsdesk.db.engine import resolve_url
from rsdesk.ui.dialogs import first_run

SECRET = "S3cretPw"


class MemoryKeyring(KeyringBackend):
    """A real keyring backend that keeps its passwords in memory (no keyring service here)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.passwords.pop((service, username), None)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def with_password(url: str) -> str:
    """The test server's URL with a password (the test server trusts any password)."""
    return make_url(url).set(password=SECRET).render_as_string(hide_password=False)


def config_text() -> str:
    return paths.config_path().read_text(encoding="utf-8")


def choose(database: str, db: Database, notes: list[str]) -> Database:
    choice = first_run.FirstRunChoice(institution_name="Server U", database=database)
    return first_run.apply_choice(choice, db, notify=notes.append)


def test_the_password_goes_to_the_keyring_not_the_config_file(
    db: Database, postgres_url: str, memory_keyring: MemoryKeyring
):
    notes: list[str] = []
    opened = choose(with_password(postgres_url), db, notes)
    try:
        assert SECRET not in config_text()
        remembered = json.loads(config_text())["database"]
        assert make_url(remembered).password is None
        assert stat.S_IMODE(os.stat(paths.config_path()).st_mode) == 0o600
        assert SECRET in memory_keyring.passwords.values()
        assert notes == []
        # The next start puts the password back from the keyring.
        assert resolve_url().password == SECRET
        assert SECRET not in opened.display_name()
    finally:
        opened.dispose()


def test_without_a_keyring_the_password_is_dropped_and_the_user_told(
    db: Database, postgres_url: str, no_keyring: None
):
    notes: list[str] = []
    opened = choose(with_password(postgres_url), db, notes)
    opened.dispose()
    assert SECRET not in config_text()
    assert len(notes) == 1
    assert "PGPASSWORD" in notes[0]
    assert SECRET not in notes[0]
    assert resolve_url().password is None  # libpq reads PGPASSWORD or ~/.pgpass itself


def test_a_url_given_on_the_command_line_keeps_its_password(no_keyring: None):
    url = "postgresql://adm_ann:S3cretPw@host/db"
    assert resolve_url(url).password == SECRET


def test_a_file_location_is_remembered_privately(tmp_path):
    paths.remember_database(tmp_path / "office.sqlite3")
    assert paths.remembered_database() == str(tmp_path / "office.sqlite3")
    assert stat.S_IMODE(os.stat(paths.config_path()).st_mode) == 0o600


def test_the_command_line_never_prints_the_password(postgres_url: str):
    result = subprocess.run(
        [sys.executable, "-m", "rsdesk", "--db", with_password(postgres_url), "db", "check"],
        capture_output=True,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "ok" in result.stdout
    assert SECRET not in result.stdout + result.stderr


def test_a_password_an_earlier_version_wrote_is_moved_out_of_the_file(
    memory_keyring: MemoryKeyring,
):
    url = "postgresql://adm_ann:S3cretPw@db.example.org/rsdesk"
    paths.config_path().write_text(json.dumps({"database": url}), encoding="utf-8")
    assert resolve_url().password == SECRET  # this run still opens it
    assert SECRET not in config_text()
    assert stat.S_IMODE(os.stat(paths.config_path()).st_mode) == 0o600
    assert resolve_url().password == SECRET  # later runs find it in the keyring


def test_without_a_keyring_an_old_password_still_leaves_the_file(no_keyring: None):
    url = "postgresql://adm_ann:S3cretPw@db.example.org/rsdesk"
    paths.config_path().write_text(json.dumps({"database": url}), encoding="utf-8")
    assert resolve_url().password == SECRET
    assert SECRET not in config_text()
    assert resolve_url().password is None  # next time: PGPASSWORD or ~/.pgpass
