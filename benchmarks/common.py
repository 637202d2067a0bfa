"""What every benchmark shares: the result record, timing and memory helpers, cached demo data.

A benchmark module is ``benchmarks/bench_<topic>.py`` with ``def run(size: int) -> list[Result]``.
Targets are ratios against a baseline measured in the same run, never absolute times, so that the
figures mean the same on a slow or a busy machine.
"""

from __future__ import annotations

import atexit
import gc
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "benchmarks" / "results" / "cache"


@dataclass
class Result:
    benchmark: str
    measured: float
    unit: str = "s"
    baseline_name: str | None = None
    baseline: float | None = None
    #: The goal in words, e.g. "ratio <= 0.5" or "p95 < 100 ms".
    goal: str | None = None
    #: Whether the goal is met (None when there is no goal).
    met: bool | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return self.measured / self.baseline  # type: ignore[operator]


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    started = time.perf_counter()
    value = function()
    return time.perf_counter() - started, value


def best_of(repeats: int, function: Callable[[], Any]) -> float:
    return min(timed(function)[0] for _ in range(repeats))


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_in_subprocess(
    code: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run Python code in a fresh interpreter (for start-up and peak-memory measurements)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=ROOT,
        check=True,
    )


def cached_demo(size: int, seed: int = 1) -> Path:
    """Where the generated demo database of ``size`` is kept. Named by schema revision: one
    cached before a migration would fail the benchmarks that open it without upgrading (and an
    upgrade would be part of no measurement)."""
    from rsdesk.db.schema_version import HEAD_REVISION

    return CACHE / f"demo-{size}-{seed}-schema{HEAD_REVISION}.sqlite3"


def demo_database(size: int, seed: int = 1) -> Path:
    """A demo database of ``size`` collaborations, generated once and cached between runs.

    Returns a fresh copy each time, so benchmarks may write to it.
    """
    CACHE.mkdir(parents=True, exist_ok=True)
    cached = cached_demo(size, seed)
    if not cached.exists():
        env = {"RSDESK_HOME": str(CACHE / "home")}
        partial = cached.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "rsdesk",
                "--db",
                str(partial),
                "demo",
                "--size",
                str(size),
                "--seed",
                str(seed),
            ],
            check=True,
            cwd=ROOT,
            env={**os.environ, **env},
        )
        import sqlite3

        connection = sqlite3.connect(partial)
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()
        partial.replace(cached)
    return private_copy(cached)


def private_copy(cached: Path) -> Path:
    """A copy of a cached database for one benchmark to write to, removed at exit."""
    copy = CACHE / f"work-{os.getpid()}-{time.monotonic_ns()}.sqlite3"
    shutil.copyfile(cached, copy)
    # On disk before anything is measured, and so is everything else written so far (the
    # workbooks of the export benchmarks, the previous run's output): the kernel writing a
    # gigabyte back while a measurement runs slows its own writes, a short run more than a long
    # one (the first import after the exports took 8.1-8.8 s where the next took 7.3-7.9).
    os.sync()
    if not _COPIES:
        atexit.register(_remove_copies)
    _COPIES.append(copy)
    return copy


#: The private copies handed out by demo_database() in this process (1.3 GB each at 100,000).
_COPIES: list[Path] = []


def _remove_copies() -> None:
    for copy in _COPIES:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
