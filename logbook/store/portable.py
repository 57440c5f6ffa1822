"""A logbook as one portable file: its WAL saved into it when idle, single-file snapshots, and a missing WAL noticed.

SQLite in WAL mode keeps recent commits in ``logbook.db-wal`` until a
checkpoint copies them into ``logbook.db``. Kernels and the server checkpoint
when they go idle and when they close, so copying or committing the main file
carries everything up to the last idle moment. ``logbook snapshot`` writes a
consistent single-file copy at any moment, even while kernels write.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from logbook.errors import LogbookError, LogbookUnavailable

#: ``PRAGMA application_id`` of a file written by :func:`write_snapshot` ("LBSN"): only such a file is replaced.
SNAPSHOT_APPLICATION_ID = 0x4C42534E
#: Bytes 18 and 19 of a SQLite header: 2 and 2 when the file is in WAL mode.
_WAL_MODE = b"\x02\x02"
#: ``PRAGMA user_version`` of a new logbook's file until its first save ("LBNW"): a copy of the file alone
#: that still says so was taken while everything written to the logbook was in its WAL.
NEW_FILE_VERSION = 0x4C424E57


def checkpoint(db: Database) -> bool:
    """Copy what the WAL holds into the main file without waiting for anyone; True when all of it went in.

    A reader still using old pages keeps the rest in the WAL until the next
    checkpoint; nothing is lost either way.
    """
    try:
        busy, frames, copied = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    except sqlite3.Error:
        return False
    return not busy and frames == copied


@dataclass(frozen=True)
class Snapshot:
    """A single-file copy of a logbook: where it is, how big, and how long it took."""

    path: Path
    bytes: int
    seconds: float


def application_id(path: Path) -> int | None:
    """The ``PRAGMA application_id`` of the SQLite file at ``path`` (what wrote it), or None when unreadable."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            return conn.execute("PRAGMA application_id").fetchone()[0]
    except sqlite3.Error:
        return None


def is_snapshot(path: Path) -> bool:
    """Whether ``path`` is a file this module wrote (so a new snapshot may replace it)."""
    return application_id(path) == SNAPSHOT_APPLICATION_ID


def copy_whole(db: Database, out: Path, marked: int, mode: int | None = None) -> None:
    """Write one committed state of ``db`` to ``out`` as one file with no WAL (``VACUUM INTO``), marked with the
    application id ``marked`` (and the permissions ``mode``): built aside, then put in place whole."""
    handle, scratch_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent)
    os.close(handle)
    scratch = Path(scratch_name)
    try:
        scratch.unlink()  # VACUUM INTO writes only to a file that is not there
        db.execute("VACUUM INTO ?", [str(scratch)])
        with contextlib.closing(sqlite3.connect(scratch)) as copy:
            copy.execute(f"PRAGMA application_id = {marked}")
            copy.commit()
        with open(scratch, "rb") as file:
            os.fsync(file.fileno())
        if mode is not None:
            scratch.chmod(mode)
        os.replace(scratch, out)
    finally:
        with contextlib.suppress(FileNotFoundError):
            scratch.unlink()


def write_snapshot(db: Database, source: Path, out: Path) -> Snapshot:
    """Write a consistent copy of the logbook open as ``db`` to ``out``, as one file with no WAL.

    SQLite's own online copy (``VACUUM INTO``) reads one committed state while
    other connections go on writing. ``out`` may be a new path or an earlier
    snapshot; anything else there is refused, and ``out`` is only ever
    replaced whole, never left half written.
    """
    out = Path(out).absolute()
    if out.is_dir():
        raise LogbookError(f"{out} is a folder: name the snapshot file, e.g. {out / 'logbook-snapshot.db'}")
    if out.exists() and _same_file(out, source):
        raise LogbookError(f"{out} is the logbook itself: name another file for the snapshot")
    if out.exists() and not is_snapshot(out):
        raise LogbookError(
            f"{out} exists and is not a Logbook snapshot: nothing was written. Choose a new name, or move it away"
        )
    if not out.parent.is_dir():
        raise LogbookUnavailable(f"cannot write the snapshot: the folder {out.parent} does not exist")
    started = time.perf_counter()
    try:
        copy_whole(db, out, SNAPSHOT_APPLICATION_ID)
    except sqlite3.Error as error:
        raise LogbookUnavailable(f"cannot write the snapshot to {out}: {error}") from None
    return Snapshot(out, out.stat().st_size, time.perf_counter() - started)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def missing_wal(path: Path) -> bool:
    """Whether the file at ``path`` looks like a logbook whose records are in a WAL that did not come with it.

    A file in WAL mode with neither its ``-wal`` nor its ``-shm`` beside it
    (no process has it open) that has no tables, or that still says it is new
    (:data:`NEW_FILE_VERSION`: nothing was saved into it since it was made),
    was copied without the WAL that held its data: opening it as a logbook
    would start a fresh one inside.
    """
    if Path(f"{path}-wal").exists() or Path(f"{path}-shm").exists():
        return False
    try:
        with open(path, "rb") as file:
            header = file.read(100)
    except OSError:
        return False
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00") or header[18:20] != _WAL_MODE:
        return False
    try:
        uri = f"file:{path}?mode=ro&immutable=1"
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as conn:
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            return tables == 0 or conn.execute("PRAGMA user_version").fetchone()[0] == NEW_FILE_VERSION
    except sqlite3.Error:
        return False


def missing_wal_message(path: Path) -> str:
    return (
        f"the logbook at {path} is empty, and its records are probably in {path.name}-wal, which is not beside it "
        f"(a copy of {path.name} alone, taken while Logbook was writing). Nothing was written to it. Copy "
        f"{path.name}-wal beside it too, or make a single-file copy where the logbook lives with "
        "`logbook snapshot OUT.db`"
    )
