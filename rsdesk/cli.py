"""The command line (the contract scripts rely on; see docs/cli.md).

Exit codes: 0 success, 1 a failure explained in one line on stderr, 2 wrong usage (argparse).
Qt is imported only when the GUI or screenshots start.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from importlib import import_module

from rsdesk import __version__
from rsdesk.services.errors import KnownError

#: Each module defines ``register(subparsers)`` and sets ``handler`` on its parsers.
COMMAND_MODULES = (
    "rsdesk.commands.db",
    "rsdesk.commands.demo",
    "rsdesk.commands.audit",
    "rsdesk.commands.appraisal",
    "rsdesk.commands.export",
    "rsdesk.commands.import_",
    "rsdesk.commands.report",
    "rsdesk.commands.screening",
    "rsdesk.commands.screenshots",
    "rsdesk.commands.reminders",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rsdesk",
        description="Research security desk. With no command, starts the application.",
    )
    parser.add_argument("--version", action="version", version=f"rsdesk {__version__}")
    parser.add_argument(
        "--db",
        metavar="PATH|URL",
        help="database file or SQLAlchemy URL (default: RSDESK_DATABASE, "
        "else a file in the user data folder)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        import_module(name).register(subparsers)
    return parser


def gui_arguments(argv: Sequence[str]) -> argparse.Namespace | None:
    """The arguments when they only start the application (no command, at most ``--db``), read
    without building every command's parser (about 60 ms of every start); None otherwise, and
    the full parser then reads them (and explains any mistake)."""
    quick = argparse.ArgumentParser(add_help=False, allow_abbrev=False, exit_on_error=False)
    quick.add_argument("--db")
    try:
        args, rest = quick.parse_known_args(list(argv))
    except argparse.ArgumentError:
        return None
    if rest:
        return None
    args.command = None
    return args


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = gui_arguments(argv) or build_parser().parse_args(argv)
    try:
        if args.command is None:
            from rsdesk.ui.app import run_gui

            return run_gui(args)
        result = args.handler(args)
        return int(result or 0)
    except KnownError as exc:
        print(f"rsdesk: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (``rsdesk appraisal questions | head``): not an error. Python
        # would complain again when it flushes stdout at exit, so point stdout at nothing.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:
        from rsdesk.db.errors import environment_error

        message = environment_error(exc)
        if message is None:
            raise
        print(f"rsdesk: {message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("rsdesk: interrupted", file=sys.stderr)
        return 1


def main_gui() -> int:
    return main([])


if __name__ == "__main__":
    raise SystemExit(main())
