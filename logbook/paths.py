"""Where the logbook file lives.

Like git with ``.git``, Logbook looks for a ``.logbook`` folder in the
working folder and each folder above it. ``LOGBOOK_DB`` names the file
directly and wins over the search. With no logbook found, a new one is made
at the root of the enclosing git repository, or else in the working folder.

In a team project (``.logbook/authors/`` exists) each author writes their own
file, ``.logbook/authors/<author>.db``; see :mod:`logbook.team`.
"""

from __future__ import annotations

import getpass
import os
import re
from pathlib import Path

from logbook.errors import LogbookError

FOLDER = ".logbook"
FILENAME = "logbook.db"
ENV_VAR = "LOGBOOK_DB"
#: The folder inside ``.logbook`` that makes a team project: one logbook file per author.
AUTHORS = "authors"


def find_logbook(start: str | os.PathLike | None = None) -> Path:
    """The logbook file for work done in ``start`` (default: the working folder)."""
    explicit = os.environ.get(ENV_VAR)
    if explicit:
        return Path(explicit).expanduser().resolve()
    here = Path(start or os.getcwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / FOLDER).is_dir():
            return logbook_in(folder / FOLDER)
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder / FOLDER / FILENAME
    return here / FOLDER / FILENAME


def current_author() -> str:
    """Who this process records as: the signed-in Jupyter user on a JupyterHub (``JUPYTERHUB_USER``), else the
    system user; "" when neither is known."""
    hub_user = os.environ.get("JUPYTERHUB_USER", "").strip()
    if hub_user:
        return hub_user
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        return ""


_UNSAFE = re.compile(r"[^A-Za-z0-9_@+-]")
SUFFIX = ".db"


def author_file_name(author: str) -> str:
    """The name of ``author``'s logbook file: ``ana.db``; a character that could not stand in a name is ``%xx``.

    >>> author_file_name("ana"), author_file_name("ana.lee@lab")
    ('ana.db', 'ana%2elee@lab.db')
    """
    if not author.strip():
        raise LogbookError(
            "this team logbook needs an author name, and none is known: set $USER (or JUPYTERHUB_USER)"
        )
    return _UNSAFE.sub(lambda m: "".join(f"%{b:02x}" for b in m.group().encode()), author) + SUFFIX


def logbook_in(folder: Path) -> Path:
    """The file this process writes in the ``.logbook`` folder ``folder``: its author's own in a team project."""
    if (folder / AUTHORS).is_dir():
        return folder / AUTHORS / author_file_name(current_author())
    return folder / FILENAME


def team_folder(logbook: str | os.PathLike) -> Path | None:
    """The ``.logbook/authors`` folder that ``logbook`` is one author's file in, or None outside a team project."""
    parent = Path(logbook).parent
    return parent if parent.name == AUTHORS and parent.parent.name == FOLDER else None


def describe_folder(path: Path) -> str:
    """Why ``path``, a folder, cannot be the logbook: for the error shown to the user."""
    explicit = os.environ.get(ENV_VAR)
    named_by = (
        f"{ENV_VAR} points to a folder"
        if explicit and Path(explicit).expanduser().resolve() == path.resolve()
        else "the logbook path is a folder"
    )
    return f"{named_by}: {path}. Name a file instead, e.g. {path / FILENAME}"


def project_folder(logbook: str | os.PathLike) -> Path:
    """The project a logbook file belongs to: the folder that holds its ``.logbook`` folder.

    A file named by ``LOGBOOK_DB`` outside a ``.logbook`` folder belongs to its own folder.
    """
    logbook = Path(logbook)
    team = team_folder(logbook)
    if team is not None:
        return team.parent.parent
    return logbook.parent.parent if logbook.parent.name == FOLDER else logbook.parent


def project_path(path: str | None, project: str | os.PathLike) -> str | None:
    """``path`` as the project names it: relative to ``project`` (``../`` when outside it), in POSIX form.

    >>> project_path("/home/ada/work/nb/probe.ipynb", "/home/ada/work")
    'nb/probe.ipynb'
    """
    if not path or not Path(path).is_absolute():
        return path
    try:
        return Path(os.path.relpath(Path(path).resolve(), Path(project).resolve())).as_posix()
    except ValueError:  # another drive: no relative path exists
        return Path(path).name
