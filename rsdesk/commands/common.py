"""Helpers shared by the command modules."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rsdesk.services.errors import KnownError

if TYPE_CHECKING:
    from rsdesk.db import Database


def database(
    args: argparse.Namespace, *, upgrade: bool = True, announce_upgrade: bool = True
) -> Database:
    """The database named by --db; a command that writes becomes its one writer (or fails).

    An existing database whose schema was upgraded on the way is announced on stderr (one
    line, with the backup taken before), and so is anything else opening wrote (checks
    reopened for renewal), so that no command changes the file unsaid."""
    from rsdesk.db import open_database

    db = open_database(args.db, upgrade=upgrade, lock_writes=True)
    done = db.schema_upgrade
    if announce_upgrade and done is not None and done.from_revision is not None:
        backup = f"; the backup before it is {done.backup}" if done.backup else ""
        print(
            f"rsdesk: upgraded the schema of {db.display_name()} from {done.from_revision} "
            f"to {done.to_revision}{backup}",
            file=sys.stderr,
        )
    for note in db.opening_notes:
        print(note, file=sys.stderr)
    return db


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def existing_file(text: str) -> Path:
    path = Path(text).expanduser()
    if not path.exists():
        raise KnownError(f"{path}: no such file")
    if path.is_dir():
        raise KnownError(f"{path} is a folder, not a file")
    return path


def output_file(text: str, *, create_folder: bool = False) -> Path:
    """The file to write; its folder must exist, or is made (parents too) with
    ``create_folder``."""
    path = Path(text).expanduser()
    if path.is_dir():
        raise KnownError(f"{path} is a folder; give a file name")
    if not path.parent.exists():
        if not create_folder:
            raise KnownError(f"The folder {path.parent} does not exist")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise KnownError(
                f"Cannot create the folder {path.parent}: {exc.strerror or exc}"
            ) from None
    elif not path.parent.is_dir():
        raise KnownError(f"{path.parent} is a file, not a folder")
    return path


def not_yet(args: argparse.Namespace) -> int:
    raise KnownError(f"'{args.command}' is not available in this build yet")
