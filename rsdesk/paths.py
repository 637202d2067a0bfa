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
    """The database location chosen at first run, if any (``--db`` and RSDESK_DATABASE win)."""
    value = read_config().get("database")
    return value.strip() if isinstance(value, str) and value.strip() else None


def remember_database(location: str | os.PathLike[str] | None) -> None:
    """Remember ``location`` (a file path or a server URL) as the database; None forgets it."""
    import json

    config = read_config()
    if location is None:
        config.pop("database", None)
    else:
        config["database"] = os.fspath(location)
    target = config_path()
    temporary = target.with_suffix(".tmp")
    temporary.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    temporary.replace(target)
