"""``logbook merge``: a teammate's record from elsewhere becomes their read-only file in this project.

The file must verify (its chain, seals and records agree) before anything is
written; a JSON export is first made a logbook file again
(:mod:`logbook.team.restore`) and merged as one. It lands at
``.logbook/authors/<author>.db`` as a single file marked as merged and
read-only; a later merge of the same author replaces it only when the new
file continues the same history. An author who writes in this
project already is never replaced, and two people of one name are told apart
by the keys that sealed their records.
"""

from __future__ import annotations

import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from logbook.audit.verify import verify_logbook
from logbook.errors import LogbookError
from logbook.paths import team_folder
from logbook.store.portable import application_id, copy_whole
from logbook.team.authors import author_file_name, current_author
from logbook.team.members import STATE_WORDS, Member, open_read_only, read_member
from logbook.team.restore import NotRestorable, restored

#: ``PRAGMA application_id`` of a file written by :func:`merge_record` ("LBMG"): only such a file is replaced.
MERGED_APPLICATION_ID = 0x4C424D47
READ_ONLY = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH


@dataclass(frozen=True)
class Merged:
    """What a merge did: whose record, where it now is, how long its history is, and whether it replaced one."""

    author: str
    path: Path
    events: int
    replaced: bool

    def line(self) -> str:
        verb = "updated" if self.replaced else "added"
        return f"{verb} {self.author}'s record ({self.events} events, verified) as {self.path} (read-only)"


def is_merged(path: Path) -> bool:
    """Whether ``path`` is a file :func:`merge_record` wrote (not an author's live logbook)."""
    return application_id(path) == MERGED_APPLICATION_ID


def _author(source: Path, as_author: Optional[str], shown: Path) -> str:
    if as_author:
        return as_author
    with open_read_only(source) as store:
        names = {row["author"] for row in store.seals() if row["author"]}
    if len(names) == 1:
        return names.pop()
    if names:
        found = f"it was sealed by {', '.join(sorted(names))}"
    elif shown.suffix == ".json":
        found = "a JSON export names no author (it carries no author's seal)"
    else:
        found = "it names no author"
    raise LogbookError(f"whose record is {shown.name}? {found}: say whose with --as NAME")


def _continues(source: Path, earlier: Member) -> Optional[str]:
    """Why ``source`` does not continue ``earlier``'s history, or None when it does."""
    if not earlier.events:
        return None
    with open_read_only(source) as store:
        theirs = store.event_hash(earlier.events)
    if theirs is None:
        return f"it holds fewer events than the {earlier.events} of the record here: it is older"
    with open_read_only(earlier.path) as here:
        ours = here.event_hash(earlier.events)
    if theirs != ours:
        return f"its event {earlier.events} differs from the record here: the two histories parted"
    return None


def merge_record(source: Path, logbook: Path, as_author: Optional[str] = None) -> Merged:
    """Bring the logbook file (or JSON export) ``source`` into the team project of ``logbook`` as its author's
    read-only file."""
    folder = team_folder(logbook)
    if folder is None:
        raise LogbookError(
            "this project is not a team project: start one with `logbook team --start` (each author then "
            "writes .logbook/authors/<name>.db)"
        )
    source = Path(source)
    if not source.is_file():
        raise LogbookError(f"no file at {source}")
    if source.suffix != ".json":
        return _merge_file(source, folder, as_author, source)
    try:
        with restored(source, folder) as rebuilt:
            return _merge_file(rebuilt, folder, as_author, source)
    except NotRestorable as error:
        raise LogbookError(f"{error}. Nothing was merged") from None


def _merge_file(source: Path, folder: Path, as_author: Optional[str], shown: Path) -> Merged:
    """Merge the logbook file ``source`` into the team's ``folder``; ``shown`` is the file as the user named it."""
    found = read_member(source)
    if found.state != "ok":
        raise LogbookError(f"{shown} is {STATE_WORDS[found.state]} ({found.problem}): nothing was merged")
    with open_read_only(source) as store:
        check = verify_logbook(store)
    if not check.ok:
        raise LogbookError(f"{shown} does not verify, so nothing was merged: {check.summary()}")
    author = _author(source, as_author, shown)
    if author == current_author():
        raise LogbookError(
            f"{author} is your own name: your record is {folder / author_file_name(author)}, written by your "
            "kernels. Merge someone else's, or pass --as NAME"
        )
    target = folder / author_file_name(author)
    replaced = target.exists()
    if replaced:
        earlier = read_member(target)
        if not is_merged(target):
            raise LogbookError(
                f"{author} writes {target} in this project already: their record is here, and only they "
                "write it. Nothing was merged"
            )
        if earlier.keys and found.keys and not (earlier.keys & found.keys):
            raise LogbookError(
                f"{shown.name} is another {author}'s: it is sealed with key {', '.join(sorted(found.keys))}, "
                f"the {author} here with {', '.join(sorted(earlier.keys))}. Two people share the name: merge it "
                f"under another with --as {author}-2"
            )
        why = _continues(source, earlier) if earlier.state == "ok" else None
        if why:
            raise LogbookError(
                f"{shown.name} does not continue {author}'s record here: {why}. Nothing was merged"
            )
    _write_read_only_copy(source, target)
    return Merged(author, target, found.events, replaced)


def _write_read_only_copy(source: Path, target: Path) -> None:
    """A single-file copy of ``source`` at ``target``, marked as merged and read-only, put in place whole."""
    try:
        with open_read_only(source) as store:
            copy_whole(store.db, target, MERGED_APPLICATION_ID, READ_ONLY)
    except sqlite3.Error as error:
        raise LogbookError(f"cannot write {target}: {error}") from None
