"""Where rsdesk keeps its files: one module, overridable by flag, environment and tests."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import PlatformDirs

APP_NAME = "rsdesk"
APP_AUTHOR = "rsdesk"

#: Environment variable that overrides the database URL or path.
DATABASE_ENV = "RSDESK_DATABASE"
#: Environment variable that moves every rsdesk directory (tests, portable installs).
HOME_ENV = "RSDESK_HOME"


def _dirs() -> PlatformDirs:
    return PlatformDirs(APP_NAME, APP_AUTHOR)


def data_dir() -> Path:
    override = os.environ.get(HOME_ENV)
    path = Path(override) / "data" if override else Path(_dirs().user_data_dir)
    path.mkdir(parents=True, exist_ok=True)
    return path


def backup_dir() -> Path:
    path = data_dir() / "backups"
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_dir() -> Path:
    """What rsdesk can rebuild at any time (not created here)."""
    override = os.environ.get(HOME_ENV)
    return Path(override) / "cache" if override else Path(_dirs().user_cache_dir)


def open_copies_dir() -> Path:
    """Where opened attachments are written for other programs to read (not created here: see
    rsdesk/services/attachment_files.py, which makes it private)."""
    return cache_dir() / "open-attachments"


def default_database_path() -> Path:
    return data_dir() / "rsdesk.sqlite3"


# --- the user's config file (where the first-run set-up remembers the database) -------------

CONFIG_FILE = "config.json"


def config_dir() -> Path:
    override = os.environ.get(HOME_ENV)
    path = Path(override) / "config" if override else Path(_dirs().user_config_dir)
    path.mkdir(parents=True, exist_ok=True)
    return path


def config_path() -> Path:
    return config_dir() / CONFIG_FILE


def read_config() -> dict[str, object]:
    """The config file's settings; an absent or unreadable file counts as empty."""
    import json

    try:
        data = json.loads(config_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def remembered_database() -> str | None:
    """The database location chosen at first run, if any (``--db`` and RSDESK_DATABASE win).

    A server password that an earlier rsdesk wrote into the file is moved out of it (to the
    keyring when there is one) the first time it is read; this run still uses it.
    """
    value = read_config().get("database")
    if not isinstance(value, str) or not value.strip():
        return None
    location = value.strip()
    if "://" in location:
        from rsdesk.db import server_password

        if server_password.without_password(location) != location:
            remember_database(location)
    return location


def remember_database(location: str | os.PathLike[str] | None) -> str | None:
    """Remember ``location`` (a file path or a server URL) as the database; None forgets it.

    A server password is never written to the file: it goes to the system keyring
    (rsdesk/db/server_password.py). Returns a sentence for the user when a password could not
    be kept (no keyring), else None. The file is readable by its owner only.
    """
    import json

    from rsdesk.db import server_password

    note = None
    config = read_config()
    if location is None:
        config.pop("database", None)
    else:
        text = os.fspath(location)
        stripped = server_password.without_password(text)
        if stripped != text and not server_password.store(text):
            note = (
                "The server password was not remembered (this computer has no system keyring): "
                "set PGPASSWORD or add it to ~/.pgpass (pgpass.conf on Windows) before the next "
                "start."
            )
        config["database"] = stripped
    _write_private(config_path(), json.dumps(config, indent=2) + "\n")
    return note


def _write_private(target: Path, content: str) -> None:
    """Write ``content`` to ``target`` atomically, readable and writable by its owner only."""
    temporary = target.with_suffix(".tmp")
    temporary.unlink(missing_ok=True)
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(content)
    os.chmod(temporary, 0o600)  # the umask may have narrowed it, never widened: be explicit
    temporary.replace(target)
