"""Opening databases: URL resolution, engine set-up, sessions with the audit hook, migrations.

``Database`` and ``open_database`` load on first use (PEP 562), so that the light modules of
this package (``lock``, ``folding``) can be imported without SQLAlchemy: the GUI paints its
first rows before the database layer is loaded (``rsdesk.ui.app``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rsdesk.db.session import Database, open_database

__all__ = ["Database", "open_database"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from rsdesk.db import session

        return getattr(session, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
