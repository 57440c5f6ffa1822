"""``logbook team --start``: a project's logbook becomes its first author's file in a team project."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from logbook.errors import LogbookError
from logbook.paths import AUTHORS, FILENAME, FOLDER
from logbook.store.core import Store
from logbook.team.authors import author_file_name


def start_team(project: Path, author: str) -> Path:
    """Make ``project`` a team project; its ``.logbook/logbook.db``, if any, becomes ``author``'s file.

    Refused while another process has the logbook open (its WAL is still
    there once this process has saved it and closed): close JupyterLab and
    the kernels writing it first. Returns the author's file.
    """
    folder = Path(project) / FOLDER
    authors = folder / AUTHORS
    if authors.is_dir():
        raise LogbookError(f"{project} is a team project already: {authors} holds one file per author")
    target = authors / author_file_name(author)
    old = folder / FILENAME
    if old.exists():
        with Store(old) as store:
            store.checkpoint()
        busy = [Path(f"{old}{end}") for end in ("-wal", "-shm")]
        if any(path.exists() for path in busy):
            raise LogbookError(
                f"{old} is open in another process (a running JupyterLab or kernel): close them, then start "
                "the team again. Nothing was changed"
            )
    authors.mkdir(parents=True)
    # Sticky, as /tmp is: in a shared folder only a file's owner may delete or rename it.
    os.chmod(authors, stat.S_IMODE(authors.stat().st_mode) | stat.S_ISVTX)
    if old.exists():
        os.rename(old, target)
    return target
