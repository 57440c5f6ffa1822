"""Opening a logbook file: the SQLite connection, its pragmas, migrations, and salvage of a damaged file."""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import sqlite3
from pathlib import Path
from typing import Iterator

from sqlite_utils import Database

from . import schema
from .errors import LogbookDamaged

BUSY_TIMEOUT_MS = 10_000

#: Files larger than this skip the integrity check on open (it reads every page).
INTEGRITY_CHECK_MAX_BYTES = 256 * 1024 * 1024


def _keep_copy(path: Path) -> Path:
    """Copy a damaged logbook (and its WAL) aside once, named by its content."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        digest.update(handle.read(1024 * 1024))
    digest.update(str(path.stat().st_size).encode())
    backup = path.with_name(f"{path.name}.damaged-{digest.hexdigest()[:10]}")
    if not backup.exists():
        shutil.copy2(path, backup)
        wal = Path(f"{path}-wal")
        if wal.exists():
            shutil.copy2(wal, Path(f"{backup}-wal"))
    return backup


def _check_integrity(db: Database, path: Path) -> None:
    if path.stat().st_size <= INTEGRITY_CHECK_MAX_BYTES:
        verdict = db.execute("PRAGMA quick_check(1)").fetchone()[0]
        if verdict != "ok":
            raise sqlite3.DatabaseError(verdict)


def connect(path: Path, check_integrity: bool = True) -> Database:
    """Open (creating if needed) the logbook at ``path`` and bring its schema up to date.

    A damaged file raises :class:`LogbookDamaged` after a copy of it is kept
    beside it; the file itself is never overwritten.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    existed = path.exists() and path.stat().st_size > 0
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db = Database(conn, execute_plugins=False)
        if existed and check_integrity:
            _check_integrity(db, path)
        if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        if schema.migrations.pending(db):
            with immediate(db):  # one process migrates; the others wait, then find nothing to do
                schema.migrations.apply(db)
    except sqlite3.DatabaseError as error:
        conn.close()
        if (
            not existed
            or "locked" in str(error)
            or isinstance(error, sqlite3.OperationalError)
            and "disk" in str(error)
        ):
            raise
        backup = _keep_copy(path)
        raise LogbookDamaged(
            f"the logbook at {path} is damaged ({error}). A copy is kept at {backup}. "
            f"Recover what it holds with `sqlite3 {path} .recover | sqlite3 recovered.db`, "
            "or move the file away to start a new logbook."
        ) from None
    return db


@contextlib.contextmanager
def immediate(db: Database) -> Iterator[Database]:
    """A write transaction that takes the lock up front, so it never deadlocks on upgrade."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.rollback()
        raise
    else:
        db.execute("COMMIT")
