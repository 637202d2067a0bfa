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
