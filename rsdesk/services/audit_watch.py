"""Watching the audit trail of the database a desktop rsdesk opens.

Two checks the GUI runs without a user asking (no Qt here):

- once a day, with the daily backup, a full ``audit verify`` in a separate process (the same
  program's ``audit verify --json``), so that its seconds of CPU never hold the window's GIL;
- at every open, one query comparing the chain with the (entry id, hash) this computer last saw
  verified, remembered outside the database: a history rewritten with rsdesk's own hash
  functions verifies inside the file, but cannot give an old entry back its old hash.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rsdesk import paths
from rsdesk.models import AuditEntry, AuditHead
from rsdesk.services.errors import KnownError
from rsdesk.services.progress import NEVER_CANCELLED, CancelToken

#: Where each computer keeps the latest verified (entry id, hash) of each database it opened.
HEADS_FILE = "audit-heads.json"
#: Seconds between two looks at the cancel token while the verifying process runs.
POLL_S = 0.1


@dataclass(frozen=True)
class ChainCheck:
    """What a verify run found, as the GUI and the workbooks report it."""

    ok: bool
    entries_checked: int
    latest_hash: str
    problem: str | None = None

    def summary(self) -> str:
        """One line for a status bar, a banner or a workbook cover."""
        if self.ok:
            return f"intact: {self.entries_checked:,} entries, latest hash {self.latest_hash}"
        return f"BROKEN: {self.problem}"


def from_verify_result(result: Any) -> ChainCheck:
    """A ``audit.verify`` result as a ChainCheck (only the fields every version has)."""
    return ChainCheck(
        bool(result.ok), int(result.entries_checked), str(result.latest_hash), result.problem
    )


def verify_command(database_path: Path) -> list[str]:
    """The command line that verifies ``database_path`` with this very program.

    A PyInstaller bundle's executable is rsdesk itself (it takes the command line as ``rsdesk``
    does); from source it is the interpreter running ``-m rsdesk``.
    """
    program = (
        [sys.executable] if getattr(sys, "frozen", False) else [sys.executable, "-m", "rsdesk"]
    )
    return [*program, "--db", str(database_path), "audit", "verify", "--json", "--low-priority"]


def verify_in_separate_process(
    database_path: Path, passphrase: str | None = None, cancel: CancelToken = NEVER_CANCELLED
) -> SeparateVerify:
    """Start verifying ``database_path`` in another process; ``SeparateVerify.wait`` collects."""
    return SeparateVerify(database_path, passphrase, cancel)


class SeparateVerify:
    """A running ``rsdesk audit verify --json`` on one file, killed if ``cancel`` fires."""

    def __init__(self, database_path: Path, passphrase: str | None, cancel: CancelToken) -> None:
        self.cancel = cancel
        environment = dict(os.environ)
        environment.pop("RSDESK_DATABASE", None)
        if passphrase is not None:
            environment["RSDESK_PASSPHRASE"] = passphrase
        # Output goes to files: a pipe that nobody reads while waiting could fill and block.
        self._stdout = tempfile.TemporaryFile()  # noqa: SIM115 (closed by wait)
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed by wait)
        self.process = subprocess.Popen(
            verify_command(database_path),
            stdin=subprocess.DEVNULL,
            stdout=self._stdout,
            stderr=self._stderr,
            env=environment,
        )

    def kill(self) -> None:
        """Stop the process (closing, or the backup failed) and release its output files."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self._stdout.close()
        self._stderr.close()

    def wait(self) -> ChainCheck:
        """The verdict; Cancelled (the process killed) if ``cancel`` fires first."""
        while True:
            found = self.poll()
            if found is not None:
                return found
            time.sleep(POLL_S)

    def poll(self) -> ChainCheck | None:
        """The verdict if the process has ended, else None at once (the GUI polls on a timer
        instead of holding a thread); Cancelled, the process killed, once ``cancel`` fires."""
        if self.cancel.cancelled:
            self.kill()
            self.cancel.raise_if_cancelled()
        if self.process.poll() is None:
            return None
        try:
            self._stdout.seek(0)
            self._stderr.seek(0)
            out = self._stdout.read().decode("utf-8", "replace")
            err = self._stderr.read().decode("utf-8", "replace").strip()
        finally:
            self._stdout.close()
            self._stderr.close()
        try:
            found = json.loads(out)
            return ChainCheck(
                bool(found["ok"]),
                int(found["entries_checked"]),
                str(found["latest_hash"]),
                found.get("problem"),
            )
        except (ValueError, KeyError, TypeError):
            last_line = err.splitlines()[-1] if err else f"exit code {self.process.returncode}"
            raise KnownError(f"The audit trail could not be verified: {last_line}") from None


def database_identity(database: Any) -> str:
    """The key a database is remembered under: a file's resolved path, a server's URL without
    its password."""
    if database.path is not None:
        return str(Path(database.path).resolve())
    return str(database.engine.url.render_as_string(hide_password=True))


def _heads_path() -> Path:
    return paths.data_dir() / HEADS_FILE


def _read_heads() -> dict[str, Any]:
    try:
        found = json.loads(_heads_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def remember_head(database: Any, entry_id: int, entry_hash: str) -> None:
    """Keep (entry id, hash) as the latest this computer saw verified for ``database``."""
    if entry_id <= 0:
        return
    heads = _read_heads()
    heads[database_identity(database)] = {"entry_id": entry_id, "hash": entry_hash}
    target = _heads_path()
    partial = target.with_name(target.name + ".part")
    partial.write_text(json.dumps(heads, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(partial, target)


def remembered_head(database: Any) -> tuple[int, str] | None:
    found = _read_heads().get(database_identity(database))
    if not isinstance(found, dict):
        return None
    try:
        return int(found["entry_id"]), str(found["hash"])
    except (KeyError, TypeError, ValueError):
        return None


def rewritten_history(session: Session, database: Any) -> str | None:
    """The warning when an entry this computer saw verified no longer has its hash (or is
    gone); None when it still has it, or nothing was remembered. One query."""
    remembered = remembered_head(database)
    if remembered is None:
        return None
    entry_id, entry_hash = remembered
    now = session.scalar(select(AuditEntry.hash).where(AuditEntry.id == entry_id))
    if now == entry_hash:
        return None
    gone = " (it is gone now)" if now is None else f" (now {now})"
    return (
        f"The audit trail was rewritten: entry {entry_id} had hash {entry_hash} when this "
        f"computer last saw it{gone}."
    )


def current_head(session: Session) -> tuple[int, str] | None:
    """The chain's tip as the log's head names it."""
    row = session.execute(select(AuditHead.last_entry_id, AuditHead.last_hash)).first()
    if row is None or not row[0]:
        return None
    return int(row[0]), str(row[1])


def remember_if_verified(session: Session, database: Any, check: ChainCheck) -> None:
    """After an intact verify, remember its tip, unless the chain contradicts what this
    computer saw before: the new tip would then silence the warning about the rewrite."""
    if check.ok and rewritten_history(session, database) is None:
        remember_head(database, check.entries_checked, check.latest_hash)
