"""Application-wide signals: views listen here instead of to each other."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal


@dataclass(frozen=True)
class Changes:
    """What a finished write touched, by table name (from the audit entries it wrote)."""

    tables: frozenset[str]

    def touches(self, *tables: str) -> bool:
        return not self.tables.isdisjoint(tables)


class AppSignals(QObject):
    #: Emitted on the GUI thread after every committed write, with a Changes record.
    data_changed = Signal(object)
    #: A view asks the main window to show another view, e.g. a dashboard drill-down:
    #: (view key, filters dict).
    navigate = Signal(str, object)
    #: Ask the main window to open a record's editor: (register name, record id).
    open_record = Signal(str, int)
    #: A short message for the status bar.
    status_message = Signal(str)
    #: The database is open (after a start from the start-up preview, rsdesk.ui.app).
    database_opened = Signal()
