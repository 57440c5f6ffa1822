"""Who writes: the author a process records as, and the file name their logbook takes in a team project."""

from __future__ import annotations

import os
import urllib.parse
from pathlib import Path

from logbook.paths import SUFFIX, author_file_name, current_author

__all__ = ["SUFFIX", "author_file_name", "author_of", "current_author", "qualified"]


#: Characters kept as they are in an author's file name; any other is written as ``%xx``.
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
