"""Write transactions on the logbook file: the lock taken up front, a refused write explained."""

from __future__ import annotations

import contextlib
import sqlite3
from typing import Iterator, Optional

from sqlite_utils import Database

from logbook.errors import LogbookError, LogbookReadOnly, LogbookUnwritable
from logbook.store.salvage import SQLITE_FULL, SQLITE_IOERR, SQLITE_READONLY, error_code


@contextlib.contextmanager
def immediate(db: Database) -> Iterator[Database]:
    """A write transaction that takes the lock up front, so it never deadlocks on upgrade.

    It is rolled back whole if anything in it fails, its commit included. A
    read-only file raises :class:`LogbookReadOnly`, a full or failing disk
    :class:`LogbookUnwritable`.
    """
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
            db.execute("COMMIT")
        except BaseException:
            if db.conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    db.conn.rollback()
            raise
    except sqlite3.OperationalError as error:
        refused = _write_refused(db, error)
        if refused is None:
            raise
        raise refused from None


def _write_refused(db: Database, error: sqlite3.Error) -> Optional[LogbookError]:
    code = error_code(error)
    if code not in (SQLITE_READONLY, SQLITE_FULL, SQLITE_IOERR):
        return None
    try:
        file = db.execute("PRAGMA database_list").fetchone()[2]
    except sqlite3.Error:
        file = "its path"
    if code == SQLITE_READONLY:
        return LogbookReadOnly(f"the logbook at {file} is read-only: nothing was written ({error})")
    why = "the disk is full" if code == SQLITE_FULL else "is the disk full or failing?"
    return LogbookUnwritable(f"cannot write to the logbook at {file} ({error}: {why}); nothing was written")


@contextlib.contextmanager
def snapshot(db: Database) -> Iterator[None]:
    """Reads that see one committed state of the file (inside a transaction already open: that one's)."""
    if db.conn.in_transaction:
        yield
        return
    db.execute("BEGIN")
    try:
        yield
    finally:
        db.conn.rollback()
