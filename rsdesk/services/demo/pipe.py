"""Generating demo data in a second process while this one writes it.

Generating a large demo (random stories, names, appraisals) costs about as much CPU as inserting
and hashing its rows, and one Python process can only do one at a time. Here a child Python
(:func:`child_main`) runs the sections and sends each batch of rows, pickled,
through its standard output; the parent inserts them and chains their audit entries in its own
transaction, in the order they come. The child draws the same random numbers in the same order as
a run in one process, so the same seed gives the same rows either way.

A plain child process rather than ``multiprocessing``: nothing of the parent is forked (it may run
Qt threads) and the caller's main script is not run again in the child (``spawn`` does that).

The child never touches the database, so all-or-nothing stays the parent's transaction. The parent
stops the child when it fails, is cancelled or interrupted; a child whose parent died stops at its
next write (the pipe is broken).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import pickle
import queue
import random
import select
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

try:
    import fcntl
except ImportError:  # not on Windows
    fcntl = None  # type: ignore[assignment]

from rsdesk.db.auditlog import audited_specs
from rsdesk.services.demo.context import DemoContext, JsonTexts, Sink
from rsdesk.services.progress import NEVER_CANCELLED, CancelToken, Progress

#: Pickled batches the child may hold ready while the parent writes earlier ones.
OUTBOX_MESSAGES = 8
#: How often (seconds) the parent looks up from waiting to check cancel and the child.
POLL_SECONDS = 0.25


@dataclass(frozen=True)
class Plan:
    """Everything the child needs to build the same :class:`DemoContext` as the parent would."""

    seed: int
    size: int
    anchor: dt.date
    actor: str
    technology_areas: tuple[str, ...]
    most_sensitive_areas: frozenset[str]
    dual_use_codes: tuple[str, ...]
    existing_setting_keys: frozenset[str] = frozenset()
    last_setting_id: int = 0
    existing_courses: tuple[tuple[str, int], ...] = ()
    #: Whether the child sends JSON documents as their canonical text (the writer takes
    #: ``Encoded`` values: SQLite); encoding them is the child's share of the writing work.
    encode_json: bool = False

    def context(self, sink: Sink) -> DemoContext:
        ctx = DemoContext(
            connection=None,
            sink=sink,
            rng=random.Random(self.seed),
            anchor=self.anchor,
            actor=self.actor,
            size=self.size,
        )
        ctx.technology_areas = self.technology_areas
        ctx.most_sensitive_areas = self.most_sensitive_areas
        ctx.dual_use_codes = self.dual_use_codes
        ctx.existing_setting_keys = self.existing_setting_keys
        ctx.last_setting_id = self.last_setting_id
        ctx.existing_courses = self.existing_courses
        return ctx


def run_in_child(
    plan: Plan, write: Sink, progress: Progress, cancel: CancelToken
) -> dict[str, int]:
    """Runs the demo sections in a child process, handing each batch to ``write`` here.

    Returns the counts; raises what the child raised (RuntimeError if it vanished), or
    ``Cancelled`` if ``cancel`` fires.
    """
    with tempfile.TemporaryFile() as errors:
        return _run(plan, write, progress, cancel, errors)


def _run(
    plan: Plan, write: Sink, progress: Progress, cancel: CancelToken, errors: IO[bytes]
) -> dict[str, int]:
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=errors,
    )
    assert child.stdin is not None
    assert child.stdout is not None
    stream = child.stdout.fileno()
    _widen(stream)
    try:
        child.stdin.write(pickle.dumps(plan, protocol=pickle.HIGHEST_PROTOCOL))
        child.stdin.close()
        while True:
            # The next batch is read only when the last one is written: the child generates one
            # batch ahead and then waits, which keeps both processes busy and memory flat.
            while not select.select([stream], [], [], POLL_SECONDS)[0]:
                cancel.raise_if_cancelled()
            cancel.raise_if_cancelled()
            data = _read_message(stream)
            if data is None:
                child.wait()
                raise RuntimeError(
                    "The demo generator stopped unexpectedly (exit code "
                    f"{child.returncode}){_last_line(errors)}."
                )
            message = pickle.loads(data)
            kind = message[0]
            if kind == "rows":
                write(message[1], message[2])
            elif kind == "progress":
                progress(message[1], message[2], message[3])
            elif kind == "done":
                counts: dict[str, int] = message[1]
                return counts
            else:  # "error": what the sections raised
                raise message[1]
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
        child.stdout.close()


def _widen(stream: int) -> None:
    """A pipe buffer of a megabyte rather than 64 KB, where Linux allows it: fewer switches
    between the processes per batch."""
    set_pipe_size = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if set_pipe_size is not None:
        with contextlib.suppress(OSError):
            fcntl.fcntl(stream, set_pipe_size, 1 << 20)


def _read_exactly(stream: int, size: int) -> bytes | None:
    chunks = []
    while size:
        chunk = os.read(stream, min(size, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _read_message(stream: int) -> bytes | None:
    """One length-prefixed message, or None if the child closed the pipe first."""
    header = _read_exactly(stream, 8)
    if header is None:
        return None
    return _read_exactly(stream, int.from_bytes(header, "little"))


def _last_line(errors: IO[bytes]) -> str:
    errors.seek(0)
    lines = [line for line in errors.read().decode(errors="replace").splitlines() if line]
    return f": {lines[-1]}" if lines else ""


_CHILD = "from rsdesk.services.demo.pipe import child_main; raise SystemExit(child_main())"


def child_main() -> int:
    """The child: reads the plan from stdin, writes messages to (the original) stdout."""
    channel = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # stray prints must not end up in the channel
    plan: Plan = pickle.load(sys.stdin.buffer)
    outbox = _Outbox(channel)
    json_texts = JsonTexts() if plan.encode_json else None
    specs = audited_specs()

    def sink(table_name: str, batch: Sequence[Mapping[str, Any]]) -> None:
        spec = specs.get(table_name)
        if json_texts is not None and (spec is None or not spec.personal):
            # Audit entries of tables with personal fields take the general path, which needs
            # the documents themselves.
            batch = json_texts.encode(table_name, batch)
        outbox.send(("rows", table_name, list(batch)))

    def progress(done: int, total: int, message: str = "") -> None:
        outbox.send(("progress", done, total, message))

    from rsdesk.services.demo import run_sections

    try:
        try:
            counts = run_sections(plan.context(sink), progress, NEVER_CANCELLED)
        except (KeyboardInterrupt, BrokenPipeError):
            raise
        except Exception as error:  # noqa: BLE001 - handed to the parent, which raises it
            try:
                outbox.send(("error", error))
            except pickle.PicklingError:
                outbox.send(("error", RuntimeError(f"{type(error).__name__}: {error}")))
            outbox.close()
            return 1
        outbox.send(("done", counts))
        outbox.close()
    except (KeyboardInterrupt, BrokenPipeError):
        # Ctrl+C reaches the whole process group and the parent reports it; a broken pipe means
        # the parent is gone. Either way there is nobody to tell.
        return 1
    return 0


class _Outbox:
    """Messages pickled by the generating thread and written to the pipe by another, so that
    generating goes on while the parent is busy with earlier batches (the pipe holds little)."""

    def __init__(self, channel: IO[bytes]) -> None:
        self._channel = channel
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=OUTBOX_MESSAGES)
        self._broken = threading.Event()
        self._thread = threading.Thread(target=self._write_all, name="demo-outbox", daemon=True)
        self._thread.start()

    def send(self, message: tuple[Any, ...]) -> None:
        # Pickled now: the generating code may reuse what it sent once this returns.
        self._put(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))

    def close(self) -> None:
        """Waits until everything sent is in the pipe."""
        self._put(None)
        self._thread.join()
        if self._broken.is_set():
            raise BrokenPipeError

    def _put(self, data: bytes | None) -> None:
        while True:
            if self._broken.is_set():
                raise BrokenPipeError
            try:
                self._queue.put(data, timeout=POLL_SECONDS)
                return
            except queue.Full:
                continue

    def _write_all(self) -> None:
        try:
            while (data := self._queue.get()) is not None:
                self._channel.write(len(data).to_bytes(8, "little"))
                self._channel.write(data)
                self._channel.flush()
            self._channel.close()
        except (OSError, ValueError):
            self._broken.set()
