"""Generate an Alembic migration from the difference between the models and the current head.

Usage: python scripts/make_migration.py "what changed" [--replace-initial]

Revisions are numbered 0001, 0002, ... so their order is obvious in a listing. Until the first
release, --replace-initial regenerates 0001 from the models instead of stacking revisions.
"""

import sys
import tempfile
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine

from rsdesk.db.migrate import MIGRATIONS_DIR, alembic_config


def main() -> None:
    message = sys.argv[1]
    versions = MIGRATIONS_DIR / "versions"
    if "--replace-initial" in sys.argv:
        for path in versions.glob("0001_*.py"):
            path.unlink()
    existing = sorted(p.name[:4] for p in versions.glob("[0-9][0-9][0-9][0-9]_*.py"))
    rev_id = f"{int(existing[-1]) + 1:04d}" if existing else "0001"
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite:///{Path(folder) / 'm.sqlite3'}")
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), "head")
            command.revision(
                alembic_config(connection), message=message, autogenerate=True, rev_id=rev_id
            )


if __name__ == "__main__":
    main()
