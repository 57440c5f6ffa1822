"""Where the logbook file lives.

Like git with ``.git``, Logbook looks for a ``.logbook`` folder in the
working folder and each folder above it. ``LOGBOOK_DB`` names the file
directly and wins over the search. With no logbook found, a new one is made
at the root of the enclosing git repository, or else in the working folder.
"""

from __future__ import annotations

import os
from pathlib import Path

FOLDER = ".logbook"
FILENAME = "logbook.db"
ENV_VAR = "LOGBOOK_DB"


def find_logbook(start: str | os.PathLike | None = None) -> Path:
    """The logbook file for work done in ``start`` (default: the working folder)."""
    explicit = os.environ.get(ENV_VAR)
    if explicit:
        return Path(explicit).expanduser().resolve()
    here = Path(start or os.getcwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / FOLDER).is_dir():
            return folder / FOLDER / FILENAME
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder / FOLDER / FILENAME
    return here / FOLDER / FILENAME


def describe_folder(path: Path) -> str:
    """Why ``path``, a folder, cannot be the logbook: for the error shown to the user."""
    explicit = os.environ.get(ENV_VAR)
    named_by = (
        f"{ENV_VAR} points to a folder"
        if explicit and Path(explicit).expanduser().resolve() == path.resolve()
        else "the logbook path is a folder"
    )
    return f"{named_by}: {path}. Name a file instead, e.g. {path / FILENAME}"
