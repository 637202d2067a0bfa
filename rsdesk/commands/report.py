"""`rsdesk report`: not implemented yet (see the issue tracker)."""

from __future__ import annotations

import argparse

from rsdesk.commands.common import not_yet


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("report", help="(not yet available)")
    parser.set_defaults(handler=not_yet)
