"""Window state in QSettings (geometry, splitters, columns), kept under RSDESK_HOME in tests.

Institution settings (name, logo, rules) live in the database, not here.
"""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from rsdesk import paths


class UiSettings:
    def __init__(self) -> None:
        if os.environ.get(paths.HOME_ENV):
            path = paths.data_dir() / "ui-settings.ini"
            self._qsettings = QSettings(str(path), QSettings.Format.IniFormat)
        else:
            self._qsettings = QSettings(paths.APP_AUTHOR, paths.APP_NAME)

    def value(self, key: str, default: Any = None) -> Any:
        return self._qsettings.value(key, default)

    def set_value(self, key: str, value: Any) -> None:
        self._qsettings.setValue(key, value)

    def bytes_value(self, key: str) -> QByteArray | None:
        value = self._qsettings.value(key)
        return value if isinstance(value, QByteArray) else None

    def list_value(self, key: str) -> list[str] | None:
        value = self._qsettings.value(key)
        if value is None:
            return None
        if isinstance(value, str):
            return [value] if value else []
        return [str(item) for item in value]

    def sync(self) -> None:
        self._qsettings.sync()
