"""What every view and dialog gets: the database, the operation runner, the app signals."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rsdesk.ui.ops import OperationRunner
from rsdesk.ui.settings import UiSettings
from rsdesk.ui.signals import AppSignals

if TYPE_CHECKING:
    from rsdesk.db import Database
    from rsdesk.services.register_layout import RegisterSpec
    from rsdesk.services.startup_cache import FirstPage


class AppContext:
    """The database and what talks to it, shared by the window, its views and dialogs.

    A context made by ``opening`` has no database yet: the window shows the start-up preview's
    rows (``first_page``) while rsdesk loads its database layer, then ``attach`` hands the
    database over and ``signals.database_opened`` tells the views to read for real.
    """

    def __init__(
        self,
        db: Database | None,
        signals: AppSignals,
        ops: OperationRunner,
        settings: UiSettings,
        first_page: FirstPage | None = None,
    ) -> None:
        self._db = db
        self.signals = signals
        self.ops = ops
        self.settings = settings
        #: The rows the window opens with while the database is opening; None once it is open.
        self.first_page = first_page

    @classmethod
    def create(cls, db: Database) -> AppContext:
        signals = AppSignals()
        return cls(db=db, signals=signals, ops=OperationRunner(db, signals), settings=UiSettings())

    @classmethod
    def opening(cls, first_page: FirstPage) -> AppContext:
        signals = AppSignals()
        ops = OperationRunner(None, signals)
        return cls(None, signals, ops, UiSettings(), first_page)

    @property
    def db(self) -> Database:
        if self._db is None:
            raise RuntimeError("the database is still opening")
        return self._db

    @property
    def is_open(self) -> bool:
        return self._db is not None

    def attach(self, db: Database) -> None:
        """The database is open: queued work starts, views read from it from now on."""
        self._db = db
        self.first_page = None
        self.ops.attach(db)
        self.signals.database_opened.emit()

    def database_name(self) -> str:
        """Where the data lives, for the status bar (also while opening)."""
        if self._db is None and self.first_page is not None:
            return str(self.first_page.database)
        return self.db.display_name()

    def register_spec(self, name: str) -> RegisterSpec:
        """The register's description: from the start-up preview while opening (its layout
        only, no SQL), else the real one."""
        if self._db is None and self.first_page is not None and self.first_page.register == name:
            return self.first_page.spec
        from rsdesk.services import registers

        return registers.get(name)
