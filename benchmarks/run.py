"""Runs the benchmarks and prints one table of measured values, baselines, ratios and goals.

Usage: python benchmarks/run.py [TOPIC ...] [--size N]
(``make bench``; ``make bench BENCH="screening --size 2000"`` for one topic on smaller data).
Results also go to benchmarks/results/latest.json.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import traceback
from dataclasses import asdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.common import Result  # noqa: E402


def available() -> list[str]:
    return sorted(path.stem.removeprefix("bench_") for path in HERE.glob("bench_*.py"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("topics", nargs="*", help=f"topics (default all): {', '.join(available())}")
    parser.add_argument(
        "--size",
        type=int,
        default=100_000,
        help="collaborations in the demo database (default 100000)",
    )
    args = parser.parse_args()
    topics = args.topics or available()
    results: list[Result] = []
    failed = []
    for topic in topics:
        module = importlib.import_module(f"benchmarks.bench_{topic}")
        print(f"== {topic}", flush=True)
        try:
            topic_results = module.run(args.size)
        except Exception:  # a broken benchmark must not hide the others' figures
            traceback.print_exc()
            failed.append(topic)
            continue
        for result in topic_results:
            print("   " + describe(result), flush=True)
        results.extend(topic_results)
    out = HERE / "results" / "latest.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps([{**asdict(r), "ratio": r.ratio} for r in results], indent=2))
    print(f"\n{'benchmark':58} {'measured':>12} {'baseline':>12} {'ratio':>7}  goal")
    for result in results:
        baseline = f"{result.baseline:.3f}" if result.baseline is not None else "-"
        ratio = f"{result.ratio:.2f}" if result.ratio is not None else "-"
        verdict = {True: "met", False: "NOT MET", None: ""}[result.met]
        print(
            f"{result.benchmark:58} {result.measured:>10.3f} {result.unit:<2}"
            f"{baseline:>11} {ratio:>7}  {result.goal or ''} {verdict}"
        )
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


def describe(result: Result) -> str:
    text = f"{result.benchmark}: {result.measured:.3f} {result.unit}"
    if result.baseline is not None:
        text += (
            f" (baseline {result.baseline_name}: {result.baseline:.3f}, ratio {result.ratio:.2f})"
        )
    if result.goal:
        text += f" goal {result.goal}: {'met' if result.met else 'NOT MET'}"
    return text


if __name__ == "__main__":
    raise SystemExit(main())
