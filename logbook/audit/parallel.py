"""The verifier's hashing, spread over worker processes while it replays the history.

Recomputing every event's hash and every cell's digest is most of what
``logbook verify`` does, and each hash needs only its own row and the hash
stored before it. :class:`Hashing` forks workers that have the rows already
read (the parent's memory, shared copy-on-write, so nothing is sent to them),
hands each a slice, and collects the answers while the parent rebuilds the
records from the events. Forking is for a process that runs nothing else at
the time (the command line); everything else verifies in one process.
"""

from __future__ import annotations

import os
import pickle
import sys
import threading
from typing import Optional, Sequence

from logbook.audit.chain import intact
from logbook.store.cell_digest import columns_digest

#: Below this many events and cells together, starting workers costs more than it saves.
PARALLEL_FROM = 20_000
#: At most this many workers, whatever the machine has.
MAX_WORKERS = 8


def available_workers() -> int:
    """The cores this process may run on, at most :data:`MAX_WORKERS`."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


def _slices(total: int, parts: int) -> list[tuple[int, int]]:
    size = -(-total // parts) if total else 0
    return [(start, min(start + size, total)) for start in range(0, total, size)] if size else []


class Hashing:
    """The chain's check and the cells' digests, computed by ``workers - 1`` forked processes.

    Start it, do other work, then read :meth:`chain_intact` and
    :meth:`digests`. With one worker, a small logbook, or where forking is
    not safe, both are computed in this process when asked for; so they are
    when a worker fails.
    """

    def __init__(
        self,
        events: Sequence[tuple],
        cells: Sequence[tuple],
        outputs: dict[int, list[tuple]],
        workers: int,
    ) -> None:
        self.events, self.cells, self.outputs = events, cells, outputs
        self._children: list[tuple[int, int]] = []  # (pid, the read end of its pipe)
        self._answers: Optional[list[tuple[bool, list[str]]]] = None
        if workers > 1 and len(events) + len(cells) >= PARALLEL_FROM and _can_fork():
            self._start(workers - 1)  # this process replays the history meanwhile

    def _start(self, workers: int) -> None:
        for chain, cells in zip(_slices(len(self.events), workers), _slices(len(self.cells), workers)):
            read, write = os.pipe()
            try:
                pid = os.fork()
            except OSError:  # no process to be had: what is left is hashed here
                os.close(read)
                os.close(write)
                break
            if pid == 0:  # the worker: hash its share, send the answer, and leave without cleaning up
                os.close(read)
                code = 1
                try:
                    with os.fdopen(write, "wb") as pipe:
                        pickle.dump(self._hash(chain, cells), pipe, protocol=pickle.HIGHEST_PROTOCOL)
                    code = 0
                finally:
                    os._exit(code)
            os.close(write)
            self._children.append((pid, read))

    def _hash(self, chain: tuple[int, int], cells: tuple[int, int]) -> tuple[bool, list[str]]:
        start, end = chain
        whole = intact(self.events[start:end], self.events[start - 1] if start else None)
        outputs = self.outputs
        return whole, [
            columns_digest(row, outputs.get(row[0], ())) for row in self.cells[cells[0] : cells[1]]
        ]

    def _collect(self) -> Optional[list[tuple[bool, list[str]]]]:
        """Each worker's answer, in order; None if any failed (the caller then hashes here)."""
        if self._answers is None and self._children:
            answers: list[tuple[bool, list[str]]] = []
            failed = False
            for pid, read in self._children:
                try:
                    with os.fdopen(read, "rb") as pipe:
                        answers.append(pickle.load(pipe))
                except (EOFError, OSError, pickle.UnpicklingError):
                    failed = True
                _, status = os.waitpid(pid, 0)
                failed = failed or status != 0
            self._children = []
            complete = sum(len(digests) for _, digests in answers) == len(self.cells)
            self._answers = answers if not failed and complete else []
        return self._answers or None

    def chain_intact(self) -> bool:
        """Whether every event's id, link, hash and date are right (:func:`~logbook.audit.chain.intact`)."""
        answers = self._collect()
        return intact(self.events) if answers is None else all(whole for whole, _ in answers)

    def digests(self) -> dict[int, str]:
        """Every cell's digest by experiment id."""
        answers = self._collect()
        if answers is None:
            outputs = self.outputs
            return {row[0]: columns_digest(row, outputs.get(row[0], ())) for row in self.cells}
        every = [digest for _, digests in answers for digest in digests]
        return {row[0]: digest for row, digest in zip(self.cells, every)}

    def close(self) -> None:
        """Wait for any worker still running (after an error in this process)."""
        for pid, read in self._children:
            os.close(read)
            os.waitpid(pid, 0)
        self._children = []


def _can_fork() -> bool:
    """Whether to fork here: on Linux only, in a process running one thread.

    macOS's system libraries may not run on in a forked child; a server's
    other threads may hold locks the child would wait on forever.
    """
    return sys.platform.startswith("linux") and threading.active_count() == 1
