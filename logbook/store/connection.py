"""Opening a logbook file: its SQLite connection, pragmas and migrations, and noticing when it is replaced."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import sqlite3
import urllib.parse
from pathlib import Path
from typing import Optional

from sqlite_utils import Database

from logbook.errors import (
    LogbookReadOnly,
    LogbookUnavailable,
    LogbookUnwritable,
)
from logbook.paths import describe_folder
from logbook.store import compatibility, schema
from logbook.store.ownership import keep_to_author
from logbook.store.portable import NEW_FILE_VERSION, checkpoint, missing_wal, missing_wal_message
from logbook.store.salvage import (
    SQLITE_CANTOPEN,
    SQLITE_FULL,
    SQLITE_READONLY,
    check_integrity,
    damaged,
    error_code,
    is_damage,
)
from logbook.store.transactions import immediate

BUSY_TIMEOUT_MS = 10_000
#: How long a connection to a replaced file waits for others before saving its WAL into that file.
CHECKPOINT_TIMEOUT_MS = 1_000
SIDE_FILES = ("-wal", "-shm")
#: What ``os.link`` raises where the file system makes no hard links.
_NO_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK, errno.ENOSYS}

Identity = Optional[tuple[int, int]]


def identity(path: str | Path) -> Identity:
    """Which file is at ``path`` (device and inode), or None when there is none."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def unwritable(path: Path) -> bool:
    """Whether this process may not write the logbook at ``path`` or create files beside it."""
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if path.exists() and not os.access(path, os.W_OK):
        return True
    return not os.access(folder, os.W_OK)


class LogbookFile:
    """One open logbook file: its connection, whether it is read-only, and which file on disk it is.

    ``read_only=True`` opens it for reading only; a file this process may not
    write is opened that way too. Writes to it raise :class:`LogbookReadOnly`.
    ``guest=True`` (someone else's file) also creates nothing beside it: a file
    at rest, with no WAL beside it, is read as it stands.
    """

    def __init__(
        self, path: Path, check_integrity: bool = True, read_only: bool = False, guest: bool = False
    ):
        self.path = path
        read_only = read_only or guest
        self._options = (check_integrity, read_only, guest)
        #: Someone else's file: nothing is created beside it.
        self.guest = guest
        self.read_only = read_only or unwritable(path)
        if self.read_only and not path.exists():
            why = "it was opened read-only" if read_only else "its folder is read-only"
            raise LogbookReadOnly(f"there is no logbook at {path}, and none can be made: {why}")
        try:
            self.db = connect(path, check_integrity, self.read_only, guest)
        except LogbookReadOnly:
            if self.read_only or not path.exists():
                raise
            self.read_only = True  # SQLite found it unwritable where permissions did not tell
            self.db = connect(path, check_integrity, read_only=True)
        self._opened = {suffix: identity(f"{path}{suffix}") for suffix in ("", *SIDE_FILES)}

    def replaced(self) -> bool:
        """Whether the file at ``path`` is no longer the one opened here: deleted, or another moved over it."""
        now = identity(self.path)
        return now is None or now != self._opened[""]

    def reopen(self) -> "LogbookFile":
        """Close this file and open the one now at ``path`` (a new logbook, if the file was deleted).

        First the WAL is saved into the old file, so a logbook renamed away
        keeps every record; then its WAL and shared-memory files, left under
        the old name, are removed so the new file cannot take them for its own.
        """
        if not self.read_only:
            with contextlib.suppress(sqlite3.Error):
                self.db.execute(f"PRAGMA busy_timeout = {CHECKPOINT_TIMEOUT_MS}")
                self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.close()
        for suffix in SIDE_FILES:
            side = Path(f"{self.path}{suffix}")
            if self._opened[suffix] is not None and identity(side) == self._opened[suffix]:
                with contextlib.suppress(OSError):
                    side.unlink()
        return LogbookFile(self.path, *self._options)

    def checkpoint(self) -> bool:
        """Save what the WAL holds into the file itself (see :mod:`logbook.store.portable`); True when all of it went in."""
        return False if self.read_only else checkpoint(self.db)

    def close(self) -> None:
        """Close the connection, first saving the WAL into the file, so the file alone carries every record."""
        self.checkpoint()
        self.db.close()


