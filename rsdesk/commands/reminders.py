"""`rsdesk reminders OUT.ics [--days N]`: the due-soon dates as an iCalendar file.

For offices that publish the file to a shared folder on a schedule (cron, Task Scheduler) so
that everybody's calendar follows it, without a mail server.
"""

from __future__ import annotations

import argparse

from rsdesk.commands.common import database, output_file


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("give a whole number of days") from None
    if not 1 <= value <= 366:
        raise argparse.ArgumentTypeError("the horizon must be 1 to 366 days")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "reminders",
        help="write the dates due soon (reviews, measures, checks, training) to an .ics file",
    )
    parser.add_argument("out", metavar="OUT.ics", help="the calendar file to write")
    parser.add_argument(
        "--days",
        type=_days,
        default=None,
        help="how far ahead (default: the institution's reminder horizon setting)",
    )
    parser.set_defaults(handler=reminders_command)


def reminders_command(args: argparse.Namespace) -> int:
    from rsdesk.services import dashboard, reminders, settings

    path = output_file(args.out)
    db = database(args)
    try:
        with db.read() as session:
            current = settings.load(session)
            days = args.days or current.review_reminder_days
            items = dashboard.due_soon(session, days=days, limit=None)
    finally:
        db.dispose()
    name = "rsdesk reminders"
    if current.institution_name:
        name = f"{current.institution_name} – research security"
    count = reminders.write_calendar(items, path, name)
    print(f"{count:,} dates in the next {days} days written to {path}")
    return 0
