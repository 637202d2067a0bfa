"""Opening databases: URL resolution, engine set-up, sessions with the audit hook, migrations."""

from rsdesk.db.session import Database, open_database

__all__ = ["Database", "open_database"]
