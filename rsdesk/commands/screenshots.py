"""`rsdesk screenshots OUTDIR`: render each main view (and an editor, the settings, the wizard)
of the current database to PNG files, offscreen. The UI work lives in rsdesk/ui/screenshots.py."""

from __future__ import annotations

import argparse
import re

from rsdesk.commands.common import database
from rsdesk.services.errors import KnownError


def _size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{3,5})x(\d{3,5})", text.strip().lower())
    if not match:
        raise argparse.ArgumentTypeError("give the size as WIDTHxHEIGHT, e.g. 1280x820")
    return int(match.group(1)), int(match.group(2))


def _scale(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("the scale is a number such as 1.5") from None
    if not 0.5 <= value <= 4:
        raise argparse.ArgumentTypeError("the scale must be between 0.5 and 4")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "screenshots",
        help="render each main view of the current database to a PNG file",
        description="Opens the main window offscreen on the current database, shows each view "
        "in turn and saves it as OUTDIR/NN-<view>.png, then an editor, the settings and the "
        "appraisal wizard's pages. Nothing in the database is changed.",
    )
    parser.add_argument("outdir", metavar="OUTDIR", help="folder for the PNG files (created)")
    parser.add_argument(
        "--size", type=_size, default=(1280, 820), help="window size, default 1280x820"
    )
    parser.add_argument(
        "--scale", type=_scale, default=1.0, help="display scaling, e.g. 1.5 for 150 %%"
    )
    parser.add_argument(
        "--theme", choices=("light", "dark"), default="light", help="palette to render with"
    )
    parser.set_defaults(handler=screenshots_command)


def screenshots_command(args: argparse.Namespace) -> int:
    from rsdesk.ui import screenshots

    screenshots.prepare_environment(args.scale)
    from rsdesk.ui.app import create_application

    app = create_application()
    screenshots.apply_theme(app, args.theme)
    db = database(args)
    try:
        files = screenshots.take_screenshots(
            db, args.outdir, size=args.size, report=lambda line: print(line, flush=True)
        )
    finally:
        db.dispose()
    if not files:
        raise KnownError("No view could be rendered")
    return 0
