"""What every part of the store is built on: the open file and its event history."""

from __future__ import annotations

import contextlib
from typing import Iterator

from sqlite_utils import Database

from logbook.store.tables.events import Events
from logbook.store.transactions import immediate


class Part:
    """One table or concept of the logbook, on the connection ``db``; its writes append to ``events``."""

    def __init__(self, db: Database, events: Events) -> None:
        self.db = db
        self.events = events

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Database]:
        """A write transaction that takes the lock up front; it ends by sealing the head it wrote."""
        with immediate(self.db) as db:
            yield db
            self.events.seal_head()
