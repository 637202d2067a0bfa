"""`rsdesk demo [--size N] [--seed S]`: fill the database with a synthetic institution."""

from __future__ import annotations

import argparse
import sys
import time

from rsdesk.commands.common import database


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("demo", help="fill the database with realistic synthetic data")
    parser.add_argument("--size", type=int, default=2000, help="number of collaborations")
    parser.add_argument("--seed", type=int, default=1, help="same seed, same data")
    parser.set_defaults(handler=demo_command)


def demo_command(args: argparse.Namespace) -> int:
    from rsdesk.services import demo

    if args.size < 0:
        print("rsdesk: --size must not be negative", file=sys.stderr)
        return 2
    started = time.perf_counter()
    db = database(args)
    try:
        # The command holds the file for the load (it is the one writer; readers would wait).
        summary = demo.generate(db, size=args.size, seed=args.seed, exclusive_load=True)
    finally:
        db.dispose()
    counts = ", ".join(
        f"{count:,} {name[:-1] if count == 1 and name.endswith('s') else name}"
        for name, count in summary.items()
    )
    print(f"demo data written in {time.perf_counter() - started:.1f} s: {counts}")
    return 0
