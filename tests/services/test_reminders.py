"""The .ics export: a strict RFC 5545 reading of the written file, escaping and folding."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from rsdesk.models import Collaboration
from rsdesk.models.enums import CollaborationKind, CollaborationStatus
from rsdesk.services import dashboard, reminders
from rsdesk.services.dashboard import DueItem, DueKind
from rsdesk.services.errors import KnownError

NOW = dt.datetime(2026, 3, 2, 8, 30, 0, tzinfo=dt.UTC)


def parse_strict(data: bytes) -> list[dict[str, tuple[str, str]]]:
    """Events as {NAME: (params, unescaped value)}; fails on anything RFC 5545 forbids."""
    text = data.decode("utf-8")
    assert text.endswith("\r\n")
    physical = text.split("\r\n")[:-1]
    assert all("\n" not in line and "\r" not in line for line in physical)
    for line in physical:
        assert len(line.encode("utf-8")) <= 75, line
    logical: list[str] = []
    for line in physical:
        if line.startswith((" ", "\t")):
            assert logical, "continuation before any line"
            logical[-1] += line[1:]
        else:
            logical.append(line)
    assert logical[0] == "BEGIN:VCALENDAR"
    assert logical[-1] == "END:VCALENDAR"
    head = {line.split(":", 1)[0] for line in logical[1:6]}
    assert {"VERSION", "PRODID"} <= head
    assert "VERSION:2.0" in logical
    events: list[dict[str, tuple[str, str]]] = []
    current: dict[str, tuple[str, str]] | None = None
    for line in logical[1:-1]:
        match = re.fullmatch(r"([A-Z-]+)((?:;[A-Z-]+=[^:;]+)*):(.*)", line)
        assert match, line
        name, params, value = match.groups()
        if (name, value) == ("BEGIN", "VEVENT"):
            assert current is None
            current = {}
        elif (name, value) == ("END", "VEVENT"):
            assert current is not None
            events.append(current)
            current = None
        elif current is not None:
            assert name not in current, f"{name} twice"
            current[name] = (params, unescape(value) if name in TEXT_PROPS else value)
    assert current is None
    return events


TEXT_PROPS = {"SUMMARY", "DESCRIPTION", "CATEGORIES"}


def unescape(value: str) -> str:
    out = []
    chars = iter(value)
    for char in chars:
        if char == "\\":
            following = next(chars)
            assert following in "\\;,nN", f"bad escape \\{following}"
            out.append("\n" if following in "nN" else following)
        else:
            assert char not in ";,", f"unescaped {char!r} in {value!r}"
            out.append(char)
    return "".join(out)


def item(summary: str, detail: str, due: dt.date = dt.date(2026, 3, 9), record_id: int = 7):
    return DueItem(due, DueKind.MEASURE, summary, detail, record_id, "measures")


def test_events_parse_back_with_their_text_intact(tmp_path):
    summary = "Measure for C-2026-00001: vet visitors; keep logs, weekly"
    detail = "Owner: Dr. Zoë Müller\nLine two \\ with backslash, comma; semicolon\r\nThree"
    items = [
        item(summary, detail),
        DueItem(
            dt.date(2026, 12, 31), DueKind.REVIEW, "Review C-1: 東京大学との共同研究", "x", 3, "c"
        ),
    ]
    path = tmp_path / "due.ics"
    assert reminders.write_calendar(items, path, now=NOW) == 2
    events = parse_strict(path.read_bytes())
    assert len(events) == 2
    first, second = events
    assert first["SUMMARY"][1] == summary
    assert first["DESCRIPTION"][1] == detail.replace("\r\n", "\n")
    assert first["DTSTART"] == (";VALUE=DATE", "20260309")
    assert first["DTEND"] == (";VALUE=DATE", "20260310")
    assert first["DTSTAMP"][1] == "20260302T083000Z"
    assert first["UID"][1] == "measure-7-20260309@rsdesk"
    assert first["CATEGORIES"][1] == "Mitigation measure"
    assert second["SUMMARY"][1] == "Review C-1: 東京大学との共同研究"
    assert second["DTEND"][1] == "20270101"  # the exclusive end crosses the year


def test_long_lines_fold_at_75_octets_without_splitting_characters():
    line = "DESCRIPTION:" + "ü漢" * 60
    folded = reminders.fold(line)
    parts = folded.split("\r\n")
    assert len(parts) > 2
    assert all(len(part.encode("utf-8")) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert parts[0] + "".join(part[1:] for part in parts[1:]) == line
    assert reminders.fold("SUMMARY:short") == "SUMMARY:short"


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a,b", "a\\,b"),
        ("a;b", "a\\;b"),
        ("a\nb", "a\\nb"),
        ("a\\b", "a\\\\b"),
        ("a\r\nb", "a\\nb"),
    ],
)
def test_text_escaping(raw, escaped):
    assert reminders.escape_text(raw) == escaped


def test_the_due_soon_list_of_a_database_exports(any_db, tmp_path):
    today = dt.date.today()
    with any_db.unit_of_work() as session:
        for n, title in enumerate(["Sensors, lasers; optics", "Plain"], start=1):
            session.add(
                Collaboration(
                    reference=f"C-R-{n}",
                    title=title,
                    kind=CollaborationKind.DATA_SHARING,
                    status=CollaborationStatus.ACTIVE,
                    next_review_date=today + dt.timedelta(days=n),
                )
            )
    with any_db.read() as session:
        items = dashboard.due_soon(session)
    path = tmp_path / "reviews.ics"
    reminders.write_calendar(items, path)
    events = parse_strict(path.read_bytes())
    assert [e["SUMMARY"][1] for e in events] == [
        "Review C-R-1: Sensors, lasers; optics",
        "Review C-R-2: Plain",
    ]
    assert events[0]["DTSTART"][1] == f"{today + dt.timedelta(days=1):%Y%m%d}"


def test_an_unwritable_target_is_one_clear_error(tmp_path):
    with pytest.raises(KnownError, match="Cannot write"):
        reminders.write_calendar([item("a", "b")], tmp_path / "missing" / "x.ics")


def test_the_reminders_command_uses_the_horizon_setting(db, db_path, tmp_path, capsys):
    from rsdesk.cli import main
    from rsdesk.services import settings

    today = dt.date.today()
    with db.unit_of_work() as session:
        settings.save(session, review_reminder_days=10, institution_name="Example, University")
        for n, ahead in enumerate((3, 20), start=1):
            session.add(
                Collaboration(
                    reference=f"C-X-{n}",
                    title="Review me",
                    kind=CollaborationKind.EXCHANGE,
                    status=CollaborationStatus.ACTIVE,
                    next_review_date=today + dt.timedelta(days=ahead),
                )
            )
    out = tmp_path / "due.ics"
    assert main(["--db", str(db_path), "reminders", str(out)]) == 0
    assert "1 dates in the next 10 days" in capsys.readouterr().out
    assert [e["SUMMARY"][1] for e in parse_strict(out.read_bytes())] == ["Review C-X-1: Review me"]
    assert b"X-WR-CALNAME:Example\\, University" in out.read_bytes()
    assert main(["--db", str(db_path), "reminders", str(out), "--days", "30"]) == 0
    assert len(parse_strict(out.read_bytes())) == 2
    assert main(["--db", str(db_path), "reminders", str(tmp_path / "no" / "x.ics")]) == 1
    assert "does not exist" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(db_path), "reminders", str(out), "--days", "0"])
    assert exit_info.value.code == 2
