"""Attachments as files on disk: names that are safe to write, and the folder of open copies.

Opening an attachment writes a plain copy for another program (a PDF viewer, Excel) to read,
even when the database is encrypted: while it is open, the document is an ordinary file. Those
copies live in one private folder (mode 0700, each copy 0600) per running rsdesk, under the
user's cache folder rather than the shared temporary folder. The folder is removed when rsdesk
quits; a crashed rsdesk's folder is removed at the next start (:func:`remove_leftovers`), which
tells a live one from a dead one by an OS lock that each running rsdesk holds on its folder.

File names are stored as given, but a name that cannot be a file (``..``, ``a/b``, control
characters, more than 255 bytes) is refused when attaching, and every name written to disk goes
through :func:`safe_file_name` (which also avoids names Windows reserves, such as ``CON``).
"""

from __future__ import annotations

import atexit
import os
import re
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import IO

from rsdesk import paths
from rsdesk.db.lock import hold_file_lock
from rsdesk.services.errors import KnownError, ValidationError

#: Most file systems limit a name to 255 bytes.
MAX_NAME_BYTES = 255
#: An extension longer than this is not kept apart when a long name is shortened.
MAX_EXTENSION_BYTES = 16
FALLBACK_NAME = "attachment"
_WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"]
    + [f"COM{n}" for n in range(1, 10)]
    + [f"LPT{n}" for n in range(1, 10)]
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: Characters no file name may hold on one of the systems rsdesk runs on.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be an attachment's file name, in one sentence; None when it can."""
    if not name or not name.strip():
        return "The attachment needs a file name."
    if name.strip(" .") == "":
        return f"'{name}' is not a file name."
    if "/" in name or "\\" in name:
        return f"'{name}' holds a folder separator; give the file's own name."
    if _CONTROL.search(name):
        return "The attachment's file name holds control characters."
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        return f"The attachment's file name is longer than {MAX_NAME_BYTES} bytes; shorten it."
    return None


def check_name(name: str) -> str:
    """``name`` unchanged, or ValidationError (field ``file_name``) saying why it cannot be one."""
    problem = name_problem(name)
    if problem is not None:
        raise ValidationError(problem, field="file_name")
    return name


def safe_file_name(name: str) -> str:
    """``name`` made safe to write on any system, keeping its extension.

    Separators and characters that some system forbids become ``_``; a name Windows reserves
    gets a ``_`` in front; trailing dots and spaces go; a name over 255 bytes is shortened
    before its extension; a name with nothing left becomes "attachment".
    """
    cleaned = _UNSAFE.sub("_", name or "").strip().rstrip(" .")
    if cleaned.strip("._ ") == "":
        cleaned = FALLBACK_NAME
    stem, dot, extension = cleaned.rpartition(".")
    if not dot or not stem:
        stem, extension = cleaned, ""
    else:
        extension = "." + extension
    if stem.split(".")[0].strip().upper() in _WINDOWS_RESERVED:
        stem = "_" + stem
    if len(extension.encode("utf-8")) > MAX_EXTENSION_BYTES:
        stem, extension = stem + extension, ""
    room = MAX_NAME_BYTES - len(extension.encode("utf-8"))
    stem = stem.encode("utf-8")[:room].decode("utf-8", "ignore").rstrip(" .") or FALLBACK_NAME
    return stem + extension


def write_file(target: Path, content: bytes) -> Path:
    """Write ``content`` to ``target`` (a folder the user chose); KnownError if it cannot be."""
    try:
        target.write_bytes(content)
    except OSError as exc:
        raise KnownError(f"Cannot write {target}: {exc.strerror or exc}") from None
    return target


class OpenCopies:
    """This rsdesk's private folder of attachments written to be opened by another program."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root if root is not None else paths.open_copies_dir()
        self.folder: Path | None = None
        self._lock: IO[str] | None = None

    def write(self, file_name: str, content: bytes) -> Path:
        """A new plain copy of an attachment (readable by this user only), under a safe name.

        Each copy gets a folder of its own, so two attachments of the same name never meet and
        a copy still open in its viewer is never overwritten."""
        folder = Path(tempfile.mkdtemp(dir=self._session_folder()))
        target = folder / safe_file_name(file_name)
        try:
            descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(content)
        except OSError as exc:
            raise KnownError(f"Cannot write a copy to open: {exc.strerror or exc}") from None
        return target

    def remove(self) -> None:
        """Remove the folder and every copy in it (rsdesk quitting)."""
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
        if self._lock is not None:
            lock_path = Path(self._lock.name)
            self._lock.close()
            self._lock = None
            lock_path.unlink(missing_ok=True)

    def _session_folder(self) -> Path:
        if self.folder is not None and self.folder.is_dir():
            return self.folder
        root = private_root(self.root)
        name = f"{os.getpid()}-{secrets.token_hex(4)}"
        # The lock first, then the folder: another rsdesk that sees the folder sees it in use.
        self._lock = hold_file_lock(root / f"{name}.lock")
        if self._lock is None:  # pragma: no cover - a fresh random name is never locked
            raise KnownError("Cannot set up the folder for open attachments.")
        folder = root / name
        folder.mkdir(mode=0o700)
        self.folder = folder
        return folder


def private_root(root: Path) -> Path:
    """``root``, created if missing, after making sure that only this user can enter it."""
    try:
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        if root.is_symlink() or not root.is_dir():
            raise KnownError(f"{root} is not a folder; remove it and try again.")
        if hasattr(os, "getuid"):
            info = root.stat()
            if info.st_uid != os.getuid():
                raise KnownError(f"{root} belongs to another user; remove it and try again.")
            if info.st_mode & 0o077:
                root.chmod(0o700)
    except OSError as exc:
        raise KnownError(f"Cannot use the folder {root}: {exc.strerror or exc}") from None
    return root


def remove_leftovers(root: Path | None = None) -> int:
    """Remove the open copies of rsdesk sessions that are gone (crashed); returns how many
    folders were removed. A running rsdesk's folder is left alone."""
    root = root if root is not None else paths.open_copies_dir()
    if not root.is_dir():
        return 0
    removed = 0
    for entry in sorted(root.iterdir()):
        if entry.suffix == ".lock":
            continue
        lock_path = root / f"{entry.name}.lock"
        handle = hold_file_lock(lock_path)
        if handle is None:
            continue  # a running rsdesk's
        try:
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
            removed += 1
            lock_path.unlink(missing_ok=True)
        finally:
            handle.close()
    for lock_path in root.glob("*.lock"):
        if not (root / lock_path.stem).exists():
            handle = hold_file_lock(lock_path)
            if handle is not None:
                lock_path.unlink(missing_ok=True)
                handle.close()
    return removed


_app_copies: OpenCopies | None = None


def open_copies() -> OpenCopies:
    """The running application's open copies; removed when the process exits normally."""
    global _app_copies
    if _app_copies is None:
        _app_copies = OpenCopies()
        atexit.register(_app_copies.remove)
    return _app_copies
