"""Reminders without a mail server: due dates as an iCalendar (.ics) file (RFC 5545).

Each due item becomes an all-day VEVENT (``DTSTART;VALUE=DATE`` and the next day as the exclusive
``DTEND``), marked transparent so it does not block the officer's time. UIDs are stable per item
and date, so importing a newer export updates the calendar instead of duplicating events.
Text is escaped (backslash, semicolon, comma, newline) and lines are folded at 75 octets
without splitting a UTF-8 character; lines end with CRLF as the RFC requires.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from rsdesk import __version__
from rsdesk.services.dashboard import DUE_KIND_LABELS, DueItem
from rsdesk.services.errors import KnownError

CRLF = "\r\n"
MAX_OCTETS = 75


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): escape backslash, semicolon and comma; newlines as \\n."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """Split a content line into lines of at most 75 octets, continuations starting with a space."""
    encoded = line.encode("utf-8")
    if len(encoded) <= MAX_OCTETS:
        return line
    parts: list[str] = []
    current = ""
    size = 0
    limit = MAX_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size = "", 0
            limit = MAX_OCTETS - 1  # the leading space of a continuation counts
        current += char
        size += width
    parts.append(current)
    return (CRLF + " ").join(parts)


def _stamp(moment: dt.datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment.strftime("%Y%m%dT%H%M%SZ")


def calendar_text(
    items: Iterable[DueItem],
    calendar_name: str = "rsdesk reminders",
    now: dt.datetime | None = None,
) -> str:
    """The iCalendar document for ``items``."""
    stamp = _stamp(now or dt.datetime.now(dt.UTC))
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//rsdesk//rsdesk {__version__}//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(calendar_name)}",
    ]
    for item in items:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{item.uid}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{item.due:%Y%m%d}",
            f"DTEND;VALUE=DATE:{item.due + dt.timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{escape_text(item.summary)}",
            f"DESCRIPTION:{escape_text(item.detail)}",
            f"CATEGORIES:{escape_text(DUE_KIND_LABELS[item.kind])}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)


def write_calendar(
    items: Iterable[DueItem],
    path: str | Path,
    calendar_name: str = "rsdesk reminders",
    now: dt.datetime | None = None,
) -> int:
    """Write ``items`` to ``path`` (replacing it whole); returns the number of events."""
    items = list(items)
    path = Path(path)
    text = calendar_text(items, calendar_name, now)
    temporary = path.with_name(path.name + ".part")
    try:
        temporary.write_bytes(text.encode("utf-8"))
        temporary.replace(path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise KnownError(f"Cannot write {path}: {exc.strerror or exc}") from exc
    return len(items)


__all__ = ["calendar_text", "escape_text", "fold", "write_calendar"]
