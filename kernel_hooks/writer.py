"""The background thread that writes records to the logbook.

The kernel's thread only puts jobs on a queue; this thread owns its own
connection, writes each batch of jobs in one transaction, and keeps the
kernel's view of the active predictions fresh when another process (the
server, another kernel) changes them. Before each batch it checks that the
file at the logbook's path is still the one it opened, and follows it if not.
A batch waits for the running cell to end, except when a job is urgent or
the kernel flushes: before a prediction is judged, the cells finished so far
and the judgement's marker are on disk (:class:`kernel_hooks.judging.Ahead`).
"""

from __future__ import annotations

import queue
import sqlite3
import threading
import time
import traceback
from pathlib import Path
from typing import Any, Callable, Optional

from logbook.errors import LogbookReadOnly, LogbookUnwritable
from logbook.store.compatibility import check_schema
from logbook.store.core import LogbookError, Store

Job = Callable[[Store], None]

#: How often an idle writer looks for predictions changed by other processes.
IDLE_POLL_SECONDS = 0.5
#: After the first job arrives, wait this long for more before writing, so a
#: burst of cells becomes one transaction and the write happens after the
#: kernel has replied, not while it is replying.
BATCH_DELAY_SECONDS = 0.1
#: A batch waits for the kernel to finish the cell it is running, so writing
#: never competes with the user's code for the interpreter, but no longer than this.
MAX_DEFER_SECONDS = 1.0
RETRY_SECONDS = 1.0
#: How often a waiting ``flush`` looks whether the writer gave up or failed a try.
STALL_POLL_SECONDS = 0.05
#: Words of a SQLite error saying the tables are not what this code expects.
SCHEMA_TROUBLE = ("no such table", "no such column", "has no column named")
NOT_RECORDED = " Cells run normally but are not recorded."
#: Jobs kept waiting while the logbook cannot be written (a full disk, say);
#: beyond this, new cells go unrecorded rather than filling the kernel's memory.
MAX_PENDING = 10_000


