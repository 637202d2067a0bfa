"""Encryption at rest: the same import and export on an encrypted and on a plain database.

Data: the ``size``-collaboration demo database (benchmarks.common.demo_database) and an encrypted
copy of it (rsdesk.db.encryption.encrypt_copy, SQLCipher defaults). Measured in this process,
best of two, on fresh copies:

* **import** of a CSV of ``size`` new collaborations (``importers.run_import``: read, validate,
  plan, bulk insert with audit entries, one transaction);
* **export** of the collaborations register to .xlsx (``export_register``).

Opening the database (SQLCipher derives the key from the passphrase, deliberately slow) is
measured apart, once per start of the app, and not part of the goal.

Baseline: the same operation on the plain copy. Goal: encrypted <= 1.3x plain.
"""

from __future__ import annotations

import csv
import shutil
import sys
import tempfile
from pathlib import Path

from benchmarks.common import Result, best_of, demo_database, timed

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PASSPHRASE = "benchmark passphrase"
GOAL = 1.3
ROUNDS = 3
#: Marks the plain file opened through SQLCipher's own SQLite (no key) in ``open_copy``.
SAME_LIBRARY = "\0same library"


def _csv(path: Path, rows: int) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Title", "Kind", "Status", "Start", "End"])
        for number in range(rows):
            writer.writerow(
                [
                    f"Bench import {number:06d}",
                    "joint_research",
                    "active",
                    "2024-01-01",
                    "2026-12-31",
                ]
            )
    return path


def _plain_through_sqlcipher(path: Path) -> object:
    """The plain file opened with SQLCipher's build of SQLite and no key: against it, the
    encrypted figure is the cost of encryption alone (not of two SQLite builds)."""
    import sqlcipher3  # type: ignore[import-not-found]

    from rsdesk.db.engine import make_engine, resolve_url
    from rsdesk.db.session import Database

    url = resolve_url(path)
    return Database(url, engine=make_engine(url, module=sqlcipher3.dbapi2))


def run(size: int) -> list[Result]:
    from rsdesk.db import encryption, open_database
    from rsdesk.services import importers
    from rsdesk.services.reports.xlsx.registers import export_register

    folder = Path(tempfile.mkdtemp(prefix="bench-encryption-"))
    try:
        plain = demo_database(size)
        encrypted = folder / "encrypted.sqlite3"
        encryption.encrypt_copy(plain, encrypted, PASSPHRASE)
        source = _csv(folder / "import.csv", size)
        copies = iter(range(1_000_000))

        def fresh(original: Path) -> Path:
            target = folder / f"copy-{next(copies)}.sqlite3"
            shutil.copyfile(original, target)
            return target

        def open_copy(original: Path, passphrase: str | None) -> object:
            if passphrase == SAME_LIBRARY:
                return _plain_through_sqlcipher(fresh(original))
            return open_database(fresh(original), upgrade=False, passphrase=passphrase)

        def import_into(original: Path, passphrase: str | None) -> float:
            times = []
            for _ in range(2):
                db = open_copy(original, passphrase)  # opening (key derivation) is not timed
                try:

                    def once(db: object = db) -> None:
                        with db.unit_of_work() as session:  # type: ignore[attr-defined]
                            importers.run_import(session, source, "csv", "collaborations")

                    times.append(timed(once)[0])
                finally:
                    db.dispose()  # type: ignore[attr-defined]
            return min(times)

        def open_time(original: Path, passphrase: str | None) -> float:
            def once() -> None:
                open_copy(original, passphrase).dispose()  # type: ignore[attr-defined]

            return best_of(2, once)

        def export_from(original: Path, passphrase: str | None) -> float:
            db = open_copy(original, passphrase)
            out = folder / "export.xlsx"
            try:

                def once() -> None:
                    out.unlink(missing_ok=True)
                    with db.read() as session:  # type: ignore[attr-defined]
                        export_register(session, "collaborations", out, actor="bench")

                return best_of(2, once)
            finally:
                db.dispose()  # type: ignore[attr-defined]

        results = []
        for name, measure in (("import", import_into), ("export", export_from)):
            # Alternated, so that a burst of load on a shared machine hits all sides alike.
            base_times, same_times, times = [], [], []
            for _ in range(ROUNDS):
                base_times.append(measure(plain, None))
                same_times.append(measure(plain, SAME_LIBRARY))
                times.append(measure(encrypted, PASSPHRASE))
            value = min(times)
            for baseline_name, base in (
                ("plain SQLite (Python's sqlite3)", min(base_times)),
                ("plain file, SQLCipher's SQLite", min(same_times)),
            ):
                results.append(
                    Result(
                        f"encryption: {name} of {size:,} collaborations vs {baseline_name}",
                        value,
                        baseline_name=baseline_name,
                        baseline=base,
                        goal=f"ratio <= {GOAL}",
                        met=value / base <= GOAL,
                    )
                )
        results.append(
            Result(
                "encryption: opening the database (SQLCipher key derivation) vs plain",
                open_time(encrypted, PASSPHRASE),
                baseline_name="plain SQLite",
                baseline=open_time(plain, None),
                note="once per start; not part of the goal",
            )
        )
        return results
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    for result in run(int(sys.argv[1]) if len(sys.argv) > 1 else 2000):
        print(
            f"{result.benchmark}: {result.measured:.2f} s vs {result.baseline:.2f} s "
            f"= {result.ratio:.2f}x ({'-' if result.met is None else 'met' if result.met else 'NOT met'})"
        )
