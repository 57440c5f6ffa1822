"""The background thread that writes records to the logbook.

The kernel's thread only puts jobs on a queue, without waking this thread;
this thread owns its own connection, writes each batch of jobs in one
transaction, and keeps the kernel's view of the active predictions fresh
when another process (the server, another kernel) changes them. Before each
batch it checks that the file at the logbook's path is still the one it
opened, and follows it if not.

A batch is written once its oldest job has waited ``BATCH_DELAY_SECONDS``
and the kernel is quiet (no cell running, its reply sent), so a burst of
cells becomes one transaction and writing never competes with a cell or its
reply for the interpreter; it is written anyway once its oldest job has
waited ``MAX_DEFER_SECONDS``, so a kill -9 loses no cell finished a second
before. A job that is urgent and a flush are written at once: before a
prediction is judged, the cells finished so far and the judgement's marker
are on disk (:class:`kernel_hooks.judging.Ahead`).
"""

from __future__ import annotations

import collections
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
#: A job waits this long for more before it is written, so a burst of cells
#: becomes one transaction (and the writer wakes a few times a second at most).
BATCH_DELAY_SECONDS = 0.25
#: After that it waits for the kernel to be quiet (the cell ended and its reply
#: sent), so writing never competes with the user's code for the interpreter,
#: but it is written once it has waited this long in all: a kill -9 loses no
#: cell that finished a second before.
MAX_DEFER_SECONDS = 0.5
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
        #: (when it came, job, flush event or None to stop), oldest first; appending wakes no one.
        self._jobs: collections.deque[tuple[float, Any]] = collections.deque()
        self._stopping = False
        self._urgent = threading.Event()
        #: Wakes the writer: a job is urgent, or the kernel went quiet while a batch waits for that.
        self._wake = threading.Event()
        #: True while a batch is due and waits for the kernel to be quiet.
        self._wants_quiet = False
        #: Plain flags, not events: the kernel's thread sets them around every cell, and no one waits on them.
        self._kernel_idle = True
        #: False while a cell's reply is still to be sent (see :mod:`kernel_hooks.reply_watch`).
        self._replied = True
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
        if len(self._jobs) >= self.max_pending:
            self.dropped += 1
            self.on_warning(
                f"the logbook has not been writable for {self.max_pending} cells; "
                "further cells are not recorded until it is"
            )
            return
        self._jobs.append((time.monotonic(), job))
        if urgent:
            self._hurry()

    def _hurry(self) -> None:
        self._urgent.set()
        self._wake.set()

    def kernel_busy(self) -> None:
        """A cell started: a due batch waits (up to ``MAX_DEFER_SECONDS``) until it ends."""
        self._cells_running += 1
        self._kernel_idle = False

    def expect_reply(self) -> None:
        """A cell started whose reply the kernel will send: batches wait for it, not only for the cell's end."""
        self._replied = False

    def replied(self) -> None:
        """The kernel sent the cell's reply: the user has the result, so writing competes with nothing."""
        self._replied = True
        if self._wants_quiet and self._kernel_idle:
            self._wake.set()

    def _quiet(self) -> bool:
        return self._kernel_idle and self._replied

    def kernel_idle(self) -> None:
        """A cell ended; when it ran no other cell (and its reply is sent, where there is one), a due batch goes."""
        self._cells_running = max(self._cells_running - 1, 0)
        if not self._cells_running:
            self._kernel_idle = True
            if self._wants_quiet and self._replied:
                self._wake.set()

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every job submitted so far is written; False if it is not by ``timeout``.

        While the writer is stalled this waits for one more try at most, and
        after the writer gave up it answers False at once.
        """
        done = threading.Event()
        self._jobs.append((time.monotonic(), done))
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
        self._jobs.append((time.monotonic(), None))
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
        try:
            store.events.prepare_seal()  # now, while no cell runs, not in the first cell's write
            # A statement that fires triggers keeps its undo journal; in memory, not in a temporary file.
            store.db.execute("PRAGMA temp_store = MEMORY")
        except Exception:  # noqa: BLE001 - both only save time later: sealing reads the secret again, and reports
            pass
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
        """The jobs to write now, the flushes they answer, and whether to stop; nothing after an idle poll."""
        if not self._due():
            return [], [], False
        items = []
        while self._jobs:
            items.append(self._jobs.popleft()[1])
        batch = [item for item in items if item is not None and not isinstance(item, threading.Event)]
        events = [item for item in items if isinstance(item, threading.Event)]
        return batch, events, any(item is None for item in items)

    def _due(self) -> bool:
        """Wait until the queued jobs are due (True), or ``IDLE_POLL_SECONDS`` while none are queued (False)."""
        while True:
            self._wake.clear()
            if self._urgent.is_set() or self._stopping:
                self._urgent.clear()
                self._wants_quiet = False
                return True
            if not self._jobs:
                self._wants_quiet = False
                if not self._wake.wait(IDLE_POLL_SECONDS) and not self._jobs:
                    return False
                continue
            waited = time.monotonic() - self._jobs[0][0]
            # Asked for before looking, so a kernel going quiet after the look still wakes this wait.
            self._wants_quiet = waited >= BATCH_DELAY_SECONDS
            if waited >= MAX_DEFER_SECONDS or (self._wants_quiet and self._quiet()):
                self._wants_quiet = False
                return True
            self._wake.wait((MAX_DEFER_SECONDS if self._wants_quiet else BATCH_DELAY_SECONDS) - waited)

    def _write(self, store: Store, batch: list[Job]) -> None:
        warned = False
        while True:
            try:
                self._follow_file(store)
                with store.transaction():
                    self._run_jobs(store, batch)
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

    def _run_jobs(self, store: Store, batch: list[Job]) -> None:
        """Run a batch's jobs in order; jobs of one kind that can run together and follow one another do."""
        start = 0
        while start < len(batch):
            kind = type(batch[start])
            end = start + 1
            if hasattr(kind, "run_together"):
                while end < len(batch) and type(batch[end]) is kind:
                    end += 1
            if end - start == 1:
                self._run_job(store, batch[start])
            else:
                self._run_together(store, kind, batch[start:end])
            start = end

    def _run_together(self, store: Store, kind: type, jobs: list[Job]) -> None:
        """Run ``jobs`` (all of ``kind``) in one call and one savepoint; if that fails, one by one, so a bad one spoils none of the others."""
        try:
            with store.db.atomic():
                kind.run_together(store, jobs)  # type: ignore[attr-defined]
            return
        except sqlite3.OperationalError:
            raise
        except Exception:  # noqa: BLE001 - found below, job by job
            pass
        for job in jobs:
            self._run_job(store, job)

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
        """(After giving up) Drop jobs as they come, answering flushes, until told to stop."""
        while True:
            self._wake.wait(IDLE_POLL_SECONDS)
            self._wake.clear()
            while self._jobs:
                item = self._jobs.popleft()[1]
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
