"""The report archive: every generated report is stamped and a copy kept, byte for byte.

A stamp records what a report was made from: the database, the scoring model's version, the
screening lists loaded (with their versions and file hashes), the audit chain's latest hash and
entry count, the rsdesk version and the time. It is printed in each page's footer (short form) and
at the end of the report (full form), and stored with the archived copy, so that the report
management received last year can be shown again unchanged and checked against the audit trail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import LargeBinary, Text, cast, select, type_coerce
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from rsdesk import __version__
from rsdesk.db import undecodable
from rsdesk.models import Appraisal, ArchivedReport, ScreeningList
from rsdesk.models.base import utcnow
from rsdesk.services import audit
from rsdesk.services.errors import KnownError, NotFoundError


@dataclass(frozen=True)
class ArchivedReportInfo:
    id: int
    kind: str
    title: str
    created_at: dt.datetime
    created_by: str
    size_bytes: int
    sha256: str
    stamp: dict[str, Any]


@dataclass(frozen=True)
class ArchivedReportFile:
    info: ArchivedReportInfo
    content: bytes


def scoring_model_version(session: Session) -> str:
    """The scoring model in use (the institution's copy or the shipped one): id and version."""
    from rsdesk.services.appraisal import load_model

    try:
        model = load_model(session=session)
    except KnownError:
        row = session.execute(
            select(Appraisal.model_id, Appraisal.model_version)
            .order_by(Appraisal.id.desc())
            .limit(1)
        ).first()
        return f"{row[0]} {row[1]}" if row else "no valid scoring model installed"
    return f"{model.id} {model.version}"


def make_stamp(
    session: Session, database_name: str, made_at: dt.datetime | None = None
) -> dict[str, Any]:
    """What a report about to be generated is made from (JSON-ready)."""
    lists = [
        {
            "key": row.list_key,
            "name": row.name,
            "version": row.version_no,
            "loaded_at": row.loaded_at.isoformat(sep=" "),
            "sha256": row.sha256,
            "entries": row.entry_count,
        }
        for row in session.execute(
            select(ScreeningList)
            .where(ScreeningList.active.is_(True))
            .order_by(ScreeningList.list_key)
        ).scalars()
    ]
    return {
        "database": database_name,
        "scoring_model": scoring_model_version(session),
        "screening_lists": lists,
        "audit_hash": audit.latest_hash(session),
        "audit_entries": audit.entry_count(session),
        "rsdesk_version": __version__,
        "generated_at": (made_at or utcnow()).isoformat(sep=" ") + " UTC",
    }


def stamp_line(stamp: dict[str, Any]) -> str:
    """The one-line form printed in each page's footer."""
    lists = stamp.get("screening_lists") or []
    list_text = ", ".join(f"{item['key']} v{item['version']}" for item in lists) or "none"
    # an empty trail's hash is the chain's all-zero start, not a hash worth quoting
    audit_text = (
        f"{str(stamp.get('audit_hash', ''))[:12]}\u2026" if stamp.get("audit_entries") else "empty"
    )
    return (
        f"Made {stamp.get('generated_at', '')} from {_short_database(stamp.get('database', ''))}"
        f" \u00b7 model {stamp.get('scoring_model', '')} \u00b7 lists {list_text}"
        f" \u00b7 audit {audit_text}"
        f" \u00b7 rsdesk {stamp.get('rsdesk_version', '')}"
    )


def stamp_rows(stamp: dict[str, Any]) -> list[tuple[str, str]]:
    """The full form, as (label, value) rows, for the end of a report."""
    lists = stamp.get("screening_lists") or []
    list_text = (
        "; ".join(
            f"{item['name']} ({item['key']}) version {item['version']}, loaded {item['loaded_at']}, "
            f"{item['entries']} entries, SHA-256 {item['sha256'][:16]}\u2026"
            for item in lists
        )
        or "none loaded"
    )
    return [
        ("Generated", str(stamp.get("generated_at", ""))),
        ("Database", str(stamp.get("database", ""))),
        ("Scoring model", str(stamp.get("scoring_model", ""))),
        ("Screening lists", list_text),
        (
            "Audit chain",
            f"{stamp.get('audit_entries', 0)} entries, latest hash {stamp.get('audit_hash', '')}"
            if stamp.get("audit_entries")
            else "no entries yet",
        ),
        ("Software", f"rsdesk {stamp.get('rsdesk_version', '')}"),
    ]


def _short_database(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1] if name else "?"


def archive(
    session: Session, kind: str, title: str, content: bytes, stamp: dict[str, Any], created_by: str
) -> int:
    """Keeps a copy of a generated report; returns its archive id."""
    report = ArchivedReport(
        kind=kind,
        title=title[:300],
        created_by=created_by,
        stamp=stamp,
        media_type="application/pdf",
        size_bytes=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
    )
    session.add(report)
    session.flush()
    return report.id


def _info(row: Any) -> ArchivedReportInfo:
    return ArchivedReportInfo(
        id=row.id,
        kind=row.kind,
        title=row.title,
        created_at=row.created_at,
        created_by=row.created_by,
        size_bytes=row.size_bytes,
        sha256=row.sha256,
        stamp=_stamp(row.stamp),
    )


def _stamp(value: Any) -> dict[str, Any]:
    """A stamp read as text (SQLite) or decoded by the driver (PostgreSQL); a stamp edited into
    something that is not a JSON object reads as empty, so the rest of the archive still lists."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return dict(value) if isinstance(value, dict) else {}


def _info_columns() -> tuple[Any, ...]:
    """What the archive lists of each report (the stamp as its stored text)."""
    return (
        ArchivedReport.id,
        ArchivedReport.kind,
        ArchivedReport.title,
        ArchivedReport.created_at,
        ArchivedReport.created_by,
        ArchivedReport.size_bytes,
        ArchivedReport.sha256,
        type_coerce(ArchivedReport.stamp, Text).label("stamp"),
    )


def list_reports(session: Session, kind: str | None = None) -> list[ArchivedReportInfo]:
    """Archived reports, newest first (without their content).

    A title or name edited outside rsdesk into bytes that are not UTF-8 shows with U+FFFD in
    their place instead of hiding the whole archive; opening that report is refused (``fetch``).
    """
    query = select(*_info_columns()).order_by(ArchivedReport.id.desc())
    if kind is not None:
        query = query.where(ArchivedReport.kind == kind)
    try:
        return [_info(row) for row in session.execute(query)]
    except OperationalError as error:
        if not undecodable.is_undecodable_text_error(error):
            raise
    with undecodable.undecodable_text_kept(session, errors="replace"):
        return [_info(row) for row in session.execute(query)]


def fetch(session: Session, report_id: int) -> ArchivedReportFile:
    """An archived report exactly as it was generated.

    Refuses a copy that no longer matches the hash recorded when it was made, or whose record no
    longer matches its audit entry (content and hash replaced together, or text edited into bytes
    that are not UTF-8): an archived report is evidence, so a doubtful one is not handed out.
    """
    query = select(
        *_info_columns(),
        # As bytes whatever the stored type: an edit in the sqlite3 shell can leave TEXT here.
        cast(ArchivedReport.content, LargeBinary).label("content"),
    ).where(ArchivedReport.id == report_id)
    try:
        row = session.execute(query).first()
        if row is None:
            raise NotFoundError(f"There is no archived report {report_id}")
        info = _info(row)
    except OperationalError as error:
        if not undecodable.is_undecodable_text_error(error):
            raise
        raise _altered(report_id) from None
    except ValueError:  # a stamp that no longer parses as JSON
        raise _altered(report_id) from None
    content = bytes(row.content or b"")
    if hashlib.sha256(content).hexdigest() != info.sha256 or not audit.record_matches_trail(
        session, ArchivedReport.__tablename__, report_id
    ):
        raise _altered(report_id)
    return ArchivedReportFile(info, content)


def _altered(report_id: int) -> KnownError:
    return KnownError(
        f"Archived report {report_id} was altered after it was made (it no longer matches what "
        "was recorded then), so it is not opened; 'rsdesk audit verify' names what changed."
    )
