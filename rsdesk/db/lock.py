"""One writer at a time on a SQLite file, across processes.

The lock is an OS file lock on ``<database>.lock`` (flock on POSIX, msvcrt on Windows), held
for as long as the writer keeps the database open. The operating system drops it when the
process ends, however it ends, so a crash never leaves a stale lock: the file may remain, but the
next writer simply takes the lock again. The file's content (pid, host, user, since) only serves
the message shown to a second instance.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import sys
from pathlib import Path
from typing import IO, Any

from rsdesk.services.errors import KnownError


class DatabaseInUse(KnownError):
    """Another process holds the writer lock."""

    def __init__(self, path: Path, holder: dict[str, Any]) -> None:
        who = holder.get("user") or "someone"
        where = holder.get("host") or "another computer"
        since = holder.get("since") or "earlier"
        pid = holder.get("pid")
        super().__init__(
            f"{path} is open for writing in another rsdesk ({who} on {where}, process {pid}, "
            f"since {since}); close it there first."
        )
        self.holder = holder


def _try_lock(handle: IO[str]) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


class WriterLock:
    def __init__(self, database_path: Path) -> None:
        self.database_path = database_path
        self.path = database_path.with_name(database_path.name + ".lock")
        self._handle: IO[str] | None = None

    @property
    def held(self) -> bool:
        return self._handle is not None

    def holder(self) -> dict[str, Any]:
        try:
            return dict(json.loads(self.path.read_text(encoding="utf-8") or "{}"))
        except (OSError, ValueError):
            return {}

    def acquire(self) -> None:
        """Take the lock or raise DatabaseInUse naming who holds it."""
        if self._handle is not None:
            return
        handle = self.path.open("a+", encoding="utf-8")
        if not _try_lock(handle):
            handle.close()
            raise DatabaseInUse(self.database_path, self.holder())
        from rsdesk.db.session import os_user

        handle.seek(0)
        handle.truncate()
        handle.write(
            json.dumps(
                {
                    "pid": os.getpid(),
                    "host": socket.gethostname(),
                    "user": os_user(),
                    "since": dt.datetime.now().isoformat(timespec="seconds"),
                }
            )
        )
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is None:
            return
        try:
            self._handle.seek(0)
            self._handle.truncate()
            self._handle.flush()
        finally:
            self._handle.close()  # closing the descriptor releases the OS lock
            self._handle = None


def hold_file_lock(path: Path) -> IO[str] | None:
    """Open ``path`` (created if missing) and take its OS lock: the open handle, which holds the
    lock until it is closed (or the process ends), or None while another process holds it."""
    while True:
        handle = path.open("a+", encoding="utf-8")
        if not _try_lock(handle):
            handle.close()
            return None
        try:
            same = os.stat(path).st_ino == os.fstat(handle.fileno()).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return handle
        handle.close()  # the file was removed (and maybe made anew) meanwhile: lock that one
