"""`rsdesk report`: PDF reports, each stamped and kept in the report archive.

::

    rsdesk report annual --year Y --out F.pdf
    rsdesk report appraisal ID --out F.pdf
    rsdesk report listing NAME --out F.pdf [--search TEXT] [--filter KEY=VALUE ...] [--sort KEY]
    rsdesk report archive                       list archived reports
    rsdesk report archive ID --out F.pdf        write an archived report back out, unchanged
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from rsdesk.commands.common import database, output_file, print_json
from rsdesk.services.access import Capability
from rsdesk.services.errors import KnownError


def _write(path: Path, content: bytes) -> None:
    """Writes next to the target and renames, so a failure never leaves half a PDF."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_bytes(content)
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise KnownError(f"Cannot write {path}: {exc.strerror or exc}") from None


def _done(path: Path, content: bytes, report_id: int) -> int:
    print(f"wrote {path} ({len(content):,} bytes); archived as report {report_id}")
    return 0


def _annual(args: argparse.Namespace) -> int:
    from rsdesk.services.reports.pdf.annual import generate_annual

    out = output_file(args.out)
    db = database(args)
    try:
        with db.unit_of_work(Capability.REPORTS) as session:
            report_id, content = generate_annual(
                session, args.year, database_name=db.display_name(), actor=db.actor
            )
            _write(out, content)
    finally:
        db.dispose()
    return _done(out, content, report_id)


def _appraisal(args: argparse.Namespace) -> int:
    from rsdesk.services.reports.pdf.appraisal import (
        TRAIL_DIFFERS_WARNING,
        appraisal_differs_from_trail,
        generate_appraisal_record,
    )

    out = output_file(args.out)
    db = database(args)
    try:
        with db.unit_of_work(Capability.REPORTS) as session:
            report_id, content = generate_appraisal_record(
                session, args.id, database_name=db.display_name(), actor=db.actor
            )
            differs = appraisal_differs_from_trail(session, args.id)
            _write(out, content)
    finally:
        db.dispose()
    status = _done(out, content, report_id)
    if differs:
        # The PDF is written with the warning on its first page; the exit code tells scripts.
        print(f"rsdesk: warning: {TRAIL_DIFFERS_WARNING}", file=sys.stderr)
        return 3
    return status


def _filters(items: list[str]) -> dict[str, str]:
    filters = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise KnownError(f"--filter {item!r}: expected KEY=VALUE")
        filters[key.strip()] = value.strip()
    return filters


def _listing(args: argparse.Namespace) -> int:
    from rsdesk.services import registers
    from rsdesk.services.registers.base import RegisterQuery
    from rsdesk.services.reports.pdf.listing import generate_listing

    try:
        spec = registers.get(args.name)
    except KeyError:
        raise KnownError(
            f"There is no register {args.name!r}; known: {', '.join(sorted(registers.names()))}"
        ) from None
    filters = _filters(args.filter or [])
    known = {f.key for f in spec.filters}
    for key in filters:
        if key not in known:
            raise KnownError(
                f"The {args.name} register has no filter {key!r}; known: {', '.join(sorted(known))}"
            )
    if args.sort and args.sort not in {c.key for c in spec.columns}:
        raise KnownError(f"The {args.name} register has no column {args.sort!r} to sort by")
    query = RegisterQuery(
        text=args.search or "",
        filters=filters,
        sort_key=args.sort,
        descending=args.desc,
        include_archived=args.include_archived,
    )
    out = output_file(args.out)
    db = database(args)
    try:
        with db.unit_of_work(Capability.REPORTS) as session:
            try:
                report_id, content = generate_listing(
                    session, args.name, query, database_name=db.display_name(), actor=db.actor
                )
            except ValueError as exc:  # a filter value the register cannot use
                raise KnownError(f"Bad filter value: {exc}") from None
            _write(out, content)
    finally:
        db.dispose()
    return _done(out, content, report_id)


def _archive(args: argparse.Namespace) -> int:
    from rsdesk.services.reports import archive

    db = database(args)
    try:
        with db.read() as session:
            if args.id is None:
                if args.out:
                    raise KnownError("Give the ID of the archived report to write with --out")
                reports = archive.list_reports(session)
                if args.json:
                    print_json(
                        [
                            {
                                "id": r.id,
                                "kind": r.kind,
                                "title": r.title,
                                "created_at": r.created_at,
                                "created_by": r.created_by,
                                "size_bytes": r.size_bytes,
                                "sha256": r.sha256,
                                "stamp": r.stamp,
                            }
                            for r in reports
                        ]
                    )
                elif not reports:
                    print("The report archive is empty.", file=sys.stderr)
                else:
                    for r in reports:
                        print(f"{r.id:>5}  {r.created_at:%Y-%m-%d %H:%M}  {r.kind:<9}  {r.title}")
                return 0
            if not args.out:
                raise KnownError("Give --out FILE to write the archived report to")
            out = output_file(args.out)
            found = archive.fetch(session, args.id)
    finally:
        db.dispose()
    _write(out, found.content)
    print(
        f"wrote {out} ({len(found.content):,} bytes): {found.info.title}, made "
        f"{found.info.created_at:%Y-%m-%d %H:%M} UTC"
    )
    return 0


def _year(text: str) -> int:
    try:
        year = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a year") from None
    if not 1900 <= year <= 2999:
        raise argparse.ArgumentTypeError(f"{year} is not a plausible year")
    return year


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "report", help="PDF reports (annual, appraisal record, register listings) and their archive"
    )
    commands = parser.add_subparsers(dest="report_command", metavar="REPORT", required=True)

    annual = commands.add_parser("annual", help="the annual report of a year")
    annual.add_argument(
        "--year", type=_year, default=dt.date.today().year - 1, help="the year (default: last year)"
    )
    annual.add_argument("--out", required=True, metavar="F.pdf")
    annual.set_defaults(handler=_annual)

    appraisal = commands.add_parser("appraisal", help="the record of one appraisal")
    appraisal.add_argument("id", type=int, metavar="ID")
    appraisal.add_argument("--out", required=True, metavar="F.pdf")
    appraisal.set_defaults(handler=_appraisal)

    listing = commands.add_parser("listing", help="a register listing (landscape)")
    listing.add_argument("name", metavar="NAME", help="register name, e.g. collaborations")
    listing.add_argument("--out", required=True, metavar="F.pdf")
    listing.add_argument("--search", metavar="TEXT", help="quick search, as in the table view")
    listing.add_argument(
        "--filter",
        action="append",
        metavar="KEY=VALUE",
        help="a register filter (repeatable), e.g. risk_level=high",
    )
    listing.add_argument("--sort", metavar="COLUMN")
    listing.add_argument("--desc", action="store_true", help="sort descending")
    listing.add_argument("--include-archived", action="store_true")
    listing.set_defaults(handler=_listing)

    archived = commands.add_parser("archive", help="list archived reports, or write one out")
    archived.add_argument("id", type=int, nargs="?", metavar="ID")
    archived.add_argument("--out", metavar="F.pdf")
    archived.add_argument("--json", action="store_true", help="list as JSON")
    archived.set_defaults(handler=_archive)
