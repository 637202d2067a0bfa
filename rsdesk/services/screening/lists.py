"""Loading a list file as a new version of a screening list, all or nothing.

A load parses the whole file first (nothing is written if any row is bad), then in the caller's
unit of work: records the :class:`ScreeningList` version through the ORM (audited), deactivates
the previous active version of the same list, and bulk-inserts the entries with Core in batches
(entries are reference data, not audited row by row). Results of earlier screenings keep
pointing at the version they were made against.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from rsdesk.models import ScreeningEntry, ScreeningList
from rsdesk.services.errors import KnownError
from rsdesk.services.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress
from rsdesk.services.screening import formats
from rsdesk.services.wording import counted

BATCH = 5000


@dataclass(frozen=True)
class LoadOutcome:
    list_id: int
    list_key: str
    name: str
    format: str
    version_no: int
    entry_count: int
    sha256: str
    #: True when this exact file was loaded before: nothing was written.
    already_loaded: bool = False
    #: The version this load replaced (deactivated), if any.
    replaced_version_no: int | None = None
    #: A new list that shares most entries with another active list: that list, which this
    #: file is probably a newer version of.
    looks_like: LookAlike | None = None
    #: Other lists retired because this same file had been loaded as them (``replace``).
    retired: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.already_loaded:
            return (
                f"{self.name}: this file was already loaded as version {self.version_no} "
                f"({counted(self.entry_count, 'entry', 'entries')}); nothing changed"
            )
        replaced = (
            f", replacing version {self.replaced_version_no}" if self.replaced_version_no else ""
        )
        text = (
            f"{self.name}: loaded version {self.version_no} with "
            f"{counted(self.entry_count, 'entry', 'entries')}"
            f"{replaced}"
        )
        if self.retired:
            text += f"; the separate list {', '.join(self.retired)} is no longer active"
        if self.looks_like is not None:
            other = self.looks_like
            text += (
                f". WARNING: this new list shares {other.shared} of its entries with the active "
                f"list {other.name!r} ({other.list_key}), so it is probably a newer version of "
                "it; both are now active, and a partner on both is hit twice with verdicts not "
                "carried over. To load the file as a new version of that list instead, run "
                f"'rsdesk screening load FILE --replace {other.list_key}' "
                "(see docs/screening.md, Versions)"
            )
        return text


@dataclass(frozen=True)
class LookAlike:
    list_key: str
    name: str
    #: Entries of the new file also on that list (by id, else by name).
    shared: int


@dataclass(frozen=True)
class ListVersion:
    id: int
    list_key: str
    name: str
    format: str
    file_name: str
    sha256: str
    loaded_at: dt.datetime
    version_no: int
    entry_count: int
    active: bool


def read_file(path: Path) -> bytes:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise KnownError(f"{path}: {exc.strerror or exc}") from exc
    if size > formats.MAX_FILE_BYTES:
        raise KnownError(
            f"{path.name} is {formats.megabytes(size)}; lists larger than "
            f"{formats.megabytes(formats.MAX_FILE_BYTES)} are refused"
        )
    try:
        return path.read_bytes()
    except OSError as exc:
        raise KnownError(f"{path}: {exc.strerror or exc}") from exc


def slug(text: str) -> str:
    cleaned = "".join(c if c.isalnum() else "-" for c in text.lower())
    return "-".join(part for part in cleaned.split("-") if part)[:80]


def load_file(
    session: Session,
    path: Path,
    *,
    format_key: str | None = None,
    name: str | None = None,
    replace: str | None = None,
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> LoadOutcome:
    return load_bytes(
        session,
        read_file(path),
        path.name,
        format_key=format_key,
        name=name,
        replace=replace,
        progress=progress,
        cancel=cancel,
    )


def load_bytes(
    session: Session,
    data: bytes,
    file_name: str,
    *,
    format_key: str | None = None,
    name: str | None = None,
    replace: str | None = None,
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> LoadOutcome:
    """Load ``data`` as the newest version of its list (see the module docstring).

    ``name`` names the list (and so decides which list this is a version of); by default the
    format proposes one ("eu-fsf", "us-csl", ...). ``replace`` (an existing list's key or name)
    makes the file a new version of that list, whatever its file name; another active list
    that was this same file loaded on its own is then retired. A new list that shares most of
    its entries with another active list is loaded, with a warning (``looks_like``).
    """
    sha256 = hashlib.sha256(data).hexdigest()
    progress(0, 0, f"Reading {file_name}")
    parsed = formats.parse(data, file_name, format_key)
    if replace is not None:
        if name and name.strip():
            raise KnownError("Give either the list's name or the list to replace, not both")
        list_key, display_name = _existing_list(session, replace)
    else:
        list_key = slug(name) if name and name.strip() else parsed.list_key
        display_name = name.strip() if name and name.strip() else parsed.name
    if not list_key:
        raise KnownError("The list name must contain letters or digits")
    cancel.raise_if_cancelled()

    previous = session.scalars(
        select(ScreeningList)
        .where(ScreeningList.list_key == list_key)
        .order_by(ScreeningList.version_no.desc())
    ).all()
    for version in previous:
        if version.sha256 == sha256:
            return LoadOutcome(
                version.id,
                list_key,
                version.name,
                version.source_format,
                version.version_no,
                version.entry_count,
                sha256,
                already_loaded=True,
            )
    replaced = None
    for version in previous:
        if version.active:
            version.active = False
            replaced = version.version_no
    looks_like = None if previous else _look_alike(session, parsed, list_key)
    retired: list[str] = []
    if replace is not None:
        for other in session.scalars(
            select(ScreeningList).where(
                ScreeningList.active.is_(True),
                ScreeningList.sha256 == sha256,
                ScreeningList.list_key != list_key,
            )
        ):
            other.active = False
            retired.append(other.list_key)
    new_version = ScreeningList(
        list_key=list_key,
        name=display_name[:200],
        source_format=parsed.format,
        file_name=file_name[:255],
        sha256=sha256,
        version_no=(previous[0].version_no + 1) if previous else 1,
        entry_count=len(parsed.entries),
        active=True,
    )
    session.add(new_version)
    session.flush()
    total = len(parsed.entries)
    for start in range(0, total, BATCH):
        cancel.raise_if_cancelled()
        rows = [
            {
                "list_id": new_version.id,
                "external_id": entry.external_id,
                "kind": entry.kind,
                "primary_name": entry.primary_name,
                "aliases": list(entry.aliases),
                "programme": entry.programme,
                "country": entry.country,
                "identifiers": entry.identifiers,
                "note": entry.note,
                "fingerprint": entry.fingerprint(),
            }
            for entry in parsed.entries[start : start + BATCH]
        ]
        session.execute(insert(ScreeningEntry.__table__), rows)  # type: ignore[arg-type]
        progress(min(start + BATCH, total), total, f"Stored {min(start + BATCH, total)} entries")
    return LoadOutcome(
        new_version.id,
        list_key,
        new_version.name,
        parsed.format,
        new_version.version_no,
        total,
        sha256,
        replaced_version_no=replaced,
        looks_like=looks_like,
        retired=tuple(retired),
    )


def _existing_list(session: Session, wanted: str) -> tuple[str, str]:
    """The key and current name of the list called ``wanted`` (its key or its name)."""
    text = wanted.strip()
    for row in session.scalars(
        select(ScreeningList).order_by(ScreeningList.list_key, ScreeningList.version_no.desc())
    ):
        if row.list_key in (text, slug(text)) or row.name.casefold() == text.casefold():
            return row.list_key, row.name
    raise KnownError(
        f"There is no list {text!r} to replace; 'rsdesk screening lists' shows their keys"
    )


#: A new list sharing at least this share of its entries with an active list looks like it.
LOOK_ALIKE_SHARE = 0.5


def _entry_identity(external_id: str | None, name: str) -> str:
    return f"id:{external_id}" if external_id else f"name:{name.casefold()}"


def _look_alike(session: Session, parsed: formats.ParsedList, list_key: str) -> LookAlike | None:
    """The active list of the same format that shares most of the new list's entries, if it
    shares at least :data:`LOOK_ALIKE_SHARE` of the smaller of the two."""
    new = {_entry_identity(e.external_id, e.primary_name) for e in parsed.entries}
    best: LookAlike | None = None
    candidates = session.scalars(
        select(ScreeningList).where(
            ScreeningList.active.is_(True),
            ScreeningList.source_format == parsed.format,
            ScreeningList.list_key != list_key,
        )
    ).all()
    for other in candidates:
        rows = session.execute(
            select(ScreeningEntry.external_id, ScreeningEntry.primary_name).where(
                ScreeningEntry.list_id == other.id
            )
        )
        existing = {_entry_identity(external_id, name) for external_id, name in rows}
        shared = len(new & existing)
        smaller = min(len(new), len(existing)) or 1
        if shared / smaller >= LOOK_ALIKE_SHARE and (best is None or shared > best.shared):
            best = LookAlike(other.list_key, other.name, shared)
    return best


def versions(session: Session, *, active_only: bool = False) -> list[ListVersion]:
    """Every loaded version, newest list first, then by version (newest first)."""
    statement = select(ScreeningList).order_by(
        ScreeningList.list_key, ScreeningList.version_no.desc()
    )
    if active_only:
        statement = statement.where(ScreeningList.active.is_(True))
    return [
        ListVersion(
            row.id,
            row.list_key,
            row.name,
            row.source_format,
            row.file_name,
            row.sha256,
            row.loaded_at,
            row.version_no,
            row.entry_count,
            row.active,
        )
        for row in session.scalars(statement)
    ]


def entry_total(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ScreeningEntry)) or 0
