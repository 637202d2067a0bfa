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


def database(args: argparse.Namespace, *, upgrade: bool = True) -> Database:
    """The database named by --db; a command that writes becomes its one writer (or fails)."""
    from rsdesk.db import open_database

    return open_database(args.db, upgrade=upgrade, lock_writes=True)


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


def output_file(text: str) -> Path:
    path = Path(text).expanduser()
    if path.is_dir():
        raise KnownError(f"{path} is a folder; give a file name")
    if not path.parent.exists():
        raise KnownError(f"The folder {path.parent} does not exist")
    return path


def not_yet(args: argparse.Namespace) -> int:
    raise KnownError(f"'{args.command}' is not available in this build yet")
