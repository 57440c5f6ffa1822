"""The logbook on disk: one SQLite file, read and written through sqlite-utils.

:class:`Store` is the one entry point; its queries live in ``logbook.store.tables``,
one module per concept, and the connection in ``logbook.store.connection``.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator

from logbook.dates import Moment, moment
from logbook.errors import (
    LogbookDamaged,
    LogbookError,
    LogbookReadOnly,
    LogbookTooNew,
    NotFound,
)
from logbook.models import ChainEvent, ChainHead, LogbookExport
from logbook.paths import find_logbook, project_folder, project_path
from logbook.store.connection import BUSY_TIMEOUT_MS, LogbookFile
from logbook.store.tables.base import now, validated
from logbook.store.tables.brainstorms import BrainstormQueries
from logbook.store.tables.events import EventQueries
from logbook.store.tables.experiments import EXPERIMENT_COLUMNS, ExperimentQueries
from logbook.store.tables.history import HistoryQueries
from logbook.store.tables.hypotheses import HypothesisQueries
from logbook.store.tables.journal import JournalQueries
from logbook.store.tables.judgements import JudgementQueries
from logbook.store.tables.pins import PinQueries
from logbook.store.tables.predictions import PredictionQueries
from logbook.store.tables.search import SearchQueries
from logbook.store.tables.sets import SetQueries
from logbook.text import clean_text

__all__ = [
    "BUSY_TIMEOUT_MS",
    "EXPERIMENT_COLUMNS",
    "LogbookDamaged",
    "LogbookError",
    "LogbookReadOnly",
    "LogbookTooNew",
    "NotFound",
    "Store",
    "validated",
]


class Store(
    HypothesisQueries,
    PredictionQueries,
    ExperimentQueries,
    JudgementQueries,
    JournalQueries,
    BrainstormQueries,
    EventQueries,
    HistoryQueries,
    PinQueries,
    SetQueries,
    SearchQueries,
):
    """Every read and write of one logbook file.

    A ``Store`` holds one connection; use one per thread. ``read_only=True``
    opens the file for reading only (a file this process may not write is
    opened so anyway): writes then raise :class:`LogbookReadOnly`.
    """

    def __init__(self, path: str | Path | None = None, check_integrity: bool = True, read_only: bool = False):
        self.path = Path(path) if path else find_logbook()
        self.file = LogbookFile(self.path, check_integrity, read_only)
        self.db = self.file.db

    @property
    def read_only(self) -> bool:
        return self.file.read_only

    def replaced(self) -> bool:
        """Whether the file at ``path`` is no longer the one this store opened (deleted, or another moved in)."""
        return self.file.replaced()

    def reopen(self) -> None:
        """Open the file now at ``path`` instead (a new logbook if it was deleted); raises as opening does."""
        self.file = self.file.reopen()
        self.db = self.file.db

    def checkpoint(self) -> bool:
        """Save the WAL into the logbook file, so a copy of that file alone has every record (see ``portable``)."""
        return self.file.checkpoint()

    def close(self) -> None:
        self.file.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def data_version(self) -> int:
        """A number that changes whenever another connection commits to the file."""
        return self.db.execute("PRAGMA data_version").fetchone()[0]

    # -- recorder health --------------------------------------------------

    def record_error(self, context: str, message: str, traceback: str = "") -> None:
        self.db["recorder_errors"].insert(
            {
                "at": now(),
                "context": context,
                "message": clean_text(message),
                "traceback": clean_text(traceback),
            }
        )

    # -- the whole logbook ------------------------------------------------

    def export(self, since: Moment = None) -> LogbookExport:
        """The whole logbook, read in one snapshot, with the head of its event history.

        Notebooks are named relative to the project folder.
        """
        with self.snapshot():
            experiments = self.experiments(limit=None, newest_first=False)
            start = moment(since)
            if start is not None:
                experiments = [e for e in experiments if e.started_at >= start]
            project = project_folder(self.path)
            for e in experiments:
                e.notebook = project_path(e.notebook, project)
            head = self.chain_head()
            events = [
                ChainEvent(id=r[0], at=r[1], kind=r[2], subject=r[3], payload=r[4], hash=r[5])
                for r in self.db.conn.execute(
                    "SELECT id, at, kind, subject, payload, hash FROM events ORDER BY id"
                )
            ]
            return LogbookExport(
                hypotheses=self.hypotheses(),
                brainstorms=self.brainstorms(),
                experiments=experiments,
                surprises=self.surprises(),
                evidence=self.evidence(),
                notes=self.notes(),
                modes=self.modes(),
                sets=self.competing_sets(),
                proposals=self.proposals(),
                chain_head=ChainHead(**head) if head else None,
                events=events,
                seal=self.ssh_seal(),
            )

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads that see one committed state of the file, so records and chain head agree."""
        if self.db.conn.in_transaction:
            yield
            return
        self.db.execute("BEGIN")
        try:
            yield
        finally:
            self.db.conn.rollback()