def connect(
    path: Path, check_integrity: bool = True, read_only: bool = False, guest: bool = False
) -> Database:
    """Open (creating if needed) the logbook at ``path`` and bring its schema up to date.

    A damaged file raises :class:`LogbookDamaged` after a copy of it is kept
    beside it; the file itself is never overwritten. A file from a newer
    Logbook raises :class:`LogbookTooNew` before anything is written to it.
    """
    if path.is_dir():
        raise LogbookUnavailable(describe_folder(path))
    existed = path.exists() and path.stat().st_size > 0
    if not path.exists() and not read_only:
        try:
            _create(path)
        except PermissionError as error:
            raise LogbookReadOnly(f"cannot open the logbook at {path}: {error}") from None
        except OSError as error:
            raise LogbookUnavailable(f"cannot open the logbook at {path}: {error}") from None
    if existed and missing_wal(path):
        raise LogbookUnavailable(missing_wal_message(path))
    try:
        conn = open_read_only(path, guest) if read_only else _open(path)
    except PermissionError as error:
        raise LogbookReadOnly(f"cannot open the logbook at {path}: {error}") from None
    except OSError as error:
        raise LogbookUnavailable(f"cannot open the logbook at {path}: {error}") from None
    except sqlite3.Error as error:
        raise _explained(path, error, existed, read_only, guest) from None
    try:
        return _prepare(Database(conn, execute_plugins=False), path, existed and check_integrity, read_only)
    except sqlite3.Error as error:
        conn.close()
        raise _explained(path, error, existed, read_only, guest) from None
    except BaseException:
        conn.close()
        raise


def _create(path: Path) -> None:
    """Make a new logbook at ``path`` whole: built beside it under a passing name, then linked in.

    Another process opening ``path`` meanwhile finds either no file or a
    logbook with all its tables, never the empty file in WAL mode that a new
    one is for a moment (and that :func:`missing_wal` rightly takes for a copy
    made without its WAL). When another process links its logbook in first,
    theirs is the one kept. Where the file system makes no hard links, the
    logbook is made at ``path`` directly.

    The file says it is new (:data:`NEW_FILE_VERSION`) until the first
    process to open it writes otherwise, in its WAL: so a copy of the file
    alone, taken before anything was saved into it, is still known for one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.new")
    try:
        with contextlib.closing(_open(draft)) as conn:
            _prepare(Database(conn, execute_plugins=False), draft, check=False, read_only=False)
            conn.execute(f"PRAGMA user_version = {NEW_FILE_VERSION}")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        with contextlib.suppress(FileExistsError):
            os.link(draft, path)
    except sqlite3.Error:
        pass  # made at ``path`` directly, where the error is met again and explained
    except OSError as error:
        if error.errno not in _NO_LINKS:
            raise
    finally:
        for suffix in ("", *SIDE_FILES):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{draft}{suffix}")


def _open(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    keep_to_author(path)  # a new file SQLite makes 0644 itself (and its -wal and -shm with it)
    return conn


def open_read_only(path: Path, guest: bool = False) -> sqlite3.Connection:
    """Read-only; where not even the WAL's shared-memory file can be made, read the file as it stands.

    A ``guest`` reads a file at rest (no ``-wal`` or ``-shm`` beside it: nobody has it open) as it stands
    too, so that nothing is created beside someone else's file.
    """
    uri = f"file:{urllib.parse.quote(str(path))}?mode=ro"
    if guest and not any(Path(f"{path}{end}").exists() for end in ("-wal", "-shm")):
        return sqlite3.connect(f"{uri}&immutable=1", uri=True, check_same_thread=False)
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError as error:
        conn.close()
        if error_code(error) not in (SQLITE_READONLY, SQLITE_CANTOPEN):
            raise
        conn = sqlite3.connect(f"{uri}&immutable=1", uri=True, check_same_thread=False)
    return conn


def _prepare(db: Database, path: Path, check: bool, read_only: bool) -> Database:
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if check:
        check_integrity(db, path)
    compatibility.check_version(db, path)
    if not read_only:
        if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        if db.execute("PRAGMA user_version").fetchone()[0] == NEW_FILE_VERSION:
            db.execute("PRAGMA user_version = 0")  # in the WAL: the file alone says new until its first save
    pending = schema.migrations.pending(db)
    if pending and read_only:
        raise LogbookReadOnly(
            f"the logbook at {path} needs upgrading ({', '.join(m.name for m in pending)}) but is read-only: "
            "make it writable and open it once"
        )
    if pending:
        with immediate(db):  # one process migrates; the others wait, then find nothing to do
            schema.migrations.apply(db)
    compatibility.check_columns(db, path)
    return db


def _explained(
    path: Path, error: sqlite3.Error, existed: bool, read_only: bool, guest: bool = False
) -> Exception:
    """The exception to raise for ``error`` met while opening ``path``: busy stays a SQLite error."""
    if existed and is_damage(error):
        return damaged(path, error, keep_copy=not guest)
    code = error_code(error)
    if code == SQLITE_READONLY or (code == SQLITE_CANTOPEN and (read_only or unwritable(path))):
        return LogbookReadOnly(
            f"cannot open the logbook at {path} ({error}): its file or folder is read-only"
        )
    if code == SQLITE_FULL:
        return LogbookUnwritable(f"cannot open the logbook at {path}: the disk is full ({error})")
    if code in (5, 6):  # SQLITE_BUSY, SQLITE_LOCKED: the caller may try again
        return error
    return LogbookUnavailable(f"cannot open the logbook at {path} ({error})")
