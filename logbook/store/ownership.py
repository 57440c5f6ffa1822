"""An author's file in a team project is theirs to write alone: no group or other write permission.

The project folder is shared (group-writable), so a file would otherwise take
the folder's group-writable default. SQLite gives the ``-wal`` and ``-shm``
files the permissions of the logbook itself, so a teammate's server can still
read a file its author has open, and cannot write any of the three.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from logbook.paths import team_folder

#: Write permission for anyone but the file's owner.
OTHERS_WRITE = stat.S_IWGRP | stat.S_IWOTH


def keep_to_author(path: Path) -> None:
    """Take group and other write permission off ``path`` and its side files, where this process owns them
    and ``path`` is an author's file in a team project; anything else is left as it is."""
    if team_folder(path) is None:
        return
    for side in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(OSError):
            found = side.stat()
            if found.st_uid == os.geteuid() and found.st_mode & OTHERS_WRITE:
                os.chmod(side, stat.S_IMODE(found.st_mode) & ~OTHERS_WRITE)
