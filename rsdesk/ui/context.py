"""What every view and dialog gets: the database, the operation runner, the app signals."""

from __future__ import annotations

from dataclasses import dataclass

from rsdesk.db import Database
from rsdesk.ui.ops import OperationRunner
from rsdesk.ui.settings import UiSettings
from rsdesk.ui.signals import AppSignals


@dataclass
class AppContext:
    db: Database
    signals: AppSignals
    ops: OperationRunner
    settings: UiSettings

    @classmethod
    def create(cls, db: Database) -> AppContext:
        signals = AppSignals()
        return cls(db=db, signals=signals, ops=OperationRunner(db, signals), settings=UiSettings())
