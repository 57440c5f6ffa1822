"""Telling a damaged logbook from one that is only busy, full or read-only, and keeping a copy of it."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

from sqlite_utils import Database

from logbook.errors import LogbookDamaged

#: Files larger than this skip the integrity check on open (it reads every page).
INTEGRITY_CHECK_MAX_BYTES = 256 * 1024 * 1024

SQLITE_READONLY, SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = (
    8,
    10,
    11,
    13,
    14,
    26,
)


class FailedCheck(sqlite3.DatabaseError):
    """``PRAGMA quick_check`` found the file damaged."""


def error_code(error: sqlite3.Error) -> int | None:
    """SQLite's primary result code for ``error`` (Python 3.11+), else one guessed from its message."""
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF
    text = str(error)
    for needle, guessed in (
        ("malformed", SQLITE_CORRUPT),
        ("not a database", SQLITE_NOTADB),
        ("readonly", SQLITE_READONLY),
        ("unable to open", SQLITE_CANTOPEN),
        ("is full", SQLITE_FULL),
        ("I/O error", SQLITE_IOERR),
    ):
        if needle in text:
            return guessed
    return None


def is_damage(error: sqlite3.Error) -> bool:
    """Whether ``error`` says the file's content is broken (not that it is busy, full or unwritable)."""
    return isinstance(error, FailedCheck) or error_code(error) in (SQLITE_CORRUPT, SQLITE_NOTADB)


def check_integrity(db: Database, path: Path) -> None:
    if path.stat().st_size <= INTEGRITY_CHECK_MAX_BYTES:
        verdict = db.execute("PRAGMA quick_check(1)").fetchone()[0]
        if verdict != "ok":
            raise FailedCheck(verdict)


def damaged(path: Path, error: sqlite3.Error, keep_copy: bool = True) -> LogbookDamaged:
    """The error to raise for a damaged file, after a copy of it is kept beside it (when the folder allows).

    ``keep_copy=False`` (a teammate's file, opened as a guest) writes nothing beside it.
    """
    if not keep_copy:
        kept = "It is someone else's record, so nothing was written beside it."
    else:
        try:
            kept = f"A copy is kept at {_keep_copy(path)}."
        except OSError as copy_error:
            kept = f"No copy could be kept beside it ({copy_error.strerror})."
    return LogbookDamaged(
        f"the logbook at {path} is damaged ({error}). {kept} "
        f"Recover what it holds with `sqlite3 {path} .recover | sqlite3 recovered.db`, "
        "or move the file away to start a new logbook."
    )


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