class Writer:
    """Runs jobs against the logbook on one daemon thread, in order."""

    def __init__(
        self,
        path: Path,
        on_warning: Callable[[str], None],
        on_external_change: Optional[Callable[[Store], None]] = None,
        max_pending: int = MAX_PENDING,
    ):
        self.path = path
        self.max_pending = max_pending
        self.dropped = 0
        self.on_warning = on_warning
        self.on_external_change = on_external_change
        self._jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._stopping = False
        self._urgent = threading.Event()
        #: Set when the kernel goes idle or a job is urgent: wakes a batch waiting for either.
        self._nudge = threading.Event()
        self._kernel_idle = threading.Event()
        self._kernel_idle.set()
        #: Cleared while a cell's reply is still to be sent (see :mod:`kernel_hooks.reply_watch`).
        self._replied = threading.Event()
        self._replied.set()
        #: Set while the logbook file alone (without its WAL) holds everything this writer wrote.
        self.saved_in_file = threading.Event()
        self.saved_in_file.set()
        self._cells_running = 0
        #: Why the writer gave up (nothing more is written), if it did.
        self.failed: Optional[str] = None
        #: True while a batch keeps failing and is being retried (a full disk, say).
        self.stalled = False
        self._failed_tries = 0
        self.written = 0
        self._reopened = False
        self._thread = threading.Thread(target=self._run, name="logbook-writer", daemon=True)
        self._thread.start()

    def submit(self, job: Job, urgent: bool = False) -> None:
        """Queue ``job``; an ``urgent`` one is written without waiting for more jobs or for the cell to end."""
        if self._jobs.qsize() >= self.max_pending:
            self.dropped += 1
            self.on_warning(
                f"the logbook has not been writable for {self.max_pending} cells; "
                "further cells are not recorded until it is"
            )
            return
        self._jobs.put(job)
        if urgent:
            self._hurry()

    def _hurry(self) -> None:
        self._urgent.set()
        self._nudge.set()

    def kernel_busy(self) -> None:
        """A cell started: batches wait (up to ``MAX_DEFER_SECONDS``) until it ends."""
        self._cells_running += 1
        self._kernel_idle.clear()

    def expect_reply(self) -> None:
        """A cell started whose reply the kernel will send: batches wait for it, not only for the cell's end."""
        self._replied.clear()

    def replied(self) -> None:
        """The kernel sent the cell's reply: the user has the result, so writing competes with nothing."""
        self._replied.set()
        self._nudge.set()

    def _quiet(self) -> bool:
        return self._kernel_idle.is_set() and self._replied.is_set()

    def kernel_idle(self) -> None:
        """A cell ended; when it ran no other cell, batches may go."""
        self._cells_running = max(self._cells_running - 1, 0)
        if not self._cells_running:
            self._kernel_idle.set()
            self._nudge.set()

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every job submitted so far is written; False if it is not by ``timeout``.

        While the writer is stalled this waits for one more try at most, and
        after the writer gave up it answers False at once.
        """
        done = threading.Event()
        self._jobs.put(done)
        self._hurry()
        deadline = time.monotonic() + timeout
        tries = self._failed_tries
        while not done.wait(max(0.0, min(STALL_POLL_SECONDS, deadline - time.monotonic()))):
            if self.failed or self._failed_tries > tries or time.monotonic() >= deadline:
                return False
        return self.failed is None

    def stop(self, timeout: float = 30.0) -> None:
        """Write what is queued, then end the thread."""
        if not self._thread.is_alive():
            return
        self._stopping = True
        self._jobs.put(None)
        self._hurry()
        self._thread.join(timeout)

    # -- the thread -------------------------------------------------------

    def _run(self) -> None:
        store = self._open()
        if store is not None:
            with store:
                if self._serve(store):
                    return
        self._drain_forever()

    def _open(self) -> Optional[Store]:
        try:
            store = Store(self.path)
        except LogbookError as error:
            self._give_up(str(error) + NOT_RECORDED)
            return None
        except Exception as error:  # noqa: BLE001
            self._give_up(f"cannot open the logbook at {self.path}: {error}." + NOT_RECORDED)
            return None
        if store.read_only:
            store.close()
            self._give_up(f"the logbook at {self.path} is read-only: cells are not recorded")
            return None
        return store

    def _serve(self, store: Store) -> bool:
        """Write batches until told to stop (True) or until writing is hopeless (False)."""
        data_version = None
        unsaved = False  # written since the WAL was last saved into the file
        while True:
            batch, events, stop = self._next_batch()
            if batch:
                self.saved_in_file.clear()
                self._write(store, batch)
                unsaved = True
            elif unsaved and self._quiet():
                # Idle: the kernel waits for the user, so the file alone now carries every record.
                unsaved = not store.checkpoint()
                if not unsaved:
                    self.saved_in_file.set()
            for event in events:
                event.set()
            if stop:
                return True
            if self.failed:
                return False
            if self._reopened:
                data_version, self._reopened = None, False
            data_version = self._notice_changes(store, data_version)

    def _give_up(self, message: str) -> None:
        self.failed = message
        self.stalled = False
        self.on_warning(message)

    def _next_batch(self) -> tuple[list[Job], list[threading.Event], bool]:
        try:
            first = self._jobs.get(timeout=IDLE_POLL_SECONDS)
        except queue.Empty:
            return [], [], False
        if self._urgent.wait(BATCH_DELAY_SECONDS):
            self._urgent.clear()
        elif not self._stopping:
            self._wait_for_idle_or_urgent(time.monotonic() + MAX_DEFER_SECONDS)
        items = [first]
        while True:
            try:
                items.append(self._jobs.get_nowait())
            except queue.Empty:
                break
        batch = [item for item in items if item is not None and not isinstance(item, threading.Event)]
        events = [item for item in items if isinstance(item, threading.Event)]
        return batch, events, any(item is None for item in items)

    def _wait_for_idle_or_urgent(self, deadline: float) -> None:
        """Wait until the cell ends and its reply is sent, or a job (a flush before a judgement) cannot wait, or ``deadline``."""
        while True:
            self._nudge.clear()
            if self._quiet() or self._urgent.is_set():
                self._urgent.clear()
                return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            self._nudge.wait(remaining)

    def _write(self, store: Store, batch: list[Job]) -> None:
        warned = False
        while True:
            try:
                self._follow_file(store)
                with store.transaction():
                    for job in batch:
                        self._run_job(store, job)
                    if self.dropped:
                        store.record_error(
                            "writer", f"{self.dropped} cells were not recorded: the logbook was not writable"
                        )
                        self.dropped = 0
                self.written += len(batch)
                self.stalled = False
                return
            except LogbookReadOnly:
                self._give_up(f"the logbook at {self.path} is read-only: cells are not recorded")
                return
            except (sqlite3.OperationalError, LogbookUnwritable) as error:
                problem = _schema_problem(store, error)
                if problem:
                    self._give_up(problem + NOT_RECORDED)
                    return
                # The file is busy, full or unwritable: keep the batch and retry.
                self.stalled = True
                self._failed_tries += 1
                if not warned:
                    reason = (
                        str(error)
                        if isinstance(error, LogbookUnwritable)
                        else f"cannot write to the logbook ({error})"
                    )
                    self.on_warning(f"{reason}; retrying")
                    warned = True
                if self._stopping:
                    return
                threading.Event().wait(RETRY_SECONDS)
            except LogbookError as error:  # the file now at the path cannot be used
                self._give_up(str(error) + NOT_RECORDED)
                return

    def _follow_file(self, store: Store) -> None:
        """If the file at the logbook's path was deleted or replaced, write to the one there now."""
        if not store.replaced():
            return
        deleted = not self.path.exists()
        store.reopen()
        self._reopened = True
        if deleted:
            self.on_warning(
                f"the logbook file {self.path} was deleted: recording goes on in a new logbook there"
            )
        else:
            self.on_warning(
                f"the logbook file {self.path} was replaced: recording goes on in the file there now"
            )

    def _run_job(self, store: Store, job: Job) -> None:
        """Run one job inside a savepoint, so a bad record cannot spoil the batch."""
        try:
            with store.db.atomic():
                job(store)
        except sqlite3.OperationalError:
            raise
        except Exception as error:  # noqa: BLE001
            name = getattr(job, "__qualname__", type(job).__name__)
            store.record_error(name, f"{type(error).__name__}: {error}", traceback.format_exc())
            self.on_warning(f"a record could not be written ({type(error).__name__}: {error})")

    def _notice_changes(self, store: Store, last: Any) -> Any:
        try:
            version = store.data_version()
            if version != last and self.on_external_change is not None:
                self.on_external_change(store)
            return version
        except Exception as error:  # noqa: BLE001
            self.on_warning(f"cannot read the logbook ({error})")
            return last

    def _drain_forever(self) -> None:
        while True:
            item = self._jobs.get()
            if isinstance(item, threading.Event):
                item.set()
            elif item is None:
                return


def _schema_problem(store: Store, error: Exception) -> Optional[str]:
    """Why writing cannot succeed when ``error`` says the tables changed under the writer; None otherwise."""
    if not any(words in str(error) for words in SCHEMA_TROUBLE):
        return None
    try:
        check_schema(store.db, store.path)
    except LogbookError as problem:
        return str(problem)
    return f"cannot write to the logbook ({error})."
