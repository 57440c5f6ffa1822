"""Who writes: the author a process records as, and the file name their logbook takes in a team project."""

from __future__ import annotations

import os
import re
import urllib.parse
from pathlib import Path

from logbook.errors import LogbookError
from logbook.paths import current_author

__all__ = ["author_file_name", "author_of", "current_author", "qualified"]

#: Characters kept as they are in an author's file name; any other is written as ``%xx``.
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


def author_of(path: str | os.PathLike) -> str:
    """The author whose logbook ``path`` is, read back from its name."""
    name = Path(path).name
    return urllib.parse.unquote(name[: -len(SUFFIX)] if name.endswith(SUFFIX) else name)


def qualified(record_id: str, author: str, several: bool) -> str:
    """A record's id as a team reads it: ``H3`` with one author, ``H3·ana`` with several.

    >>> qualified("H3", "ana", False), qualified("H3", "ana", True)
    ('H3', 'H3·ana')
    """
    return f"{record_id}·{author}" if several else record_id
