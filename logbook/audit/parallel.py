"""The verifier's second process: the start of the chain and every cell's digest, checked from the file itself.

Recomputing every event's hash and every cell's digest is most of what
``logbook verify`` does. :class:`ChainStart` forks one worker before the
verifier reads anything. The worker opens the logbook again, read-only,
reads the first events of the chain and every cell up to the ids the
verifier's snapshot holds, and answers one thing: whether that part of the
chain is whole and every cell matches the digest its ``experiment.recorded``
event holds. Meanwhile the verifier reads the rest of the events, hashes
them, replays the history and compares the records: only the answer crosses
between the two processes.

Events and cells are only ever appended (a cell's ``record_ms``, which no
digest covers, is the one field written later), so the two processes read
the same rows by id even while a kernel records. When the worker answers no,
or gives no answer, the verifier checks everything again in one process and
says what is wrong. Forking is for a process that runs nothing else at the
time (the command line).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Optional

from logbook.audit.cells import RECORDED, cell_digests, cell_rows, recorded_match
from logbook.audit.chain import intact
from logbook.store.connection import open_read_only

#: Below this many events, starting a worker costs more than it saves.
PARALLEL_FROM = 20_000
#: At most this many cores are counted (the verifier forks one worker beside itself whenever there are two).
MAX_WORKERS = 8
#: The share of the chain the worker hashes: it also digests every cell, the verifier replays the history.
WORKER_SHARE = 0.6


def worker_share(events: int) -> int:
    """How many of the chain's first ``events`` the worker hashes (at least one)."""
    return max(1, int(events * WORKER_SHARE))


def available_workers() -> int:
    """The cores this process may run on, at most :data:`MAX_WORKERS`."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


def start_is_intact(path: Path, split: int, last_event: int, last_cell: int, guest: bool = False) -> bool:
    """Whether events 1 to ``split`` of the logbook at ``path`` are whole, and every cell up to ``last_cell`` matches its digest.

    The digests are those the ``experiment.recorded`` events up to ``last_event`` hold.
    ``guest``: someone else's file, opened as :class:`~logbook.store.core.Store` opens it (nothing made beside it).
    """
    conn = open_read_only(path, guest)
    try:
        conn.execute("BEGIN")
        start = conn.execute(
            "SELECT id, at, kind, subject, payload, prev_hash, hash FROM events WHERE id <= ? ORDER BY id",
            [split],
        ).fetchall()
        if len(start) != split or not intact(start):
            return False
        recorded = [(event[3], event[4]) for event in start if event[2] == RECORDED]
        del start
        recorded += conn.execute(
            "SELECT subject, payload FROM events WHERE id > ? AND id <= ? AND kind = ? ORDER BY id",
            [split, last_event, RECORDED],
        ).fetchall()
        return recorded_match(recorded, cell_digests(*cell_rows(conn, last_cell)))
    finally:
        conn.close()


class ChainStart:
    """:func:`start_is_intact` in a forked worker, asked for while this process does the rest.

    The caller forks only where it is safe (see :func:`can_fork`); :meth:`intact`
    is None when no worker could be started or it gave no answer.
    """

    def __init__(self, path: Path, split: int, last_event: int, last_cell: int, guest: bool = False) -> None:
        self._worker: Optional[tuple[int, int]] = None  # (pid, the read end of its pipe)
        read, write = os.pipe()
        try:
            pid = os.fork()
        except OSError:  # no process to be had: the verifier checks everything itself
            os.close(read)
            os.close(write)
            return
        if pid == 0:  # the worker: answer one byte, and leave without cleaning up the parent's objects
            os.close(read)
            code = 1
            try:
                answer = start_is_intact(path, split, last_event, last_cell, guest)
                os.write(write, b"1" if answer else b"0")
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        self._worker = (pid, read)

    def intact(self) -> Optional[bool]:
        """The worker's answer (waiting for it); None when it gave none."""
        if self._worker is None:
            return None
        pid, read = self._worker
        self._worker = None
        with os.fdopen(read, "rb") as pipe:
            answer = pipe.read()
        _, status = os.waitpid(pid, 0)
        if status != 0 or answer not in (b"0", b"1"):
            return None
        return answer == b"1"

    def close(self) -> None:
        """Stop the worker if it is still running (its answer is no longer wanted)."""
        if self._worker is not None:
            pid, read = self._worker
            self._worker = None
            os.close(read)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


def can_fork() -> bool:
    """Whether to fork here: on Linux only, in a process running one thread.

    macOS's system libraries may not run on in a forked child; a server's
    other threads may hold locks the child would wait on forever.
    """
    return sys.platform.startswith("linux") and threading.active_count() == 1
